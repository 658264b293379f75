"""Exact equality of plain Python values, with the type traps closed.

``1``, ``1.0`` and ``True`` are three different values here; floats are
compared bit for bit (so ``-0.0 != 0.0``) except that NaN matches NaN
(``nan="payload"`` demands the same NaN bits) -- at any depth, also inside
dict keys and set members.  Containers and objects (by their attributes) are
walked so a difference is reported at its path (``root['a'][2]``); numpy
arrays and scalars go to the exact tensor comparator and protobuf messages to
the proto comparator, wherever they are held.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from google.protobuf.message import Message

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, nest
from .describe import short, type_name
from .proto import ProtoComparator
from .scalars import NAN_POLICIES, plain_difference
from .tensor import TensorComparator
from .walk import Rules, Walk

_MAX_DIFFS = 100


class _ExactRules(Rules):
    def __init__(self, comparator: "ExactComparator") -> None:
        self.nan = comparator.nan
        self.key_order = comparator.key_order
        self.tensor = TensorComparator(mode="exact", nan=comparator.nan, objects=comparator)
        self.proto = ProtoComparator(nan=comparator.nan, signed_zero=True)

    def special(self, e: Any, a: Any, path: str, anchor: Any, walk: Walk) -> bool:
        me, ma = isinstance(e, Message), isinstance(a, Message)
        ne, na = isinstance(e, (np.ndarray, np.generic)), isinstance(a, (np.ndarray, np.generic))
        if not (me or ma or ne or na):
            return False
        if (me and ma) or (type(e) is type(a)):
            child = self.proto.compare(e, a) if me else self.tensor.compare(e, a)
            for d in nest(child, path):
                walk.emit(d.path, d.message, anchor)
        else:
            walk.emit(path, f"type {type_name(e)} != {type_name(a)}: {short(e)} != {short(a)}", anchor)
        return True

    def leaf(self, e: Any, a: Any, path: str, anchor: Any, walk: Walk) -> None:
        message = plain_difference(e, a, self.nan)
        if message is not None:
            walk.emit(path, message, anchor)


class ExactComparator(Comparator):
    """Values must be equal and of identical types, recursively.

    ``nan``: ``equal`` (NaN matches NaN) or ``payload`` (identical NaN bits);
    ``key_order``: also require the same dict key order.
    """

    name = "exact"

    def __init__(self, nan: str = "equal", key_order: bool = False) -> None:
        if nan not in NAN_POLICIES:
            raise ComparatorConfigError(f"unknown nan policy {nan!r}; expected 'equal' or 'payload'")
        self.nan = nan
        self.key_order = bool(key_order)
        self._rules = _ExactRules(self)

    def describe(self) -> str:
        return f"exact(nan={self.nan}{', key_order' if self.key_order else ''})"

    def compare(self, expected: Any, actual: Any) -> Comparison:
        try:
            out = Walk(self._rules, limit=_MAX_DIFFS).run(expected, actual)
        except RecursionError:
            raise ComparatorInputError(
                "exact: values nested too deeply inside arrays or messages for Python's recursion limit"
            ) from None
        if not out:
            return Comparison.same()
        return Comparison.differ(*out, summary=f"{len(out)}{'+' if len(out) >= _MAX_DIFFS else ''} difference(s)")
