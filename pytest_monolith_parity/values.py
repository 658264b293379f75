"""Exact JSON encoding of parity values (see docs/protocol.md).

One codec serves three purposes: the worker protocol, golden files and
replay files.  It must round-trip every value bit for bit -- a golden that
loses a NaN payload or the sign of a zero could turn a real divergence into
a false match -- so anything it does not know how to say exactly is refused
with :class:`EncodingError` instead of approximated.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

import numpy as np


class EncodingError(TypeError):
    """A value has no exact encoding (an arbitrary object, a non-str dict key inside $items, ...)."""


_CANONICAL_NAN_BITS = struct.unpack("<Q", struct.pack("<d", float("nan")))[0]


def _float_bits(value: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def encode(value: Any) -> Any:
    """Turn a Python value into JSON-able data with exact tags."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        if math.isnan(value):
            bits = _float_bits(value)
            if bits != _CANONICAL_NAN_BITS:
                return {"$f64bits": f"{bits:016x}"}
            return {"$float": "nan"}
        return {"$float": "inf" if value > 0 else "-inf"}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"$items": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (np.ndarray, np.generic)):
        return _encode_ndarray(np.asarray(value), scalar=isinstance(value, np.generic))
    if _is_proto_message(value):
        return {
            "$proto": {
                "type": value.DESCRIPTOR.full_name,
                "data": base64.b64encode(value.SerializeToString(deterministic=True)).decode("ascii"),
            }
        }
    raise EncodingError(
        f"cannot encode a value of type {type(value).__module__}.{type(value).__qualname__} exactly; "
        "return plain data (None, bool, int, float, str, bytes, list, tuple, dict), a numpy array "
        "or a protobuf message from the case's side functions, or convert it in the case's `post=` hook"
    )


def _encode_ndarray(array: np.ndarray, *, scalar: bool) -> dict:
    if array.dtype.hasobject:
        raise EncodingError("object arrays have no exact encoding; convert to a list first")
    contiguous = array if array.flags.c_contiguous else np.ascontiguousarray(array)  # keeps 0-d arrays 0-d
    payload = {
        "dtype": contiguous.dtype.str,
        "shape": list(contiguous.shape),
        "data": base64.b64encode(contiguous.tobytes()).decode("ascii"),
    }
    if scalar:
        payload["scalar"] = True
    return {"$ndarray": payload}


def _is_proto_message(value: Any) -> bool:
    try:
        from google.protobuf.message import Message
    except ImportError:  # protobuf is a dependency, but keep the codec importable without it
        return False
    return isinstance(value, Message)


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`.

    ``$proto`` decodes to the message when this process knows its type (the
    same value an in-process call returns), else to the serialized bytes.
    """
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (tag, payload), = data.items()
        if tag.startswith("$"):
            return _decode_tag(tag, payload)
    return {k: decode(v) for k, v in data.items()}


def _decode_tag(tag: str, payload: Any) -> Any:
    if tag == "$float":
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[payload]
    if tag == "$f64bits":
        return struct.unpack("<d", struct.pack("<Q", int(payload, 16)))[0]
    if tag == "$bytes":
        return base64.b64decode(payload)
    if tag == "$tuple":
        return tuple(decode(v) for v in payload)
    if tag == "$items":
        return {_hashable(decode(k)): decode(v) for k, v in payload}
    if tag == "$ndarray":
        array = np.frombuffer(base64.b64decode(payload["data"]), dtype=np.dtype(payload["dtype"]))
        array = array.reshape(tuple(payload["shape"])).copy()
        return array[()] if payload.get("scalar") else array
    if tag == "$proto":
        data = base64.b64decode(payload["data"])
        message_class = _message_class(payload["type"])
        return message_class.FromString(data) if message_class is not None else data
    raise EncodingError(f"unknown value tag {tag!r}; known tags are listed in docs/protocol.md")


def _message_class(full_name: str) -> Any:
    """The message class of ``full_name`` if this process knows the type (its _pb2 is imported), else None."""
    try:
        from google.protobuf import symbol_database

        return symbol_database.Default().GetSymbol(full_name)
    except (ImportError, KeyError):
        return None


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Encode and serialise; floats use Python's shortest round-trip repr."""
    return json.dumps(encode(value), indent=indent, ensure_ascii=False, allow_nan=False)


def loads(text: str | bytes) -> Any:
    return decode(json.loads(text))
