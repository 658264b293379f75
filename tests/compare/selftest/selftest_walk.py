"""The mutation and irrelevant-change properties shared by the ``exact()`` and ``structured()`` self-tests."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import selftest_arrays as A
import selftest_protos as P
import selftest_values as V


def check_one_change(data, comparator, style: str, options: dict, special: bool = True) -> None:
    """Draw a value and one change at one place; the comparator must say "differs" and name that place."""
    spec = data.draw(V.specs(special=special), label="value")
    unordered = bool(options.get("ignore_order"))
    candidates = [(address, change) for address, node in V.sites(spec)
                  for change in V.changes(node, address, style=style, options=options)]
    assume(candidates)
    address, (description, fn, suffix) = candidates[data.draw(st.integers(0, len(candidates) - 1), label="change")]
    data.draw(st.just(description), label="change is")  # shows the change in a failure report
    node = dict(V.sites(spec))[address]
    changed = V.replace(spec, address, fn(node))
    if suffix == "*" or V.inside_key(address):
        # a changed key may no longer pair (a NaN inside it, another container type): the old key is then
        # missing and the new one unexpected -- either names the changed entry
        places = {V.place(spec, address, style, unordered), V.place(changed, address, style, unordered)}
    else:
        at = V.place(spec, address, style, unordered)
        places = {at if unordered and at != V.place(spec, address, style) else V.join(at, suffix)}
    result = comparator.compare(V.render(spec), V.render(changed))
    assert result.equal is False, (description, places, result.render())
    first = result.differences[0].path
    assert any(V.names_place(first, p) for p in places), (description, places, result.render())


def _swap_nan_payload(value, in_key):
    if isinstance(value, float) and math.isnan(value) and not in_key:
        return P.double_from_bits(P.double_bits(value) ^ 0x8)
    return value


def _flip_zero(value, in_key):
    return -value if isinstance(value, float) and value == 0 else value


def _int_to_float(value, in_key):
    return float(value) if type(value) is int and abs(value) < 2**53 else value


def _nudge(value, in_key):
    if isinstance(value, float) and math.isfinite(value) and value != 0 and abs(value) < 1e300 and not in_key:
        return value * (1 + 1e-12)
    return value


def _reverse_containers(node):
    if node.kind in ("dict", "set", "frozenset"):
        return dataclasses.replace(node, items=tuple(reversed(node.items)))
    return node


def _reverse_lists(node):
    if node.kind in ("list", "tuple"):
        return dataclasses.replace(node, items=tuple(reversed(node.items)))
    return node


def _relay_arrays(layout):
    def fn(node):
        if node.kind == "np" and isinstance(node.value, np.ndarray):
            value = A.relaid(node.value, layout)
            if A.has_byte_order(value.dtype):
                value = A.byte_swapped(value)
            return V.Spec("np", value)
        return node
    return fn


def _other_pool(node):
    return V.Spec("msg", P.in_pool(node.value, P.B)) if node.kind == "msg" else node


EXACT_TRANSFORMS = {
    "dict and set order": lambda spec: V.map_nodes(spec, _reverse_containers),
    "nan payload": lambda spec: V.map_atoms(spec, _swap_nan_payload),
    "array layout and byte order": lambda spec: V.map_nodes(spec, _relay_arrays("strided")),
    "message from another pool": lambda spec: V.map_nodes(spec, _other_pool),
}
STRUCTURED_TRANSFORMS = dict(EXACT_TRANSFORMS, **{
    "signed zero": lambda spec: V.map_atoms(spec, _flip_zero),
})
OPTIONAL_TRANSFORMS = {  # transform -> (options that declare it irrelevant, transform)
    "numeric types": ({"ignore_numeric_type_changes": True}, lambda spec: V.map_atoms(spec, _int_to_float)),
    "within math_epsilon": ({"math_epsilon": 1e-9}, lambda spec: V.map_atoms(spec, _nudge)),
    "list order": ({"ignore_order": True}, lambda spec: V.map_nodes(spec, _reverse_lists)),
}


def check_irrelevant(data, make, transforms: dict, optional: dict) -> None:
    name = data.draw(st.sampled_from(sorted(transforms) + sorted(optional)), label="transform")
    options, fn = optional[name] if name in optional else ({}, transforms[name])
    spec = data.draw(V.specs(special="ignore_order" not in options), label="value")
    result = make(**options).compare(V.render(spec), V.render(fn(spec)))
    assert result.equal is True, (name, result.render())
