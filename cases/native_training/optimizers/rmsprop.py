"""Parity of monolith/native_training/optimizers/rmsprop.py (Rust: ``monolith_optimizer::MonolithRmsprop``).

``RmspropOptimizer.apply_gradients`` runs monolith's ``ResourceApplyRmsprop`` kernel (library
``training_ops``) on one float32 variable, N steps; after each step the variable and the
slots ``m``, ``v`` are read.  Both sides give an array of shape (steps, 3, dim):
``[step][var, m, v][i]``, compared with float32's default tolerance (the report lists the
worst ULP distance).  ``use_v2`` selects the kernel's second formula.
"""

from __future__ import annotations

import numpy as np

from pytest_monolith_parity import Case, compare, example, pyo3, python_call

COVERS = "monolith/native_training/optimizers/rmsprop.py"
SLOTS = ("m", "v")


def reference_rmsprop_steps(var, grads, learning_rate, beta1, beta2, epsilon, weight_decay, use_v2):
    import tensorflow as tf

    from monolith.native_training.optimizers.rmsprop import RmspropOptimizer

    variable = tf.Variable(np.asarray(var, np.float32))
    optimizer = RmspropOptimizer(learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon,
                                 weight_decay=weight_decay, use_v2=use_v2)
    steps = []
    for grad in grads:
        optimizer.apply_gradients([(tf.constant(np.asarray(grad, np.float32)), variable)])
        steps.append([variable.numpy(), *[optimizer.get_slot(variable, s).numpy() for s in SLOTS]])
    return np.asarray(steps, np.float32)


def _rust_args(var, grads, learning_rate, beta1, beta2, epsilon, weight_decay, use_v2):
    return ([float(x) for x in var], [[float(x) for x in g] for g in grads], learning_rate, beta1, beta2, epsilon,
            weight_decay, use_v2)


def _rust_steps(steps):
    return np.asarray([[s["var"], *[s[k] for k in SLOTS]] for s in steps], np.float32)


_RNG = np.random.default_rng(7)
_VAR = _RNG.normal(size=6).astype(np.float32)
_GRADS = _RNG.normal(size=(5, 6)).astype(np.float32)

Case(id="rmsprop_steps", covers=COVERS,
     python=python_call(reference_rmsprop_steps, isolated=True),
     rust=pyo3("monolith_rmsprop_steps", adapt=_rust_args, post=_rust_steps),
     examples=[example(_VAR, _GRADS, 0.1, 0.99, 0.999, 1e-8, 0.0, False, id="v1"),
               example(_VAR, _GRADS, 0.1, 0.99, 0.999, 1e-8, 0.0, True, id="v2"),
               example(_VAR, _GRADS, 0.01, 0.9, 0.99, 1e-6, 0.05, False, id="v1_weight_decay")],
     compare=compare.tensor())
