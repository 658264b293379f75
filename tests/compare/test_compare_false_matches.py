"""Issue 11, class by class: values that differ under a comparator's own contract must never compare equal,
damaged or strange inputs must give a verdict (never a raw exception or a hang), and messages must show
the difference.  Each class has its own traps and their neighbours."""

from __future__ import annotations

import collections
import dataclasses
import gzip
import math
import os
import struct
import threading
import types
import zlib

import numpy as np
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from pytest_monolith_parity.compare import (
    ComparatorConfigError,
    ComparatorInputError,
    checkpoint,
    exact,
    json,
    proto,
    saved_model,
    structured,
    tensor,
    text,
    tfrecord,
    tree,
)
from pytest_monolith_parity.compare.tfrecord import encode_record

NAN_A = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000001))[0]
NAN_B = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000002))[0]
BOTH = [pytest.param(exact, id="exact"), pytest.param(structured, id="structured")]


class Holder:
    """A plain object: no __eq__, so equality is identity; its attributes are its value."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)


class DictEq:
    """A plain object whose __eq__ compares __dict__ -- where 1 == True and 0.0 == -0.0."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)

    def __eq__(self, other):
        return type(other) is type(self) and vars(self) == vars(other)


class Slots:
    __slots__ = ("value", "__hidden")

    def __init__(self, value, hidden=0):
        self.value = value
        self.__hidden = hidden


def _first(result):
    assert result.equal is False, result.render()
    return result.differences[0]


# --------------------------------------------------------------------------- 1. attributes of plain objects


@pytest.mark.parametrize("make", BOTH)
@pytest.mark.parametrize("cls", [Holder, DictEq])
def test_a_message_held_by_an_attribute_is_compared(make, cls, pb):
    d = _first(make().compare(cls(m=pb.Item(count=1)), cls(m=pb.Item(count=2))))
    assert d.path == "root.m.count" and d.message == "1 != 2"
    assert make().compare(cls(m=pb.Item(count=1)), cls(m=pb.Item(count=1))).equal


@pytest.mark.parametrize("make", BOTH)
@pytest.mark.parametrize("cls", [Holder, DictEq])
def test_an_array_held_by_an_attribute_is_compared(make, cls):
    assert _first(make().compare(cls(a=np.float32([1, 2])), cls(a=np.float32([1, 3])))).path == "root.a[1]"
    assert "signed zero" in _first(make().compare(cls(a=np.float64([0.0])), cls(a=np.float64([-0.0])))).message
    assert _first(make().compare(cls(a=np.int64([1])), cls(a=np.uint64([1])))).path == "root.a"
    assert make().compare(cls(a=np.float32([1, 2])), cls(a=np.float32([1, 2]))).equal


@pytest.mark.parametrize("make", BOTH)
def test_attribute_neighbours(make, pb):
    # __eq__ that would say equal: type traps still hold inside objects
    assert _first(make().compare(DictEq(v=1), DictEq(v=True))).path == "root.v"
    # slots (including a name-mangled one), nested objects, SimpleNamespace, exceptions, missing attributes
    assert _first(make().compare(Slots(np.float32([1])), Slots(np.float32([2])))).path == "root.value[0]"
    assert _first(make().compare(Slots(1, hidden=1), Slots(1, hidden=2))).path == "root.__hidden"
    nested = lambda v: Holder(inner=Holder(m=pb.Item(ids=[v])))  # noqa: E731
    assert _first(make().compare(nested(1), nested(2))).path == "root.inner.m.ids[0]"
    assert _first(make().compare(types.SimpleNamespace(x=1.0), types.SimpleNamespace(x=1))).path == "root.x"
    assert _first(make().compare(ValueError("a"), ValueError("b"))).path == "root.args[0]"
    assert _first(make().compare(Holder(a=1, b=2), Holder(a=1))).path == "root.b"
    assert _first(make().compare(Holder(a=1), Holder(a=1, c=3))).path == "root.c"
    assert _first(make().compare(Holder(a=1), DictEq(a=1))).path in ("", "root")  # the value itself


def test_objects_inside_object_arrays_are_walked_not_trusted():
    e = np.empty(1, dtype=object)
    a = np.empty(1, dtype=object)
    e[0], a[0] = DictEq(v=1), DictEq(v=True)
    assert not exact().compare(e, a).equal
    assert not tensor().compare(e, a).equal  # the factory compares object elements with exact()
    from pytest_monolith_parity.compare import TensorComparator

    with pytest.raises(ComparatorInputError, match="object array element \\[0\\] is a"):
        TensorComparator().compare(e, a)  # without objects=, containers in object arrays are refused


def test_ignore_order_refuses_arrays_and_messages_held_by_objects(pb):
    with pytest.raises(ComparatorInputError, match="ignore_order"):
        structured(ignore_order=True).compare([Holder(a=np.zeros(1))], [Holder(a=np.zeros(1))])
    with pytest.raises(ComparatorInputError, match="ignore_order"):
        structured(ignore_order=True).compare([[DictEq(m=pb.Item())]], [[DictEq(m=pb.Item())]])


# --------------------------------------------------------------------------- 2. integer lists in tensor()


@pytest.mark.parametrize(
    "expected,actual,path",
    [
        ([-1, 2**63], [2**64 - 1, 2**63], "[0]"),  # uint64 would wrap -1 into 2**64 - 1
        ([-1, 2**64 - 1], [2**64 - 1, 2**64 - 1], "[0]"),
        ([[-5], [2**63 + 7]], [[2**64 - 5], [2**63 + 7]], "[0, 0]"),
        ([-(2**63) - 1, 0], [2**64 - 2**63 - 1, 0], "[0]"),  # below int64
        ([2**64, -1], [0, 2**64 - 1], "[0]"),
        ([-1, 2**63], [-1, 2**63 + 1], "[1]"),
    ],
)
def test_integer_lists_mixing_negatives_and_big_values_stay_exact(expected, actual, path):
    assert _first(tensor().compare(expected, actual)).path == path
    assert tensor().compare(expected, list(expected)).equal


def test_integer_list_neighbours():
    assert tensor().compare([1, 2**63], np.array([1, 2**63], np.uint64)).equal
    assert not tensor().compare([-1, 2**63], np.array([2**64 - 1, 2**63], np.uint64)).equal
    assert not tensor().compare(-1, 2**64 - 1).equal


# --------------------------------------------------------------------------- 3. type traps one level down


@pytest.mark.parametrize("make", BOTH)
@pytest.mark.parametrize(
    "expected,actual",
    [
        ({(1, 2): "x"}, {(1.0, 2): "x"}),
        ({(1, 2): "x"}, {(True, 2): "x"}),
        ({(1.0,): "x"}, {(True,): "x"}),
        ({frozenset([1]): "x"}, {frozenset([True]): "x"}),
        ({frozenset([(1, "a")]): "x"}, {frozenset([(1.0, "a")]): "x"}),
        ({((1,), 2): "x"}, {((1.0,), 2): "x"}),
        ({(1, 2)}, {(1.0, 2)}),
        ({frozenset([1])}, {frozenset([1.0])}),
        ({1, 2.0}, {1.0, 2}),
        ({"s": {(0, "a")}}, {"s": {(False, "a")}}),
    ],
)
def test_keys_and_members_are_compared_with_their_types(make, expected, actual):
    assert not make().compare(expected, actual).equal


def test_signed_zero_in_keys_and_members_under_exact():
    assert _first(exact().compare({(0.0,): 1}, {(-0.0,): 1})).path == "root[(0.0,)]"
    assert not exact().compare({0.0}, {-0.0}).equal
    assert not exact().compare({frozenset([0.0]): 1}, {frozenset([-0.0]): 1}).equal
    assert not exact().compare({0.0: 1}, {-0.0: 1}).equal
    # structured declares the sign of zero irrelevant, at every depth
    assert structured().compare({(0.0,): 1, "s": {-0.0}}, {(-0.0,): 1, "s": {0.0}}).equal


@pytest.mark.parametrize("make", BOTH)
def test_nan_keys_and_members_pair(make):
    assert make().compare({float("nan"): 1, (float("nan"),): 2}, {float("nan"): 1, (float("nan"),): 2}).equal
    assert make().compare({float("nan")}, {float("nan")}).equal
    assert not make().compare({float("nan"): 1}, {float("nan"): 2}).equal


def test_type_traps_inside_unordered_lists():
    assert not structured(ignore_order=True).compare([{1: "x"}], [{True: "x"}]).equal
    assert not structured(ignore_order=True).compare([(1, 2), 3], [3, (1.0, 2)]).equal
    assert not structured(ignore_order=True).compare([{(0, 1)}], [{(False, 1)}]).equal
    assert structured(ignore_order=True).compare([{1: "x"}, 2], [2, {1: "x"}]).equal


def test_numbers_as_keys_under_ignore_numeric_type_changes():
    cmp = structured(ignore_numeric_type_changes=True)
    assert cmp.compare({(1,): "x"}, {(1.0,): "x"}).equal  # declared irrelevant
    assert not cmp.compare({(1,): "x"}, {(True,): "x"}).equal  # a bool is never a number


# --------------------------------------------------------------------------- 4. option combinations


@pytest.mark.parametrize(
    "expected,actual",
    [([True], [1]), ([1], [True]), ({"a": True}, {"a": 1.0}), ([False], [0]), ([np.bool_(True)], [1]), ((True,), (1,))],
)
def test_ignore_numeric_type_changes_never_lets_a_bool_match_a_number(expected, actual):
    for options in ({}, {"math_epsilon": 0.5}, {"significant_digits": 0}):
        d = _first(structured(ignore_numeric_type_changes=True, **options).compare(expected, actual))
        assert "type" in d.message
    assert not structured(ignore_numeric_type_changes=True, ignore_order=True).compare([True, 2], [1, 2]).equal
    assert structured(ignore_numeric_type_changes=True).compare([1, 2.0], [1.0, 2]).equal


@pytest.mark.parametrize(
    "expected,actual,equal",
    [
        (1e-10, 2e-10, False),  # "e": the digits of the mantissa, whatever the magnitude
        (1.2341e-10, 1.2342e-10, True),
        (-3.5e-300, -3.6e-300, False),
        (0.0, -0.0, True),
        (1.2341e20, 1.2349e20, False),
        (12341, 12342, True),
        (5e-324, 0.0, False),
    ],
)
def test_significant_digits_in_e_notation_keeps_small_magnitudes(expected, actual, equal):
    cmp = structured(significant_digits=3, number_format_notation="e")
    assert cmp.compare([expected], [actual]).equal is equal
    assert structured(significant_digits=3, number_format_notation="e", ignore_order=True).compare(
        [expected, "x"], ["x", actual]).equal is equal


def test_nan_matches_nan_only_where_both_are_nan():
    import decimal

    n = float("nan")
    assert not structured().compare([complex(n, 1)], [complex(n, 2)]).equal  # NaN real parts, different imaginary
    assert structured().compare([complex(n, 1)], [complex(n, 1)]).equal
    assert not exact().compare([complex(n, 1)], [complex(n, 2)]).equal
    assert structured().compare([decimal.Decimal("NaN")], [decimal.Decimal("NaN")]).equal
    assert not structured().compare([decimal.Decimal("NaN")], [decimal.Decimal("1")]).equal


def test_significant_digits_in_f_notation_is_digits_after_the_point_as_documented():
    assert structured(significant_digits=3).compare([1e-10], [2e-10]).equal
    assert not structured(significant_digits=3).compare([0.0011], [0.0021]).equal


# --------------------------------------------------------------------------- 5. trailing NUL characters


@pytest.mark.parametrize("expected,actual", [("a\x00", "a"), (b"a\x00", b"a"), (["a\x00", "b"], ["a", "b"]),
                                             ([b"x", b"a\x00"], [b"x", b"a"]), ([["a\x00"]], [["a"]]),
                                             (np.str_("a\x00"), np.str_("a")), (np.bytes_(b"a\x00"), np.bytes_(b"a"))])
def test_tensor_keeps_trailing_nul(expected, actual):
    assert not tensor().compare(expected, actual).equal
    assert tensor().compare(expected, expected).equal


def test_trailing_nul_everywhere_else(pb):
    for make in (exact, structured):
        assert not make().compare(["a\x00"], ["a"]).equal
        assert not make().compare({b"k": b"\x00"}, {b"k": b""}).equal
        assert not make().compare({"a\x00": 1}, {"a": 1}).equal
        assert not make().compare(np.array(["a\x00"], dtype=object), np.array(["a"], dtype=object)).equal
    assert not proto(pb.Item).compare(pb.Item(name="a\x00"), pb.Item(name="a")).equal
    assert not json().compare('["a\\u0000"]', '["a"]').equal
    assert not text().compare("a\x00", "a").equal


# --------------------------------------------------------------------------- raises and hangs: tree()


def _bounded(fn, seconds: float = 20.0):
    """Run fn in a daemon thread; a hang fails the test instead of blocking the run."""
    box: dict = {}

    def body():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the comparison hung"
    if "error" in box:
        raise box["error"]
    return box["value"]


def _two_roots(tmp_path):
    e, a = tmp_path / "e", tmp_path / "a"
    e.mkdir()
    a.mkdir()
    for root in (e, a):
        (root / "x").write_bytes(b"1")
    return e, a


def test_tree_refuses_a_fifo_without_opening_it(tmp_path):
    e, a = _two_roots(tmp_path)
    os.mkfifo(e / "pipe")
    os.mkfifo(a / "pipe")
    with pytest.raises(ComparatorInputError, match="pipe .* is a FIFO"):
        _bounded(lambda: tree().compare(e, a))
    assert _bounded(lambda: tree(ignore=["pipe"]).compare(e, a)).equal


def test_tree_refuses_a_socket(tmp_path):
    import socket

    e, a = _two_roots(tmp_path)
    path = str(a / "sock")
    if len(path) > 100:
        pytest.fail("temporary path too long for a unix socket")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(path)
        with pytest.raises(ComparatorInputError, match="actual entry sock .* is a socket"):
            _bounded(lambda: tree().compare(e, a))
    finally:
        server.close()


@pytest.mark.parametrize("target", ["nowhere", "self", ".", "..", "/abs/elsewhere"])
def test_tree_compares_links_as_links(tmp_path, target):
    e, a = _two_roots(tmp_path)
    for root in (e, a):
        os.symlink("link" if target == "self" else target, root / "link")
    assert _bounded(lambda: tree().compare(e, a)).equal
    os.unlink(a / "link")
    os.symlink(target + "x", a / "link")
    d = _first(_bounded(lambda: tree().compare(e, a)))
    assert d.path == "link" and "symlink ->" in d.message


def test_tree_link_neighbours(tmp_path):
    e, a = _two_roots(tmp_path)
    (e / "y").write_bytes(b"1")
    (a / "y").write_bytes(b"1")
    os.symlink("x", e / "l")
    os.symlink("y", a / "l")  # both targets hold the same bytes: still different links
    assert _first(tree().compare(e, a)).path == "l"
    os.unlink(a / "l")
    (a / "l").write_bytes(b"1")  # a file where a link was
    assert _first(tree().compare(e, a)).message == "symlink -> x != regular file"
    os.unlink(a / "l")
    os.unlink(e / "l")
    (e / "d").mkdir()
    os.symlink("d", a / "dlink")  # a directory link only on one side is an entry, not nothing
    assert _first(tree().compare(e, a)).path == "dlink"
    os.symlink(str(e / "x"), e / "abs")
    os.symlink(str(a / "x"), a / "abs")  # absolute targets inside their own roots are the same link
    os.unlink(a / "dlink")
    assert tree().compare(e, a).equal


# --------------------------------------------------------------------------- raises: checkpoint() / saved_model()


def _ckpt(path, **variables):
    import tensorflow as tf

    return tf.train.Checkpoint(**{k: tf.Variable(v) for k, v in variables.items()}).write(str(path))


@pytest.fixture(scope="module")
def ckpt_pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("dmg")
    variables = {"w": np.arange(6, dtype=np.float32), "b": np.array([1, 2], np.int64)}
    return str(root), _ckpt(root / "e" / "ckpt", **variables), variables


def _damaged(root, variables, name, damage):
    import glob

    prefix = _ckpt(os.path.join(root, name, "ckpt"), **variables)
    (data,) = glob.glob(prefix + ".data-*")
    with open(data, "rb") as f:
        raw = f.read()
    if damage == "flip":
        with open(data, "wb") as f:
            f.write(raw[:20] + bytes([raw[20] ^ 1]) + raw[21:])
    elif damage == "truncate":
        with open(data, "wb") as f:
            f.write(raw[:-5])
    elif damage == "missing":
        os.remove(data)
    else:
        with open(prefix + ".index", "r+b") as f:
            f.truncate(10)
    return prefix


@pytest.mark.parametrize("damage", ["flip", "truncate", "missing", "index"])
def test_a_damaged_rust_side_checkpoint_is_a_difference(ckpt_pair, damage):
    root, e, variables = ckpt_pair
    a = _damaged(root, variables, f"a-{damage}", damage)
    d = _first(checkpoint().compare(e, a))
    if damage == "index":
        assert d.path == "" and "actual: cannot read checkpoint" in d.message and ".index" in d.message
    else:
        assert d.path.startswith('variables["') and "actual: cannot read this variable" in d.message
        assert ".data-00000-of-00001" in d.message


def test_a_damaged_reference_checkpoint_is_an_input_error(ckpt_pair):
    root, e, variables = ckpt_pair
    damaged = _damaged(root, variables, "e-flip", "flip")
    with pytest.raises(ComparatorInputError, match="expected \\(reference\\) checkpoint .*data-00000-of-00001"):
        checkpoint().compare(damaged, e)


def test_a_damaged_saved_model_is_a_difference(tmp_path):
    import glob
    import shutil

    import tensorflow as tf

    module = tf.Module()
    module.v = tf.Variable(np.float32([1, 2, 3]))
    tf.saved_model.save(module, str(tmp_path / "e"))
    shutil.copytree(tmp_path / "e", tmp_path / "a")
    (data,) = glob.glob(str(tmp_path / "a" / "variables" / "variables.data-*"))
    os.remove(data)
    d = _first(saved_model().compare(tmp_path / "e", tmp_path / "a"))
    assert d.path.startswith('variables["') and "actual: cannot read this variable" in d.message
    with open(tmp_path / "a" / "saved_model.pb", "wb") as f:
        f.write(b"\xff\xff")
    assert "not a SavedModel proto" in _first(saved_model().compare(tmp_path / "e", tmp_path / "a")).message


# --------------------------------------------------------------------------- raises: proto()


def test_keyed_repeated_fields_need_a_scalar_key(pb):
    with pytest.raises(ComparatorConfigError, match="key 'values' is a repeated field"):
        proto(pb.Item, repeated={"subs": "key:values"})
    with pytest.raises(ComparatorConfigError, match="key 'key' is a message field"):
        proto(_keyed_by_message(), repeated={"items": "key:key"})
    # a pattern cannot be checked up front: the comparison refuses it as a configuration error, not a TypeError
    cmp = proto(pb.Item, repeated={"sub*": "key:values"})
    with pytest.raises(ComparatorConfigError, match="matched by a pattern"):
        cmp.compare(pb.Item(subs=[pb.Sub(id=1, values=[1.0])]), pb.Item(subs=[pb.Sub(id=1, values=[2.0])]))


def _keyed_by_message():
    """k.Outer, whose repeated ``items`` have a message-typed field ``key``."""
    pool = descriptor_pool.DescriptorPool()
    fdp = descriptor_pb2.FileDescriptorProto(name="k.proto", package="k", syntax="proto3")
    F = descriptor_pb2.FieldDescriptorProto
    inner = fdp.message_type.add(name="Inner")
    inner.field.add(name="x", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    item = fdp.message_type.add(name="Item")
    item.field.add(name="key", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, type_name=".k.Inner")
    outer = fdp.message_type.add(name="Outer")
    outer.field.add(name="items", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED, type_name=".k.Item")
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("k.Outer"))


def _item_type(field_type=descriptor_pb2.FieldDescriptorProto.TYPE_INT32, extra=False):
    """A fresh pool holding a p2.Item whose ``count`` has ``field_type`` (another pool, the same name)."""
    F = descriptor_pb2.FieldDescriptorProto
    pool = descriptor_pool.DescriptorPool()
    fdp = descriptor_pb2.FileDescriptorProto(name="other.proto", package="p2", syntax="proto2")
    item = fdp.message_type.add(name="Item")
    item.field.add(name="count", number=1, type=field_type, label=F.LABEL_OPTIONAL)
    if extra:
        item.field.add(name="zzz", number=40, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("p2.Item"))


def test_the_same_type_name_from_another_pool_is_compared_by_wire(pb):
    Same = _item_type()
    assert proto(pb.Item).compare(pb.Item(count=1), Same(count=1)).equal
    assert _first(proto(pb.Item).compare(pb.Item(count=1), Same(count=2))).path == "count"
    Wider = _item_type(extra=True)
    assert _first(proto(pb.Item).compare(pb.Item(count=1), Wider(count=1, zzz=5))).path == "<unknown 40>"
    Stringy = _item_type(descriptor_pb2.FieldDescriptorProto.TYPE_STRING)
    result = proto().compare(pb.Item(count=1), Stringy(count="x"))  # same name, incompatible field: a verdict
    assert not result.equal
    for make in (exact, structured):
        assert make().compare({"m": pb.Item(count=1)}, {"m": Same(count=1)}).equal
        assert not make().compare([pb.Item(count=1)], [Wider(count=1, zzz=5)]).equal


# --------------------------------------------------------------------------- raises: tensor(max_ulp=...)


@pytest.mark.parametrize("max_ulp", [2**64, 2**70, -1, 1.0, True, "4", np.float64(3)])
def test_max_ulp_is_checked_when_the_comparator_is_built(max_ulp):
    with pytest.raises(ComparatorConfigError, match="max_ulp"):
        tensor(max_ulp=max_ulp)


def test_max_ulp_limits_work():
    assert tensor(max_ulp=2**64 - 1).compare(np.float64([-1e300]), np.float64([1e300])).equal
    assert not tensor(max_ulp=np.uint64(2**64 - 1)).compare(np.float64([-np.inf]), np.float64([np.inf])).equal


# --------------------------------------------------------------------------- raises: depth and cycles


def _nested(depth, leaf=0):
    value = [leaf]
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("make", BOTH)
@pytest.mark.parametrize("depth", [300, 5_000, 10_000])
def test_deep_equal_structures_compare_equal_and_a_deep_difference_is_found(make, depth):
    assert make().compare(_nested(depth), _nested(depth)).equal
    d = _first(make().compare(_nested(depth), _nested(depth, 1)))
    assert d.path == "root" + "[0]" * (depth + 1)


@pytest.mark.parametrize("make", BOTH)
def test_deep_dicts_objects_and_tuples(make):
    def chain(depth, leaf):
        value = leaf
        for i in range(depth):
            value = {"k": value} if i % 3 == 0 else (value,) if i % 3 == 1 else Holder(v=value)
        return value

    assert make().compare(chain(3000, 1), chain(3000, 1)).equal
    assert not make().compare(chain(3000, 1), chain(3000, 2)).equal


@pytest.mark.parametrize("make", BOTH)
def test_self_containing_structures(make):
    def cyclic(leaf):
        a = [leaf]
        a.append(a)
        d = {"x": leaf}
        d["self"] = d
        o = Holder(v=leaf)
        o.me = o
        return [a, d, o]

    assert make().compare(cyclic(1), cyclic(1)).equal
    result = make().compare(cyclic(1), cyclic(2))
    assert [d.path for d in result.differences][:3] == ["root[0][0]", "root[1]['x']", "root[2].v"]
    mutual_e, mutual_a = [], []
    mutual_e.append([mutual_e]), mutual_a.append([mutual_a])
    assert make().compare(mutual_e, mutual_a).equal


def test_deep_messages_are_walked_without_recursion():
    F = descriptor_pb2.FieldDescriptorProto
    pool = descriptor_pool.DescriptorPool()
    fdp = descriptor_pb2.FileDescriptorProto(name="deep.proto", package="deep", syntax="proto3")
    node = fdp.message_type.add(name="Node")
    node.field.add(name="child", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, type_name=".deep.Node")
    node.field.add(name="v", number=2, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    pool.Add(fdp)
    Node = message_factory.GetMessageClass(pool.FindMessageTypeByName("deep.Node"))

    def chain(depth, v):
        root = Node()
        cur = root
        for _ in range(depth):
            cur = cur.child
        cur.v = v
        return root

    assert _first(proto(Node).compare(chain(3000, 0), chain(3000, 1))).path == "child." * 3000 + "v"


# --------------------------------------------------------------------------- false mismatches


def test_concatenated_gzip_members_are_read_as_tensorflow_reads_them():
    records = [b"alpha", b"beta", b"gamma"]
    plain = b"".join(encode_record(r) for r in records)
    members = gzip.compress(plain[:7]) + gzip.compress(plain[7:30]) + gzip.compress(plain[30:])
    assert tfrecord().compare(plain, members).equal
    assert tfrecord(compression="gzip").compare(gzip.compress(plain), members).equal
    # neighbours: trailing garbage, an empty member in the middle (TensorFlow stops there), concatenated zlib
    assert "trailing byte" in _first(tfrecord().compare(plain, members + b"\x00\x01")).message
    assert "empty gzip member 1" in _first(tfrecord().compare(plain, gzip.compress(plain[:30]) + gzip.compress(b"") + gzip.compress(plain[30:]))).message
    assert "trailing byte" in _first(tfrecord().compare(plain, zlib.compress(plain[:30]) + zlib.compress(plain[30:]))).message


def _extension_types():
    F = descriptor_pb2.FieldDescriptorProto
    pool = descriptor_pool.DescriptorPool()
    fdp = descriptor_pb2.FileDescriptorProto(name="ext.proto", package="pkg", syntax="proto2")
    msg = fdp.message_type.add(name="Msg")
    msg.field.add(name="a", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    msg.field.add(name="feat1", number=2, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    msg.field.add(name="sub", number=3, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, type_name=".pkg.Msg")
    msg.extension_range.add(start=100, end=200)
    fdp.extension.add(name="ext", number=100, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL, extendee=".pkg.Msg")
    fdp.extension.add(name="other", number=101, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL, extendee=".pkg.Msg")
    pool.Add(fdp)
    return (message_factory.GetMessageClass(pool.FindMessageTypeByName("pkg.Msg")),
            pool.FindExtensionByName("pkg.ext"), pool.FindExtensionByName("pkg.other"))


def test_an_extension_path_in_ignore_is_literal_not_a_glob():
    Msg, ext, other = _extension_types()
    e, a = Msg(a=1), Msg(a=1)
    e.Extensions[ext], a.Extensions[ext] = 1, 2
    assert proto(Msg, ignore=["[pkg.ext]"]).compare(e, a).equal
    assert _first(proto(Msg).compare(e, a)).path == "[pkg.ext]"
    # neighbours: nested, with a dot before the bracket, a pattern around it, and only that extension
    e.sub.Extensions[ext], a.sub.Extensions[ext] = 1, 2
    assert proto(Msg, ignore=["[pkg.ext]", "sub[pkg.ext]"]).compare(e, a).equal
    assert proto(Msg, ignore=["[pkg.ext]", "sub.[pkg.ext]"]).compare(e, a).equal
    assert proto(Msg, ignore=["*[pkg.ext]"]).compare(e, a).equal
    e.Extensions[other], a.Extensions[other] = 1, 2
    assert _first(proto(Msg, ignore=["[pkg.ext]", "sub[pkg.ext]"]).compare(e, a)).path == "[pkg.other]"
    # a character class inside a name still is one
    assert proto(Msg, ignore=["feat[12]"]).compare(Msg(feat1=1), Msg(feat1=2)).equal
    with pytest.raises(ComparatorConfigError, match="no extension 'pkg.nope'"):
        proto(Msg, ignore=["[pkg.nope]"])


# --------------------------------------------------------------------------- messages


def test_long_strings_show_the_difference_past_the_cut():
    e, a = "x" * 500 + "A" + "y" * 500, "x" * 500 + "B" + "y" * 500
    for make in (exact, structured):
        message = _first(make().compare([e], [a])).message
        assert "index 500" in message and "A" in message and "B" in message and len(message) < 200
    message = _first(json().compare(f'["{e}"]', f'["{a}"]')).message
    assert "index 500" in message and "A" in message and "B" in message


def test_code_points_for_lookalikes():
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    for make in (exact, structured):
        message = _first(make().compare([nfc], [nfd])).message
        assert "index 3" in message and "U+00E9" in message and "U+0065" in message
        assert "U+0430 CYRILLIC SMALL LETTER A" in _first(make().compare(["pa"], ["p\u0430"])).message
    assert "U+0430" in _first(text().compare("pa\n", "p\u0430\n")).message


def test_nan_payloads_show_their_bits():
    message = _first(exact(nan="payload").compare([NAN_A], [NAN_B])).message
    assert "nan(0x7ff8000000000001)" in message and "nan(0x7ff8000000000002)" in message
    assert exact().compare([NAN_A], [NAN_B]).equal
    bits = np.array([0x7FC00001, 0x7FC00002], np.uint32).view(np.float32)
    message = _first(tensor(nan="payload").compare(bits[:1], bits[1:])).message
    assert "nan(0x7fc00001)" in message and "nan(0x7fc00002)" in message
