"""Parity of monolith/native_training/optimizers/adamom.py (Rust: ``monolith_optimizer::Adamom``).

``AdamomOptimizer.apply_gradients`` runs monolith's ``ResourceApplyAdamom`` kernel (library
``training_ops``) on one float32 variable, N steps; after each step the variable and the
slots ``m``, ``v``, ``c`` are read.  Both sides give an array of shape (steps, 4, dim):
``[step][var, m, v, c][i]``, compared with float32's default tolerance (the report lists the
worst ULP distance).
"""

from __future__ import annotations

import numpy as np

from pytest_monolith_parity import Case, compare, example, pyo3, python_call

COVERS = "monolith/native_training/optimizers/adamom.py"
SLOTS = ("m", "v", "c")


def reference_adamom_steps(var, grads, learning_rate, ada_decay, mom_decay, epsilon, weight_decay):
    import tensorflow as tf

    from monolith.native_training.optimizers.adamom import AdamomOptimizer

    variable = tf.Variable(np.asarray(var, np.float32))
    optimizer = AdamomOptimizer(learning_rate=learning_rate, ada_decay=ada_decay, mom_decay=mom_decay,
                                epsilon=epsilon, weight_decay=weight_decay)
    steps = []
    for grad in grads:
        optimizer.apply_gradients([(tf.constant(np.asarray(grad, np.float32)), variable)])
        steps.append([variable.numpy(), *[optimizer.get_slot(variable, s).numpy() for s in SLOTS]])
    return np.asarray(steps, np.float32)


def _rust_args(var, grads, learning_rate, ada_decay, mom_decay, epsilon, weight_decay):
    return ([float(x) for x in var], [[float(x) for x in g] for g in grads], learning_rate, ada_decay, mom_decay,
            epsilon, weight_decay)


def _rust_steps(steps):
    return np.asarray([[s["var"], *[s[k] for k in SLOTS]] for s in steps], np.float32)


def _inputs(dim, n, seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=dim).astype(np.float32), rng.normal(size=(n, dim)).astype(np.float32))


_VAR, _GRADS = _inputs(6, 5, 12)

Case(id="adamom_steps", covers=COVERS,
     python=python_call(reference_adamom_steps, isolated=True),
     rust=pyo3("adamom_steps", adapt=_rust_args, post=_rust_steps),
     examples=[example(_VAR, _GRADS, 0.1, 0.9999, 0.99, 1e-6, 0.0, id="defaults_lr_0.1"),
               example(_VAR, _GRADS, 0.01, 0.9, 0.9, 1e-3, 0.01, id="weight_decay"),
               example(np.zeros(3, np.float32), np.zeros((3, 3), np.float32), 0.1, 0.9999, 0.99, 1e-6, 0.0,
                       id="zero_gradients")],
     compare=compare.tensor())
