"""Structured, JSON, exact and text comparators: type traps, key order, tolerance, text diffs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from pytest_monolith_parity.compare import (
    ComparatorConfigError,
    ComparatorInputError,
    ExactComparator,
    exact,
    json,
    structured,
    tensor,
    text,
)


@dataclasses.dataclass
class Point:
    x: int
    y: float


@dataclasses.dataclass
class OtherPoint:
    x: int
    y: float


class Opaque:
    """No attributes for deepdiff to look at; equality is identity."""

    __slots__ = ()


# (id, comparator, expected, actual, equal?, path)
TRAPS = [
    # 1 vs 1.0 vs True, anywhere
    ("int-vs-bool", structured(), 1, True, False, "root"),
    ("int-vs-float", structured(), 1, 1.0, False, "root"),
    ("zero-vs-false", structured(), 0, False, False, "root"),
    ("list-int-vs-bool", structured(), [1, 2], [True, 2], False, "root[0]"),
    ("list-int-vs-float", structured(), [[1]], [[1.0]], False, "root[0][0]"),
    ("dict-value-int-vs-bool", structured(), {"a": 1}, {"a": True}, False, "root['a']"),
    ("dict-key-int-vs-bool", structured(), {1: "x"}, {True: "x"}, False, "root[1]"),
    ("dict-key-int-vs-float", structured(), {1: "x"}, {1.0: "x"}, False, "root[1]"),
    ("set-int-vs-bool", structured(), {1, 2}, {True, 2}, False, "root"),
    ("numeric-types-relaxed", structured(ignore_numeric_type_changes=True), [1], [1.0], True, None),
    ("tuple-vs-list", structured(), (1, 2), [1, 2], False, "root"),
    ("str-vs-bytes", structured(), ["ab"], [b"ab"], False, "root[0]"),
    ("none-vs-zero", structured(), {"a": None}, {"a": 0}, False, "root['a']"),
    # values
    ("equal-nested", structured(), {"a": [1, {"b": (2, 3)}]}, {"a": [1, {"b": (2, 3)}]}, True, None),
    ("nested-value", structured(), {"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}, False, "root['a'][1]['b']"),
    ("missing-key", structured(), {"a": 1, "b": 2}, {"a": 1}, False, "root['b']"),
    ("extra-key", structured(), {"a": 1}, {"a": 1, "c": 3}, False, "root['c']"),
    ("list-shorter", structured(), [1, 2, 3], [1, 2], False, "root[2]"),
    ("list-order", structured(), [1, 2], [2, 1], False, "root[0]"),
    ("list-order-ignored", structured(ignore_order=True), [1, 2], [2, 1], True, None),
    ("list-repetition", structured(ignore_order=True), [1, 1, 2], [1, 2, 2], False, "root[0]"),
    ("nan-equal", structured(), [math.nan], [math.nan], True, None),
    ("nan-distinct-objects", structured(), [float("nan")], [float("nan")], True, None),
    ("nan-vs-number", structured(math_epsilon=1.0), [math.nan], [0.0], False, "root[0]"),
    ("inf-vs-big-epsilon", structured(math_epsilon=1e300), [math.inf], [1e308], False, "root[0]"),
    ("math-epsilon-within", structured(math_epsilon=1e-3), {"v": 1.0}, {"v": 1.0005}, True, None),
    ("math-epsilon-outside", structured(math_epsilon=1e-3), {"v": 1.0}, {"v": 1.002}, False, "root['v']"),
    ("significant-digits", structured(significant_digits=2), [1.001], [1.004], True, None),
    ("significant-digits-outside", structured(significant_digits=2), [1.001], [1.011], False, "root[0]"),
    ("exact-floats-default", structured(), [0.1 + 0.2], [0.3], False, "root[0]"),
    ("big-ints", structured(), [2**64 + 1], [2**64 + 2], False, "root[0]"),
    # dataclasses keep type identity
    ("dataclass-equal", structured(), Point(1, 2.0), Point(1, 2.0), True, None),
    ("dataclass-other-type", structured(), Point(1, 2.0), OtherPoint(1, 2.0), False, "root"),
    ("dataclass-vs-dict", structured(), Point(1, 2.0), {"x": 1, "y": 2.0}, False, "root"),
    ("dataclass-field", structured(), [Point(1, 2.0)], [Point(1, 2.5)], False, "root[0].y"),
    ("dataclass-field-type", structured(), Point(1, 2.0), Point(True, 2.0), False, "root.x"),
    ("opaque-objects", structured(), {"o": Opaque()}, {"o": Opaque()}, False, "root['o']"),
    ("bare-object", structured(), [object()], [object()], False, "root[0]"),
    # arrays and messages inside structures
    ("array-inside", structured(), {"t": np.float32([1, 2])}, {"t": np.float32([1, 3])}, False, "root['t'][1]"),
    ("array-dtype-inside", structured(), {"t": np.float32([1, 2])}, {"t": np.float64([1, 2])}, False, "root['t']"),
    ("array-vs-list", structured(), {"t": np.float32([1, 2])}, {"t": [1.0, 2.0]}, False, "root['t']"),
    ("array-tolerance", structured(tensor=tensor(rtol=1e-3)), [np.float32([1.0])], [np.float32([1.0005])], True, None),
    ("numpy-scalar-vs-float", structured(), {"v": np.float32(1.0)}, {"v": 1.0}, False, "root['v']"),
    # key order
    ("key-order-ignored", structured(), {"a": 1, "b": 2}, {"b": 2, "a": 1}, True, None),
    ("key-order-contract", structured(key_order=True), {"a": 1, "b": 2}, {"b": 2, "a": 1}, False, "root"),
    ("key-order-nested", structured(key_order=True), {"m": {"a": 1, "b": 2}}, {"m": {"b": 2, "a": 1}}, False, "root['m']"),
    # JSON text
    ("json-key-order", json(key_order=True), '{"b": 1, "a": 2}', b'{"a": 2, "b": 1}', False, "root"),
    ("json-key-order-free", json(), '{"b": 1, "a": 2}', b'{"a": 2, "b": 1}', True, None),
    ("json-int-vs-float", json(), '{"n": 1}', '{"n": 1.0}', False, "root['n']"),
    ("json-true-vs-1", json(), "[true]", "[1]", False, "root[0]"),
    ("json-whitespace", json(), '{"a":[1,2]}', '{ "a" : [ 1 , 2 ] }\n', True, None),
    ("json-duplicate-key", json(), '{"a": 1}', '{"a": 2, "a": 1}', False, "root['a']"),
    ("json-invalid", json(), '{"a": 1}', '{"a": 1', False, ""),
    ("json-big-int", json(), "[18446744073709551617]", "[18446744073709551618]", False, "root[0]"),
    ("json-tolerance", json(math_epsilon=1e-6), '{"x": 0.1}', '{"x": 0.1000001}', True, None),
    ("json-nan-literal", json(), "[NaN]", "[NaN]", True, None),
    # exact
    ("exact-int-vs-bool", exact(), [1], [True], False, "root[0]"),
    ("exact-neg-zero", exact(), {"z": 0.0}, {"z": -0.0}, False, "root['z']"),
    ("exact-nan", exact(), [math.nan], [math.nan], True, None),
    ("exact-bytes", exact(), b"abc", b"abd", False, ""),
    ("exact-dict-key-type", exact(), {1: 0}, {True: 0}, False, "root[1]"),
    ("exact-key-order", exact(key_order=True), {"a": 1, "b": 2}, {"b": 2, "a": 1}, False, "root"),
    ("exact-set-types", exact(), {1}, {True}, False, ""),
    ("exact-array", exact(), {"a": np.array([0.0])}, {"a": np.array([-0.0])}, False, "root['a'][0]"),
]


@pytest.mark.parametrize("case_id,comparator,expected,actual,equal,path", TRAPS, ids=[t[0] for t in TRAPS])
def test_trap(case_id, comparator, expected, actual, equal, path):
    result = comparator.compare(expected, actual)
    assert result.equal is equal, result.render()
    if not equal:
        assert path in [d.path for d in result.differences], result.render()


def test_key_order_message():
    (d,) = json(key_order=True).compare('{"b": 1, "a": 2}', '{"a": 2, "b": 1}').differences
    assert d.render() == "root: key order ['b', 'a'] != ['a', 'b']"


def test_value_message_has_magnitude():
    (d,) = structured().compare({"v": 1.0}, {"v": 1.5}).differences
    assert d.render() == "root['v']: 1.0 != 1.5 (abs 0.5, rel 0.5)"


def test_type_message_names_both_types():
    (d,) = structured().compare([1], [True]).differences
    assert d.render() == "root[0]: type int != bool: 1 != True"


def test_exclude_paths():
    cmp = structured(exclude_paths=["root['meta']"])
    assert cmp.compare({"v": 1, "meta": {"t": 1}}, {"v": 1, "meta": {"t": 2}}).equal
    assert not cmp.compare({"v": 1, "meta": {"t": 1}}, {"v": 2, "meta": {"t": 2}}).equal


def test_ignore_order_refuses_arrays_in_lists():
    with pytest.raises(ComparatorInputError):
        structured(ignore_order=True).compare([np.zeros(2)], [np.zeros(2)])


@pytest.mark.parametrize(
    "options",
    [
        {"math_epsilon": -1.0},
        {"math_epsilon": 1e-3, "significant_digits": 3},
        {"significant_digits": -1},
        {"number_format_notation": "g"},
        {"nan": "maybe"},  # not an option: NaN always matches NaN
    ],
)
def test_bad_configuration(options):
    with pytest.raises(ComparatorConfigError):
        structured(**options)


def test_exact_bad_configuration():
    with pytest.raises(ComparatorConfigError):
        ExactComparator(nan="whatever")


# --------------------------------------------------------------------------- text

TEXT_TRAPS = [
    ("exact-equal", text(), "a\nb\n", "a\nb\n", True, None),
    ("exact-char", text(), "alpha\nbeta gamma\n", "alpha\nbeta gamme\n", False, "line 2, column 10"),
    ("exact-trailing-newline", text(), "a\n", "a", False, "line 1, column 2"),
    ("exact-crlf", text(), "a\nb\n", "a\r\nb\r\n", False, "line 1, column 2"),
    ("exact-extra-line", text(), "a\n", "a\nb\n", False, "line 2"),
    ("exact-missing-line", text(), "a\nb\n", "a\n", False, "line 2"),
    ("exact-bytes-input", text(), b"x = 1\n", "x = 2\n", False, "line 1, column 5"),
    ("whitespace-equal", text("whitespace"), "a  b\n\n  c\t\n", "a b\nc", True, None),
    ("whitespace-diff", text("whitespace"), "a b\n\nc d\n", "a b\nc e\n", False, "line 3, column 3"),
    ("whitespace-not-removed-inside", text("whitespace"), "ab", "a b", False, "line 1, column 2"),
]


@pytest.mark.parametrize("case_id,comparator,expected,actual,equal,path", TEXT_TRAPS, ids=[t[0] for t in TEXT_TRAPS])
def test_text_trap(case_id, comparator, expected, actual, equal, path):
    result = comparator.compare(expected, actual)
    assert result.equal is equal, result.render()
    if not equal:
        assert path in [d.path for d in result.differences], result.render()


def test_text_diff_shows_both_lines():
    (d,) = text().compare("one\ntwo three\n", "one\ntwo thr3e\n").differences
    assert d.render() == "line 2, column 8: expected 'two three\\n' != actual 'two thr3e\\n'"


def test_text_long_line_is_clipped_around_column():
    e = "x" * 500 + "A" + "y" * 500
    a = "x" * 500 + "B" + "y" * 500
    (d,) = text().compare(e, a).differences
    assert d.path == "line 1, column 501" and "A" in d.message and "B" in d.message and len(d.message) < 200


def test_text_proto_mode(pb):
    cmp = text("proto", pb.Item, pool=pb.pool)
    assert cmp.compare("count: 1 name: 'x'", "name: \"x\"\ncount: 0x1\n").equal
    result = cmp.compare("count: 1 ids: 1 ids: 2", "count: 1 ids: 1 ids: 3")
    assert [d.render() for d in result.differences] == ["ids[1]: 2 != 3"]
    unset = cmp.compare("name: 'x'", "name: 'x' count: 0")
    assert [d.path for d in unset.differences] == ["count"]
    broken = cmp.compare("count: 1", "count: one")
    assert not broken.equal and "actual" in broken.differences[0].message


def test_text_bad_configuration(pb):
    with pytest.raises(ComparatorConfigError):
        text("fuzzy")
    with pytest.raises(ComparatorConfigError):
        text("proto")
    with pytest.raises(ComparatorConfigError):
        text("exact", pb.Item)


def test_text_rejects_non_text():
    with pytest.raises(ComparatorInputError):
        text().compare(1, "1")
    with pytest.raises(ComparatorInputError):
        text().compare(b"\xff", "x")


def test_messages_inside_structures(pb):
    result = structured().compare({"m": [pb.Item(count=1)]}, {"m": [pb.Item(count=2)]})
    assert [d.render() for d in result.differences] == ["root['m'][0].count: 1 != 2"]
    assert structured().compare({"m": pb.Item(count=1)}, {"m": pb.Item(count=1)}).equal
    assert [d.path for d in structured().compare({"m": pb.Item()}, {"m": pb.Sub()}).differences] == ["root['m']"]


def test_differences_come_in_the_same_order_whatever_the_hash_seed():
    """The first difference is a verdict's message: it must not depend on PYTHONHASHSEED."""
    import subprocess
    import sys

    script = (
        "from pytest_monolith_parity import compare\n"
        "e = {'tree': [{'k%d' % i: i for i in range(30)}], 'results': [[1, {'x%d' % i: i for i in range(30)}]]}\n"
        "a = {'tree': [{'k%d' % i: i + 1 for i in range(30)}], 'results': [[2, {'x%d' % i: -i for i in range(30)}]]}\n"
        "print([d.path for d in compare.structured().compare(e, a).differences][:5])\n"
    )
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (0, 1, 2, 3)}
    assert len(outputs) == 1
    assert outputs.pop().startswith("[\"root['results'][0][0]\"")
