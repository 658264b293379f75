"""Float32 tensors across the PyO3 boundary: ``(shape, little-endian bytes)``, bit for bit both ways.

The layer wrappers (``rust_bindings/src/native_training/layers/``) take and return tensors in this
form; these are the Rust side's ``adapt``/``post`` for numpy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def to_wire(array: Any) -> tuple[list[int], bytes]:
    """``(shape, bytes)`` of a float32 array (anything else is the case's mistake, said at once)."""
    array = np.asarray(array)
    if array.dtype != np.float32:
        raise TypeError(f"layer cases pass float32 arrays to Rust, got {array.dtype} (build inputs with np.float32)")
    return list(array.shape), np.ascontiguousarray(array, dtype="<f4").tobytes()


def from_wire(value: Any) -> Any:
    """The array of ``(shape, bytes)``, or a list of them (what ``merge_tensor_list`` may return)."""
    if isinstance(value, list):
        return [from_wire(item) for item in value]
    shape, data = value
    return np.frombuffer(bytes(data), dtype="<f4").astype(np.float32).reshape(tuple(shape))
