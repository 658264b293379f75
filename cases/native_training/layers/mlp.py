"""Parity of monolith/native_training/layers/mlp.py ``MLP`` (Rust: ``monolith_layers::mlp::MLP``).

The weights are injected into both sides: Python builds monolith's ``MLP`` with one
``tf.constant_initializer`` per layer and assigns the biases after building; Rust builds its MLP
from the same config and puts the weights into its dense layers
(``rust_bindings/src/native_training/layers/mlp.rs``).  Batch sizes 1 and 256, the default
weight norm (on, learnable) and without it, compared with the float32 default tolerance.  On
TensorFlow 2.15 the dense layers need ``tensorflow.python.keras.layers.ops.core.dense`` (see
``dense.py``): *reference unavailable* until the reference environment has it.
"""

from __future__ import annotations

import numpy as np

from pytest_monolith_parity import Args, Case, compare, example, pyo3, python_call

from ._support import keras_side, wire

COVERS = "monolith/native_training/layers/mlp.py"
F32 = np.float32
RNG = np.random.default_rng(2014)
DIMS = [16, 32, 8, 1]
WEIGHTS = [(RNG.standard_normal((i, o)).astype(F32) * F32(1 / np.sqrt(i)), RNG.standard_normal(o).astype(F32) * F32(0.1))
           for i, o in zip(DIMS, DIMS[1:])]
BATCH_1 = RNG.standard_normal((1, 16)).astype(F32)
BATCH_256 = RNG.standard_normal((256, 16)).astype(F32)


def _rust_args(x, weights, activations, **flags) -> Args:
    return Args((*wire.to_wire(x), [(*wire.to_wire(k), wire.to_wire(b)[1]) for k, b in weights], list(activations)),
                flags)


Case(
    id="mlp_forward",
    covers=COVERS,
    python=python_call(keras_side.mlp_forward),
    rust=pyo3("mlp_forward", adapt=_rust_args, post=wire.from_wire),
    examples=[
        example(BATCH_1, WEIGHTS, ["relu", "relu", None], id="batch_1"),
        example(BATCH_256, WEIGHTS, ["relu", "relu", None], id="batch_256"),
        example(BATCH_256, WEIGHTS, ["tanh", "sigmoid", "sigmoid"], id="tanh_sigmoid"),
        example(BATCH_256, WEIGHTS, ["relu", "relu", None], use_weight_norm=False, id="no_weight_norm"),
        example(BATCH_256, WEIGHTS, ["relu", "relu", None], use_learnable_weight_norm=False,
                id="fixed_weight_norm"),
    ],
    compare=compare.tensor(),
)
