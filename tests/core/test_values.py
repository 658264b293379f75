"""The value codec must round-trip bit for bit: goldens and the worker protocol depend on it."""

import math
import struct

import numpy as np
import pytest

from pytest_monolith_parity import values


def bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


@pytest.mark.parametrize("value", [
    None, True, False, 0, -1, 2**64 - 1, 2**63 + 5, -(2**63), 1.5, -0.0, 5e-324, 1.7976931348623157e308,
    "", "üñí©ødé", b"", b"\x00\xff", (1, "a"), [1, [2, (3,)]], {"b": 1, "a": 2}, {1: "x", (1, 2): "y"},
    {"$bytes": "not a tag"},
])
def test_round_trip_exact(value):
    decoded = values.loads(values.dumps(value))
    assert decoded == value and type(decoded) is type(value)
    assert repr(decoded) == repr(value)


def test_signed_zero_survives():
    assert math.copysign(1.0, values.loads(values.dumps(-0.0))) == -1.0


def test_non_finite_and_nan_payloads():
    assert values.loads(values.dumps(math.inf)) == math.inf
    assert values.loads(values.dumps(-math.inf)) == -math.inf
    assert math.isnan(values.loads(values.dumps(math.nan)))
    payload = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000001))[0]
    assert bits(values.loads(values.dumps(payload))) == 0x7FF8000000000001


def test_dict_key_order_is_kept():
    assert list(values.loads(values.dumps({"z": 1, "a": 2, "m": 3}))) == ["z", "a", "m"]


@pytest.mark.parametrize("array", [
    np.array([1.5, -0.0, np.nan, np.inf], dtype=np.float32),
    np.arange(6, dtype=np.int64).reshape(2, 3),
    np.array([2**64 - 1], dtype=np.uint64),
    np.zeros((0, 3), dtype=np.float64),
    np.array([True, False]),
    np.asfortranarray(np.arange(6.0).reshape(2, 3)),
])
def test_ndarray_round_trip(array):
    decoded = values.loads(values.dumps(array))
    assert decoded.dtype == array.dtype and decoded.shape == array.shape
    assert decoded.tobytes() == np.ascontiguousarray(array).tobytes()


def test_numpy_scalar_stays_scalar():
    decoded = values.loads(values.dumps(np.float32(0.1)))
    assert isinstance(decoded, np.float32) and decoded == np.float32(0.1)


def test_protobuf_message_encodes_to_its_bytes():
    from google.protobuf import wrappers_pb2

    message = wrappers_pb2.Int64Value(value=7)
    encoded = values.encode(message)
    assert encoded["$proto"]["type"] == "google.protobuf.Int64Value"
    assert values.decode(encoded) == message  # the type is known here: the message itself
    unknown = {"$proto": {"type": "no.such.Message", "data": encoded["$proto"]["data"]}}
    assert values.decode(unknown) == message.SerializeToString()  # unknown type: the bytes


def test_unknown_objects_are_refused_not_approximated():
    with pytest.raises(values.EncodingError, match="cannot encode a value of type"):
        values.encode(object())
    with pytest.raises(values.EncodingError, match="object arrays"):
        values.encode(np.array([1, "a"], dtype=object))
    with pytest.raises(values.EncodingError, match="unknown value tag"):
        values.decode({"$nope": 1})
