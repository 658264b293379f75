"""Parity of monolith/native_training/layers/dense.py ``Dense`` (Rust: ``monolith_layers::dense::Dense``).

The weights are injected into both sides: Python builds monolith's ``Dense`` with
``tf.constant_initializer`` of the case's kernel and bias, Rust builds its layer from the same
weights (``Dense::from_weights``) with the Python layer's flags
(``rust_bindings/src/native_training/layers/dense.rs``).  The forward pass is compared with the
float32 default tolerance.  On TensorFlow 2.15 ``Dense.call`` needs
``tensorflow.python.keras.layers.ops.core.dense``, which that TensorFlow no longer has: the
reference environment reports it (docs/reference-environment.md), so those items are
*reference unavailable* until a shim exists, and then run unchanged.

``dense_default_flags`` compares the configuration a layer gets when no flag is given.
"""

from __future__ import annotations

import numpy as np

from pytest_monolith_parity import Args, Case, compare, divergence, example, pyo3, python_call

from ._support import keras_side, wire

COVERS = "monolith/native_training/layers/dense.py"
F32 = np.float32
RNG = np.random.default_rng(1414)
KERNEL = RNG.standard_normal((16, 8)).astype(F32) * F32(0.3)
BIAS = RNG.standard_normal(8).astype(F32) * F32(0.1)
BATCH_1 = RNG.standard_normal((1, 16)).astype(F32)
BATCH_256 = RNG.standard_normal((256, 16)).astype(F32)
SEQUENCE = RNG.standard_normal((4, 3, 16)).astype(F32)


def _rust_args(x, kernel, bias=None, allow_kernel_norm=False, kernel_norm_trainable=False) -> Args:
    return Args((*wire.to_wire(x), *wire.to_wire(kernel)),
                {"bias": None if bias is None else wire.to_wire(bias), "allow_kernel_norm": allow_kernel_norm,
                 "kernel_norm_trainable": kernel_norm_trainable})


Case(
    id="dense_forward",
    covers=COVERS,
    python=python_call(keras_side.dense_forward),
    rust=pyo3("dense_forward", adapt=_rust_args, post=wire.from_wire),
    examples=[
        example(BATCH_1, KERNEL, BIAS, id="batch_1"),
        example(BATCH_256, KERNEL, BIAS, id="batch_256"),
        example(SEQUENCE, KERNEL, BIAS, id="rank_3_input"),
        example(BATCH_256, KERNEL, id="no_bias"),
        example(BATCH_256, KERNEL, BIAS, True, False, id="kernel_norm"),
        example(BATCH_256, KERNEL, BIAS, True, True, id="trainable_kernel_norm"),
        example(BATCH_256, np.zeros((16, 8), F32), BIAS, True, True, id="zero_kernel_norm"),
    ],
    compare=compare.tensor(),
)

Case(
    id="dense_default_flags",
    covers=COVERS,
    python=python_call(keras_side.dense_default_flags),
    rust=pyo3("dense_default_flags"),
    examples=[example(16, 8, id="new")],
    expect=divergence(
        "Rust Dense::new / from_weights turn kernel norm on (dense.rs: `allow_kernel_norm: true, "
        "kernel_norm_trainable: true`, 'Match Python monolith/core/dense.py defaults'); layers/dense.py "
        "Dense defaults to allow_kernel_norm=False, kernel_norm_trainable=False",
        outcome="mismatch", message="root['allow_kernel_norm']"),
)
