"""Self-test of ``proto()``: one semantic mutation is found where it is; declared-irrelevant changes are equal."""

from __future__ import annotations

import math
import random
import struct

from hypothesis import assume, given
from hypothesis import strategies as st

import selftest_protos as P
from selftest_settings import examples
from pytest_monolith_parity.compare import proto

TYPES = [P.A.Msg, P.A.Rec]
OPTIONS = [{}, {"nan": "payload"}, {"signed_zero": True}, {"unset_equals_default": True}, {"ignore_unknown_fields": False}]


def names_place(path: str, place: str) -> bool:
    return path == place or path.startswith(place + ".") or path.startswith(place + "[")


def serialized(msg) -> bytes:
    return msg.SerializePartialToString(deterministic=True)


def present_as(data, msg, side: str):
    """The message as the comparator may receive it: itself, its bytes, or the same type from another pool."""
    how = data.draw(st.sampled_from(["message", "bytes", "other pool", "other pool bytes"]), label=f"{side} as")
    if how == "message":
        return msg
    if how == "bytes":
        return msg.SerializeToString()
    other = P.in_pool(msg, P.B)
    return other if how == "other pool" else other.SerializeToString()


@examples(250)
@given(data=st.data())
def test_one_mutation_is_reported_at_its_place(data):
    cls = data.draw(st.sampled_from(TYPES), label="type")
    msg = data.draw(P.messages(cls), label="message")
    options = data.draw(st.sampled_from(OPTIONS), label="options")
    candidates = P.mutations(msg, options)
    assume(candidates)
    description, place, apply = data.draw(st.sampled_from(candidates), label="mutation")
    actual = P.copy(msg)
    apply(actual)
    # independent check that the mutation changed something the contract sees (bits included)
    assert serialized(actual) != serialized(msg) or description.startswith("unknown"), description
    result = proto(cls, **options).compare(present_as(data, msg, "expected"), present_as(data, actual, "actual"))
    assert result.equal is False, (description, result.render())
    assert names_place(result.differences[0].path, place), (description, place, result.render())


def _chunks_in_shuffled_order(msg, seed: int) -> bytes:
    """The same message with its fields written to the wire in another order (one chunk per field)."""
    chunks = []
    for field, _ in msg.ListFields():
        single = P.copy(msg)
        for other, _ in msg.ListFields():
            if other is not field:
                single.ClearExtension(other) if other.is_extension else single.ClearField(other.name)
        single.DiscardUnknownFields()  # generated sub-messages carry none; the top level's go in their own chunk
        chunks.append(single.SerializePartialToString())
    if P.read_unknown(msg):
        chunks.append(P.encode_unknown(P.read_unknown(msg)))
    random.Random(seed).shuffle(chunks)
    return b"".join(chunks)


def _reverse_maps(msg) -> None:
    for field in msg.DESCRIPTOR.fields:
        if P._is_map(field):
            target = getattr(msg, field.name)
            items = [(k, P.copy(v) if hasattr(v, "DESCRIPTOR") else v) for k, v in target.items()]
            target.clear()
            for k, v in reversed(items):
                if hasattr(v, "DESCRIPTOR"):
                    target[k].CopyFrom(v)
                else:
                    target[k] = v


TRANSFORMS = ["bytes", "wire order", "other encoding", "map order", "nan payload", "signed zero", "unset default",
              "ignored field", "ignored extension", "multiset order", "set duplicates", "keyed order", "tolerance"]


@examples(250)
@given(data=st.data())
def test_irrelevant_changes_compare_equal(data):
    cls = data.draw(st.sampled_from(TYPES), label="type")
    transform = data.draw(st.sampled_from(TRANSFORMS), label="transform")
    msg = data.draw(P.messages(cls), label="message")
    actual: object = P.copy(msg)
    options: dict = {}
    if transform == "bytes":
        actual = msg.SerializeToString()
    elif transform == "wire order":
        actual = _chunks_in_shuffled_order(msg, data.draw(st.integers(0, 2**16)))
    elif transform == "other encoding":
        actual = P.in_pool(msg, P.B)  # every repeated scalar's packed flag flipped
        if data.draw(st.booleans()):
            actual = actual.SerializeToString()
    elif transform == "map order":
        _reverse_maps(actual)
    elif transform in ("nan payload", "signed zero", "tolerance"):
        # put the value the transformation needs at a drawn double field, then change it in the copy only
        name = data.draw(st.sampled_from(["db", "sub.vals"] if cls is P.A.Msg else ["db", "o_db", "r_fl"]))
        value = {"nan payload": P.double_from_bits(data.draw(st.sampled_from(P.NAN_BITS))), "signed zero": 0.0,
                 "tolerance": data.draw(st.floats(min_value=1e-300, max_value=1e300))}[transform]
        if transform == "tolerance":
            options = {"fraction": 1e-6}
            changed = value * (1 + 1e-9)
        elif transform == "nan payload":
            changed = P.double_from_bits(P.double_bits(value) ^ 0x2)
        else:
            changed = -0.0
        if name in ("sub.vals", "r_fl"):  # float fields: NaN payloads do not survive float32, use a 32-bit value
            value, changed = {"nan payload": (math.nan, -math.nan), "signed zero": (0.0, -0.0),
                              "tolerance": (1.5, 1.5 * (1 + 2**-22))}[transform]
            for m, v in ((msg, value), (actual, changed)):
                target = m.sub if name == "sub.vals" else m
                getattr(target, name.split(".")[-1]).append(v)
        else:
            setattr(msg, name, value)
            setattr(actual, name, changed)
    elif transform == "unset default":
        options = {"unset_equals_default": True}
        fields = [f for f in cls.DESCRIPTOR.fields if f.has_presence and f.message_type is None and P._oneof(f) is None]
        field = data.draw(st.sampled_from(fields))
        msg.ClearField(field.name)
        actual.ClearField(field.name)
        setattr(actual, field.name, field.default_value)
    elif transform == "ignored field":
        name = "sub" if cls is P.A.Msg else "item"
        getattr(msg, name).SetInParent()  # "sub.*" ignores what is inside, not whether it is there
        actual = P.copy(msg)
        options = {"ignore": [f"{name}.*", "s"]}
        target = getattr(actual, name)
        target.id = target.id + 1 if target.id < 2**31 - 1 else 0
        actual.s = actual.s + "changed"
    elif transform == "ignored extension":
        options = {"ignore": ["[st2.ext_i]", "[st2.ext_sub].tag"]}
        if cls is P.A.Msg:
            msg.Extensions[P.A.ext["ext_sub"]].SetInParent()
            actual = P.copy(msg)
            actual.Extensions[P.A.ext["ext_i"]] = 77
            actual.Extensions[P.A.ext["ext_sub"]].tag = "changed"
        else:
            options = {"ignore": ["item.name"]}
            actual.item.name = actual.item.name + "x"
            msg.item.SetInParent()
    elif transform in ("multiset order", "set duplicates"):
        name = "r_s" if cls is P.A.Msg else "r_i64"
        values = data.draw(st.lists(st.sampled_from(["a", "b", "c"]) if cls is P.A.Msg else st.integers(-3, 3), min_size=2, max_size=5))
        getattr(msg, name)[:] = values
        shuffled = list(values)
        random.Random(data.draw(st.integers(0, 99))).shuffle(shuffled)
        if transform == "set duplicates":
            shuffled = shuffled + shuffled[:1]
        actual = P.copy(msg)
        getattr(actual, name)[:] = shuffled
        options = {"repeated": {name: "multiset" if transform == "multiset order" else "set"}}
    elif transform == "keyed order":
        name = "r_sub" if cls is P.A.Msg else "r_item"
        items = getattr(msg, name)
        while len(items) < 2:
            items.add()
        for i, item in enumerate(items):
            item.id = 10 + i
        actual = P.copy(msg)
        moved = [P.copy(x) for x in getattr(actual, name)]
        del getattr(actual, name)[:]
        getattr(actual, name).extend(reversed(moved))
        options = {"repeated": {name: "key:id"}}
    result = proto(cls, **options).compare(msg, actual)
    assert result.equal is True, (transform, result.render())
