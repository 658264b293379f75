"""Numeric functions of the sample reference: exact ints, float32 arrays, f64 sums."""

import numpy as np
from hypothesis import strategies as st

from pytest_monolith_parity import Case, compare, divergence, example, pyo3, python_call, worker

REFERENCE = "sample_reference/__init__.py"
NON_NEGATIVE_I64 = st.integers(0, 2**63 - 1)  # half of all pairs overflow: Hypothesis finds one at once

Case(
    id="add",
    covers=REFERENCE,
    python=python_call("sample_reference:add"),
    rust=pyo3("add"),
    examples=[example(1, 2, id="small"), example(-5, 5, id="zero_sum")],
    strategy=st.tuples(st.integers(-(2**62), 2**62 - 1), st.integers(-(2**62), 2**62 - 1)),  # sums fit in i64
    max_examples=50,
)

Case(
    id="add_i64",
    covers=REFERENCE,
    python=python_call("sample_reference:add_i64"),
    rust=worker("add_i64"),
    strategy=st.tuples(NON_NEGATIVE_I64, NON_NEGATIVE_I64),
    # the shrunk values may change; the prefix stays: a top-level value difference reads "root: <py> != <rust>"
    expect=divergence("Rust wraps on i64 overflow where Python ints grow (tests/sample/README.md)",
                      outcome="mismatch", message="root:"),
)

Case(
    id="scale",
    covers=REFERENCE,
    python=python_call("sample_reference:scale"),
    rust=pyo3("scale"),
    perf=True,  # the report's performance section: both sides timed on each example
    examples=[example(np.array([1.0, -0.0, 3.5], np.float32), 2.0, id="exact_factor"),
              example(np.array([3.0, 6.0, 7.0], np.float32), 1.1, id="inexact_factor")],
    compare=compare.tensor(max_ulp=0),
)

Case(
    id="tenth",
    covers=REFERENCE,
    python=python_call("sample_reference:tenth"),
    rust=pyo3("tenth"),
    examples=[
        example(np.array([3.0, 1.0, 100.0], np.float32), id="agree"),
        example(np.array([3.0, 9.0], np.float32), id="one_ulp",
                expect=divergence("x * 0.1f32 (Python) vs x / 10f32 (Rust) differ by 1 ULP on 9.0",
                                  outcome="mismatch", message="[1]")),
    ],
    compare=compare.tensor(max_ulp=0),
)

Case(
    id="mean",
    covers=REFERENCE,
    python=python_call("sample_reference:mean"),
    rust=pyo3("mean"),
    examples=[example([0.1, 0.2, 0.3], id="thirds"), example([1e308, 1e308], id="overflow_to_inf"),
              example([], id="empty")],
)
