"""Proto comparator: the trap corpus on dynamic proto2/proto3 types, options, and tf.train.Example."""

from __future__ import annotations

import math
import struct

import pytest
from google.protobuf import descriptor_pool, timestamp_pb2, wrappers_pb2

from pytest_monolith_parity.compare import ComparatorConfigError, ComparatorInputError, ProtoComparator, proto

NAN_A = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000001))[0]
NAN_B = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000002))[0]


def _record_with_status(pb, value):
    r = pb.Record()
    r.status = value
    return r


def _item_unknown(pb, big):
    """An OldItem that carries field 15 (``big``) as an unknown field."""
    return pb.OldItem.FromString(pb.Item(count=1, big=big).SerializeToString())


def _subs(pb, *ids, values=()):
    return pb.Item(subs=[pb.Sub(id=i, values=list(values)) for i in ids])


# (id, build(pb) -> (comparator, expected, actual), equal?, path)
TRAPS = [
    # presence: unset vs explicit default
    ("p2-unset-vs-zero", lambda pb: (proto(pb.Item), pb.Item(), pb.Item(count=0)), False, "count"),
    ("p2-zero-vs-unset", lambda pb: (proto(pb.Item), pb.Item(count=0), pb.Item()), False, "count"),
    ("p2-unset-equals-default", lambda pb: (proto(pb.Item, unset_equals_default=True), pb.Item(), pb.Item(count=0)), True, None),
    ("p2-custom-default", lambda pb: (proto(pb.Item, unset_equals_default=True), pb.Item(), pb.Item(defaulted=0)), False, "defaulted"),
    ("p2-custom-default-set", lambda pb: (proto(pb.Item, unset_equals_default=True), pb.Item(), pb.Item(defaulted=7)), True, None),
    ("p2-empty-string-vs-unset", lambda pb: (proto(pb.Item), pb.Item(name=""), pb.Item()), False, "name"),
    ("p2-false-vs-unset", lambda pb: (proto(pb.Item), pb.Item(flag=False), pb.Item()), False, "flag"),
    ("p2-empty-sub-vs-unset", lambda pb: (proto(pb.Item), pb.Item(sub=pb.Sub()), pb.Item()), False, "sub"),
    ("p3-optional-unset-vs-zero", lambda pb: (proto(pb.Record), pb.Record(), pb.Record(count=0)), False, "count"),
    ("p3-implicit-zero", lambda pb: (proto(pb.Record), pb.Record(), pb.Record(plain=0)), True, None),
    # scalars and nesting
    ("int-change", lambda pb: (proto(pb.Item), pb.Item(count=12), pb.Item(count=13)), False, "count"),
    ("nested-change", lambda pb: (proto(pb.Item), pb.Item(sub=pb.Sub(id=1, tag="a")), pb.Item(sub=pb.Sub(id=1, tag="b"))), False, "sub.tag"),
    ("u64-above-2-63", lambda pb: (proto(pb.Item), pb.Item(big=2**63 + 1), pb.Item(big=2**63 + 2)), False, "big"),
    ("bytes-change", lambda pb: (proto(pb.Item), pb.Item(blob=b"\x00\x01\x02"), pb.Item(blob=b"\x00\x01\x03")), False, "blob"),
    ("bytes-length", lambda pb: (proto(pb.Item), pb.Item(blob=b"\x00\x01"), pb.Item(blob=b"\x00\x01\x00")), False, "blob"),
    # floats
    ("double-exact-default", lambda pb: (proto(pb.Item), pb.Item(score=1.0), pb.Item(score=1.0 + 2**-52)), False, "score"),
    ("double-fraction", lambda pb: (proto(pb.Item, fraction=1e-6), pb.Item(score=1.0), pb.Item(score=1.0 + 2**-52)), True, None),
    ("double-margin", lambda pb: (proto(pb.Item, margin=0.5), pb.Item(score=1.0), pb.Item(score=1.4)), True, None),
    ("double-margin-over", lambda pb: (proto(pb.Item, margin=0.5), pb.Item(score=1.0), pb.Item(score=1.6)), False, "score"),
    ("per-field-tolerance", lambda pb: (proto(pb.Item, float_tolerance={"ratio": (0.1, 0.0)}), pb.Item(ratio=1.0, score=1.0), pb.Item(ratio=1.05, score=1.05)), False, "score"),
    ("nan-equals-nan", lambda pb: (proto(pb.Item), pb.Item(score=math.nan), pb.Item(score=math.nan)), True, None),
    ("nan-vs-number", lambda pb: (proto(pb.Item, fraction=1.0, margin=1e300), pb.Item(score=math.nan), pb.Item(score=1.0)), False, "score"),
    ("nan-payload", lambda pb: (proto(pb.Item, nan="payload"), pb.Item(score=NAN_A), pb.Item(score=NAN_B)), False, "score"),
    ("inf-vs-big", lambda pb: (proto(pb.Item, fraction=1.0, margin=1e300), pb.Item(score=math.inf), pb.Item(score=1e308)), False, "score"),
    ("inf-vs-neg-inf", lambda pb: (proto(pb.Item, fraction=1.0), pb.Item(score=math.inf), pb.Item(score=-math.inf)), False, "score"),
    ("neg-zero-default", lambda pb: (proto(pb.Item), pb.Item(score=0.0), pb.Item(score=-0.0)), True, None),
    ("neg-zero-strict", lambda pb: (proto(pb.Item, signed_zero=True), pb.Item(score=0.0), pb.Item(score=-0.0)), False, "score"),
    ("float-field-in-repeated", lambda pb: (proto(pb.Item), _subs(pb, 1, values=[1.0, 2.0]), _subs(pb, 1, values=[1.0, 2.5])), False, "subs[0].values[1]"),
    # repeated
    ("repeated-order-list", lambda pb: (proto(pb.Item), pb.Item(ids=[1, 2, 3]), pb.Item(ids=[3, 2, 1])), False, "ids[0]"),
    ("repeated-order-set", lambda pb: (proto(pb.Item, repeated={"ids": "set"}), pb.Item(ids=[1, 2, 3]), pb.Item(ids=[3, 2, 1])), True, None),
    ("repeated-set-dupes", lambda pb: (proto(pb.Item, repeated={"ids": "set"}), pb.Item(ids=[1, 1, 2]), pb.Item(ids=[2, 1])), True, None),
    ("repeated-multiset-dupes", lambda pb: (proto(pb.Item, repeated={"ids": "multiset"}), pb.Item(ids=[1, 1, 2]), pb.Item(ids=[2, 1])), False, "ids"),
    ("repeated-length", lambda pb: (proto(pb.Item), pb.Item(ids=[1, 2]), pb.Item(ids=[1, 2, 3])), False, "ids[2]"),
    ("repeated-msg-order", lambda pb: (proto(pb.Item), _subs(pb, 1, 2), _subs(pb, 2, 1)), False, "subs[0].id"),
    ("repeated-msg-keyed", lambda pb: (proto(pb.Item, repeated={"subs": "key:id"}), _subs(pb, 1, 2), _subs(pb, 2, 1)), True, None),
    ("repeated-msg-keyed-missing", lambda pb: (proto(pb.Item, repeated={"subs": "key:id"}), _subs(pb, 1, 2), _subs(pb, 2, 3)), False, "subs[id=1]"),
    ("repeated-msg-multiset", lambda pb: (proto(pb.Item, repeated={"subs": "multiset"}), _subs(pb, 1, 2), _subs(pb, 2, 1)), True, None),
    # maps
    ("map-order-irrelevant", lambda pb: (proto(pb.Item), pb.Item(labels={"a": 1, "b": 2}), pb.Item(labels={"b": 2, "a": 1})), True, None),
    ("map-value", lambda pb: (proto(pb.Item), pb.Item(labels={"k": 1}), pb.Item(labels={"k": 2})), False, 'labels["k"]'),
    ("map-missing-key", lambda pb: (proto(pb.Item), pb.Item(labels={"k": 1, "j": 0}), pb.Item(labels={"k": 1})), False, 'labels["j"]'),
    ("map-extra-key", lambda pb: (proto(pb.Item), pb.Item(labels={"k": 1}), pb.Item(labels={"k": 1, "z": 0})), False, 'labels["z"]'),
    ("map-message-values", lambda pb: (proto(pb.Item), pb.Item(by_id={3: pb.Sub(tag="x")}), pb.Item(by_id={3: pb.Sub(tag="y")})), False, "by_id[3].tag"),
    ("map-p3-string", lambda pb: (proto(pb.Record), pb.Record(labels={"k": "v"}), pb.Record(labels={"k": "w"})), False, 'labels["k"]'),
    # oneof
    ("oneof-switch", lambda pb: (proto(pb.Item), pb.Item(num=1), pb.Item(text="1")), False, "choice"),
    ("oneof-unset", lambda pb: (proto(pb.Item), pb.Item(num=0), pb.Item()), False, "choice"),
    ("oneof-same-member", lambda pb: (proto(pb.Item), pb.Item(msg=pb.Sub(id=1)), pb.Item(msg=pb.Sub(id=2))), False, "msg.id"),
    ("oneof-p3-switch", lambda pb: (proto(pb.Record), pb.Record(a="x"), pb.Record(b=0)), False, "kind"),
    # enums
    ("enum-change", lambda pb: (proto(pb.Record), pb.Record(status=1), pb.Record(status=2)), False, "status"),
    ("enum-unknown-open", lambda pb: (proto(pb.Record), pb.Record(status=2), _record_with_status(pb, 7)), False, "status"),
    ("enum-unknown-both", lambda pb: (proto(pb.Record), _record_with_status(pb, 7), _record_with_status(pb, 7)), True, None),
    # unknown fields
    ("unknown-differs", lambda pb: (proto(pb.OldItem), _item_unknown(pb, 5), _item_unknown(pb, 6)), False, "<unknown 15>"),
    ("unknown-missing", lambda pb: (proto(pb.OldItem), _item_unknown(pb, 5), pb.OldItem(count=1)), False, "<unknown 15>"),
    ("unknown-ignored", lambda pb: (proto(pb.OldItem, ignore_unknown_fields=True), _item_unknown(pb, 5), _item_unknown(pb, 6)), True, None),
    ("unknown-same", lambda pb: (proto(pb.OldItem), _item_unknown(pb, 5), _item_unknown(pb, 5)), True, None),
    ("closed-enum-unknown-value", lambda pb: (proto(pb.Item), pb.Item.FromString(b"\x30\x07"), pb.Item.FromString(b"\x30\x08")), False, "<unknown 6>"),
    # ignore
    ("ignore-field", lambda pb: (proto(pb.Item, ignore=["sub.ts"]), pb.Item(sub=pb.Sub(id=1, ts=5)), pb.Item(sub=pb.Sub(id=1, ts=6))), True, None),
    ("ignore-only-that-field", lambda pb: (proto(pb.Item, ignore=["sub.ts"]), pb.Item(sub=pb.Sub(id=1, ts=5)), pb.Item(sub=pb.Sub(id=2, ts=6))), False, "sub.id"),
    ("ignore-in-repeated", lambda pb: (proto(pb.Item, ignore=["subs.tag"]), pb.Item(subs=[pb.Sub(tag="a")]), pb.Item(subs=[pb.Sub(tag="b")])), True, None),
    ("ignore-wildcard", lambda pb: (proto(pb.Item, ignore=["*.ts"]), pb.Item(sub=pb.Sub(ts=5)), pb.Item(sub=pb.Sub(ts=6))), True, None),
    # serialized input and non-canonical encodings
    ("bytes-vs-message", lambda pb: (proto(pb.Item), pb.Item(count=3, ids=[1, 2]).SerializeToString(), pb.Item(count=3, ids=[1, 2])), True, None),
    ("field-order-on-wire", lambda pb: (proto(pb.Item), b"\x08\x01\x12\x01x", b"\x12\x01x\x08\x01"), True, None),
    ("packed-vs-unpacked", lambda pb: (proto(pb.Item), b"\x38\x01\x38\x02", b"\x3a\x02\x01\x02"), True, None),
    ("wire-identical-order", lambda pb: (proto(pb.Item, wire_identical=True), b"\x08\x01\x12\x01x", b"\x12\x01x\x08\x01"), False, ""),
    ("garbage-bytes", lambda pb: (proto(pb.Item), pb.Item(count=1).SerializeToString(), b"\xff\xff\xff"), False, ""),
    ("map-duplicate-key-on-wire", lambda pb: (proto(pb.Item), pb.Item(labels={"k": 2}), pb.Item(labels={"k": 1}).SerializeToString() + pb.Item(labels={"k": 2}).SerializeToString()), True, None),
    ("wrong-message-type", lambda pb: (proto(pb.Item), pb.Item(), pb.Sub()), False, ""),
]


@pytest.mark.parametrize("case_id,build,equal,path", TRAPS, ids=[t[0] for t in TRAPS])
def test_trap(pb, case_id, build, equal, path):
    comparator, expected, actual = build(pb)
    result = comparator.compare(expected, actual)
    assert result.equal is equal, result.render()
    if not equal:
        assert path in [d.path for d in result.differences], result.render()


# --------------------------------------------------------------------------- messages


def test_path_and_values_in_messages(pb):
    e = pb.Item(subs=[pb.Sub(id=i) for i in range(5)], labels={"k": 1})
    a = pb.Item(subs=[pb.Sub(id=i) for i in range(5)], labels={"k": 2})
    a.subs[3].values.extend([1.5])
    e.subs[3].values.extend([2.5])
    result = proto(pb.Item).compare(e, a)
    rendered = {d.path: d.message for d in result.differences}
    assert rendered == {"subs[3].values[0]": "2.5 != 1.5 (abs 1, rel 0.4)", 'labels["k"]': "1 != 2"}


def test_presence_message(pb):
    (d,) = proto(pb.Item).compare(pb.Item(), pb.Item(count=0)).differences
    assert d.render() == "count: unset != 0 (presence)"


def test_oneof_message(pb):
    (d,) = proto(pb.Item).compare(pb.Item(num=1), pb.Item(text="1")).differences
    assert d.render() == 'choice: num=1 != text="1" (oneof)'


def test_enum_message_names_unknown_value(pb):
    (d,) = proto(pb.Record).compare(pb.Record(status=2), _record_with_status(pb, 7)).differences
    assert d.render() == "status: FAILED (2) != 7 (unknown enum value)"


def test_bytes_hex_diff(pb):
    (d,) = proto(pb.Item).compare(pb.Item(blob=bytes(range(32))), pb.Item(blob=bytes(range(20)) + b"\xff" + bytes(range(21, 32)))).differences
    assert d.path == "blob"
    assert "offset 20" in d.message and "[14]" in d.message and "[ff]" in d.message and "length 32" in d.message


def test_map_missing_key_message(pb):
    result = proto(pb.Item).compare(pb.Item(labels={"k": 1}), pb.Item())
    assert [d.render() for d in result.differences] == ['labels["k"]: missing in actual (expected 1)']


def test_wire_identical_reports_offset(pb):
    result = proto(pb.Item, wire_identical=True).compare(b"\x08\x01\x12\x01x", b"\x12\x01x\x08\x01")
    assert "offset 0" in result.differences[0].message


def test_deep_path(pb):
    e = pb.Record(entries=[pb.Entry(id=i, fids=list(range(10))) for i in range(5)])
    a = pb.Record()
    a.CopyFrom(e)
    a.entries[3].fids[7] = 13
    (d,) = proto(pb.Record).compare(e, a).differences
    assert d.render() == "entries[3].fids[7]: 7 != 13"


def test_many_differences_are_capped_but_counted(pb):
    e = pb.Item(ids=list(range(500)))
    a = pb.Item(ids=[i + 1 for i in range(500)])
    result = proto(pb.Item, max_differences=10).compare(e, a)
    assert len(result.differences) == 10
    assert result.metrics["mismatched"] == 500
    assert "500 difference(s)" in result.summary


def test_large_equal_message_short_circuits(pb):
    e = pb.Record(entries=[pb.Entry(id=i, name=str(i), fids=[i, i + 1]) for i in range(10_000)])
    a = pb.Record.FromString(e.SerializeToString())
    assert proto(pb.Record).compare(e, a).equal
    a.entries[9_999].name = "x"
    assert [d.path for d in proto(pb.Record).compare(e, a).differences] == ["entries[9999].name"]


# --------------------------------------------------------------------------- types and configuration


def test_message_type_by_name_and_descriptor(pb):
    for spec in ("p2.Item", pb.Item.DESCRIPTOR, pb.Item):
        comparator = ProtoComparator(spec, pool=pb.pool)
        assert comparator.compare(pb.Item(count=1).SerializeToString(), pb.Item(count=1)).equal
        assert not comparator.compare(pb.Item(count=1).SerializeToString(), pb.Item(count=2)).equal


def test_well_known_types_from_default_pool():
    cmp = proto("google.protobuf.Timestamp")
    assert cmp.compare(timestamp_pb2.Timestamp(seconds=5), timestamp_pb2.Timestamp(seconds=5).SerializeToString()).equal
    result = cmp.compare(timestamp_pb2.Timestamp(seconds=5, nanos=1), timestamp_pb2.Timestamp(seconds=5, nanos=2))
    assert [d.path for d in result.differences] == ["nanos"]
    # wrappers: a wrapped zero is still "set"
    assert not proto().compare(wrappers_pb2.Int64Value(value=0), wrappers_pb2.Int64Value(value=1)).equal


@pytest.mark.parametrize(
    "options",
    [
        {"repeated": {"ids": "sorted"}},
        {"repeated": {"count": "set"}},
        {"repeated": {"subs": "key:nope"}},
        {"repeated": {"labels": "set"}},
        {"ignore": ["nonexistent"]},
        {"ignore": ["sub.nope"]},
        {"float_tolerance": {"score": (-1, 0)}},
        {"float_tolerance": {"score": (0.1,)}},
        {"fraction": float("nan")},
        {"margin": -1.0},
        {"nan": "never"},
    ],
)
def test_bad_configuration(pb, options):
    with pytest.raises(ComparatorConfigError):
        ProtoComparator(pb.Item, **options)


def test_unknown_type_name_is_config_error():
    with pytest.raises(ComparatorConfigError, match="not in the descriptor pool"):
        ProtoComparator("no.such.Type", pool=descriptor_pool.DescriptorPool())


def test_bytes_without_type_is_input_error(pb):
    with pytest.raises(ComparatorInputError):
        ProtoComparator().compare(b"\x08\x01", b"\x08\x01")
    with pytest.raises(ComparatorInputError):
        ProtoComparator(pb.Item).compare({"count": 1}, pb.Item(count=1))


# --------------------------------------------------------------------------- tf.train.Example


def _example(fids, label=1.0):
    import tensorflow as tf

    return tf.train.Example(
        features=tf.train.Features(
            feature={
                "fids": tf.train.Feature(int64_list=tf.train.Int64List(value=fids)),
                "label": tf.train.Feature(float_list=tf.train.FloatList(value=[label])),
            }
        )
    )


def test_tf_example():
    import tensorflow as tf  # noqa: F401 - registers tensorflow.Example in the default pool

    cmp = proto("tensorflow.Example")
    assert cmp.compare(_example([1, 2, 3]).SerializeToString(), _example([1, 2, 3])).equal
    result = cmp.compare(_example([1, 2, 3]), _example([1, 2, 4]))
    assert [d.render() for d in result.differences] == ['features.feature["fids"].int64_list.value[2]: 3 != 4']
    result = cmp.compare(_example([1], label=1.0), _example([1], label=1.5))
    assert [d.path for d in result.differences] == ['features.feature["label"].float_list.value[0]']
    tolerant = proto("tensorflow.Example", float_tolerance={"features.feature.float_list.value": (1e-3, 0.0)})
    assert tolerant.compare(_example([1], label=1.0), _example([1], label=1.0004)).equal
