"""The ``sample.Record`` protobuf message, built in code (no protoc, no .proto file).

Equivalent to::

    syntax = "proto3";
    package sample;
    message Record {
      optional int32 count = 1;   // proto3 optional: explicit presence
      string name = 2;
      repeated int64 ids = 3;
    }

Importing this module registers ``sample/record.proto`` in the default
descriptor pool (once; importing again, or reloading, does not add it twice),
so ``descriptor_pool.Default().FindMessageTypeByName("sample.Record")`` works
for anyone who needs to parse serialized records.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

FILE_NAME = "sample/record.proto"
FULL_NAME = "sample.Record"

_F = descriptor_pb2.FieldDescriptorProto


def build_file_descriptor_proto() -> descriptor_pb2.FileDescriptorProto:
    """Return a fresh FileDescriptorProto describing ``sample/record.proto``."""
    fdp = descriptor_pb2.FileDescriptorProto()
    fdp.name = FILE_NAME
    fdp.package = "sample"
    fdp.syntax = "proto3"

    msg = fdp.message_type.add()
    msg.name = "Record"
    # `optional int32 count = 1;` -> a proto3 optional field lives in a
    # synthetic oneof named "_count" and carries proto3_optional=True.
    msg.field.add(
        name="count",
        number=1,
        type=_F.TYPE_INT32,
        label=_F.LABEL_OPTIONAL,
        oneof_index=0,
        proto3_optional=True,
        json_name="count",
    )
    msg.field.add(
        name="name",
        number=2,
        type=_F.TYPE_STRING,
        label=_F.LABEL_OPTIONAL,
        json_name="name",
    )
    msg.field.add(
        name="ids",
        number=3,
        type=_F.TYPE_INT64,
        label=_F.LABEL_REPEATED,
        json_name="ids",
    )
    msg.oneof_decl.add(name="_count")
    return fdp


def _register(pool: descriptor_pool.DescriptorPool):
    """Add the file to ``pool`` unless it is already there; return the file descriptor."""
    try:
        return pool.FindFileByName(FILE_NAME)
    except KeyError:
        pass
    pool.Add(build_file_descriptor_proto())
    return pool.FindFileByName(FILE_NAME)


FILE_DESCRIPTOR = _register(descriptor_pool.Default())
RECORD_DESCRIPTOR = FILE_DESCRIPTOR.message_types_by_name["Record"]
Record = message_factory.GetMessageClass(RECORD_DESCRIPTOR)

__all__ = [
    "FILE_NAME",
    "FULL_NAME",
    "FILE_DESCRIPTOR",
    "RECORD_DESCRIPTOR",
    "Record",
    "build_file_descriptor_proto",
]
