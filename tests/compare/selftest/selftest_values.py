"""Python values for the self-test of ``exact()``, ``structured()`` and ``json()``, built from specs.

A :class:`Spec` tree describes a value -- atoms, numpy scalars and arrays,
messages, lists, tuples, dicts (with tuple and frozenset keys), sets,
frozensets, plain objects (with and without an ``__eq__``), slotted objects,
dataclasses and namedtuples -- and :func:`render` builds a fresh value from it
(floats are new objects every time, so NaN keys are never the same object on
both sides).  A mutation replaces one node of the tree; the place it must be
reported at is computed from the spec, in the comparator's path syntax.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import struct
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

import selftest_arrays as A
import selftest_protos as P


@dataclasses.dataclass(frozen=True)
class Spec:
    kind: str  # atom, np, msg, list, tuple, dict, set, frozenset, obj, eqobj, slots, dc, nt
    value: Any = None
    items: tuple = ()


class Plain:
    """An object with attributes and no ``__eq__`` (identity)."""

    def __repr__(self) -> str:
        return f"Plain({vars(self)!r})"


class EqPlain:
    """An object whose ``__eq__`` compares ``__dict__`` -- so ``1 == True`` and ``0.0 == -0.0`` inside it."""

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EqPlain({vars(self)!r})"


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a: Any, b: Any) -> None:
        self.a, self.b = a, b

    def __repr__(self) -> str:
        return f"Slotted({self.a!r}, {self.b!r})"


@dataclasses.dataclass
class DC:
    a: Any
    b: Any


NT = collections.namedtuple("NT", ["x", "y"])
FIELDS = {"slots": ("a", "b"), "dc": ("a", "b"), "nt": ("x", "y")}
ATTR_NAMES = st.sampled_from(["p", "q", "r", "s"])


# --------------------------------------------------------------------------- rendering


def _fresh_float(value: float) -> float:
    return struct.unpack("<d", struct.pack("<d", value))[0]


def render(spec: Spec) -> Any:
    k = spec.kind
    if k == "atom":
        return _fresh_float(spec.value) if isinstance(spec.value, float) else spec.value
    if k == "np":
        return spec.value.copy() if isinstance(spec.value, np.ndarray) else spec.value
    if k == "msg":
        return P.copy(spec.value)
    if k in ("list", "tuple"):
        items = [render(x) for x in spec.items]
        return items if k == "list" else tuple(items)
    if k == "dict":
        return {render(key): render(value) for key, value in spec.items}
    if k in ("set", "frozenset"):
        return (set if k == "set" else frozenset)(render(x) for x in spec.items)
    if k in ("obj", "eqobj"):
        obj = Plain() if k == "obj" else EqPlain()
        for name, value in spec.items:
            setattr(obj, name, render(value))
        return obj
    if k == "slots":
        return Slotted(*(render(x) for x in spec.items))
    if k == "dc":
        return DC(*(render(x) for x in spec.items))
    if k == "nt":
        return NT(*(render(x) for x in spec.items))
    raise AssertionError(k)


def key_of(spec: Spec) -> Any:
    """The rendered key, for uniqueness (keys equal under ``==`` collapse in a dict or set)."""
    value = render(spec)
    return ("nan",) if isinstance(value, float) and math.isnan(value) else value


# --------------------------------------------------------------------------- strategies

NAN = float("nan")
FLOATS = st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, math.inf, -math.inf, 5e-324]),
                   st.sampled_from(P.NAN_BITS).map(P.double_from_bits))
TEXT = st.text(alphabet=st.sampled_from("ab\x00\u00e9e\u0301\u0430 "), max_size=5)
HASHABLE_ATOMS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.integers(-(2**70), 2**70), FLOATS, TEXT,
                           st.binary(max_size=3)).map(lambda v: Spec("atom", v))
NUMPY_SCALARS = st.sampled_from([np.float32(1.5), np.float64(-0.0), np.int64(-7), np.uint64(2**63 + 1), np.bool_(True),
                                 np.int8(3), np.float16(0.25)]).map(lambda v: Spec("np", v))
SMALL_ARRAYS = st.tuples(st.sampled_from([np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int32), np.dtype(np.bool_),
                                          np.dtype("<U3")]), st.sampled_from([(2,), (2, 2), ()])).flatmap(
    lambda t: A.arrays(t[0], t[1]).map(lambda a: Spec("np", a)))


def _cast(value: np.ndarray, dtype: np.dtype) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return value.astype(dtype)


def other_dtype(dtype: np.dtype) -> np.dtype:
    """A dtype the array can be cast to that is not its own."""
    if dtype.kind == "U":
        return np.dtype(object)
    if dtype.kind == "b":
        return np.dtype(np.int8)
    return np.dtype(np.float16) if dtype != np.float16 else np.dtype(np.float32)


def _keys() -> st.SearchStrategy:
    tuples = st.lists(HASHABLE_ATOMS, min_size=1, max_size=3).map(lambda xs: Spec("tuple", items=tuple(xs)))
    frozensets = st.lists(HASHABLE_ATOMS, max_size=3, unique_by=key_of).map(lambda xs: Spec("frozenset", items=tuple(xs)))
    nested = st.lists(st.one_of(HASHABLE_ATOMS, tuples), min_size=1, max_size=2).map(lambda xs: Spec("tuple", items=tuple(xs)))
    return st.one_of(HASHABLE_ATOMS, tuples, frozensets, nested)


KEYS = _keys()


def specs(special: bool = True, max_leaves: int = 10) -> st.SearchStrategy:
    """Value specs; ``special=False`` leaves out arrays and messages (``ignore_order`` refuses them in lists)."""
    leaves = [HASHABLE_ATOMS, HASHABLE_ATOMS]
    if special:
        leaves += [NUMPY_SCALARS, SMALL_ARRAYS, P.messages(P.A.Rec, depth=1, unknown=False).map(lambda m: Spec("msg", m))]
    base = st.one_of(*leaves)

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(
            st.lists(children, max_size=4).map(lambda xs: Spec("list", items=tuple(xs))),
            st.lists(children, max_size=3).map(lambda xs: Spec("tuple", items=tuple(xs))),
            st.lists(st.tuples(KEYS, children), max_size=4, unique_by=lambda kv: key_of(kv[0])).map(
                lambda kvs: Spec("dict", items=tuple(kvs))),
            st.lists(KEYS, max_size=4, unique_by=key_of).map(lambda xs: Spec("set", items=tuple(xs))),
            st.lists(KEYS, max_size=3, unique_by=key_of).map(lambda xs: Spec("frozenset", items=tuple(xs))),
            st.tuples(st.sampled_from(["obj", "eqobj"]), st.lists(st.tuples(ATTR_NAMES, children), min_size=1, max_size=3,
                                                                  unique_by=lambda kv: kv[0])).map(
                lambda t: Spec(t[0], items=tuple(t[1]))),
            st.tuples(st.sampled_from(["slots", "dc", "nt"]), children, children).map(lambda t: Spec(t[0], items=(t[1], t[2]))),
        )

    return st.recursive(base, extend, max_leaves=max_leaves)


# --------------------------------------------------------------------------- addresses and paths


def sites(spec: Spec, address: tuple = ()) -> list[tuple[tuple, Spec]]:
    """Every node with its address (pre-order); keys and set members are addressed too."""
    out = [(address, spec)]
    k = spec.kind
    if k in ("list", "tuple", "slots", "dc", "nt"):
        for i, x in enumerate(spec.items):
            out.extend(sites(x, address + (("item", i),)))
    elif k == "dict":
        for i, (key, value) in enumerate(spec.items):
            out.extend(sites(key, address + (("key", i),)))
            out.extend(sites(value, address + (("value", i),)))
    elif k in ("set", "frozenset"):
        for i, x in enumerate(spec.items):
            out.extend(sites(x, address + (("member", i),)))
    elif k in ("obj", "eqobj"):
        for i, (_, value) in enumerate(spec.items):
            out.extend(sites(value, address + (("attr", i),)))
    return out


def place(spec: Spec, address: tuple, style: str, unordered: bool = False) -> str:
    """Where a change at ``address`` must be reported (``style``: "exact" or "structured").

    Inside a dict key or a set member the place is the key's or the set's path;
    inside a list compared as a multiset (``unordered``), the place is that list.
    """
    path = "" if style == "exact" else "root"
    node = spec
    for step, i in address:
        base = path or "root"
        if unordered and node.kind in ("list", "tuple"):
            return path
        if step == "item":
            if node.kind in ("list", "tuple") or node.kind == "nt" and style == "exact":
                path = f"{base}[{i}]"
            else:
                path = f"{base}.{FIELDS[node.kind][i]}"
            node = node.items[i]
        elif step == "value":
            key, node = node.items[i]
            path = f"{base}[{render(key)!r}]"
        elif step == "attr":
            name, node = node.items[i]
            path = f"{base}.{name}"
        elif step == "key":
            return f"{base}[{render(node.items[i][0])!r}]"
        else:  # member: reported at the set
            return path
    return path


def replace(spec: Spec, address: tuple, new: Spec | None) -> Spec:
    """The tree with the node at ``address`` replaced by ``new`` (None removes a dict entry, member or attribute)."""
    if not address:
        assert new is not None
        return new
    (step, i), rest = address[0], address[1:]
    items = list(spec.items)
    if step == "item":
        items[i] = replace(items[i], rest, new)
    elif step == "value":
        key, value = items[i]
        items[i] = (key, replace(value, rest, new))
    elif step == "key":
        key, value = items[i]
        items[i] = (replace(key, rest, new), value)
    elif step == "member":
        items[i] = replace(items[i], rest, new)
    else:
        name, value = items[i]
        items[i] = (name, replace(value, rest, new))
    return dataclasses.replace(spec, items=tuple(items))


def inside_key(address: tuple) -> bool:
    return any(step in ("key", "member") for step, _ in address)


# --------------------------------------------------------------------------- mutations

Change = tuple[str, Callable[[Spec], Spec], str]  # (description, node -> changed node, suffix below the place)


def atom_changes(value: Any, *, exact: bool, nan_payload: bool, tolerant: bool, numeric_types: bool,
                 in_key: bool) -> list[tuple[str, Any]]:
    """(description, new value) for one atom: value, type, sign of zero, NaN payload, trailing NUL."""
    out: list[tuple[str, Any]] = []
    if isinstance(value, bool):
        if not in_key:
            out.append(("flip bool", not value))
        out.append(("bool to int", int(value)))
    elif isinstance(value, int):
        if not in_key:
            out.append(("int value", value + 1 + abs(value) if tolerant else value + 1))
        if abs(value) < 2**53 and not numeric_types:
            out.append(("int to float", float(value)))
        if value in (0, 1):
            out.append(("int to bool", bool(value)))
    elif isinstance(value, float):
        if not in_key:
            out.append(("float value", A.float_change(value, not tolerant, np.dtype(np.float64))))
        if value == 0 and exact:
            out.append(("sign of zero", -value))
        if math.isnan(value) and nan_payload and not in_key:
            out.append(("nan payload", P.double_from_bits(P.double_bits(value) ^ 0x4)))
        if math.isfinite(value) and value == int(value) and abs(value) < 2**53 and not numeric_types:
            out.append(("float to int", int(value)))
    elif isinstance(value, str):
        if not in_key:
            out.append(("trailing NUL", value + "\x00"))
            out.append(("change char", ("b" if value[:1] != "b" else "a") + value[1:]))
        out.append(("str to bytes", value.encode("utf-8")))
    elif isinstance(value, bytes):
        if not in_key:
            out.append(("trailing NUL", value + b"\x00"))
        try:
            out.append(("bytes to str", value.decode("utf-8")))
        except UnicodeDecodeError:
            pass
    elif value is None:
        out.append(("None to 0", 0))
    return out


def _same_key(x: Any, y: Any) -> bool:
    try:
        return bool(x == y) and hash(x) == hash(y)
    except TypeError:
        return False


def changes(node: Spec, address: tuple, *, style: str, options: dict) -> list[Change]:
    """Every single semantic change of ``node`` under ``options``; the suffix continues the node's place."""
    exact = style == "exact"
    tolerant = options.get("math_epsilon") is not None or options.get("significant_digits") is not None
    numeric_types = bool(options.get("ignore_numeric_type_changes"))
    in_key = inside_key(address)
    k = node.kind
    out: list[Change] = []
    if k == "atom":
        for description, value in atom_changes(node.value, exact=exact, nan_payload=options.get("nan") == "payload",
                                               tolerant=tolerant, numeric_types=numeric_types, in_key=in_key):
            if in_key and not _same_key(value, node.value):
                continue  # a key or member that is no longer == could merge with another one
            out.append((description, lambda n, v=value: Spec("atom", v), ""))
        return out
    if in_key:
        if k in ("tuple", "frozenset") and node.items:
            out.append(("container type", lambda n: Spec("frozenset" if n.kind == "tuple" else "tuple", items=n.items), "*"))
        return out
    if k == "np":
        value = node.value
        if isinstance(value, np.ndarray):
            flat = value.size - 1
            index = np.unravel_index(flat, value.shape) if value.ndim else ()
            changed = value.copy()
            if changed.dtype.kind == "U":
                changed = changed.astype("<U4")
            changed[index] = A.element_change(value[index], value.dtype, True)
            out.append(("array element", lambda n, c=changed: Spec("np", c), A.index_path(value.shape, flat)))
            out.append(("array dtype", lambda n: Spec("np", _cast(n.value, other_dtype(n.value.dtype))), ""))
        else:
            dtype = value.dtype
            new = np.asarray(A.element_change(value, dtype, not tolerant)).astype(dtype)[()]
            out.append(("numpy scalar value", lambda n, v=new: Spec("np", v), ""))
            if not numeric_types or dtype.kind == "b":
                other = np.float64 if dtype != np.float64 else np.float32
                out.append(("numpy scalar type", lambda n, o=other: Spec("np", o(n.value)), ""))
        return out
    if k == "msg":
        for description, mpath, apply in P.mutations(node.value, {"signed_zero": exact, "nan": options.get("nan", "equal")}):
            def mutate(n, apply=apply):
                m = P.copy(n.value)
                apply(m)
                return Spec("msg", m)

            out.append((f"message: {description}", mutate, mpath if mpath.startswith("[") or not mpath else "." + mpath))
        return out
    if k in ("list", "tuple"):
        if node.items:
            out.append(("remove last", lambda n: dataclasses.replace(n, items=n.items[:-1]),
                        "" if exact or options.get("ignore_order") else f"@[{len(node.items) - 1}]"))
        out.append(("append", lambda n: dataclasses.replace(n, items=n.items + (Spec("atom", "extra"),)),
                    "" if exact or options.get("ignore_order") else f"@[{len(node.items)}]"))
        out.append(("list <-> tuple", lambda n: Spec("tuple" if n.kind == "list" else "list", items=n.items), ""))
        return out
    if k == "dict":
        for i, (key, _) in enumerate(node.items[:1]):
            out.append(("remove entry", lambda n, i=i: dataclasses.replace(n, items=n.items[:i] + n.items[i + 1:]),
                        f"@[{render(key)!r}]"))
        taken = {key_of(key) for key, _ in node.items}
        new_key = next(name for name in ("new", "new2", "new3", "new4", "new5") if name not in taken)
        out.append(("add entry", lambda n, nk=new_key: dataclasses.replace(n, items=n.items + ((Spec("atom", nk), Spec("atom", 1)),)),
                    f"@[{new_key!r}]"))
        return out
    if k in ("set", "frozenset"):
        if node.items:
            out.append(("remove member", lambda n: dataclasses.replace(n, items=n.items[1:]), ""))
        taken = {key_of(x) for x in node.items}
        new = next(name for name in ("new", "new2", "new3", "new4", "new5") if name not in taken)
        out.append(("add member", lambda n, m=new: dataclasses.replace(n, items=n.items + (Spec("atom", m),)), ""))
        out.append(("set <-> frozenset", lambda n: Spec("frozenset" if n.kind == "set" else "set", items=n.items), ""))
        return out
    if k in ("obj", "eqobj"):
        out.append(("remove attribute", lambda n: dataclasses.replace(n, items=n.items[1:]), f"@.{node.items[0][0]}"))
        names = {name for name, _ in node.items}
        new = next(name for name in ("p", "q", "r", "s", "t") if name not in names)
        out.append(("add attribute", lambda n, m=new: dataclasses.replace(n, items=n.items + ((m, Spec("atom", 1)),)), f"@.{new}"))
        out.append(("object class", lambda n: Spec("eqobj" if n.kind == "obj" else "obj", items=n.items), ""))
        return out
    if k in ("slots", "dc", "nt"):
        other = {"slots": "dc", "dc": "nt", "nt": "slots"}[k]
        out.append(("record class", lambda n, o=other: Spec(o, items=n.items), ""))
    return out


def join(place: str, suffix: str) -> str:
    """``place`` continued by ``suffix``: ``@[k]``/``@.a`` is a child (below ``root`` at the top), others
    (``.field``, ``[1, 2]``) a nested comparator's path, joined as ``base.nest`` joins it."""
    if not suffix:
        return place
    if suffix.startswith("@"):
        return (place or "root") + suffix[1:]
    if not place:
        return suffix[1:] if suffix.startswith(".") else suffix
    return place + suffix


def names_place(path: str, place: str) -> bool:
    """The reported path is the place or lies below it."""
    return path == place or path.startswith(place + ".") or path.startswith(place + "[") or (
        place in ("", "root") and path.startswith("root"))


# --------------------------------------------------------------------------- declared-irrelevant transformations


def map_atoms(spec: Spec, fn: Callable[[Any, bool], Any], in_key: bool = False) -> Spec:
    """The tree with every atom's value replaced by ``fn(value, in_key)``."""
    k = spec.kind
    if k == "atom":
        return Spec("atom", fn(spec.value, in_key))
    if k in ("np", "msg"):
        return spec
    if k == "dict":
        return dataclasses.replace(spec, items=tuple((map_atoms(key, fn, True), map_atoms(v, fn, in_key)) for key, v in spec.items))
    if k in ("set", "frozenset"):
        return dataclasses.replace(spec, items=tuple(map_atoms(x, fn, True) for x in spec.items))
    if k in ("obj", "eqobj"):
        return dataclasses.replace(spec, items=tuple((name, map_atoms(v, fn, in_key)) for name, v in spec.items))
    return dataclasses.replace(spec, items=tuple(map_atoms(x, fn, in_key) for x in spec.items))


def map_nodes(spec: Spec, fn: Callable[[Spec], Spec]) -> Spec:
    """The tree with ``fn`` applied to every node, children first."""
    k = spec.kind
    if k in ("atom", "np", "msg"):
        return fn(spec)
    if k == "dict":
        items = tuple((map_nodes(key, fn), map_nodes(v, fn)) for key, v in spec.items)
    elif k in ("obj", "eqobj"):
        items = tuple((name, map_nodes(v, fn)) for name, v in spec.items)
    else:
        items = tuple(map_nodes(x, fn) for x in spec.items)
    return fn(dataclasses.replace(spec, items=items))
