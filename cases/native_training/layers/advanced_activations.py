"""Parity of monolith/native_training/layers/advanced_activations.py (Rust: ``monolith_layers::activation``).

Python: ``advanced_activations.get(name)`` -- monolith's layer for the name, the Keras class with
the case's parameters where it has any -- called on a float32 tensor (``_support/keras_side.py``);
Rust: the same-named activation layer's ``forward``
(``rust_bindings/src/native_training/layers/advanced_activations.rs``).  Compared with the float32
default tolerance (docs/comparators.md); every record carries the observed max abs / rel / ULP
error, so the tolerance can be tightened per activation later.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pytest_monolith_parity import Args, Case, compare, divergence, example, pyo3, python_call

from ._support import keras_side, wire

COVERS = "monolith/native_training/layers/advanced_activations.py"
F32 = np.float32

# (name, Keras parameters): every name of advanced_activations.get except prelu (trainable weights)
ACTIVATIONS = [
    ("relu", {}),
    ("relu", {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}),
    ("leakyrelu", {"alpha": 0.3}),
    ("elu", {"alpha": 1.0}),
    ("thresholdedrelu", {"theta": 1.0}),
    ("softmax", {}),
    ("sigmoid", {}),
    ("sigmoid2", {}),
    ("tanh", {}),
    ("gelu", {}),
    ("selu", {}),
    ("softplus", {}),
    ("softsign", {}),
    ("swish", {}),
    ("exponential", {}),
    ("hard_sigmoid", {}),
    ("linear", {}),
]

GRID = np.linspace(-8, 8, 65, dtype=F32).reshape(5, 13)
BATCH_256 = np.random.default_rng(14).standard_normal((256, 16)).astype(F32) * F32(3)
EXTREMES = np.array([[-1e30, -100.0, -20.0, -1e-30, -0.0, 0.0, 1e-30, 20.0, 100.0, 1e30]], F32)
VALUES = hnp.arrays(F32, hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
                    elements=st.floats(-30, 30, width=32, allow_subnormal=False))


# Divergences on EXTREMES ([-1e30, -100, -20, -1e-30, -0, 0, 1e-30, 20, 100, 1e30]), by case id
EXTREME_DIVERGENCES = {
    "relu_max_value_6_0_negative_slope_0_1_threshold_0_5": divergence(
        "with max_value set the Rust ReLU also clips from below: activation.rs ReLU::forward "
        "`out.clamp(-1.0e20, max_value)`; Keras clips only at max_value: 0.1 * (-1e30 - 0.5) = -1e29",
        outcome="mismatch", message="[0, 0]: expected -1e+29 != actual -1e+20"),
    "softsign": divergence(
        "Rust softsign is x / (|x| + 1) with |x| computed as sqrt(x * x) (tensor.rs Tensor::abs "
        "`self.sqr().sqrt()`), which overflows to inf for |x| > 1.8e19: -1e30 / inf = -0.0; TF gives -1.0",
        outcome="mismatch", message="[0, 0]: expected -1.0 != actual -0.0"),
}


def _rust_args(name, x, **params) -> Args:
    return Args((name, *wire.to_wire(x)), params)


for name, params in ACTIVATIONS:
    suffix = "_".join(f"{k}_{v}".replace(".", "_").replace("-", "m") for k, v in params.items())
    case_id = f"{name}_{suffix}" if suffix else name
    Case(
        id=case_id,
        covers=COVERS,
        python=python_call(keras_side.activation_forward),
        rust=pyo3("activation_forward", adapt=_rust_args, post=wire.from_wire),
        examples=[
            example(name, GRID, id="grid", **params),
            example(name, BATCH_256, id="batch_256", **params),
            example(name, EXTREMES, id="extremes", expect=EXTREME_DIVERGENCES.get(case_id), **params),
        ],
        strategy=st.builds(lambda x, n=name, p=params: Args((n, x), dict(p)), VALUES),
        max_examples=30,
        compare=compare.tensor(),
    )
