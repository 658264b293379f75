"""``NestedMap`` method calls on monolith's ``py_utils.NestedMap`` and on the port's ``nested_map.rs``.

A map crosses as a plain tree (``dict`` = NestedMap, ``list`` = list, anything else a leaf); results
come back the same way (every NestedMap as a ``dict``, tuples kept as tuples).  Functions given to
``Transform`` / ``Filter`` / ``FilterKeyVal`` are named (``FUNCTIONS``) so both sides call the very
same Python function.
"""

from __future__ import annotations

from typing import Any

from pytest_monolith_parity.helpers import reference_module


FUNCTIONS = {
    "double": lambda v: v * 2,
    "to_str": lambda v: str(v),
    "is_int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "truthy": lambda v: bool(v),
    "never": lambda v: False,
    "key_has_b": lambda k, v: "b" in k,
    "key_is_nested": lambda k, v: "." in k or "[" in k,
}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _arg(method: str, arg: Any) -> Any:
    return FUNCTIONS[arg] if method in ("Transform", "Filter", "FilterKeyVal") else arg


def python(method: str, tree: dict, *args: Any) -> Any:
    """``NestedMap.FromNestedDict(tree).<method>(*args)``; ``IsCompatible`` takes a second tree."""
    NestedMap = reference_module("monolith.core.py_utils").NestedMap

    if method == "CheckKey":
        return NestedMap.CheckKey(*args)
    if method == "FromNestedDict":
        return _plain(NestedMap.FromNestedDict(tree))
    nested = NestedMap.FromNestedDict(tree)
    if method == "IsCompatible":
        return nested.IsCompatible(NestedMap.FromNestedDict(args[0]))
    if method == "Set":
        try:
            nested.Set(*args)
        except Exception as error:  # the map as Set left it, and the error
            return [_plain(nested), [type(error).__name__, str(error)]]
        return [_plain(nested), None]
    return _plain(getattr(nested, method)(*(_arg(method, a) for a in args)))


RUST = {
    "FromNestedDict": "nested_map_from", "Flatten": "nested_map_flatten", "FlattenItems": "nested_map_flatten_items",
    "Pack": "nested_map_pack", "Transform": "nested_map_transform", "Filter": "nested_map_filter",
    "FilterKeyVal": "nested_map_filter_key_val", "IsCompatible": "nested_map_is_compatible",
    "GetItem": "nested_map_get_item", "Get": "nested_map_get", "DeepCopy": "nested_map_deep_copy",
    "DebugString": "nested_map_debug_string",
}


def rust(method: str, tree: dict, *args: Any) -> Any:
    """The same call on the port (``monolith_parity_rs.nested_map_*``)."""
    import monolith_parity_rs as rs

    if method == "CheckKey":
        return rs.nested_map_check_key(*args)
    if method == "Set":
        nested, error = rs.nested_map_set(tree, *args)
        if error is None:
            return [_plain(nested), None]
        name = type(error).__name__
        return [_plain(nested), [name[len("CorePy"):] if name.startswith("CorePy") else name, str(error)]]
    function = getattr(rs, RUST[method])
    if method == "FromNestedDict":
        return _plain(function(tree))
    return _plain(function(tree, *(_arg(method, a) for a in args)))


# dir(dict): the names a NestedMap refuses as keys on both sides (Python _RESERVED_KEYS, Rust RESERVED_KEYS).
RESERVED = frozenset(dir(dict))
