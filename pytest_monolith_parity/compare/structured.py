"""Structured values (dicts, lists, tuples, sets, dataclasses, objects) and JSON.

The walk (:mod:`.walk`, iterative, so depth and self-containing structures are
no problem) pairs dicts by key, lists by position, sets by member, dataclasses
and objects by attribute, and closes the traps an equality-based diff leaves
open: dict keys and set members that are equal but of different types
(``{1: x}`` vs ``{True: x}``, ``{(1, 2)}`` vs ``{(1.0, 2)}``) are differences,
``1``, ``1.0`` and ``True`` never match, a bool is never a number (not even
with ``ignore_numeric_type_changes``), and numpy arrays and protobuf messages
met anywhere -- also in an object's attributes -- go to the tensor and proto
comparators.

deepdiff does what it is good at: numbers under a tolerance (``math_epsilon``:
``math.isclose(e, a, abs_tol=math_epsilon)``, which keeps its default
``rel_tol=1e-9``; ``significant_digits``: equal when rounded to that many digits
after the decimal point, ``number_format_notation="f"``, or when their
scientific notation with that many digits after the mantissa's point is equal,
``"e"`` -- so small magnitudes keep their digits), numeric type changes, and
hashing list elements for ``ignore_order`` (pairs are then confirmed by the
walk, so a hash that ignores a type cannot pair ``1`` with ``True``).  Without
a tolerance, numbers must be equal; NaN matches NaN and ``-0.0 == 0.0``.
"""

from __future__ import annotations

import collections
import dataclasses
import decimal
import json as _json
import math
import numbers
import re
from typing import Any, Iterable

import numpy as np
from google.protobuf.message import Message

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference, nest
from .describe import bytes_difference, key_path, short, type_name, values_differ
from .exact import ExactComparator
from .proto import ProtoComparator
from .scalars import equality_difference, is_plain
from .tensor import TensorComparator
from .walk import LEFTOVER_PAIRING, Rules, Walk, kind, object_state

#: ignore_order hashes list elements with deepdiff, which recurses: elements deeper than this are refused.
IGNORE_ORDER_DEPTH = 100

_REPORTS = {
    "values_changed": "value",
    "type_changes": "type",
}
_BOOLS = (bool, np.bool_)


def _special(value: Any) -> str | None:
    """'array' / 'message' for values handed to another comparator."""
    if isinstance(value, np.ndarray):
        return "array"
    if isinstance(value, Message):
        return "message"
    return None


def _is_nan(value: Any) -> bool:
    """A real NaN (float, numpy float, Decimal); a complex number is NaN only part by part (see _same_nans)."""
    try:
        if isinstance(value, decimal.Decimal):
            return value.is_nan()
        return isinstance(value, numbers.Real) and value != value
    except Exception:  # noqa: BLE001 - a number type whose != raises is simply not NaN here
        return False


def _same_nans(e: Any, a: Any) -> bool:
    """Both NaN, or two complex numbers whose parts are equal or both NaN (NaN matches NaN, part by part)."""
    if isinstance(e, complex) and isinstance(a, complex):
        return all(x == y or (x != x and y != y) for x, y in ((e.real, a.real), (e.imag, a.imag)))
    return _is_nan(e) and _is_nan(a)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, _BOOLS)


def _magnitude(x: Any, y: Any) -> str:
    try:
        d = abs(y - x)
        rel = d / abs(x) if x else float("inf")
        return f" (abs {d:.2g}, rel {rel:.2g})"
    except (TypeError, ValueError, ArithmeticError):
        return ""


def _value_message(e: Any, a: Any) -> str:
    if isinstance(e, str) and isinstance(a, str):
        return values_differ(e, a)
    if isinstance(e, (bytes, bytearray)) and isinstance(a, (bytes, bytearray)):
        return bytes_difference(e, a) or f"{short(e)} != {short(a)}"
    mag = _magnitude(e, a) if _is_number(e) and _is_number(a) else ""
    return f"{short(e)} != {short(a)}{mag}"


def _type_message(e: Any, a: Any) -> str:
    return f"type {type_name(e)} != {type_name(a)}: {short(e)} != {short(a)}"


def number_to_string(number: Any, significant_digits: int, number_format_notation: str = "f") -> Any:
    """deepdiff's number formatting, except that ``"e"`` keeps small magnitudes.

    deepdiff rounds to ``significant_digits`` decimal places *before* formatting
    in scientific notation, so ``1e-10`` and ``2e-10`` both become ``0.000e+0``;
    here the scientific notation is taken of the number itself.
    """
    from deepdiff.helper import number_to_string as deepdiff_number_to_string

    if number_format_notation == "e" and _is_number(number) and not isinstance(number, complex):
        try:
            finite = math.isfinite(number)
        except (TypeError, ValueError, OverflowError):
            finite = False
        if finite:
            if number == 0:
                number = abs(number)  # "-0.000e+00" equals "0.000e+00", as in deepdiff
            return format(number, f".{significant_digits}e")
    return deepdiff_number_to_string(number, significant_digits=significant_digits, number_format_notation=number_format_notation)


class _StructuredRules(Rules):
    root = "root"
    namedtuple_fields = True

    def __init__(self, cmp: "StructuredComparator") -> None:
        self.cmp = cmp
        self.key_order = cmp.key_order
        self.exclude = cmp.exclude_paths
        self.tolerant = cmp.math_epsilon is not None or cmp.significant_digits is not None

    def excluded(self, path: str) -> bool:
        return bool(self.exclude) and any(path == p or path.startswith(p + "[") or path.startswith(p + ".") for p in self.exclude)

    def special(self, e: Any, a: Any, path: str, anchor: Any, walk: Walk) -> bool:
        se, sa = _special(e), _special(a)
        if not (se or sa):
            return False
        if se != sa or (se == "message" and e.DESCRIPTOR.full_name != a.DESCRIPTOR.full_name):
            walk.emit(path, f"type {type_name(e)} != {type_name(a)}", anchor)
            return True
        child = (self.cmp.tensor if se == "array" else self.cmp.proto).compare(e, a)
        for d in nest(child, path):
            walk.emit(d.path, d.message, anchor)
        return True

    # -------------------------------------------------------------- leaves

    def leaf(self, e: Any, a: Any, path: str, anchor: Any, walk: Walk) -> None:
        if isinstance(e, _BOOLS) != isinstance(a, _BOOLS):
            walk.emit(path, _type_message(e, a), anchor)  # a bool is never a number
            return
        if type(e) is not type(a):
            if self.cmp.ignore_numeric_type_changes and _is_number(e) and _is_number(a):
                walk.defer((e, a, path, anchor))
            else:
                walk.emit(path, _type_message(e, a), anchor)
            return
        if e is a or _same_nans(e, a):
            return
        if not is_plain(e):  # an object with nothing to walk into: its own == decides
            message = equality_difference(e, a)
            if message is not None:
                walk.emit(path, f"{message} (compared with ==)", anchor)
            return
        difference = equality_difference(e, a)
        if difference is None:
            return
        if self.tolerant and _is_number(e):
            walk.defer((e, a, path, anchor))
            return
        walk.emit(path, _value_message(e, a), anchor)

    def settle(self, walk: Walk) -> None:
        """Numbers under a tolerance or of different numeric types: one deepdiff call for all of them."""
        if not walk.deferred:
            return
        from deepdiff import DeepDiff

        items = walk.deferred
        kwargs: dict[str, Any] = dict(view="tree", ignore_nan_inequality=True, verbose_level=2,
                                      ignore_numeric_type_changes=self.cmp.ignore_numeric_type_changes)
        if self.cmp.math_epsilon is not None:
            kwargs["math_epsilon"] = self.cmp.math_epsilon
        if self.cmp.significant_digits is not None:
            kwargs.update(significant_digits=self.cmp.significant_digits,
                          number_format_notation=self.cmp.number_format_notation, number_to_string_func=number_to_string)
        try:
            tree = DeepDiff([x[0] for x in items], [x[1] for x in items], **kwargs)
        except Exception as exc:  # noqa: BLE001 - never turn a crash into a pass
            raise ComparatorInputError(f"deepdiff could not compare these numbers: {type(exc).__name__}: {exc}") from exc
        for report, levels in tree.items():
            for level in levels:
                index = level.path(output_format="list")[0]
                e, a, path, anchor = items[index]
                kind_ = _REPORTS.get(report, report)
                message = _type_message(e, a) if kind_ == "type" else _value_message(e, a) if kind_ == "value" else f"{report}: {short(e)} != {short(a)}"
                walk.emit(path, message, anchor)

    # -------------------------------------------------------------- sequences

    def length(self, e: Any, a: Any, path: str, anchor: Any, walk: Walk) -> None:
        base = walk.base(path, anchor)
        for i in range(len(a), len(e)):
            walk.emit(f"{base}[{i}]", f"missing in actual (expected {short(e[i])})", anchor)
        for i in range(len(e), len(a)):
            walk.emit(f"{base}[{i}]", f"unexpected in actual (actual {short(a[i])})", anchor)

    def unordered(self, e: Any, a: Any) -> bool:
        return self.cmp.ignore_order

    def multiset(self, e: Any, a: Any, path: str, anchor: Any, walk: Walk) -> None:
        """Lists as multisets: deepdiff hashes the elements into buckets, the walk confirms each pair."""
        base = walk.base(path, anchor)
        for side in (e, a):
            depth = _special_or_depth(side)
            if depth is None:
                raise ComparatorInputError(
                    f"{base}: ignore_order cannot pair numpy arrays or protobuf messages inside lists; "
                    "compare them with an ordered structured() or tensor()/proto()"
                )
            if depth > IGNORE_ORDER_DEPTH:
                raise ComparatorInputError(
                    f"{base}: ignore_order hashes list elements with deepdiff, which cannot hash values nested "
                    f"deeper than {IGNORE_ORDER_DEPTH} levels (this list holds {depth}); compare it without ignore_order"
                )
        he, ha = [self._hash(x) for x in e], [self._hash(y) for y in a]
        buckets: dict[Any, list[int]] = collections.defaultdict(list)
        for j, h in enumerate(ha):
            buckets[h].append(j)
        partner: dict[int, int] = {}
        taken: set[int] = set()
        at = lambda i: f"{base}[{i}]"  # noqa: E731
        for i, h in enumerate(he):
            for j in buckets.get(h, ()):
                if j not in taken and walk.equal(e[i], a[j], at(i)):
                    partner[i] = j
                    taken.add(j)
                    break
        left_e = [i for i in range(len(e)) if i not in partner]
        left_a = [j for j in range(len(a)) if j not in taken]
        if left_e and left_a and len(left_e) <= LEFTOVER_PAIRING and len(left_a) <= LEFTOVER_PAIRING:
            for i in left_e:
                for j in left_a:
                    if j not in taken and walk.equal(e[i], a[j], at(i)):
                        partner[i] = j
                        taken.add(j)
                        break
            left_e = [i for i in left_e if i not in partner]
            left_a = [j for j in left_a if j not in taken]
        reported: set[int] = set()
        for i in left_e:
            twin = next((k for k in range(len(e)) if k in partner and he[k] == he[i] and walk.equal(e[k], e[i], at(i))), None)
            if twin is None:
                walk.emit(at(i), f"missing in actual (expected {short(e[i])})", anchor)
            else:
                self._repetition(e, a, he, ha, twin, base, anchor, walk, reported)
        for j in left_a:
            twin = next((k for k in range(len(e)) if k in partner and ha[partner[k]] == ha[j] and walk.equal(a[partner[k]], a[j], at(k))), None)
            if twin is None:
                walk.emit(at(j), f"unexpected in actual (actual {short(a[j])})", anchor)
            else:
                self._repetition(e, a, he, ha, twin, base, anchor, walk, reported)

    def _repetition(self, e: Any, a: Any, he: list, ha: list, first: int, base: str, anchor: Any, walk: Walk, reported: set[int]) -> None:
        first = next(k for k in range(len(e)) if he[k] == he[first] and walk.equal(e[k], e[first], f"{base}[{k}]"))
        if first in reported:
            return
        reported.add(first)
        ne = sum(1 for k in range(len(e)) if he[k] == he[first] and walk.equal(e[first], e[k], f"{base}[{k}]"))
        na = sum(1 for j in range(len(a)) if walk.equal(e[first], a[j], f"{base}[{first}]"))
        walk.emit(f"{base}[{first}]", f"{short(e[first])} occurs {ne} time(s) != {na}", anchor)

    def _hash(self, value: Any) -> Any:
        from deepdiff import DeepHash

        cmp = self.cmp
        options: dict[str, Any] = dict(ignore_numeric_type_changes=cmp.ignore_numeric_type_changes)
        if cmp.significant_digits is not None:
            options.update(significant_digits=cmp.significant_digits, number_format_notation=cmp.number_format_notation,
                           number_to_string_func=number_to_string)
        try:
            return DeepHash(value, **options)[value]
        except Exception:  # noqa: BLE001 - an unhashable element only loses the fast bucket, not its comparison
            return None


def _special_or_depth(value: Any) -> int | None:
    """Nesting depth of ``value`` (containers and object attributes), or None if an array or message is inside."""
    depth, stack, seen = 0, [(value, 1)], set()
    while stack:
        v, d = stack.pop()
        if _special(v) is not None:
            return None
        k = kind(v, True)
        if k == "leaf" or id(v) in seen:
            continue
        seen.add(id(v))
        depth = max(depth, d)
        if k == "map":
            children = list(v.keys()) + list(v.values())
        elif k == "object":
            children = list((object_state(v) or {}).values())
        elif k in ("dataclass", "fields"):
            names = v._fields if k == "fields" else [f.name for f in dataclasses.fields(v)]
            children = [getattr(v, name) for name in names]
        else:
            children = list(v)
        stack.extend((c, d + 1) for c in children)
    return depth


class StructuredComparator(Comparator):
    """Deep comparison of Python structures, with type traps closed; see the module docstring.

    Options: ``math_epsilon`` or ``significant_digits`` (+ ``number_format_notation``)
    for numeric tolerance, ``key_order`` (dict key order matters), ``ignore_order``
    (lists as multisets), ``ignore_numeric_type_changes`` (``1`` may match ``1.0``;
    a bool never matches a number); NaN always matches NaN;
    ``exclude_paths`` (paths such as ``root['meta']['time']``), ``tensor``/``proto``
    (comparators for arrays and messages found inside; exact by default).
    """

    name = "structured"

    def __init__(
        self,
        *,
        math_epsilon: float | None = None,
        significant_digits: int | None = None,
        number_format_notation: str = "f",
        key_order: bool = False,
        ignore_order: bool = False,
        ignore_numeric_type_changes: bool = False,
        exclude_paths: Iterable[str] = (),
        tensor: Comparator | None = None,
        proto: Comparator | None = None,
        max_differences: int = 100,
    ) -> None:
        if math_epsilon is not None and significant_digits is not None:
            raise ComparatorConfigError("give math_epsilon or significant_digits, not both")
        if math_epsilon is not None and (isinstance(math_epsilon, bool) or not isinstance(math_epsilon, (int, float)) or not 0 <= math_epsilon < float("inf")):
            raise ComparatorConfigError(f"math_epsilon must be a finite number >= 0, got {math_epsilon!r}")
        if significant_digits is not None and (isinstance(significant_digits, bool) or not isinstance(significant_digits, int) or significant_digits < 0):
            raise ComparatorConfigError(f"significant_digits must be an int >= 0, got {significant_digits!r}")
        if number_format_notation not in ("f", "e"):
            raise ComparatorConfigError(f"number_format_notation must be 'f' or 'e', got {number_format_notation!r}")
        if isinstance(exclude_paths, str):
            exclude_paths = (exclude_paths,)
        for label, comp in (("tensor", tensor), ("proto", proto)):
            if comp is not None and not isinstance(comp, Comparator):
                raise ComparatorConfigError(f"{label} must be a Comparator, got {comp!r}")
        if not isinstance(max_differences, int) or isinstance(max_differences, bool) or max_differences < 1:
            raise ComparatorConfigError(f"max_differences must be a positive int, got {max_differences!r}")
        self.math_epsilon = math_epsilon
        self.significant_digits = significant_digits
        self.number_format_notation = number_format_notation
        self.key_order = bool(key_order)
        self.ignore_order = bool(ignore_order)
        self.ignore_numeric_type_changes = bool(ignore_numeric_type_changes)
        self.exclude_paths = tuple(exclude_paths)
        self.tensor = tensor if tensor is not None else TensorComparator(mode="exact", objects=ExactComparator())
        self.proto = proto if proto is not None else ProtoComparator()
        self.max_differences = max_differences
        self._rules = _StructuredRules(self)

    def describe(self) -> str:
        opts = []
        if self.math_epsilon is not None:
            opts.append(f"math_epsilon={self.math_epsilon:g}")
        if self.significant_digits is not None:
            opts.append(f"significant_digits={self.significant_digits}{self.number_format_notation}")
        for flag in ("key_order", "ignore_order", "ignore_numeric_type_changes"):
            if getattr(self, flag):
                opts.append(flag)
        return f"{self.name}({', '.join(opts)})"

    # ------------------------------------------------------------------ entry

    def prepare(self, value: Any, side: str) -> tuple[Any, list[Difference]]:
        """Hook for subclasses: turn raw input into the structure to compare."""
        return value, []

    def compare(self, expected: Any, actual: Any) -> Comparison:
        e, pe = self.prepare(expected, "expected")
        a, pa = self.prepare(actual, "actual")
        if pe or pa:
            return Comparison.differ(*pe, *pa, summary="; ".join(d.message for d in (*pe, *pa)))
        try:
            out = Walk(self._rules).run(e, a)
        except RecursionError:
            raise ComparatorInputError(
                "structured: values nested too deeply inside arrays, messages or sets for Python's recursion limit"
            ) from None
        if not out:
            return Comparison.same()
        # the first difference is the verdict's message: sort, so it is the same in every process and run
        out.sort(key=lambda difference: _natural_path(difference.path))
        shown = out[: self.max_differences]
        summary = f"{len(out)} difference(s)" + (f" (first {len(shown)} shown)" if len(shown) < len(out) else "")
        return Comparison.differ(*shown, summary=summary, mismatched=len(out))


_PATH_TOKEN = re.compile(r"(\d+)")


def _natural_path(path: str) -> tuple:
    """``root['b'][10]`` after ``root['b'][9]``: digits compare as numbers, the rest as text."""
    return tuple((0, int(token), "") if token.isdigit() else (1, 0, token) for token in _PATH_TOKEN.split(path))


class _DuplicateKeys(dict):
    """A JSON object that remembers keys it saw twice (JSON allows them, dicts do not)."""

    duplicates: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
    out = _DuplicateKeys()
    out.duplicates = []
    for k, v in pairs:
        if k in out:
            out.duplicates.append(k)
        out[k] = v
    return out


def _duplicates(value: Any, path: str = "root") -> list[Difference]:
    found = []
    if isinstance(value, _DuplicateKeys):
        found.extend(Difference(key_path(path, k), "duplicate key in JSON object") for k in value.duplicates)
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(_duplicates(v, key_path(path, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(_duplicates(v, f"{path}[{i}]"))
    return found


def _plain(value: Any) -> Any:
    """Drop the _DuplicateKeys marker type so deepdiff sees plain dicts on both sides."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class JsonComparator(StructuredComparator):
    """JSON text (``str``/UTF-8 ``bytes``) or already-parsed JSON values.

    Text is parsed keeping key order and rejecting duplicate keys (reported as
    differences); then compared as :class:`StructuredComparator` does.  Use
    ``key_order=True`` when the serialized order is the contract.
    """

    name = "json"

    def prepare(self, value: Any, side: str) -> tuple[Any, list[Difference]]:
        if isinstance(value, (bytes, bytearray, memoryview)):
            try:
                value = bytes(value).decode("utf-8")
            except UnicodeDecodeError as exc:
                return None, [Difference("", f"{side}: JSON is not valid UTF-8: {exc}")]
        if not isinstance(value, str):
            return value, []
        try:
            parsed = _json.loads(value, object_pairs_hook=_pairs_hook)
            dups = [Difference(d.path, f"{side}: {d.message}") for d in _duplicates(parsed)]
            return _plain(parsed), dups
        except _json.JSONDecodeError as exc:
            return None, [Difference("", f"{side}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
        except RecursionError:
            raise ComparatorInputError(f"{side}: JSON nested deeper than Python's json parser allows") from None
