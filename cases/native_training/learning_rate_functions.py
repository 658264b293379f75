"""Parity of monolith/native_training/learning_rate_functions.py
(Rust: ``monolith_training::native_training::learning_rate_functions``).

* ``PolynomialDecay(...)()`` -- the learning rate at a global step.  Python's schedule reads
  TensorFlow's global step (``get_or_create_global_step``); the Python side builds the schedule in
  a fresh graph, sets that step variable to the example's ``global_step`` and evaluates the tensor
  monolith returns (float32).  The Rust schedule takes the step as an argument
  (``LearningRateFunction::value(global_step)``).  Compared as float32, bit for bit.
* ``str(PolynomialDecay(...))`` -- the text monolith uses to tell two schedules apart
  (``LearningRateFunction.__str__``) vs the port's ``Display``.

Arguments are Python's, in Python's order, with its defaults; ``global_step`` is keyword-only.
The Python side runs isolated (TensorFlow graph per call).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from pytest_monolith_parity import Args, Case, compare, divergence, example, pyo3, python_call

# float32 bounds for the strategies (Hypothesis refuses a width=32 bound that float32 cannot hold exactly)
F32_1E_6, F32_1E_3 = float(np.float32(1e-6)), float(np.float32(1e-3))

COVERS = "monolith/native_training/learning_rate_functions.py"


def value_python(initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False, name=None,
                 *, global_step):
    import tensorflow as tf

    from monolith.native_training.learning_rate_functions import PolynomialDecay

    with tf.Graph().as_default():
        schedule = PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate=end_learning_rate,
                                   power=power, cycle=cycle, name=name)
        rate = schedule()
        step = tf.compat.v1.train.get_global_step()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.assign(step, global_step))
            return np.float32(session.run(rate))


def _float32(value):
    return np.float32(value)


def str_python(*args, **kwargs):
    from monolith.native_training.learning_rate_functions import PolynomialDecay

    return str(PolynomialDecay(*args, **kwargs))


_ZERO_DECAY_STEPS = divergence(
    "decay_steps=0: TensorFlow divides by zero (global_step/decay_steps = nan) and returns nan; the port clamps "
    "decay_steps to 1 (learning_rate_functions.rs: self.decay_steps.max(1)) and returns a number",
    outcome="mismatch", message="expected nan != actual 1e-04 (NaN vs number)")

Case(
    id="polynomial_decay_value",
    covers=COVERS,
    python=python_call(value_python, isolated=True),
    rust=pyo3("polynomial_decay_value", post=_float32),
    examples=[
        example(0.1, 1000, global_step=0, id="step_zero"),
        example(0.1, 1000, global_step=500, id="halfway"),
        example(0.1, 1000, global_step=1000, id="at_decay_steps"),
        example(0.1, 1000, global_step=5000, id="past_decay_steps"),
        example(0.1, 1000, 0.001, 2.0, global_step=250, id="power_two"),
        example(0.1, 1000, 0.001, 0.5, global_step=999, id="square_root", expect=divergence(
            "power 0.5 at step 999: TensorFlow's float32 pow gives 0.0041305413, the port's f32::powf 0.004130635 "
            "(201 ulp; learning_rate_functions.rs value: frac.powf(self.power))", outcome="mismatch",
            message="expected 0.0041305413 != actual 0.004130635")),
        example(0.1, 100, cycle=True, global_step=0, id="cycle_step_zero"),
        example(0.1, 100, cycle=True, global_step=150, id="cycle_second_period"),
        example(0.1, 100, cycle=True, global_step=200, id="cycle_period_end"),
        example(0.01, 3, 0.0, 1.0, True, "lr", global_step=7, id="cycle_named"),
        example(0.1, 0, global_step=10, id="zero_decay_steps", expect=_ZERO_DECAY_STEPS),
    ],
    strategy=st.builds(
        lambda lr, steps, end, power, cycle, step: Args((lr, steps, end, power, cycle), {"global_step": step}),
        st.floats(F32_1E_6, 1.0, width=32), st.integers(1, 100_000), st.floats(0.0, F32_1E_3, width=32),
        # integral powers: a non-integral one differs by ULPs (the square_root example records it)
        st.sampled_from([1.0, 2.0, 3.0]), st.booleans(), st.integers(0, 1_000_000)),
    compare=compare.tensor(max_ulp=0),
)

Case(
    id="polynomial_decay_str",
    covers=COVERS,
    python=python_call(str_python),
    rust=pyo3("polynomial_decay_str"),
    examples=[
        example(0.1, 1000, id="defaults"),
        example(0.01, 10, 0.0, 2.0, True, "warmup", id="every_argument"),
        example(1.0, 10, 1.0, 1.0, id="integral_floats"),
        example(0.5, 10, 0.25, 0.75, id="exact_binary_fractions"),
        example(1e-06, 10, id="tiny_rate", expect=divergence(
            "str(float) writes 1e-06; the port's py_float formats f32 with {} (0.000001)", outcome="mismatch",
            message="index 120: expected …'itial_learning_rate=1e-06")),
        example(1, 10, 0, 1, id="python_ints", expect=divergence(
            "Python's __str__ prints the arguments as given (int 0 -> '0'); the port stores f32 and prints '0.0'",
            outcome="mismatch", message="index 92: expected …',end_learning_rate=0,")),
    ],
    strategy=st.builds(
        lambda lr, steps, power, cycle: Args((lr, steps, 0.0001, power, cycle)),
        st.sampled_from([0.1, 0.01, 0.5, 1.0, 2.0, 0.001]), st.integers(1, 10**9),
        st.sampled_from([0.5, 1.0, 2.0]), st.booleans()),
)
