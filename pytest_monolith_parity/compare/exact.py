"""Exact equality of plain Python values, with the type traps closed.

``1``, ``1.0`` and ``True`` are three different values here; floats are
compared bit for bit (so ``-0.0 != 0.0``) except that NaN matches NaN
(``nan="payload"`` demands the same NaN bits).  Containers are walked so a
difference is reported at its path (``root['a'][2]``); numpy arrays go to the
exact tensor comparator and protobuf messages to the proto comparator.
"""

from __future__ import annotations

import dataclasses
import math
import struct
from typing import Any

from .base import Comparator, ComparatorConfigError, Comparison, Difference, nest

_MAX_DIFFS = 100


def hex_window(data: bytes, offset: int, context: int = 4) -> str:
    """``…0a0b[0c]0d0e…``: the bytes around ``offset``, the one at ``offset`` bracketed."""
    lo, hi = max(0, offset - context), min(len(data), offset + context + 1)
    left = data[lo:offset].hex()
    mid = f"[{data[offset:offset + 1].hex()}]" if offset < len(data) else "[]"
    right = data[offset + 1:hi].hex()
    return ("…" if lo > 0 else "") + left + mid + right + ("…" if hi < len(data) else "")


def bytes_difference(expected: bytes, actual: bytes, context: int = 4) -> str | None:
    """A short hex description of how two byte strings differ, or None if equal."""
    expected, actual = bytes(expected), bytes(actual)
    if expected == actual:
        return None
    n = min(len(expected), len(actual))
    offset = next((i for i in range(n) if expected[i] != actual[i]), n) if n < 4096 else _first_diff(expected, actual, n)
    lengths = f"length {len(expected)} != {len(actual)}, " if len(expected) != len(actual) else f"length {n}, "
    if offset < n:
        return f"bytes differ at offset {offset} ({lengths.rstrip(', ')}): {hex_window(expected, offset, context)} != {hex_window(actual, offset, context)}"
    longer, side = (expected, "expected") if len(expected) > len(actual) else (actual, "actual")
    extra = longer[n:n + 8].hex() + ("…" if len(longer) > n + 8 else "")
    return f"bytes differ at offset {n} ({lengths.rstrip(', ')}): {side} continues with {extra}"


def _first_diff(e: bytes, a: bytes, n: int) -> int:
    import numpy as np

    ne = np.frombuffer(e, dtype=np.uint8, count=n)
    na = np.frombuffer(a, dtype=np.uint8, count=n)
    neq = np.flatnonzero(ne != na)
    return int(neq[0]) if len(neq) else n


def float_bits_equal(x: float, y: float, nan: str = "equal") -> bool:
    """Bitwise float equality; NaN matches NaN unless ``nan="payload"`` and the bits differ."""
    bx, by = struct.pack("<d", x), struct.pack("<d", y)
    if bx == by:
        return True
    return nan == "equal" and math.isnan(x) and math.isnan(y)


def _type_name(value: Any) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def key_path(path: str, key: Any) -> str:
    return f"{path or 'root'}[{key!r}]"


class ExactComparator(Comparator):
    """Values must be equal and of identical types, recursively.

    ``nan``: ``equal`` (NaN matches NaN) or ``payload`` (identical NaN bits);
    ``key_order``: also require the same dict key order.
    """

    name = "exact"

    def __init__(self, nan: str = "equal", key_order: bool = False) -> None:
        if nan not in ("equal", "payload"):
            raise ComparatorConfigError(f"unknown nan policy {nan!r}; expected 'equal' or 'payload'")
        self.nan = nan
        self.key_order = bool(key_order)

    def describe(self) -> str:
        return f"exact(nan={self.nan}{', key_order' if self.key_order else ''})"

    def compare(self, expected: Any, actual: Any) -> Comparison:
        out: list[Difference] = []
        self._walk(expected, actual, "", out)
        if not out:
            return Comparison.same()
        shown = out[:_MAX_DIFFS]
        return Comparison.differ(*shown, summary=f"{len(out)}{'+' if len(out) >= _MAX_DIFFS else ''} difference(s)")

    def _walk(self, e: Any, a: Any, path: str, out: list[Difference]) -> None:
        if len(out) >= _MAX_DIFFS:
            return
        if type(e) is not type(a):
            out.append(Difference(path, f"type {_type_name(e)} != {_type_name(a)}: {_short(e)} != {_short(a)}"))
            return
        import numpy as np

        if isinstance(e, (np.ndarray, np.generic)):
            from .tensor import TensorComparator

            out.extend(nest(TensorComparator(mode="exact", nan=self.nan).compare(e, a), path or ""))
            return
        if _is_message(e):
            from .proto import ProtoComparator

            out.extend(nest(ProtoComparator(nan=self.nan).compare(e, a), path))
            return
        if isinstance(e, float):
            if not float_bits_equal(e, a, self.nan):
                diff = abs(a - e)
                out.append(Difference(path, f"{e!r} != {a!r} (abs {diff:.2g})"))
            return
        if isinstance(e, (bytes, bytearray, memoryview)):
            msg = bytes_difference(e, a)
            if msg:
                out.append(Difference(path, msg))
            return
        if isinstance(e, str):
            if e != a:
                from .text import first_text_difference

                d = first_text_difference(e, a)
                out.append(Difference(path or d.path, f"{d.path}: {d.message}" if path else d.message))
            return
        if isinstance(e, dict):
            self._walk_dict(e, a, path, out)
            return
        if isinstance(e, (list, tuple)):
            if len(e) != len(a):
                out.append(Difference(path, f"length {len(e)} != {len(a)}"))
            for i, (x, y) in enumerate(zip(e, a)):
                self._walk(x, y, f"{path or 'root'}[{i}]", out)
            return
        if isinstance(e, (set, frozenset)):
            te = {(type(x), x) for x in e}
            ta = {(type(x), x) for x in a}
            for t, x in sorted(te - ta, key=repr):
                out.append(Difference(path, f"missing in actual: {_short(x)}"))
            for t, x in sorted(ta - te, key=repr):
                out.append(Difference(path, f"unexpected in actual: {_short(x)}"))
            return
        if dataclasses.is_dataclass(e) and not isinstance(e, type):
            for f in dataclasses.fields(e):
                self._walk(getattr(e, f.name), getattr(a, f.name), f"{path or 'root'}.{f.name}", out)
            return
        try:
            same = e == a
            same = bool(same)
        except Exception as exc:  # noqa: BLE001 - an uncomparable value must not pass
            out.append(Difference(path, f"cannot compare {_type_name(e)} values: {exc}"))
            return
        if not same:
            out.append(Difference(path, f"{_short(e)} != {_short(a)}"))

    def _walk_dict(self, e: dict, a: dict, path: str, out: list[Difference]) -> None:
        by_key = {k: k for k in a}
        for k in e:
            if k not in by_key:
                out.append(Difference(key_path(path, k), f"missing in actual (expected {_short(e[k])})"))
            elif type(by_key[k]) is not type(k):
                out.append(Difference(key_path(path, k), f"key type {_type_name(k)} != {_type_name(by_key[k])}: {k!r} != {by_key[k]!r}"))
            else:
                self._walk(e[k], a[k], key_path(path, k), out)
        for k in a:
            if k not in e:
                out.append(Difference(key_path(path, k), f"unexpected in actual (actual {_short(a[k])})"))
        if self.key_order:
            ek = [k for k in e if k in a]
            ak = [k for k in a if k in e]
            if ek != ak:
                out.append(Difference(path or "root", f"key order {list(e)!r} != {list(a)!r}"))


def _is_message(value: Any) -> bool:
    try:
        from google.protobuf.message import Message
    except ImportError:  # pragma: no cover - protobuf is a dependency
        return False
    return isinstance(value, Message)
