"""Tensors: numpy arrays, array-likes and TensorFlow eager tensors.

The contract, element by element, with ``e`` the reference and ``a`` Rust:

* ``mode="exact"``: ``a`` and ``e`` have the same bits, except that any NaN
  matches any NaN (``nan="payload"`` demands identical NaN bits) and, only when
  ``signed_zero=False`` is given, ``-0.0`` matches ``0.0``.
* ``mode="tolerance"``: ``|a - e| <= atol + rtol * |e|``.  The bound is
  asymmetric -- relative to the reference, like ``numpy.isclose(a, e)`` with the
  reference as ``b``.
* ``mode="ulp"``: at most ``max_ulp`` representable values lie between ``a`` and
  ``e`` (counted in the coarser dtype; ``-0.0`` and ``0.0`` are 0 apart).
* ``mode="default"`` (nothing given): tolerance with the per-dtype defaults of
  :data:`DEFAULT_TOLERANCES`.

In every mode NaN must face NaN, and an infinity must face the same infinity:
no tolerance ever lets ``inf`` match a finite value or ``-inf``.  Integers and
booleans are always compared exactly (never through ``float64``); tolerances
apply to floating dtypes only.

Work is done in chunks: a cheap check per chunk (bitwise equality, or the
tolerance test in the input precision with a safety margin) and, only when a
chunk fails it, a precise ``float64`` pass over the whole array that produces
the diagnostics.  Peak extra memory is a few chunks, whatever the input size.
"""

from __future__ import annotations

import heapq
import math
import sys
from typing import Any, Iterator

import numpy as np

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference
from .describe import type_name
from .scalars import is_plain, plain_difference

#: Per-dtype (rtol, atol) used when no tolerance is given.  Integers and bool are exact.
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
}

_BUILTIN_TOLERANCES = dict(DEFAULT_TOLERANCES)


def configure_default_tolerances(overrides: dict[str, dict[str, float]] | None) -> None:
    """Replace per-dtype defaults from ``[tool.monolith_parity.tolerances]`` (``None`` restores the built-ins).

    ``{"float32": {"rtol": 1e-5, "atol": 1e-6}}``; a dtype left out keeps its
    built-in default, a key left out keeps that dtype's other value.
    """
    DEFAULT_TOLERANCES.clear()
    DEFAULT_TOLERANCES.update(_BUILTIN_TOLERANCES)
    for dtype, values in (overrides or {}).items():
        if dtype not in _BUILTIN_TOLERANCES:
            raise ComparatorConfigError(f"tolerances: unknown dtype {dtype!r}; use one of "
                                        f"{', '.join(_BUILTIN_TOLERANCES)}")
        unknown = set(values) - {"rtol", "atol"}
        if unknown:
            raise ComparatorConfigError(f"tolerances.{dtype}: unknown key(s) {sorted(unknown)}; use rtol and atol")
        rtol, atol = DEFAULT_TOLERANCES[dtype]
        rtol, atol = float(values.get("rtol", rtol)), float(values.get("atol", atol))
        if not (rtol >= 0 and atol >= 0 and math.isfinite(rtol) and math.isfinite(atol)):
            raise ComparatorConfigError(f"tolerances.{dtype}: rtol and atol must be finite and >= 0")
        DEFAULT_TOLERANCES[dtype] = (rtol, atol)


MODES = ("default", "exact", "tolerance", "ulp")
NAN_POLICIES = ("equal", "payload")
DTYPE_POLICIES = ("strict", "kind")
SHAPE_POLICIES = ("strict", "squeeze")

#: Elements per chunk: a chunk's float64 temporaries stay near the L2 cache.
DEFAULT_CHUNK = 1 << 17

_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
_SINT = {1: np.int8, 2: np.int16, 4: np.int32, 8: np.int64}
_FLOAT_BITS = {"float16": 16, "bfloat16": 16, "float32": 32, "float64": 64}
_MANT_BITS = {"bfloat16": 7, "float16": 10, "float32": 23, "float64": 52}
_MAX_ULP = 2**64 - 1  # ULP distances are counted in uint64
# Shrinks the cheap check's bound so that its rounding can only reject, never accept.
_CHEAP_MARGIN = 1.0 - 2.0**-18


# --------------------------------------------------------------------------- inputs


def as_array(value: Any, keep_nul: bool = False) -> np.ndarray:
    """Turn a tensor-like into an ndarray without ever routing integers through float64.

    Python strings go to numpy ``U``/``S`` storage, which drops trailing NUL
    characters; with ``keep_nul`` (set when either side has a string ending in
    NUL) they become object arrays instead, so ``"a\\x00"`` stays ``"a\\x00"``.
    """
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, np.generic):
        if keep_nul and value.dtype.kind in "US":
            return _object_scalar(_scalar_text(value))
        return np.asarray(value)
    module = type(value).__module__ or ""
    if module.startswith("tensorflow"):
        return _tf_to_numpy(value)
    if isinstance(value, bool):
        return np.asarray(value, dtype=np.bool_)
    if isinstance(value, int):
        return _int_array(value, [value])
    if isinstance(value, float):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, (list, tuple)):
        return _list_array(value, keep_nul)
    if isinstance(value, (str, bytes)):
        return _object_scalar(value) if keep_nul else np.asarray(value)
    if hasattr(value, "__array__"):
        return np.asarray(value)
    raise ComparatorInputError(f"tensor comparator cannot interpret a {type(value).__name__} as an array")


def _object_scalar(value: Any) -> np.ndarray:
    arr = np.empty((), dtype=object)
    arr[()] = value
    return arr


def _scalar_text(value: np.generic) -> str | bytes:
    """A numpy string scalar's whole value (``str()`` and ``.item()`` drop trailing NULs)."""
    return bytes(value) if value.dtype.kind == "S" else str.__str__(value)


def ends_in_nul(value: Any) -> bool:
    """True if a Python string (or a list of them) holds a string ending in NUL, which U/S storage would drop."""
    if isinstance(value, np.generic):
        value = _scalar_text(value) if value.dtype.kind in "US" else None
    if isinstance(value, str):
        return value.endswith("\x00")
    if isinstance(value, bytes):
        return value.endswith(b"\x00")
    if isinstance(value, (list, tuple)):
        return any(ends_in_nul(x) for x in _leaves(value) if isinstance(x, (str, bytes, np.str_, np.bytes_)))
    return False


def python_ints(value: Any) -> list[int] | None:
    """The leaves of a Python int or a (nested) list of Python ints, else None."""
    if type(value) is int:
        return [value]
    if isinstance(value, (list, tuple)):
        leaves = list(_leaves(value))
        if leaves and all(type(x) is int for x in leaves):
            return leaves
    return None


def _tf_to_numpy(value: Any) -> np.ndarray:
    name = type(value).__name__
    if "Ragged" in name or "Sparse" in name:
        raise ComparatorInputError(
            f"tensor comparator does not compare {name}; convert it (e.g. .to_tensor()) in the case first"
        )
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    raise ComparatorInputError(f"cannot read the value of TensorFlow {name} (is it a graph tensor?)")


def _int_array(value: int | list | tuple, leaves: list[int]) -> np.ndarray:
    """Python ints exactly: int64 if all fit, else uint64 if all fit, else objects -- never float64.

    The ranges are checked here: numpy would wrap ``-1`` into a uint64 array as
    ``2**64 - 1``, so ``[-1, 2**63]`` must not become uint64.
    """
    lo, hi = (min(leaves), max(leaves)) if leaves else (0, 0)
    dtype = np.int64 if -(2**63) <= lo and hi < 2**63 else np.uint64 if 0 <= lo and hi < 2**64 else object
    try:
        return np.asarray(value, dtype=dtype)
    except ValueError as exc:  # ragged nesting
        raise ComparatorInputError(f"tensor comparator cannot make an array of this list: {exc}") from None


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _list_array(value: list | tuple, keep_nul: bool = False) -> np.ndarray:
    leaves = list(_leaves(value))
    if keep_nul and any(isinstance(x, (str, bytes, np.str_, np.bytes_)) for x in leaves):
        try:
            arr = np.asarray(value, dtype=object)
        except ValueError as exc:  # ragged nesting
            raise ComparatorInputError(f"tensor comparator cannot make an array of this list: {exc}") from None
        return arr
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nesting
        raise ComparatorInputError(f"tensor comparator cannot make an array of this list: {exc}") from None
    kinds = {type(x) is bool or isinstance(x, np.bool_) for x in leaves}
    if len(kinds) > 1:
        # numpy would turn [True, 2] into [1, 2]; keep bools distinguishable from numbers
        return np.array(value, dtype=object)
    if leaves and all(type(x) is int for x in leaves):
        return _int_array(value, leaves)  # numpy turns [1, 2**63] into float64: keep integers exact instead
    if arr.dtype.kind not in "fO":
        return arr
    if arr.dtype.kind == "f" and any(type(x) is int and abs(x) > 2**53 for x in leaves):
        raise ComparatorInputError(
            "list mixes floats with integers beyond 2**53, which float64 cannot hold exactly; pass an ndarray"
        )
    return arr


# --------------------------------------------------------------------------- dtype helpers


def _bfloat16() -> Any:
    try:
        import ml_dtypes  # optional
    except ImportError:  # pragma: no cover - ml_dtypes ships with TF and jax
        return None
    return np.dtype(ml_dtypes.bfloat16)


def _float_name(dtype: np.dtype) -> str | None:
    """``float16``/``bfloat16``/``float32``/``float64`` for supported floats, else None."""
    if dtype.kind == "f":
        name = np.dtype(dtype.type).name
        if name not in _FLOAT_BITS:
            raise ComparatorInputError(f"tensor comparator does not support {name} (only float16/32/64, bfloat16)")
        return name
    if dtype.kind == "V" and dtype.names is None and dtype.name == "bfloat16" and dtype == _bfloat16():
        return "bfloat16"
    return None


def _native(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "<" and sys.byteorder == "big"):
        return arr.astype(arr.dtype.newbyteorder("="))
    return arr


def _dtype_label(dtype: np.dtype) -> str:
    return "bfloat16" if _float_name(dtype) == "bfloat16" else str(dtype)


def _int_kind(dtype: np.dtype) -> bool:
    return dtype.kind in "iu"


# --------------------------------------------------------------------------- formatting


def _fmt_index(index: tuple[int, ...]) -> str:
    return "" if not index else "[" + ", ".join(str(int(i)) for i in index) + "]"


def _fmt_value(value: Any, nan_bits: bool = False) -> str:
    if isinstance(value, np.generic):
        fname = _float_name(value.dtype)
        if fname is not None:
            if nan_bits and math.isnan(float(value)):
                bits = int(np.asarray(value).view(_UINT[value.dtype.itemsize]))
                return f"nan(0x{bits:0{value.dtype.itemsize * 2}x})"
            return str(value)
        if value.dtype.kind in "iub":
            return str(value.item())
    return repr(value.item() if isinstance(value, np.generic) else value)


def _g(x: float) -> str:
    return f"{x:.2g}"


def _ordered_scalar(value: np.generic) -> int:
    nbits = value.dtype.itemsize * 8
    bits = int(np.asarray(value).view(_UINT[value.dtype.itemsize]))
    sign = 1 << (nbits - 1)
    return -(bits & (sign - 1)) if bits & sign else bits


def _ulp_scalar(e: np.generic, a: np.generic, coarse: np.dtype) -> int | None:
    ec, ac = np.asarray(e).astype(coarse), np.asarray(a).astype(coarse)
    if not (np.isfinite(ec.astype(np.float64)) and np.isfinite(ac.astype(np.float64))):
        return None
    return abs(_ordered_scalar(ac[()]) - _ordered_scalar(ec[()]))


# --------------------------------------------------------------------------- vector helpers


def _ordered(x: np.ndarray) -> np.ndarray:
    """Map float bits to integers whose order and distance are those of the floats."""
    size = x.dtype.itemsize
    s = x.view(_SINT[size]).astype(np.int64)
    mag = np.int64((1 << (size * 8 - 1)) - 1)
    return np.where(s < 0, -(s & mag), s)


def _max_ulp_finite(e: np.ndarray, a: np.ndarray) -> int:
    """Largest exact ULP distance between same-dtype, all-finite float arrays (the passing path's metric).

    Where the signs agree the distance is the difference of the raw bits (it fits the signed width);
    only the few elements whose signs differ take the exact path of :func:`_ulp_vec`.
    """
    if len(e) == 0:
        return 0
    sint = _SINT[e.dtype.itemsize]
    ie, ia = e.view(sint), a.view(sint)
    d = np.subtract(ia, ie)
    np.abs(d, out=d)
    cross = np.bitwise_xor(ie, ia) < 0
    np.putmask(d, cross, 0)
    m = int(d.max())
    if cross.any():
        where = np.flatnonzero(cross)
        m = max(m, int(_ulp_vec(e[where], a[where]).max()))
    return m


def _ulp_vec(e: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Exact ULP distance (uint64) between same-dtype float arrays; garbage where non-finite."""
    oe, oa = _ordered(e), _ordered(a)
    if e.dtype.itemsize < 8:
        return np.abs(oa - oe).view(np.uint64)
    ue, ua = oe.view(np.uint64), oa.view(np.uint64)
    return np.where(oa >= oe, ua - ue, ue - ua)


class _Worst:
    """The ``k`` largest-scoring mismatches seen so far (ties: lowest index first)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.heap: list[tuple[float, int]] = []

    def offer(self, scores: np.ndarray, indices: np.ndarray) -> None:
        if self.k <= 0 or len(indices) == 0:
            return
        if len(indices) > self.k:
            keep = np.argpartition(-scores, self.k - 1)[: self.k]
            scores, indices = scores[keep], indices[keep]
        for s, i in zip(scores.tolist(), indices.tolist()):
            item = (s, -i)
            if len(self.heap) < self.k:
                heapq.heappush(self.heap, item)
            elif item > self.heap[0]:
                heapq.heapreplace(self.heap, item)

    def indices(self) -> list[int]:
        return [-i for _, i in sorted(self.heap, reverse=True)]


class _Stats:
    def __init__(self, worst: int) -> None:
        self.mismatched = 0
        self.max_abs = 0.0
        self.max_rel = 0.0
        self.max_ulp: float | None = None
        self.worst = _Worst(worst)

    def absorb_abs_rel(self, d: np.ndarray, abs_e: np.ndarray) -> None:
        if len(d) == 0:
            return
        self.max_abs = max(self.max_abs, float(d.max()))
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = d / abs_e
        m = np.fmax.reduce(rel)  # 0/0 -> nan (ignored): equal zeros are 0 apart
        if not math.isnan(m):
            self.max_rel = max(self.max_rel, float(m))

    def absorb_ulp(self, u: np.ndarray) -> None:
        if len(u):
            self.max_ulp = max(self.max_ulp or 0.0, float(u.max()))


# --------------------------------------------------------------------------- comparator


class TensorComparator(Comparator):
    """Element-wise tensor comparison; see the module docstring for the contract.

    Options: ``rtol``/``atol`` (tolerance mode), ``max_ulp`` (ULP mode),
    ``mode`` (``default``, ``exact``, ``tolerance``, ``ulp``; inferred from the
    other options when omitted), ``nan`` (``equal``: NaN matches NaN at the same
    position; ``payload``: the NaN bits must match too), ``signed_zero`` (True:
    ``-0.0 != 0.0``; defaults to True in exact mode, False otherwise),
    ``dtype`` (``strict``; ``kind`` lets float widths or integer widths and
    signedness differ, compared by value -- floats with the looser default
    tolerance; or a dtype both sides must have), ``shape`` (``strict``;
    ``squeeze`` ignores size-1 axes; or a shape both sides must have), ``worst``
    (how many worst elements to list).
    """

    name = "tensor"

    def __init__(
        self,
        rtol: float | None = None,
        atol: float | None = None,
        max_ulp: int | None = None,
        mode: str | None = None,
        nan: str = "equal",
        signed_zero: bool | None = None,
        dtype: Any = "strict",
        shape: Any = "strict",
        worst: int = 5,
        chunk_size: int = DEFAULT_CHUNK,
        objects: Comparator | None = None,
    ) -> None:
        for label, tol in (("rtol", rtol), ("atol", atol)):
            if tol is not None and (not isinstance(tol, (int, float)) or isinstance(tol, bool) or not tol >= 0 or math.isinf(tol)):
                raise ComparatorConfigError(f"{label} must be a finite number >= 0, got {tol!r}")
        if max_ulp is not None and (isinstance(max_ulp, bool) or not isinstance(max_ulp, (int, np.integer))
                                    or not 0 <= int(max_ulp) <= _MAX_ULP):
            raise ComparatorConfigError(f"max_ulp must be an integer from 0 to 2**64 - 1, got {max_ulp!r}")
        if mode is None:
            if max_ulp is not None and (rtol is not None or atol is not None):
                raise ComparatorConfigError("give either rtol/atol or max_ulp, not both (or set mode)")
            mode = "ulp" if max_ulp is not None else "tolerance" if (rtol is not None or atol is not None) else "default"
        if mode not in MODES:
            raise ComparatorConfigError(f"unknown tensor mode {mode!r}; expected one of {', '.join(MODES)}")
        if mode == "ulp" and max_ulp is None:
            raise ComparatorConfigError("mode='ulp' needs max_ulp")
        if mode in ("exact", "default") and (rtol is not None or atol is not None or max_ulp is not None):
            raise ComparatorConfigError(f"mode={mode!r} takes no rtol/atol/max_ulp")
        if mode == "tolerance" and max_ulp is not None:
            raise ComparatorConfigError("mode='tolerance' takes rtol/atol, not max_ulp")
        if mode == "ulp" and (rtol is not None or atol is not None):
            raise ComparatorConfigError("mode='ulp' takes max_ulp, not rtol/atol")
        if nan not in NAN_POLICIES:
            raise ComparatorConfigError(f"unknown nan policy {nan!r}; expected one of {', '.join(NAN_POLICIES)}")
        if signed_zero is not None and not isinstance(signed_zero, bool):
            raise ComparatorConfigError(f"signed_zero must be a bool, got {signed_zero!r}")
        self.required_dtype: np.dtype | None = None
        if isinstance(dtype, str) and dtype in DTYPE_POLICIES:
            self.dtype_policy = dtype
        else:
            try:
                self.required_dtype = _bfloat16() if dtype == "bfloat16" else np.dtype(dtype).newbyteorder("=")
            except TypeError:
                raise ComparatorConfigError(
                    f"dtype must be one of {', '.join(DTYPE_POLICIES)} or a numpy dtype, got {dtype!r}"
                ) from None
            self.dtype_policy = "strict"
        self.required_shape: tuple[int, ...] | None = None
        if isinstance(shape, str):
            if shape not in SHAPE_POLICIES:
                raise ComparatorConfigError(f"unknown shape policy {shape!r}; expected one of {', '.join(SHAPE_POLICIES)} or a tuple")
            self.shape_policy = shape
        else:
            try:
                self.required_shape = tuple(int(n) for n in shape)
            except TypeError:
                raise ComparatorConfigError(f"shape must be a policy name or a tuple of ints, got {shape!r}") from None
            self.shape_policy = "strict"
        if not isinstance(worst, int) or worst < 0:
            raise ComparatorConfigError(f"worst must be an int >= 0, got {worst!r}")
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise ComparatorConfigError(f"chunk_size must be a positive int, got {chunk_size!r}")
        if objects is not None and not isinstance(objects, Comparator):
            raise ComparatorConfigError(f"objects must be a Comparator, got {objects!r}")
        self.objects = objects
        self.mode = mode
        self.rtol = float(rtol) if rtol is not None else (0.0 if mode == "tolerance" else None)
        self.atol = float(atol) if atol is not None else (0.0 if mode == "tolerance" else None)
        self.max_ulp = int(max_ulp) if max_ulp is not None else None
        self.nan = nan
        self.signed_zero = (mode == "exact") if signed_zero is None else signed_zero
        self.worst = worst
        self.chunk_size = chunk_size

    def describe(self) -> str:
        if self.mode == "tolerance":
            contract = f"|a-e| <= {self.atol:g} + {self.rtol:g}*|e|"
        elif self.mode == "ulp":
            contract = f"<= {self.max_ulp} ulp"
        elif self.mode == "exact":
            contract = "exact"
        else:
            contract = "per-dtype default tolerance"
        extra = [f"nan={self.nan}", f"signed_zero={self.signed_zero}"]
        if self.dtype_policy != "strict" or self.required_dtype is not None:
            extra.append(f"dtype={self.required_dtype or self.dtype_policy}")
        if self.shape_policy != "strict" or self.required_shape is not None:
            extra.append(f"shape={self.required_shape or self.shape_policy}")
        return f"tensor({contract}, {', '.join(extra)})"

    # ------------------------------------------------------------------ entry

    def compare(self, expected: Any, actual: Any) -> Comparison:
        keep_nul = ends_in_nul(expected) or ends_in_nul(actual)
        ie, ia = python_ints(expected), python_ints(actual)
        if ie is not None and ia is not None:
            # both sides are Python ints: one dtype for both, chosen from both ranges, so [-1, 2**63]
            # and [2**64 - 1, 2**63] are compared element by element rather than as int64/object dtypes
            both = ie + ia
            e = _int_array(expected, both)
            a = _int_array(actual, both)
        else:
            e = _native(as_array(expected, keep_nul))
            a = _native(as_array(actual, keep_nul))
        problems = self._check_meta(e, a)
        if problems:
            return Comparison.differ(*problems, summary="; ".join(p.message for p in problems))
        if self.shape_policy == "squeeze":
            e, a = np.squeeze(e), np.squeeze(a)
        n = int(e.size)
        fe, fa = _float_name(e.dtype), _float_name(a.dtype)
        if n == 0:
            return Comparison.same(max_abs=0.0, max_rel=0.0, mismatched=0, total=0)
        if fe and fa:
            with np.errstate(all="ignore"):  # overflow/NaN are handled explicitly, not warned about
                stats = self._compare_float(e, a, fe, fa)
        elif e.dtype.kind in "c" or a.dtype.kind in "c":
            raise ComparatorInputError("tensor comparator does not compare complex arrays; compare .real and .imag")
        elif e.dtype.kind == "O" or a.dtype.kind == "O":
            stats = self._compare_objects(e, a)
        else:
            stats = self._compare_discrete(e, a)
        return self._verdict(e, a, stats, n)

    # ------------------------------------------------------------------ metadata

    def _check_meta(self, e: np.ndarray, a: np.ndarray) -> list[Difference]:
        out: list[Difference] = []
        le, la = _dtype_label(e.dtype), _dtype_label(a.dtype)
        if self.required_dtype is not None:
            for side, arr, label in (("expected", e, le), ("actual", a, la)):
                if arr.dtype != self.required_dtype:
                    out.append(Difference("", f"dtype: {side} is {label}, required {_dtype_label(self.required_dtype)}"))
        elif not self._dtypes_compatible(e.dtype, a.dtype):
            out.append(Difference("", f"dtype {le} != {la}"))
        se, sa = e.shape, a.shape
        if self.required_shape is not None:
            for side, shp in (("expected", se), ("actual", sa)):
                if shp != self.required_shape:
                    out.append(Difference("", f"shape: {side} is {shp}, required {self.required_shape}"))
        elif self.shape_policy == "squeeze":
            if np.squeeze(e).shape != np.squeeze(a).shape:
                out.append(Difference("", f"shape {se} != {sa} (even ignoring size-1 axes)"))
        elif se != sa:
            out.append(Difference("", f"shape {se} != {sa}"))
        return out

    def _dtypes_compatible(self, de: np.dtype, da: np.dtype) -> bool:
        if de.kind in "US" and da.kind == de.kind:
            return True  # the string width is storage, not value
        if de == da:
            return True
        if self.dtype_policy == "kind":
            if _float_name(de) and _float_name(da):
                return True
            if _int_kind(de) and _int_kind(da):
                return True
        return False

    # ------------------------------------------------------------------ floats

    def _tolerance_for(self, fe: str, fa: str) -> tuple[float, float]:
        if self.mode == "tolerance":
            return self.rtol, self.atol  # type: ignore[return-value]
        re_, ae = DEFAULT_TOLERANCES[fe]
        ra, aa = DEFAULT_TOLERANCES[fa]
        return max(re_, ra), max(ae, aa)

    def _compare_float(self, e: np.ndarray, a: np.ndarray, fe: str, fa: str) -> _Stats:
        mode = "tolerance" if self.mode == "default" else self.mode
        rtol, atol = self._tolerance_for(fe, fa) if mode == "tolerance" else (0.0, 0.0)
        coarse = e.dtype if _MANT_BITS[fe] <= _MANT_BITS[fa] else a.dtype
        stats = _Stats(self.worst)
        if self._cheap_pass(e, a, mode, rtol, atol, stats):
            return stats
        stats = _Stats(self.worst)
        for base, ec, ac in _chunks(e, a, self.chunk_size):
            self._precise_chunk(ec, ac, base, mode, rtol, atol, coarse, stats)
        return stats

    def _cheap_pass(self, e: np.ndarray, a: np.ndarray, mode: str, rtol: float, atol: float, stats: _Stats) -> bool:
        """True when every chunk passes a check that can only err towards failing."""
        same = e.dtype == a.dtype
        use_tol = mode == "tolerance" and not self.signed_zero and rtol <= 1.0 and (atol == 0.0 or 2.0**-100 <= atol <= 1e30)
        for _, ec, ac in _chunks(e, a, self.chunk_size):
            if same:
                ub = _UINT[ec.dtype.itemsize]
                if np.array_equal(ec.view(ub), ac.view(ub)):
                    stats.absorb_ulp(np.zeros(min(len(ec), 1), np.uint64))
                    continue
            if not use_tol:
                return False
            work = np.float64 if (ec.dtype.itemsize == 8 or ac.dtype.itemsize == 8) else np.float32
            ew, aw = ec.astype(work, copy=False), ac.astype(work, copy=False)
            d = np.subtract(aw, ew)
            np.abs(d, out=d)
            m = d.max()
            if not m <= np.finfo(work).max:  # NaN or inf somewhere: let the precise pass judge
                return False
            t = np.abs(ew)
            if atol == 0.0 and np.count_nonzero(t < np.finfo(work).tiny * 2.0**24):
                return False  # rtol*|e| would round in the subnormal range
            stats.absorb_abs_rel(d, t)
            if same:  # every element is finite here: the ULP distance is exact, and a passing case reports it too
                stats.max_ulp = max(stats.max_ulp or 0.0, float(_max_ulp_finite(ec, ac)))
            t *= work(rtol * _CHEAP_MARGIN)
            t += work(atol * _CHEAP_MARGIN)
            if not np.all(d <= t):
                return False
        return True

    def _precise_chunk(
        self, ec: np.ndarray, ac: np.ndarray, base: int, mode: str, rtol: float, atol: float, coarse: np.dtype, stats: _Stats
    ) -> None:
        same = ec.dtype == ac.dtype
        pos: np.ndarray | None = None
        if same:
            ub = _UINT[ec.dtype.itemsize]
            neq = ec.view(ub) != ac.view(ub)
            k = int(np.count_nonzero(neq))
            if k == 0:
                return
            if k * 4 < len(ec):
                pos = np.flatnonzero(neq)
                ec, ac = ec[pos], ac[pos]
        E = ec.astype(np.float64, copy=False)
        A = ac.astype(np.float64, copy=False)
        with np.errstate(invalid="ignore", over="ignore"):
            d = np.abs(A - E)
        abs_e = np.abs(E)
        u: np.ndarray | None = None
        if same or mode == "ulp":
            if same:
                u = _ulp_vec(ec, ac)
            else:
                with np.errstate(over="ignore"):
                    ecc, acc = ec.astype(coarse), ac.astype(coarse)
                u = _ulp_vec(ecc, acc)
        if mode == "exact":
            mis = ~(A == E)
        elif mode == "tolerance":
            mis = ~(d <= abs_e * rtol + atol)
        else:
            mis = ~(u <= np.uint64(self.max_ulp))  # type: ignore[operator]
            if not same:
                # a finite value that overflows the coarse dtype is not "1 ulp from max"
                over = ~(np.isfinite(ecc.astype(np.float64)) & np.isfinite(acc.astype(np.float64)))
                mis |= over
        with np.errstate(over="ignore"):
            total = np.add.reduce(d)
        if not math.isfinite(total):
            bad = np.flatnonzero(~(np.isfinite(E) & np.isfinite(A)))
            Eb, Ab = E[bad], A[bad]
            both_nan = np.isnan(Eb) & np.isnan(Ab)
            if self.nan == "payload":
                if same:
                    ub = _UINT[ec.dtype.itemsize]
                    both_nan &= ec[bad].view(ub) == ac[bad].view(ub)
                else:
                    both_nan &= Eb.view(np.uint64) == Ab.view(np.uint64)
            match = both_nan | (np.isinf(Eb) & (Eb == Ab))
            mis[bad] = ~match
            d[bad] = np.where(match, 0.0, np.inf)
            if u is not None:
                u[bad] = np.where(match, np.uint64(0), np.uint64(2**64 - 1))
            if mode == "tolerance":
                # finite inputs whose difference or bound overflowed: decide on halved values
                over = np.flatnonzero(np.isinf(d) & np.isfinite(E) & np.isfinite(A))
                if len(over):
                    Eo, Ao = E[over] * 0.5, A[over] * 0.5
                    mis[over] = ~(np.abs(Ao - Eo) <= np.abs(Eo) * rtol + atol * 0.5)
        if self.signed_zero:
            mis |= (E == 0) & (A == 0) & (np.signbit(E) != np.signbit(A))
        stats.absorb_abs_rel(d, abs_e)
        if u is not None:
            stats.absorb_ulp(u)
        js = np.flatnonzero(mis)
        if len(js):
            stats.mismatched += len(js)
            score = (u[js].astype(np.float64) if mode == "ulp" else d[js])  # type: ignore[index]
            idx = (pos[js] if pos is not None else js) + base
            stats.worst.offer(score, idx)

    # ------------------------------------------------------------------ integers, bool, strings

    def _compare_discrete(self, e: np.ndarray, a: np.ndarray) -> _Stats:
        stats = _Stats(self.worst)
        de, da = e.dtype, a.dtype
        for base, ec, ac in _chunks(e, a, self.chunk_size):
            if de.kind in "Mm":
                mis = ec.view(np.int64) != ac.view(np.int64)
            elif de.kind == "V":
                mis = np.any(ec.view(np.uint8).reshape(len(ec), -1) != ac.view(np.uint8).reshape(len(ac), -1), axis=1)
            elif _int_kind(de) and de != da:
                mis = ~_int_equal(ec, ac)
            else:
                mis = ec != ac
            js = np.flatnonzero(mis)
            if not len(js):
                continue
            stats.mismatched += len(js)
            if de.kind in "iub":
                if de.kind == "b":
                    d = np.ones(len(js))
                else:
                    d = _int_absdiff(ec[js], ac[js])
                stats.max_abs = max(stats.max_abs, float(d.max()))
                with np.errstate(divide="ignore", invalid="ignore"):
                    rel = np.fmax.reduce(d / np.abs(ec[js].astype(np.float64)))
                if not math.isnan(rel):
                    stats.max_rel = max(stats.max_rel, float(rel))
            else:
                d = np.zeros(len(js))
            stats.worst.offer(d, js + base)
        return stats

    def _compare_objects(self, e: np.ndarray, a: np.ndarray) -> _Stats:
        stats = _Stats(self.worst)
        fe, fa = e.reshape(-1), a.reshape(-1)
        bad = [i for i in range(len(fe)) if not self._object_equal(fe[i], fa[i], i, e.shape)]
        stats.mismatched = len(bad)
        stats.worst.offer(np.zeros(len(bad)), np.asarray(bad, dtype=np.int64))
        return stats

    def _object_equal(self, x: Any, y: Any, flat: int, shape: tuple[int, ...]) -> bool:
        """One object-array element pair: ``objects`` if given, else plain values exactly and arrays exactly."""
        if self.objects is not None:
            return self.objects.compare(x, y).equal
        if type(x) is not type(y):
            return False
        if isinstance(x, (np.ndarray, np.generic)):
            return TensorComparator(mode="exact", nan=self.nan).compare(x, y).equal
        if is_plain(x):
            return plain_difference(x, y, self.nan) is None
        index = _fmt_index(tuple(int(i) for i in np.unravel_index(flat, shape))) if shape else "[]"
        raise ComparatorInputError(
            f"object array element {index} is a {type_name(x)}; tensor() compares plain values and arrays inside "
            "object arrays -- compare the structure with exact() or structured(), or pass tensor(objects=exact())"
        )

    # ------------------------------------------------------------------ report

    def _verdict(self, e: np.ndarray, a: np.ndarray, stats: _Stats, n: int) -> Comparison:
        metrics: dict[str, float] = {"max_abs": stats.max_abs, "max_rel": stats.max_rel, "mismatched": stats.mismatched, "total": n}
        if stats.max_ulp is not None:
            metrics["max_ulp"] = stats.max_ulp
        if stats.mismatched == 0:
            return Comparison.same(**metrics)
        pct = 100.0 * stats.mismatched / n
        parts = [f"mismatched {stats.mismatched} / {n} ({pct:.3g}%)"]
        if e.dtype.kind not in "OUSVMm" or _float_name(e.dtype):
            parts.append(f"max abs {_g(stats.max_abs)}")
            parts.append(f"max rel {_g(stats.max_rel)}")
            if stats.max_ulp is not None:
                parts.append(f"max ulp {stats.max_ulp:.0f}" if math.isfinite(stats.max_ulp) and stats.max_ulp < 2**64 - 1 else "max ulp inf")
        with np.errstate(all="ignore"):
            diffs = [self._describe(e, a, i) for i in stats.worst.indices()]
        return Comparison.differ(*diffs, summary=", ".join(parts), **metrics)

    def _describe(self, e: np.ndarray, a: np.ndarray, flat: int) -> Difference:
        index = tuple(int(i) for i in np.unravel_index(flat, e.shape)) if e.ndim else ()
        ev, av = e[index], a[index]
        fe, fa = _float_name(e.dtype), _float_name(a.dtype)
        payload = self.nan == "payload"
        head = f"expected {_fmt_value(ev, payload)} != actual {_fmt_value(av, payload)}"
        if type(ev) is type(av) and isinstance(ev, (str, bytes)):
            return Difference(_fmt_index(index), f"{head} ({plain_difference(ev, av)})")
        if fe and fa:
            x, y = float(ev), float(av)
            if math.isnan(x) or math.isnan(y):
                tail = "NaN payload differs" if math.isnan(x) and math.isnan(y) else "NaN vs number"
            elif math.isinf(x) or math.isinf(y):
                tail = "abs inf, infinity mismatch"
            else:
                diff = abs(y - x)
                rel = diff / abs(x) if x != 0 else (0.0 if diff == 0 else math.inf)
                coarse = e.dtype if _MANT_BITS[fe] <= _MANT_BITS[fa] else a.dtype
                ulp = _ulp_scalar(ev, av, coarse)
                tail = f"abs {_g(diff)}, rel {_g(rel)}, {ulp if ulp is not None else 'inf'} ulp"
                if diff == 0 and self.signed_zero:
                    tail += ", signed zero"
            return Difference(_fmt_index(index), f"{head} ({tail})")
        if e.dtype.kind in "iu" and a.dtype.kind in "iu":
            x, y = int(ev), int(av)
            rel = abs(y - x) / abs(x) if x else math.inf
            return Difference(_fmt_index(index), f"{head} (abs {abs(y - x)}, rel {_g(rel)})")
        return Difference(_fmt_index(index), head)


def _int_equal(e: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Exact value equality of integer arrays of any widths and signedness."""
    se, sa = e.dtype.kind == "i", a.dtype.kind == "i"
    if se == sa:
        wide = np.int64 if se else np.uint64
        return e.astype(wide) == a.astype(wide)
    signed, unsigned = (e, a) if se else (a, e)
    s64 = signed.astype(np.int64)
    return (s64 >= 0) & (s64.view(np.uint64) == unsigned.astype(np.uint64))


def _int_absdiff(e: np.ndarray, a: np.ndarray) -> np.ndarray:
    """|a - e| as float64, computed exactly in uint64 wherever it fits there."""
    se, sa = e.dtype.kind == "i", a.dtype.kind == "i"
    if se == sa:
        wide = np.int64 if se else np.uint64
        E, A = e.astype(wide), a.astype(wide)
        ue, ua = E.view(np.uint64), A.view(np.uint64)
        return np.where(A >= E, ua - ue, ue - ua).astype(np.float64)
    signed, unsigned = (e, a) if se else (a, e)
    s64, u64 = signed.astype(np.int64), unsigned.astype(np.uint64)
    us = s64.view(np.uint64)
    exact = np.where(u64 >= us, u64 - us, us - u64).astype(np.float64)
    far = u64.astype(np.float64) - s64.astype(np.float64)
    return np.where(s64 < 0, far, exact)


def _chunks(e: np.ndarray, a: np.ndarray, size: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Matching 1-D chunks of both arrays in C order, without copying contiguous inputs whole."""
    n = e.size
    fe = e.reshape(-1) if e.flags.c_contiguous else None
    fa = a.reshape(-1) if a.flags.c_contiguous else None
    for start in range(0, n, size):
        stop = min(n, start + size)
        ec = fe[start:stop] if fe is not None else np.asarray(e.flat[start:stop])
        ac = fa[start:stop] if fa is not None else np.asarray(a.flat[start:stop])
        yield start, ec, ac
