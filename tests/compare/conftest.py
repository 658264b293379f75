"""Shared fixtures for the comparator tests: dynamically built protobuf types.

The types are made from ``FileDescriptorProto``s in a private pool so the tests
need no generated code: a proto2 file (has-bits, closed enum, extensions-free
groups of every field kind) and a proto3 file (``optional``, open enum, maps,
oneof, nested and repeated messages).
"""

from __future__ import annotations

import types

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto
OPT, REP, REQ = F.LABEL_OPTIONAL, F.LABEL_REPEATED, F.LABEL_REQUIRED


def _field(msg, name, number, ftype, label=OPT, type_name=None, **kw):
    f = msg.field.add(name=name, number=number, type=ftype, label=label, **kw)
    if type_name:
        f.type_name = type_name
    return f


def _map(msg, name, number, key_type, value_type, value_type_name=None):
    entry = msg.nested_type.add(name="".join(p.capitalize() for p in name.split("_")) + "Entry")
    entry.options.map_entry = True
    _field(entry, "key", 1, key_type)
    _field(entry, "value", 2, value_type, type_name=value_type_name)
    _field(msg, name, number, F.TYPE_MESSAGE, REP, type_name=entry.name)


def build_types() -> types.SimpleNamespace:
    pool = descriptor_pool.DescriptorPool()

    p2 = descriptor_pb2.FileDescriptorProto(name="parity_p2.proto", package="p2", syntax="proto2")
    color = p2.enum_type.add(name="Color")
    for i, n in enumerate(["RED", "GREEN", "BLUE"]):
        color.value.add(name=n, number=i)
    sub = p2.message_type.add(name="Sub")
    _field(sub, "id", 1, F.TYPE_INT32)
    _field(sub, "tag", 2, F.TYPE_STRING)
    _field(sub, "values", 3, F.TYPE_FLOAT, REP)
    _field(sub, "ts", 4, F.TYPE_FIXED64)
    item = p2.message_type.add(name="Item")
    _field(item, "count", 1, F.TYPE_INT32)
    _field(item, "name", 2, F.TYPE_STRING)
    _field(item, "score", 3, F.TYPE_DOUBLE)
    _field(item, "ratio", 4, F.TYPE_FLOAT)
    _field(item, "blob", 5, F.TYPE_BYTES)
    _field(item, "color", 6, F.TYPE_ENUM, type_name=".p2.Color")
    _field(item, "ids", 7, F.TYPE_INT64, REP)
    _field(item, "subs", 8, F.TYPE_MESSAGE, REP, type_name=".p2.Sub")
    _field(item, "sub", 9, F.TYPE_MESSAGE, type_name=".p2.Sub")
    item.oneof_decl.add(name="choice")
    _field(item, "num", 10, F.TYPE_INT32, oneof_index=0)
    _field(item, "text", 11, F.TYPE_STRING, oneof_index=0)
    _field(item, "msg", 12, F.TYPE_MESSAGE, type_name=".p2.Sub", oneof_index=0)
    _map(item, "labels", 13, F.TYPE_STRING, F.TYPE_INT64)
    _map(item, "by_id", 14, F.TYPE_INT32, F.TYPE_MESSAGE, ".p2.Sub")
    _field(item, "big", 15, F.TYPE_UINT64)
    _field(item, "flag", 16, F.TYPE_BOOL)
    _field(item, "defaulted", 17, F.TYPE_INT32, default_value="7")
    # a narrower schema for the same wire format: fields 15-17 become unknown
    old = p2.message_type.add(name="OldItem")
    _field(old, "count", 1, F.TYPE_INT32)
    _field(old, "name", 2, F.TYPE_STRING)

    p3 = descriptor_pb2.FileDescriptorProto(name="parity_p3.proto", package="p3", syntax="proto3")
    status = p3.enum_type.add(name="Status")
    for i, n in enumerate(["UNKNOWN", "OK", "FAILED"]):
        status.value.add(name=n, number=i)
    entry = p3.message_type.add(name="Entry")
    _field(entry, "id", 1, F.TYPE_INT64)
    _field(entry, "name", 2, F.TYPE_STRING)
    _field(entry, "fids", 3, F.TYPE_INT64, REP)
    _field(entry, "weight", 4, F.TYPE_FLOAT)
    rec = p3.message_type.add(name="Record")
    rec.oneof_decl.add(name="kind")
    rec.oneof_decl.add(name="_count")  # synthetic oneofs come after real ones
    _field(rec, "count", 1, F.TYPE_INT32, proto3_optional=True, oneof_index=1)
    _field(rec, "plain", 2, F.TYPE_INT32)
    _field(rec, "score", 3, F.TYPE_DOUBLE)
    _field(rec, "status", 4, F.TYPE_ENUM, type_name=".p3.Status")
    _field(rec, "entries", 5, F.TYPE_MESSAGE, REP, type_name=".p3.Entry")
    _map(rec, "labels", 6, F.TYPE_STRING, F.TYPE_STRING)
    _field(rec, "a", 7, F.TYPE_STRING, oneof_index=0)
    _field(rec, "b", 8, F.TYPE_INT64, oneof_index=0)
    _field(rec, "head", 9, F.TYPE_MESSAGE, type_name=".p3.Entry")
    _field(rec, "data", 10, F.TYPE_BYTES)
    _field(rec, "vals", 11, F.TYPE_FLOAT, REP)
    _field(rec, "weights", 12, F.TYPE_DOUBLE, REP)

    pool.Add(p2)
    pool.Add(p3)
    get = lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))  # noqa: E731
    return types.SimpleNamespace(
        pool=pool,
        Item=get("p2.Item"),
        Sub=get("p2.Sub"),
        OldItem=get("p2.OldItem"),
        Record=get("p3.Record"),
        Entry=get("p3.Entry"),
    )


@pytest.fixture(scope="session")
def pb() -> types.SimpleNamespace:
    """The dynamically built message classes (``pb.Item``, ``pb.Record``, ...)."""
    return build_types()
