"""Iterative pairwise traversal of two Python values, for ``exact()`` and ``structured()``.

Both values are walked side by side with an explicit stack, so nesting depth is
bounded by memory and never by Python's recursion limit, and a pair of
containers met a second time (a self-containing structure) is not walked again:
on a cycle the pair is assumed equal, which is sound because any difference
inside it is found on the first visit.

The walk owns *pairing*; :class:`Rules` decide what a difference is.  Dict keys
and set members are paired by Python equality (then, for leftovers such as NaN,
by the rules' own verdict) and the paired key or member is compared like any
other value -- so ``(1, 2)`` vs ``(1.0, 2)`` as a key, or ``{0.0}`` vs ``{-0.0}``
under ``exact()``, cannot hide behind ``==`` and ``hash``.  Objects are compared
by type and then by their state (``__dict__`` and ``__slots__``), so a message
or an array held by an attribute reaches its comparator.

Paths read like deepdiff's: ``root['a'][2].attr``.  A difference inside a key or
set member is reported at the key's or set's path with the place inside the
member in the message: ``root[(1, 2)]: key [0]: type int != float: 1 != 1.0``.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
from typing import Any, Iterable

from .base import Difference
from .describe import short, type_name
from .scalars import is_plain

#: Leftover keys or members (unequal by ``==``) paired by verdict at most this many on each side.
LEFTOVER_PAIRING = 64

_NODE, _DIFF = 0, 1
_ATOMS = (type(None), bool, int, float, str, bytes)
_MISSING = object()
#: Compared with ``==`` (identity, mostly) rather than walked: classes, modules, functions.
_WHOLE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


class Rules:
    """What one comparator calls a difference; subclasses override the hooks they need."""

    #: Path of the compared value itself (children hang below ``root`` either way).
    root = ""
    key_order = False
    #: Compare namedtuples field by field (``.x``) rather than by position (``[0]``).
    namedtuple_fields = False

    def excluded(self, path: str) -> bool:
        return False

    def special(self, e: Any, a: Any, path: str, anchor: Any, walk: "Walk") -> bool:
        """Hand a pair to another comparator (arrays, messages); True if handled."""
        return False

    def leaf(self, e: Any, a: Any, path: str, anchor: Any, walk: "Walk") -> None:
        """Compare two values that are not containers (their types may differ)."""
        raise NotImplementedError

    def unordered(self, e: Any, a: Any) -> bool:
        """True when this list pair is compared as a multiset."""
        return False

    def multiset(self, e: Any, a: Any, path: str, anchor: Any, walk: "Walk") -> None:
        raise NotImplementedError

    def length(self, e: Any, a: Any, path: str, anchor: Any, walk: "Walk") -> None:
        """Sequences of different lengths (the common prefix is compared by the walk)."""
        walk.emit(path, f"length {len(e)} != {len(a)}", anchor)

    def settle(self, walk: "Walk") -> None:
        """Called once when the walk is done: judge whatever ``leaf`` deferred."""


def object_state(value: Any) -> dict[str, Any] | None:
    """An object's attributes (``__dict__`` and set ``__slots__``), or None for values compared whole."""
    if isinstance(value, _WHOLE) or is_plain(value):
        return None
    state: dict[str, Any] = {}
    if isinstance(value, BaseException):
        state["args"] = value.args
    d = getattr(value, "__dict__", None)
    if isinstance(d, dict):
        state.update(d)
    for cls in type(value).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot in ("__dict__", "__weakref__"):
                continue
            attr = f"_{cls.__name__.lstrip('_')}{slot}" if slot.startswith("__") and not slot.endswith("__") else slot
            try:
                state[slot] = getattr(value, attr)
            except AttributeError:
                continue
    if not state and not isinstance(value, BaseException):
        return None
    return state


def kind(value: Any, namedtuple_fields: bool = False) -> str:
    """``map``, ``seq``, ``fields`` (namedtuple by name), ``set``, ``dataclass``, ``object`` or ``leaf``."""
    t = type(value)
    if t in _ATOMS:
        return "leaf"
    if t is dict:
        return "map"
    if t is list:
        return "seq"
    if t is tuple:
        return "seq"
    if t is set or t is frozenset:
        return "set"
    if is_plain(value):
        return "leaf"
    if isinstance(value, tuple) and hasattr(t, "_fields"):
        return "fields" if namedtuple_fields else "seq"
    if isinstance(value, collections.abc.Mapping):
        return "map"
    if isinstance(value, collections.abc.Set):
        return "set"
    if isinstance(value, collections.abc.Sequence):
        return "seq"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "dataclass"
    if object_state(value) is not None:
        return "object"
    return "leaf"


def _index(base: str, suffix: str) -> str:
    return base + suffix


def _anchor(outer: Any, path: str, label: str) -> tuple[str, str]:
    """Where differences inside a key or member are reported, and the label naming the key or member."""
    if outer is None:
        return path, label
    return outer[0], " ".join(part for part in (outer[1], path, label) if part)


class Walk:
    """One traversal: ``Walk(rules).run(expected, actual)`` returns the differences in walk order.

    ``limit`` stops the walk after that many differences (``limit=1`` asks only
    "equal or not"); ``deferred`` collects what the rules judge in ``settle``.
    """

    def __init__(self, rules: Rules, limit: int | None = None) -> None:
        self.rules = rules
        self.limit = limit
        self.out: list[Difference] = []
        self.deferred: list[Any] = []
        self._visited: set[tuple[int, int]] = set()
        self._stack: list[tuple] = []

    # ------------------------------------------------------------------ driving

    def run(self, e: Any, a: Any, path: str | None = None) -> list[Difference]:
        self._stack.append((_NODE, e, a, self.rules.root if path is None else path, None))
        while self._stack and not self.full():
            task = self._stack.pop()
            if task[0] == _DIFF:
                self.emit(task[1], task[2], task[3])
            else:
                self._node(task[1], task[2], task[3], task[4])
        if not self.full():
            self.rules.settle(self)
        return self.out

    def full(self) -> bool:
        return self.limit is not None and len(self.out) >= self.limit

    def emit(self, path: str, message: str, anchor: Any = None) -> None:
        """Record a difference; inside a key or member it is re-rooted at the anchor."""
        if anchor is not None:
            anchor_path, label = anchor
            self.out.append(Difference(anchor_path, f"{label} {path}: {message}" if path else f"{label} {message}"))
        elif not self.rules.excluded(path):
            self.out.append(Difference(path, message))

    def defer(self, item: Any) -> None:
        self.deferred.append(item)

    def equal(self, e: Any, a: Any, path: str) -> bool:
        """The rules' verdict on one pair, by a separate walk (used to pair leftovers)."""
        return not Walk(self.rules, limit=1).run(e, a, path)

    def _push(self, tasks: list[tuple]) -> None:
        self._stack.extend(reversed(tasks))

    @staticmethod
    def base(path: str, anchor: Any) -> str:
        return path if path or anchor is not None else "root"

    # ------------------------------------------------------------------ one pair

    def _node(self, e: Any, a: Any, path: str, anchor: Any) -> None:
        rules = self.rules
        if anchor is None and rules.excluded(path):
            return
        if rules.special(e, a, path, anchor, self):
            return
        ke, ka = kind(e, rules.namedtuple_fields), kind(a, rules.namedtuple_fields)
        if ke == "leaf" and ka == "leaf":
            rules.leaf(e, a, path, anchor, self)
            return
        if type(e) is not type(a):
            self.emit(path, f"type {type_name(e)} != {type_name(a)}: {short(e)} != {short(a)}", anchor)
            return
        pair = (id(e), id(a))
        if pair in self._visited:
            return  # met again: on a cycle this pair is assumed equal (see the module docstring)
        self._visited.add(pair)
        base = self.base(path, anchor)
        if ke == "map":
            self._map(e, a, path, base, anchor)
        elif ke == "seq":
            if rules.unordered(e, a):
                rules.multiset(e, a, path, anchor, self)
                return
            tasks: list[tuple] = []
            if len(e) != len(a):
                rules.length(e, a, path, anchor, self)
            tasks.extend((_NODE, x, y, _index(base, f"[{i}]"), anchor) for i, (x, y) in enumerate(zip(e, a)))
            self._push(tasks)
        elif ke == "set":
            self._set(e, a, path, anchor)
        elif ke == "fields":
            self._push([(_NODE, getattr(e, f), getattr(a, f), _index(base, f".{f}"), anchor) for f in type(e)._fields])
        elif ke == "dataclass":
            fields = [f.name for f in dataclasses.fields(e)]
            self._push([(_NODE, getattr(e, f), getattr(a, f), _index(base, f".{f}"), anchor) for f in fields])
        else:
            self._attributes(object_state(e) or {}, object_state(a) or {}, base, anchor)

    def _attributes(self, se: dict, sa: dict, base: str, anchor: Any) -> None:
        tasks: list[tuple] = []
        for name, value in se.items():
            p = _index(base, f".{name}")
            if name not in sa:
                tasks.append((_DIFF, p, f"missing in actual (expected {short(value)})", anchor))
            else:
                tasks.append((_NODE, value, sa[name], p, anchor))
        tasks.extend((_DIFF, _index(base, f".{n}"), f"unexpected in actual (actual {short(v)})", anchor)
                     for n, v in sa.items() if n not in se)
        self._push(tasks)

    # ------------------------------------------------------------------ keys and members

    def _pair(self, e_items: Iterable[Any], a_items: Iterable[Any], path: str) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
        """Pair keys/members: by ``==`` first, then leftovers by the rules' verdict.

        Returns (pairs in ``e_items`` order -- partner or _MISSING --, unpaired actual items).
        """
        lookup: dict[Any, Any] = {}
        for y in a_items:
            lookup[y] = y
        taken: set[int] = set()
        pairs: list[tuple[Any, Any]] = []
        for x in e_items:
            y = lookup.get(x, _MISSING)
            if y is not _MISSING and id(y) in taken:
                y = _MISSING
            if y is not _MISSING:
                taken.add(id(y))
            pairs.append((x, y))
        left_a = [y for y in lookup.values() if id(y) not in taken]
        left_e = [i for i, (_, y) in enumerate(pairs) if y is _MISSING]
        if left_e and left_a and len(left_e) <= LEFTOVER_PAIRING and len(left_a) <= LEFTOVER_PAIRING:
            for i in left_e:
                x = pairs[i][0]
                for j, y in enumerate(left_a):
                    if y is not _MISSING and self.equal(x, y, ""):
                        pairs[i] = (x, y)
                        left_a[j] = _MISSING
                        break
            left_a = [y for y in left_a if y is not _MISSING]
        return pairs, left_a, left_e

    def _map(self, e: Any, a: Any, path: str, base: str, anchor: Any) -> None:
        pairs, extra, _ = self._pair(e.keys(), a.keys(), path)
        tasks: list[tuple] = []
        for k, ka in pairs:
            p = _index(base, f"[{k!r}]")
            if ka is _MISSING:
                tasks.append((_DIFF, p, f"missing in actual (expected {short(e[k])})", anchor))
                continue
            if not (k is ka or (type(k) is type(ka) and type(k) in (str, int, bytes))):
                tasks.append((_NODE, k, ka, "", _anchor(anchor, p, "key")))
            tasks.append((_NODE, e[k], a[ka], p, anchor))
        tasks.extend((_DIFF, _index(base, f"[{k!r}]"), f"unexpected in actual (actual {short(a[k])})", anchor) for k in extra)
        if self.rules.key_order:
            partner = {id(k): ka for k, ka in pairs if ka is not _MISSING}
            paired_a = {id(ka) for ka in partner.values()}
            ek = [partner[id(k)] for k in e if id(k) in partner]
            ak = [k for k in a if id(k) in paired_a]
            if any(x is not y for x, y in zip(ek, ak)):
                tasks.append((_DIFF, path or "root", f"key order {list(e)!r} != {list(a)!r}", anchor))
        self._push(tasks)

    def _set(self, e: Any, a: Any, path: str, anchor: Any) -> None:
        order = lambda x: (type(x).__name__, short(x, 200))  # noqa: E731 - hash order would vary per process
        pairs, extra, _ = self._pair(sorted(e, key=order), sorted(a, key=order), path)
        tasks: list[tuple] = []
        for x, y in pairs:
            if y is _MISSING:
                tasks.append((_DIFF, path, f"missing in actual: {short(x)}", anchor))
            elif not (x is y or (type(x) is type(y) and type(x) in (str, int, bytes))):
                tasks.append((_NODE, x, y, "", _anchor(anchor, path, f"member {short(x, 40)}:")))
        tasks.extend((_DIFF, path, f"unexpected in actual: {short(y)}", anchor) for y in extra)
        self._push(tasks)
