"""Protobuf messages for the self-test: dynamic types with every field kind, generated and mutated generically.

Types are built with ``descriptor_pb2`` (as bench/bench_proto.py does), twice:
pool ``A`` as written and pool ``B`` with every repeated scalar's ``packed``
flipped -- so B's serialization of a message is the other wire encoding of
the same value, and B's classes are "the same type name from another pool".

``st2.Msg`` (proto2): every scalar type with presence, a closed enum, a
sub-message, packed and unpacked repeated fields, repeated messages, maps with
scalar and message values, a oneof, extensions (scalar, repeated, message) and
unknown fields.  ``st3.Rec`` (proto3): implicit-presence scalars, ``optional``
fields, an open enum, maps, a oneof, packed and unpacked repeated fields.

A *site* is one place in a message and the mutations that change it; the path
each mutation must be reported at is computed here from the descriptor, the
way the contract states it, not by asking the comparator.
"""

from __future__ import annotations

import dataclasses
import json
import math
import struct
from typing import Any, Callable

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor as FD
from google.protobuf.unknown_fields import UnknownFieldSet
from hypothesis import strategies as st

F = descriptor_pb2.FieldDescriptorProto
OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED
UNKNOWN_NUMBERS = (500, 501, 502, 503)

INT_RANGES = {
    FD.TYPE_INT32: (-(2**31), 2**31 - 1), FD.TYPE_SINT32: (-(2**31), 2**31 - 1), FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FD.TYPE_INT64: (-(2**63), 2**63 - 1), FD.TYPE_SINT64: (-(2**63), 2**63 - 1), FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FD.TYPE_UINT32: (0, 2**32 - 1), FD.TYPE_FIXED32: (0, 2**32 - 1),
    FD.TYPE_UINT64: (0, 2**64 - 1), FD.TYPE_FIXED64: (0, 2**64 - 1),
}


def _field(msg, name, number, ftype, label=OPT, type_name=None, packed=None, **kw):
    f = msg.field.add(name=name, number=number, type=ftype, label=label, **kw)
    if type_name:
        f.type_name = type_name
    if packed is not None:
        f.options.packed = packed
    return f


def _map(msg, name, number, key_type, value_type, value_type_name=None):
    entry = msg.nested_type.add(name="".join(p.capitalize() for p in name.split("_")) + "Entry")
    entry.options.map_entry = True
    _field(entry, "key", 1, key_type)
    _field(entry, "value", 2, value_type, type_name=value_type_name)
    _field(msg, name, number, F.TYPE_MESSAGE, REP, type_name=entry.name)


def _files(flip_packed: bool) -> list[descriptor_pb2.FileDescriptorProto]:
    p = (lambda packed: not packed) if flip_packed else (lambda packed: packed)
    p2 = descriptor_pb2.FileDescriptorProto(name="selftest_p2.proto", package="st2", syntax="proto2")
    kind = p2.enum_type.add(name="Kind")
    for i in range(3):
        kind.value.add(name=f"K{i}", number=i)
    sub = p2.message_type.add(name="Sub")
    _field(sub, "id", 1, F.TYPE_INT32)
    _field(sub, "tag", 2, F.TYPE_STRING)
    _field(sub, "vals", 3, F.TYPE_FLOAT, REP, packed=p(False))
    msg = p2.message_type.add(name="Msg")
    scalars = [("i32", F.TYPE_INT32), ("i64", F.TYPE_INT64), ("u32", F.TYPE_UINT32), ("u64", F.TYPE_UINT64),
               ("s32", F.TYPE_SINT32), ("s64", F.TYPE_SINT64), ("f32", F.TYPE_FIXED32), ("f64", F.TYPE_FIXED64),
               ("sf32", F.TYPE_SFIXED32), ("sf64", F.TYPE_SFIXED64), ("fl", F.TYPE_FLOAT), ("db", F.TYPE_DOUBLE),
               ("b", F.TYPE_BOOL), ("s", F.TYPE_STRING), ("by", F.TYPE_BYTES)]
    for number, (name, ftype) in enumerate(scalars, start=1):
        _field(msg, name, number, ftype)
    _field(msg, "kind", 16, F.TYPE_ENUM, type_name=".st2.Kind")
    _field(msg, "sub", 17, F.TYPE_MESSAGE, type_name=".st2.Sub")
    _field(msg, "r_i32", 18, F.TYPE_INT32, REP, packed=p(True))
    _field(msg, "r_s64", 19, F.TYPE_SINT64, REP, packed=p(False))
    _field(msg, "r_db", 20, F.TYPE_DOUBLE, REP, packed=p(True))
    _field(msg, "r_s", 21, F.TYPE_STRING, REP)
    _field(msg, "r_sub", 22, F.TYPE_MESSAGE, REP, type_name=".st2.Sub")
    _field(msg, "r_b", 23, F.TYPE_BOOL, REP, packed=p(False))
    _map(msg, "m_si", 24, F.TYPE_STRING, F.TYPE_INT64)
    _map(msg, "m_isub", 25, F.TYPE_INT32, F.TYPE_MESSAGE, ".st2.Sub")
    msg.oneof_decl.add(name="choice")
    _field(msg, "o_i", 26, F.TYPE_INT32, oneof_index=0)
    _field(msg, "o_s", 27, F.TYPE_STRING, oneof_index=0)
    _field(msg, "o_sub", 28, F.TYPE_MESSAGE, type_name=".st2.Sub", oneof_index=0)
    msg.extension_range.add(start=100, end=200)
    for name, number, ftype, label, type_name in (("ext_i", 100, F.TYPE_INT32, OPT, None),
                                                   ("ext_rs", 101, F.TYPE_STRING, REP, None),
                                                   ("ext_sub", 102, F.TYPE_MESSAGE, OPT, ".st2.Sub")):
        ext = p2.extension.add(name=name, number=number, type=ftype, label=label, extendee=".st2.Msg")
        if type_name:
            ext.type_name = type_name

    p3 = descriptor_pb2.FileDescriptorProto(name="selftest_p3.proto", package="st3", syntax="proto3")
    color = p3.enum_type.add(name="Color")
    for i in range(3):
        color.value.add(name=f"C{i}", number=i)
    item = p3.message_type.add(name="Item")
    _field(item, "id", 1, F.TYPE_INT32)
    _field(item, "name", 2, F.TYPE_STRING)
    rec = p3.message_type.add(name="Rec")
    rec.oneof_decl.add(name="kind")
    for number, (name, ftype) in enumerate([("i32", F.TYPE_INT32), ("i64", F.TYPE_INT64), ("u64", F.TYPE_UINT64),
                                            ("fl", F.TYPE_FLOAT), ("db", F.TYPE_DOUBLE), ("b", F.TYPE_BOOL),
                                            ("s", F.TYPE_STRING), ("by", F.TYPE_BYTES)], start=1):
        _field(rec, name, number, ftype)
    _field(rec, "color", 9, F.TYPE_ENUM, type_name=".st3.Color")
    for index, (name, number, ftype) in enumerate([("o_i32", 10, F.TYPE_INT32), ("o_db", 11, F.TYPE_DOUBLE),
                                                   ("o_s", 12, F.TYPE_STRING)], start=1):
        rec.oneof_decl.add(name=f"_{name}")
        _field(rec, name, number, ftype, proto3_optional=True, oneof_index=index)
    _field(rec, "item", 13, F.TYPE_MESSAGE, type_name=".st3.Item")
    _field(rec, "r_i64", 14, F.TYPE_INT64, REP, packed=p(True))
    _field(rec, "r_fl", 15, F.TYPE_FLOAT, REP, packed=p(False))
    _field(rec, "r_item", 16, F.TYPE_MESSAGE, REP, type_name=".st3.Item")
    _map(rec, "m_ss", 17, F.TYPE_STRING, F.TYPE_STRING)
    _map(rec, "m_item", 18, F.TYPE_INT64, F.TYPE_MESSAGE, ".st3.Item")
    _map(rec, "m_bd", 19, F.TYPE_BOOL, F.TYPE_DOUBLE)
    _field(rec, "k_s", 20, F.TYPE_STRING, oneof_index=0)
    _field(rec, "k_i", 21, F.TYPE_INT64, oneof_index=0)
    _field(rec, "k_item", 22, F.TYPE_MESSAGE, type_name=".st3.Item", oneof_index=0)
    # synthetic oneofs must follow the real one: reorder declarations (kind first, then _o_*)
    return [p2, p3]


@dataclasses.dataclass
class Types:
    pool: Any
    Msg: Any
    Sub: Any
    Rec: Any
    Item: Any
    ext: dict[str, Any]


def build(flip_packed: bool = False) -> Types:
    pool = descriptor_pool.DescriptorPool()
    for fdp in _files(flip_packed):
        pool.Add(fdp)
    get = lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))  # noqa: E731
    ext = {name: pool.FindExtensionByName(f"st2.{name}") for name in ("ext_i", "ext_rs", "ext_sub")}
    return Types(pool, get("st2.Msg"), get("st2.Sub"), get("st3.Rec"), get("st3.Item"), ext)


A = build()
B = build(flip_packed=True)


def in_pool(msg: Any, types: Types) -> Any:
    """The same message as an instance of ``types``' class of that name (another pool: the other wire encoding)."""
    cls = message_factory.GetMessageClass(types.pool.FindMessageTypeByName(msg.DESCRIPTOR.full_name))
    return cls.FromString(msg.SerializePartialToString())


# --------------------------------------------------------------------------- values

NAN_BITS = (0x7FF8000000000000, 0x7FF8000000000001, 0xFFF8000000000000, 0x7FF0000000000001, 0x7FFFFFFFFFFFFFFF)


def double_from_bits(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def double_bits(value: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", value))[0]


TEXT = st.text(alphabet=st.sampled_from("ab\x00\u00e9e\u0301\u0430 \n"), max_size=6)
DOUBLES = st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, math.inf, -math.inf, 5e-324]),
                    st.sampled_from(NAN_BITS).map(double_from_bits))
FLOATS = st.one_of(st.floats(width=32, allow_nan=False), st.sampled_from([0.0, -0.0, math.nan, math.inf]))


def scalar_values(field: FD) -> st.SearchStrategy:
    t = field.type
    if t in INT_RANGES:
        lo, hi = INT_RANGES[t]
        return st.one_of(st.integers(lo, hi), st.sampled_from([lo, hi, 0, -1 if lo < 0 else 1]))
    if t == FD.TYPE_DOUBLE:
        return DOUBLES
    if t == FD.TYPE_FLOAT:
        return FLOATS
    if t == FD.TYPE_BOOL:
        return st.booleans()
    if t == FD.TYPE_STRING:
        return TEXT
    if t == FD.TYPE_BYTES:
        return st.binary(max_size=6)
    if t == FD.TYPE_ENUM:
        numbers = sorted(field.enum_type.values_by_number)
        if not field.enum_type.is_closed:  # open enum: unknown numbers are values too
            numbers = numbers + [7]
        return st.sampled_from(numbers)
    raise AssertionError(field.full_name)


def _message_class(desc: Any) -> Any:
    return message_factory.GetMessageClass(desc)


def _is_map(field: FD) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _oneof(field: FD) -> Any:
    o = field.containing_oneof
    return o if o is not None and not (len(o.fields) == 1 and o.name == "_" + field.name) else None


@st.composite
def messages(draw: Any, cls: Any, depth: int = 2, unknown: bool = True, unique_sub_ids: bool = False) -> Any:
    """A message of ``cls`` with a random subset of its fields set, extensions and unknown fields included."""
    msg = cls()
    desc = cls.DESCRIPTOR
    chosen_oneof: dict[str, str | None] = {}
    for oneof in desc.oneofs:
        if len(oneof.fields) > 1 or oneof.name != "_" + oneof.fields[0].name:
            chosen_oneof[oneof.name] = draw(st.sampled_from([None] + [f.name for f in oneof.fields]))
    for field in desc.fields:
        group = _oneof(field)
        if group is not None:
            if chosen_oneof[group.name] != field.name:
                continue
        elif not draw(st.booleans()):
            continue
        _fill(draw, msg, field, depth, unique_sub_ids)
    if desc.full_name == "st2.Msg":
        for name, ext in A.ext.items() if cls is A.Msg else B.ext.items():
            if draw(st.booleans()):
                if ext.label == FD.LABEL_REPEATED:
                    msg.Extensions[ext].extend(draw(st.lists(TEXT, min_size=1, max_size=3)))
                elif ext.message_type is not None:
                    msg.Extensions[ext].CopyFrom(draw(messages(_message_class(ext.message_type), depth - 1, False)))
                else:
                    msg.Extensions[ext] = draw(scalar_values(ext))
        if unknown and draw(st.booleans()):
            msg.MergeFromString(encode_unknown(draw(unknown_fields())))
    return msg


def _fill(draw: Any, msg: Any, field: FD, depth: int, unique_sub_ids: bool) -> None:
    name = field.name
    if _is_map(field):
        key_field = field.message_type.fields_by_name["key"]
        value_field = field.message_type.fields_by_name["value"]
        keys = draw(st.lists(scalar_values(key_field), max_size=3, unique=True))
        target = getattr(msg, name)
        for k in keys:
            if value_field.message_type is not None:
                target[k].CopyFrom(draw(messages(_message_class(value_field.message_type), depth - 1, False)))
            else:
                target[k] = draw(scalar_values(value_field))
        return
    if field.label == FD.LABEL_REPEATED:
        if field.message_type is not None:
            if depth <= 0:
                return
            items = draw(st.lists(messages(_message_class(field.message_type), depth - 1, False), max_size=3))
            if unique_sub_ids and "id" in field.message_type.fields_by_name:
                for i, item in enumerate(items):
                    item.id = i * 3 + 1
            getattr(msg, name).extend(items)
        else:
            getattr(msg, name).extend(draw(st.lists(scalar_values(field), max_size=4)))
        return
    if field.message_type is not None:
        if depth <= 0:
            return
        getattr(msg, name).CopyFrom(draw(messages(_message_class(field.message_type), depth - 1, False)))
        getattr(msg, name).SetInParent()
        return
    setattr(msg, name, draw(scalar_values(field)))


# --------------------------------------------------------------------------- unknown fields


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_unknown(fields: list[tuple[int, int, Any]]) -> bytes:
    out = bytearray()
    for number, wire_type, value in fields:
        out += _varint(number << 3 | wire_type)
        if wire_type == 0:
            out += _varint(value)
        elif wire_type == 1:
            out += struct.pack("<Q", value)
        elif wire_type == 5:
            out += struct.pack("<I", value)
        else:
            out += _varint(len(value)) + value
    return bytes(out)


def unknown_fields() -> st.SearchStrategy:
    one = st.one_of(
        st.tuples(st.sampled_from(UNKNOWN_NUMBERS), st.just(0), st.integers(0, 2**64 - 1)),
        st.tuples(st.sampled_from(UNKNOWN_NUMBERS), st.just(1), st.integers(0, 2**64 - 1)),
        st.tuples(st.sampled_from(UNKNOWN_NUMBERS), st.just(5), st.integers(0, 2**32 - 1)),
        st.tuples(st.sampled_from(UNKNOWN_NUMBERS), st.just(2), st.binary(max_size=4)),
    )
    return st.lists(one, min_size=1, max_size=3)


def read_unknown(msg: Any) -> list[tuple[int, int, Any]]:
    return [(f.field_number, f.wire_type, f.data) for f in UnknownFieldSet(msg)]


def replace_unknown(msg: Any, fields: list[tuple[int, int, Any]]) -> None:
    """Replace the top-level unknown fields of ``msg`` (sub-messages keep theirs)."""
    msg.DiscardUnknownFields()
    # DiscardUnknownFields is recursive; generated sub-messages carry none, so nothing else is lost
    msg.MergeFromString(encode_unknown(fields))


# --------------------------------------------------------------------------- paths


def fmt_key(key: Any) -> str:
    if isinstance(key, str):
        return json.dumps(key, ensure_ascii=False)
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def join(prefix: str, part: str) -> str:
    if not prefix:
        return part
    if not part:
        return prefix
    return prefix + part if part.startswith("[") else f"{prefix}.{part}"


# --------------------------------------------------------------------------- mutations

Mutation = tuple[str, str, Callable[[Any], None]]  # (description, path it must be reported at, apply to a copy)


def _bump(field: FD, value: Any) -> Any:
    t = field.type
    if t in INT_RANGES:
        lo, hi = INT_RANGES[t]
        return value + 1 if value < hi else value - 1
    if t in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        if not math.isfinite(value) or abs(value) > 1e30:
            return 0.5
        return value + 1.0 if abs(value) < 1e6 else value * 2.0
    if t == FD.TYPE_BOOL:
        return not value
    if t == FD.TYPE_STRING:
        return value + "\x00" if not value.endswith("\x00") else value[:-1]
    if t == FD.TYPE_BYTES:
        return value + b"\x00"
    if t == FD.TYPE_ENUM:
        numbers = sorted(field.enum_type.values_by_number)
        return next(n for n in numbers if n != value)
    raise AssertionError(field.full_name)


def _navigate(msg: Any, steps: tuple) -> Any:
    for step in steps:
        kind, arg = step
        if kind == "field":
            msg = getattr(msg, arg)
        elif kind == "ext":
            msg = msg.Extensions[A.ext[arg] if msg.DESCRIPTOR.file.pool is A.pool else B.ext[arg]]
        elif kind == "index":
            msg = msg[arg]
        else:  # map key
            msg = msg[arg]
    return msg


def mutations(msg: Any, options: dict[str, Any] | None = None) -> list[Mutation]:
    """Every single-place semantic mutation of ``msg`` under the comparator ``options``, with its path."""
    options = options or {}
    out: list[Mutation] = []
    _message_mutations(msg, (), "", options, out, top=True)
    return out


def _setter(steps: tuple, fn: Callable[[Any], None]) -> Callable[[Any], None]:
    return lambda root: fn(_navigate(root, steps))


def _message_mutations(msg: Any, steps: tuple, path: str, options: dict, out: list, top: bool = False) -> None:
    desc = msg.DESCRIPTOR
    unset_equals_default = options.get("unset_equals_default", False)
    for oneof in desc.oneofs:
        fields = oneof.fields
        if len(fields) == 1 and oneof.name == "_" + fields[0].name:
            continue
        current = msg.WhichOneof(oneof.name)
        other = next(f for f in fields if f.name != current and f.message_type is None)
        value = scalar_default_change(other)
        out.append((f"switch oneof {oneof.name}", join(path, oneof.name),
                    _setter(steps, lambda m, n=other.name, v=value: setattr(m, n, v))))
        if current is not None:
            out.append((f"clear oneof {oneof.name}", join(path, oneof.name),
                        _setter(steps, lambda m, n=current: m.ClearField(n))))
    for field in desc.fields:
        fpath = join(path, field.name)
        group = _oneof(field)
        if _is_map(field):
            _map_mutations(msg, field, steps + (("field", field.name),), fpath, options, out)
        elif field.label == FD.LABEL_REPEATED:
            _repeated_mutations(getattr(msg, field.name), field, steps + (("field", field.name),), fpath, options, out)
        elif field.message_type is not None:
            if msg.HasField(field.name):
                _message_mutations(getattr(msg, field.name), steps + (("field", field.name),), fpath, options, out)
                if group is None and not unset_equals_default:
                    out.append((f"clear {fpath}", fpath, _setter(steps, lambda m, n=field.name: m.ClearField(n))))
            elif group is None and not unset_equals_default:  # an empty message is the default of a message field
                out.append((f"set empty {fpath}", fpath, _setter(steps, lambda m, n=field.name: getattr(m, n).SetInParent())))
        else:
            has = msg.HasField(field.name) if field.has_presence else True
            if has and group is None or (has and group is not None and msg.WhichOneof(group.name) == field.name):
                value = getattr(msg, field.name)
                _scalar_mutations(field, value, fpath, _setter(steps, lambda m: m), lambda m, v, n=field.name: setattr(m, n, v),
                                  options, out, steps)
                if field.has_presence and group is None and not unset_equals_default:
                    out.append((f"clear {fpath}", fpath, _setter(steps, lambda m, n=field.name: m.ClearField(n))))
            elif field.has_presence and group is None and not unset_equals_default:
                default = field.default_value
                out.append((f"set default {fpath}", fpath, _setter(steps, lambda m, n=field.name, v=default: setattr(m, n, v))))
    if desc.full_name == "st2.Msg":
        _extension_mutations(msg, steps, path, options, out)
    if top and read_unknown(msg):
        fields = read_unknown(msg)
        number = fields[0][0]
        changed = [(n, wt, _unknown_bump(wt, v)) if i == 0 else (n, wt, v) for i, (n, wt, v) in enumerate(fields)]
        out.append((f"unknown field {number}", join(path, f"<unknown {number}>"),
                    lambda m, c=changed: replace_unknown(m, c)))


def _unknown_bump(wire_type: int, value: Any) -> Any:
    if wire_type == 2:
        return value + b"\x01"
    limit = 2**32 - 1 if wire_type == 5 else 2**64 - 1
    return value + 1 if value < limit else value - 1


def scalar_default_change(field: FD) -> Any:
    t = field.type
    if t == FD.TYPE_STRING:
        return "switched"
    if t == FD.TYPE_BYTES:
        return b"switched"
    return 3


def _scalar_mutations(field: FD, value: Any, fpath: str, holder: Callable, assign: Callable, options: dict, out: list, steps: tuple) -> None:
    changed = _bump(field, value)
    if field.type == FD.TYPE_FLOAT:
        import numpy as np

        changed = float(np.float32(changed))
        if changed == value or (math.isnan(changed) and math.isnan(value)):
            changed = 0.5 if value != 0.5 else 1.5
    out.append((f"change {fpath}", fpath, lambda root, c=changed: assign(_navigate(root, steps), c)))
    if field.type == FD.TYPE_DOUBLE:
        if math.isnan(value) and options.get("nan") == "payload":
            bits = double_bits(value) ^ 0x1
            out.append((f"nan payload {fpath}", fpath, lambda root, b=bits: assign(_navigate(root, steps), double_from_bits(b))))
        if value == 0 and options.get("signed_zero"):
            out.append((f"sign of zero {fpath}", fpath, lambda root, v=-value: assign(_navigate(root, steps), v)))


def _is_default(field: FD, value: Any) -> bool:
    if field.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        return value == 0 and math.copysign(1, value) > 0
    return value == field.default_value


def _repeated_mutations(items: Any, field: FD, steps: tuple, fpath: str, options: dict, out: list) -> None:
    if len(items):
        out.append((f"remove last {fpath}", fpath, lambda root: _navigate(root, steps).__delitem__(-1)))
    if field.message_type is not None:
        for i in range(len(items)):
            _message_mutations(items[i], steps + (("index", i),), f"{fpath}[{i}]", options, out)
        for i in range(len(items) - 1):
            if items[i].SerializeToString(deterministic=True) != items[i + 1].SerializeToString(deterministic=True):
                def swap_messages(root, i=i):
                    seq = _navigate(root, steps)
                    a, b = copy(seq[i]), copy(seq[i + 1])
                    seq[i].CopyFrom(b)
                    seq[i + 1].CopyFrom(a)

                out.append((f"swap {fpath}[{i}]", f"{fpath}[{i}]", swap_messages))
                break
        out.append((f"append {fpath}", fpath, lambda root: _navigate(root, steps).add()))
        return
    for i, value in enumerate(items):
        changed = _bump(field, value)
        if field.type == FD.TYPE_FLOAT:
            import numpy as np

            changed = float(np.float32(changed))
            if changed == value or (math.isnan(changed) and math.isnan(value)):
                changed = 0.5 if value != 0.5 else 1.5

        def assign(root, i=i, c=changed):
            _navigate(root, steps)[i] = c

        out.append((f"change {fpath}[{i}]", f"{fpath}[{i}]", assign))
    for i in range(len(items) - 1):
        x, y = items[i], items[i + 1]
        if _clearly_different(field, x, y):
            def swap(root, i=i):
                seq = _navigate(root, steps)
                seq[i], seq[i + 1] = seq[i + 1], seq[i]

            out.append((f"swap {fpath}[{i}]", f"{fpath}[{i}]", swap))
            break
    sample = scalar_default_change(field) if field.type != FD.TYPE_BOOL else True
    out.append((f"append {fpath}", fpath, lambda root, v=sample: _navigate(root, steps).append(v)))


def _clearly_different(field: FD, x: Any, y: Any) -> bool:
    if field.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        return math.isfinite(x) and math.isfinite(y) and abs(x - y) > 1e-3 * max(1.0, abs(x), abs(y))
    return x != y


def _map_mutations(msg: Any, field: FD, steps: tuple, fpath: str, options: dict, out: list) -> None:
    target = getattr(msg, field.name)
    value_field = field.message_type.fields_by_name["value"]
    key_field = field.message_type.fields_by_name["key"]
    for k in list(target.keys()):
        p = f"{fpath}[{fmt_key(k)}]"
        out.append((f"remove {p}", p, lambda root, k=k: _navigate(root, steps).__delitem__(k)))
        if value_field.message_type is not None:
            _message_mutations(target[k], steps + (("key", k),), p, options, out)
        else:
            changed = _bump(value_field, target[k])

            def assign(root, k=k, c=changed):
                _navigate(root, steps)[k] = c

            out.append((f"change {p}", p, assign))
    new_key = next((k for k in _candidate_keys(key_field) if k not in target), None)
    if new_key is None:
        return
    p = f"{fpath}[{fmt_key(new_key)}]"
    if value_field.message_type is not None:
        out.append((f"add {p}", p, lambda root, k=new_key: _navigate(root, steps)[k].SetInParent()))
    else:
        value = scalar_default_change(value_field) if value_field.type != FD.TYPE_BOOL else True
        out.append((f"add {p}", p, lambda root, k=new_key, v=value: _navigate(root, steps).__setitem__(k, v)))


def _candidate_keys(field: FD) -> list[Any]:
    if field.type == FD.TYPE_STRING:
        return ["new", "new2", "new3", "new4"]
    if field.type == FD.TYPE_BOOL:
        return [True, False]
    return [12345, 12346, 12347, 12348]


def _extension_mutations(msg: Any, steps: tuple, path: str, options: dict, out: list) -> None:
    exts = A.ext if msg.DESCRIPTOR.file.pool is A.pool else B.ext
    for name, ext in exts.items():
        p = join(path, f"[{ext.full_name}]")
        if ext.label == FD.LABEL_REPEATED:
            values = msg.Extensions[ext]
            for i in range(len(values)):
                def assign(root, i=i, name=name):
                    seq = _navigate(root, steps).Extensions[(A.ext if root.DESCRIPTOR.file.pool is A.pool else B.ext)[name]]
                    seq[i] = seq[i] + "x"

                out.append((f"change {p}[{i}]", f"{p}[{i}]", assign))
            continue
        present = msg.HasExtension(ext)
        if ext.message_type is not None:
            if present:
                _message_mutations(msg.Extensions[ext], steps + (("ext", name),), p, options, out)
            continue
        if present:
            def change(root, name=name):
                target = _navigate(root, steps)
                e = (A.ext if target.DESCRIPTOR.file.pool is A.pool else B.ext)[name]
                target.Extensions[e] = target.Extensions[e] + 1 if target.Extensions[e] < 2**31 - 1 else 0

            def clear(root, name=name):
                target = _navigate(root, steps)
                target.ClearExtension((A.ext if target.DESCRIPTOR.file.pool is A.pool else B.ext)[name])

            out.append((f"change {p}", p, change))
            out.append((f"clear {p}", p, clear))
        else:
            def add(root, name=name):
                target = _navigate(root, steps)
                target.Extensions[(A.ext if target.DESCRIPTOR.file.pool is A.pool else B.ext)[name]] = 9

            out.append((f"add {p}", p, add))


def copy(msg: Any) -> Any:
    out = msg.__class__()
    out.CopyFrom(msg)
    return out
