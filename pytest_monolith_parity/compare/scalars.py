"""Exact equality of single values -- the type traps every comparator closes the same way.

A *plain value* is one that holds no other values a comparator should look
into: ``None``, bools, numbers, strings, byte strings, enums, dates, UUIDs,
paths.  Two plain values are equal when their types are identical and their
values equal; floats (and complex parts) bit for bit, except that NaN matches
NaN unless ``nan="payload"``.  ``exact()`` uses this for its leaves and
``tensor()`` for the elements of object arrays.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import math
import numbers
import pathlib
import struct
import uuid
from typing import Any

from .describe import bytes_difference, float_text, short, type_name, values_differ

NAN_POLICIES = ("equal", "payload")
_BYTES_LIKE = (bytes, bytearray, memoryview)
_PLAIN = (type(None), bool, int, float, complex, str, bytes, bytearray, memoryview, range, numbers.Number, enum.Enum,
          datetime.date, datetime.time, datetime.timedelta, datetime.tzinfo, decimal.Decimal, uuid.UUID,
          pathlib.PurePath)


def is_plain(value: Any) -> bool:
    """True for values compared as a whole (see the module docstring), not walked into."""
    return isinstance(value, _PLAIN)


def float_bits_equal(x: float, y: float, nan: str = "equal") -> bool:
    """Bitwise float equality; NaN matches NaN unless ``nan="payload"`` and the bits differ."""
    bx, by = struct.pack("<d", x), struct.pack("<d", y)
    if bx == by:
        return True
    return nan == "equal" and math.isnan(x) and math.isnan(y)


def float_difference(e: float, a: float, nan: str = "equal") -> str | None:
    """``1.0 != 1.5 (abs 0.5)``, ``0.0 != -0.0 (signed zero)``, NaN bits when payloads differ; None if equal."""
    if float_bits_equal(e, a, nan):
        return None
    if math.isnan(e) and math.isnan(a):
        return f"{float_text(e)} != {float_text(a)} (NaN payload differs)"
    if e == a:
        return f"{e!r} != {a!r} (signed zero)"
    if math.isnan(e) or math.isnan(a):
        return f"{float_text(e)} != {float_text(a)} (NaN vs number)"
    diff = abs(a - e) if math.isfinite(e) and math.isfinite(a) else math.inf
    return f"{e!r} != {a!r} (abs {diff:.2g})"


def plain_difference(e: Any, a: Any, nan: str = "equal") -> str | None:
    """How two plain values differ under the exact contract, or None if they are equal."""
    if type(e) is not type(a):
        return f"type {type_name(e)} != {type_name(a)}: {short(e)} != {short(a)}"
    if isinstance(e, float):
        return float_difference(e, a, nan)
    if isinstance(e, complex):
        real = float_difference(e.real, a.real, nan)
        imag = float_difference(e.imag, a.imag, nan)
        return None if real is None and imag is None else f"{e!r} != {a!r} ({'real' if real else 'imag'} part differs)"
    if isinstance(e, _BYTES_LIKE):
        return bytes_difference(e, a)
    if isinstance(e, str):
        return None if e == a else values_differ(e, a)
    return equality_difference(e, a)


def equality_difference(e: Any, a: Any) -> str | None:
    """The values' own ``==`` (for values nothing else knows how to compare); a failing ``==`` differs."""
    try:
        same = bool(e == a)
    except Exception as exc:  # noqa: BLE001 - an uncomparable value must not pass
        return f"cannot compare {type_name(e)} values: {type(exc).__name__}: {exc}"
    return None if same else f"{short(e)} != {short(a)}"
