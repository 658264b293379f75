"""How a difference reads: type names, short values, byte and character windows.

Shared by every comparator (it imports nothing from them), so that a string or
a byte string that differs is described the same way wherever it is met: the
first differing position, a window around it on both sides -- also past a long
common prefix -- and, for characters that do not print as themselves (non-ASCII,
control characters), their code points, so that NFC vs NFD or a Cyrillic
lookalike is visible.
"""

from __future__ import annotations

import math
import struct
import unicodedata
from typing import Any

from .base import Difference

#: Characters shown on each side of the first differing character.
STRING_CONTEXT = 20
_LINE_WINDOW = 60
_BYTES_SCAN = 4096


def type_name(value: Any) -> str:
    """``int`` for builtins, ``module.Qualname`` otherwise (a message: its full name)."""
    t = type(value)
    descriptor = getattr(value, "DESCRIPTOR", None)
    if t.__module__ != "builtins" and getattr(descriptor, "full_name", None) and hasattr(value, "SerializeToString"):
        return f"message {descriptor.full_name}"
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def short(value: Any, limit: int = 80) -> str:
    """``repr`` cut to ``limit`` characters (``…`` marks the cut)."""
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ must not hide the difference
        text = f"<{type(value).__name__} with failing repr: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def key_path(path: str, key: Any) -> str:
    """``root['a']``: the path of a dict entry."""
    return f"{path or 'root'}[{key!r}]"


def float_text(value: float) -> str:
    """``repr``, except that a NaN shows its bits: ``nan(0x7ff8000000000001)``."""
    if isinstance(value, float) and math.isnan(value):
        return f"nan(0x{struct.unpack('<Q', struct.pack('<d', value))[0]:016x})"
    return repr(value)


# --------------------------------------------------------------------------- bytes


def hex_window(data: bytes, offset: int, context: int = 4) -> str:
    """``…0a0b[0c]0d0e…``: the bytes around ``offset``, the one at ``offset`` bracketed."""
    lo, hi = max(0, offset - context), min(len(data), offset + context + 1)
    left = data[lo:offset].hex()
    mid = f"[{data[offset:offset + 1].hex()}]" if offset < len(data) else "[]"
    right = data[offset + 1:hi].hex()
    return ("…" if lo > 0 else "") + left + mid + right + ("…" if hi < len(data) else "")


def first_byte_difference(e: bytes, a: bytes) -> int:
    """Index of the first differing byte, or ``min(len(e), len(a))`` if one is a prefix of the other."""
    n = min(len(e), len(a))
    if n < _BYTES_SCAN:
        return next((i for i in range(n) if e[i] != a[i]), n)
    import numpy as np

    neq = np.flatnonzero(np.frombuffer(e, dtype=np.uint8, count=n) != np.frombuffer(a, dtype=np.uint8, count=n))
    return int(neq[0]) if len(neq) else n


def bytes_difference(expected: bytes, actual: bytes, context: int = 4) -> str | None:
    """A short hex description of how two byte strings differ, or None if equal."""
    expected, actual = bytes(expected), bytes(actual)
    if expected == actual:
        return None
    n = min(len(expected), len(actual))
    offset = first_byte_difference(expected, actual)
    lengths = f"length {len(expected)} != {len(actual)}" if len(expected) != len(actual) else f"length {n}"
    if offset < n:
        return f"bytes differ at offset {offset} ({lengths}): {hex_window(expected, offset, context)} != {hex_window(actual, offset, context)}"
    longer, side = (expected, "expected") if len(expected) > len(actual) else (actual, "actual")
    extra = longer[n:n + 8].hex() + ("…" if len(longer) > n + 8 else "")
    return f"bytes differ at offset {n} ({lengths}): {side} continues with {extra}"


# --------------------------------------------------------------------------- strings


def first_char_difference(e: str, a: str) -> int:
    """Index of the first differing character (``min`` of the lengths if one is a prefix)."""
    n = min(len(e), len(a))
    lo, hi = 0, n
    if e[:n] == a[:n]:
        return n
    while hi - lo > 64:  # bisect on slices: C-speed comparisons, so a long common prefix is cheap
        mid = (lo + hi) // 2
        if e[lo:mid] == a[lo:mid]:
            lo = mid
        else:
            hi = mid
    return next(i for i in range(lo, hi) if e[i] != a[i])


def _printable(ch: str) -> bool:
    return " " <= ch <= "~"


def code_point(ch: str | None) -> str:
    """``U+0430 CYRILLIC SMALL LETTER A``; ``end`` past the end of a string."""
    if ch is None:
        return "end of string"
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def code_points(x: str | None, y: str | None) -> str:
    """`` [U+00E9 … != U+0065 …]`` when either character does not print as itself, else ``""``."""
    if (x is None or _printable(x)) and (y is None or _printable(y)):
        return ""
    return f" [{code_point(x)} != {code_point(y)}]"


def _window(text: str, index: int, context: int) -> str:
    lo, hi = max(0, index - context), index + context + 1
    return ("…" if lo else "") + repr(text[lo:hi]) + ("…" if hi < len(text) else "")


def string_difference(expected: str, actual: str, context: int = STRING_CONTEXT) -> str | None:
    """Where two strings first differ: the index, both windows, lengths and code points; None if equal.

    ``index 201: expected …'xxxa yy' != actual …'xxxb yy'``; multi-line strings
    also get ``(line 3, column 7)``.
    """
    if expected == actual:
        return None
    i = first_char_difference(expected, actual)
    where = f"index {i}"
    if "\n" in expected or "\n" in actual:
        line = expected.count("\n", 0, i) + 1
        column = i - (expected.rfind("\n", 0, i) + 1) + 1
        where += f" (line {line}, column {column})"
    lengths = f" (length {len(expected)} != {len(actual)})" if len(expected) != len(actual) else ""
    x = expected[i] if i < len(expected) else None
    y = actual[i] if i < len(actual) else None
    return (f"{where}: expected {_window(expected, i, context)} != actual {_window(actual, i, context)}"
            f"{lengths}{code_points(x, y)}")


def values_differ(expected: str, actual: str, render: Any = repr) -> str:
    """``'ab' != 'ac'`` for two short printable-ASCII strings; otherwise :func:`string_difference`."""
    if len(expected) <= 40 and len(actual) <= 40 and all(_printable(c) for c in expected + actual):
        return f"{render(expected)} != {render(actual)}"
    return string_difference(expected, actual) or f"{render(expected)} != {render(actual)}"


# --------------------------------------------------------------------------- text lines


def _clip(line: str, column: int) -> str:
    """The line around ``column`` (0-based), at most ~_LINE_WINDOW characters, repr-quoted."""
    if len(line) <= _LINE_WINDOW:
        return repr(line)
    lo = max(0, column - _LINE_WINDOW // 2)
    hi = min(len(line), lo + _LINE_WINDOW)
    return ("…" if lo else "") + repr(line[lo:hi]) + ("…" if hi < len(line) else "")


def first_text_difference(expected: str, actual: str, numbers: tuple[list[int], list[int]] | None = None) -> Difference:
    """Where two different texts first differ: ``line 3, column 7`` and both lines.

    Lines keep their terminators, so a missing final newline or ``\\r\\n`` versus
    ``\\n`` is visible.  ``numbers`` maps line indexes to original line numbers.
    """
    el, al = expected.splitlines(keepends=True), actual.splitlines(keepends=True)
    for i in range(max(len(el), len(al))):
        x = el[i] if i < len(el) else None
        y = al[i] if i < len(al) else None
        if x == y:
            continue
        line_no = (numbers[0][i] if numbers and i < len(numbers[0]) else i + 1) if x is not None else (
            numbers[1][i] if numbers and i < len(numbers[1]) else i + 1
        )
        if x is None:
            return Difference(f"line {line_no}", f"unexpected in actual: {_clip(y, 0)} (expected {len(el)} lines, actual {len(al)})")
        if y is None:
            return Difference(f"line {line_no}", f"missing in actual: {_clip(x, 0)} (expected {len(el)} lines, actual {len(al)})")
        col = first_char_difference(x, y)
        cx = x[col] if col < len(x) else None
        cy = y[col] if col < len(y) else None
        return Difference(f"line {line_no}, column {col + 1}",
                          f"expected {_clip(x, col)} != actual {_clip(y, col)}{code_points(cx, cy)}")
    return Difference("", "texts differ")  # pragma: no cover - only reached if equal
