"""Parity of monolith/core/py_utils.py (``NestedMap``; Rust: ``monolith_core::nested_map``).

Each call builds the map from a plain tree on both sides (Python ``NestedMap.FromNestedDict``, Rust
``NestedMap::insert`` key by key through the bindings) and compares what the method returns
(``_support/nested.py``).  ``Set`` returns the map as the call left it together with its error, since
both sides may have created intermediate maps before refusing.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pytest_monolith_parity import Case, compare, divergence, driver, example, python_call

from ._support import nested

COVERS = "monolith/core/py_utils.py"
ERRORS = {"AssertionError": "CorePyAssertionError", "ValueError": "CorePyValueError",
          "KeyError": "CorePyKeyError", "TypeError": "CorePyTypeError"}

TREE = {"b": 1, "a": {"y": [1, {"z": 2}, 3], "x": "s"}, "c": [], "d": {}}
FLAT = {"alpha": 1, "beta": {"gamma": 2.5, "delta": [True, None, "t"]}}

# Python keeps a list's empty result when nothing in it was deleted ('c': [] survives), and recurses into maps
# inside lists; the port drops empty lists and tests maps inside lists as leaves (nested_map.rs filter_key_val).
EMPTY_LIST_DROPPED = "root['c']: missing in actual (expected [])"
FILTER_LISTS = ("Filter/FilterKeyVal: Python's _RecursiveMap keeps an empty list nothing was deleted from and "
                "recurses into NestedMaps inside lists; observed Python {'a': {'y': [1, {'z': 2}, 3]}, 'b': 1, "
                "'c': [], 'd': {}} vs Rust {'a': {'y': [1, 3]}, 'b': 1, 'd': {}} for Filter(is_int)")


def call(method, *args, id, expect=None):
    return example(method, *args, id=id, expect=expect)


EXAMPLES = [
    call("FromNestedDict", TREE, id="from_nested_dict"),
    call("FromNestedDict", {"keys": 1}, id="reserved_key"),
    call("FromNestedDict", {"a-b": 1}, id="key_with_dash", expect=divergence(
        "Python checks keys with _NAME_PATTERN.match (a prefix match: 'a-b' passes on its 'a'); the port's "
        "check_key matches the whole key and raises ValueError(\"Invalid NestedMap key 'a-b'\")",
        outcome="rust raised", message="CorePyValueError: Invalid NestedMap key 'a-b'")),
    call("FromNestedDict", {"_private": {"x9": 1}}, id="underscore_keys"),
    call("Flatten", TREE, id="flatten"),
    call("Flatten", {}, id="flatten_empty"),
    call("Flatten", {"t": (1, 2)}, id="flatten_tuple_leaf"),
    call("FlattenItems", TREE, id="flatten_items"),
    call("FlattenItems", FLAT, id="flatten_items_mixed"),
    call("Pack", TREE, [10, 20, 30, 40, 50], id="pack"),
    call("Pack", TREE, [1], id="pack_wrong_length"),
    call("Transform", TREE, "to_str", id="transform_to_str"),
    call("Transform", FLAT, "double", id="transform_double"),
    call("Filter", TREE, "is_int", id="filter_is_int", expect=divergence(FILTER_LISTS, message="root['a']['y'][1]: type dict != int: {'z': 2} != 3")),
    call("Filter", FLAT, "truthy", id="filter_truthy"),
    call("Filter", TREE, "never", id="filter_never", expect=divergence(FILTER_LISTS, message=EMPTY_LIST_DROPPED)),
    call("FilterKeyVal", TREE, "key_has_b", id="filter_key_val",
         expect=divergence(FILTER_LISTS, message=EMPTY_LIST_DROPPED)),
    call("FilterKeyVal", FLAT, "key_is_nested", id="filter_key_val_nested"),
    call("IsCompatible", TREE, TREE, id="compatible_same"),
    call("IsCompatible", TREE, {"b": 1}, id="compatible_other"),
    call("IsCompatible", {"a": 1, "b": [2]}, {"a": "x", "b": ["y"]}, id="compatible_other_leaves"),
    call("GetItem", TREE, "a.x", id="get_item"),
    call("GetItem", TREE, "a.q", id="get_item_missing"),
    call("GetItem", TREE, "a.y.z", id="get_item_through_list", expect=divergence(
        "GetItem through a list: Python indexes the list with a str ('list indices must be integers or slices, "
        "not str', TypeError); the port reports the list's key as missing (CorePyKeyError \"Key 'y' not found\")",
        outcome="different errors", message="both raised, but python raised TypeError: list indices must be integers or slices, "
                                    "not str and rust raised CorePyKeyError: Key 'y' not found")),
    call("Get", TREE, "a.q", id="get_missing"),
    call("Get", TREE, "a.y.z", id="get_through_list"),
    call("Set", TREE, "n.m", 1, id="set_creates_maps"),
    call("Set", TREE, "1bad", 2, id="set_bad_key"),
    call("Set", TREE, "a.x.k", 1, id="set_through_leaf", expect=divergence(
        "Set through a leaf: Python names the leaf's type (\"is of type <class 'str'>\"), the port says "
        "\"is of type object\" (nested_map.rs set)",
        message="root[1][1]: index 54: expected …' key \"x\" is of type <class \\'str\\'> but mus'… != actual …' key \"x\" "
                "is of type object but must be a '…")),
    call("DeepCopy", TREE, id="deep_copy"),
    call("DebugString", TREE, id="debug_string"),
    call("DebugString", {"a": 1.5, "bb": [None, True]}, id="debug_string_leaves"),
    call("DebugString", {"a": [0], "a0": 0}, id="debug_string_line_order", expect=divergence(
        "DebugString: Python sorts the formatted lines ('a0      0' < 'a[0]    0': '0' < '['), the port emits "
        "FlattenItems order (keys sorted before formatting); found by Hypothesis",
        message="root: index 1 (line 1, column 2): expected 'a0      0\\na[0]    0' != actual 'a[0]    0\\na0      0'")),
    call("CheckKey", {}, "ok_key", id="check_key_ok"),
    call("CheckKey", {}, "1a", id="check_key_invalid"),
    call("CheckKey", {}, "get", id="check_key_reserved", expect=divergence(
        "CheckKey only matches _NAME_PATTERN in Python (the reserved-name assert is in __setitem__); the port's "
        "check_key also refuses reserved names: AssertionError('get is a reserved key')",
        outcome="rust raised", message="CorePyAssertionError: get is a reserved key")),
]

KEY = st.from_regex(r"[a-z][a-z0-9_]{0,4}", fullmatch=True).filter(lambda k: k not in nested.RESERVED)
LEAF = st.one_of(st.integers(-1000, 1000), st.text(max_size=4), st.booleans(), st.none())
TREES = st.recursive(LEAF, lambda children: st.one_of(st.lists(children, max_size=3),
                                                      st.dictionaries(KEY, children, max_size=3)), max_leaves=8)
MAPS = st.dictionaries(KEY, TREES, max_size=4)

Case(
    id="nested_map",
    covers=COVERS,
    python=python_call(nested.python),
    rust=driver(nested.rust, needs="nested_map_flatten_items"),
    examples=EXAMPLES,
    compare=compare.structured(),
    errors=ERRORS,
)

# The structure-only methods over arbitrary trees (Filter's list handling is pinned by the examples above).
# DebugString's line order is pinned by debug_string_line_order; its lines are compared here through FlattenItems.
for method in ("Flatten", "FlattenItems", "DeepCopy"):
    Case(
        id=f"nested_map_{method.lower()}_trees",
        covers=COVERS,
        python=python_call(nested.python),
        rust=driver(nested.rust, needs="nested_map_flatten_items"),
        strategy=st.tuples(st.just(method), MAPS),
        max_examples=40,
        compare=compare.structured(),
        errors=ERRORS,
        golden=False,
    )
