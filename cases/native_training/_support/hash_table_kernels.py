"""monolith's hash-table optimizers and float compressors, called through our C ABI.

The library ``hash_table_kernels`` (kernels/monolith.toml; the C ABI is
kernels/shims/hash_table_c_api.cc) is monolith's own C++ --
``NewOptimizerFromConfig`` and ``NewFloatCompressor`` -- built from the
checkout.  Configs go in as the serialized protos monolith's Python
(``entry.py``) produces; state comes out as ``OptimizerDump`` bytes.
"""

from __future__ import annotations

import ctypes

import numpy as np

from pytest_monolith_parity.outcomes import ReferenceUnavailable

_LIBRARY = "hash_table_kernels"
_SIGNATURES = {
    "parity_optimizer_new": (ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int64, ctypes.c_char_p, ctypes.c_int64]),
    "parity_optimizer_free": (None, [ctypes.c_void_p]),
    "parity_optimizer_size_bytes": (ctypes.c_int64, [ctypes.c_void_p]),
    "parity_optimizer_dim_size": (ctypes.c_int32, [ctypes.c_void_p]),
    "parity_optimizer_init": (None, [ctypes.c_void_p, ctypes.c_void_p]),
    "parity_optimizer_optimize": (None, [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_float),
                                         ctypes.c_int64, ctypes.POINTER(ctypes.c_float), ctypes.c_int64,
                                         ctypes.POINTER(ctypes.c_float), ctypes.c_int64, ctypes.c_int64]),
    "parity_optimizer_save": (ctypes.c_int64, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64]),
    "parity_compressor_new": (ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int64, ctypes.c_char_p, ctypes.c_int64]),
    "parity_compressor_free": (None, [ctypes.c_void_p]),
    "parity_compressor_size_bytes": (ctypes.c_int64, [ctypes.c_void_p]),
    "parity_compressor_encode": (None, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_int64,
                                        ctypes.c_void_p]),
    "parity_compressor_decode": (None, [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_float),
                                        ctypes.c_int64]),
}


def library() -> ctypes.CDLL:
    """The built library, or ReferenceUnavailable naming why it is not built."""
    from pytest_monolith_parity.reference import bootstrap

    environment = bootstrap.current()
    if environment is None or environment.kernels is None:
        raise ReferenceUnavailable(f"{_LIBRARY} is not available: no kernel manifest is configured")
    lib, reason = environment.kernels.module(_LIBRARY)
    if lib is None:
        raise ReferenceUnavailable(f"{_LIBRARY} is not built: {reason}")
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


def _floats(values) -> ctypes.Array:
    array = np.ascontiguousarray(values, np.float32)
    return (ctypes.c_float * len(array))(*array.tolist())


def _new(lib, constructor: str, config) -> int:
    data = config.SerializeToString()
    error = ctypes.create_string_buffer(1024)
    handle = getattr(lib, constructor)(data, len(data), error, len(error))
    if not handle:
        raise ValueError(error.value.decode("utf-8", "replace"))
    return handle


def optimizer_steps(config, var, grads, learning_rate: float, global_step: int = 0):
    """Init one slot, then one Optimize per gradient; the embedding and the OptimizerDump after each step."""
    from monolith.native_training.runtime.hash_table.optimizer import optimizer_pb2

    lib = library()
    handle = _new(lib, "parity_optimizer_new", config)
    try:
        ctx = ctypes.create_string_buffer(max(1, lib.parity_optimizer_size_bytes(handle)))
        lib.parity_optimizer_init(handle, ctx)
        num = _floats(var)
        embeddings, dumps = [], []
        for index, grad in enumerate(grads):
            g = _floats(grad)
            lr = _floats([learning_rate])
            lib.parity_optimizer_optimize(handle, ctx, num, len(num), g, len(g), lr, 1, global_step + index)
            size = lib.parity_optimizer_save(handle, ctx, None, 0)
            out = ctypes.create_string_buffer(max(1, size))
            lib.parity_optimizer_save(handle, ctx, out, size)
            embeddings.append(np.frombuffer(bytes(num), np.float32).copy())
            dumps.append(optimizer_pb2.OptimizerDump.FromString(out.raw[:size]))
        return embeddings, dumps
    finally:
        lib.parity_optimizer_free(handle)


def compress(config, values) -> bytes:
    lib = library()
    handle = _new(lib, "parity_compressor_new", config)
    try:
        out = ctypes.create_string_buffer(max(1, lib.parity_compressor_size_bytes(handle)))
        num = _floats(values)
        lib.parity_compressor_encode(handle, num, len(num), out)
        return out.raw[:lib.parity_compressor_size_bytes(handle)]
    finally:
        lib.parity_compressor_free(handle)


def decompress(config, data: bytes, dim: int) -> np.ndarray:
    lib = library()
    handle = _new(lib, "parity_compressor_new", config)
    try:
        out = (ctypes.c_float * dim)()
        buffer = ctypes.create_string_buffer(bytes(data), len(data))
        lib.parity_compressor_decode(handle, buffer, out, dim)
        return np.frombuffer(bytes(out), np.float32).copy()
    finally:
        lib.parity_compressor_free(handle)
