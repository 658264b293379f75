"""The tensor comparator on a layer-like function: ``dense_relu``, a float32 matmul plus ReLU.

The sample's Rust port sums each output's products in f64 and rounds once; the
reference sums in float32 left to right, so they are a few ULP apart on some
inputs (tests/sample/README.md).  A ULP-exact contract must see the difference
at the right element with its ULP count, the float32 default tolerance must
accept it, and every record must carry the observed error (``metrics``) so
that tolerances can be tightened later.
"""

import textwrap
import xml.etree.ElementTree as ET

import numpy as np

F32 = np.float32
# x[0] @ w + b[0] = 0.16 - a bit: Python 0.15999997 (float32 sums), Rust 0.16000001 (one rounding), 3 ULP
X = np.array([[0.2, 1.1, 1.3, -0.3], [1.1, 1.3, 1.7, 1.1]], F32)
W = np.array([[0.1, 0.2], [0.7, 1.1], [0.1, 0.9], [0.2, 0.9]], F32)
B = np.array([-0.7, -0.7], F32)

CASES = textwrap.dedent('''
    import numpy as np
    from hypothesis import strategies as st
    from pytest_monolith_parity import Case, compare, divergence, example, pyo3, python_call

    R = "sample_reference/__init__.py"
    F = np.float32
    X = np.array([[0.2, 1.1, 1.3, -0.3], [1.1, 1.3, 1.7, 1.1]], F)
    W = np.array([[0.1, 0.2], [0.7, 1.1], [0.1, 0.9], [0.2, 0.9]], F)
    B = np.array([-0.7, -0.7], F)
    # every product and sum exact in float32; three of the four pre-activations negative
    EXACT = (np.array([[1.0, 2.0], [-3.0, 0.5]], F), np.array([[0.5, -1.0], [2.0, 0.25]], F),
             np.array([0.25, -4.0], F))
    VALUES = st.floats(-4, 4, width=32, allow_subnormal=False)

    @st.composite
    def layers(draw):
        n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 8)), draw(st.integers(1, 3))
        arrays = [np.array(draw(st.lists(VALUES, min_size=size, max_size=size)), F).reshape(shape)
                  for size, shape in ((n * k, (n, k)), (k * m, (k, m)), (m, (m,)))]
        return tuple(arrays)

    Case(id="dense_relu_ulp", covers=R, python=python_call("sample_reference:dense_relu"), rust=pyo3("dense_relu"),
         golden=False, compare=compare.tensor(max_ulp=0),
         examples=[example(*EXACT, id="exact"),
                   example(X, W, B, id="few_ulp",
                           expect=divergence("f32 sums (Python) vs one f64 rounding (Rust): 0.15999997 vs "
                                             "0.16000001 at [0, 0]", outcome="mismatch", message="[0, 0]"))])
    Case(id="dense_relu", covers=R, python=python_call("sample_reference:dense_relu"), rust=pyo3("dense_relu"),
         golden=False, compare=compare.tensor(),
         examples=[example(X, W, B, id="few_ulp"),
                   example(X, W[:3], B, id="shapes_do_not_line_up")],
         strategy=layers(), max_examples=60)
''')

EXPECTED = {
    "cases/tensor.py::dense_relu_ulp[exact]": ("match", "match"),
    "cases/tensor.py::dense_relu_ulp[few_ulp]": ("expected divergence", "mismatch"),
    "cases/tensor.py::dense_relu[few_ulp]": ("match", "match"),
    "cases/tensor.py::dense_relu[shapes_do_not_line_up]": ("error agreement", "error agreement"),
    "cases/tensor.py::dense_relu[hypothesis]": ("match", "match"),
}


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ULP distance of float32 arrays on the integer image of their bits (both inputs finite)."""
    def ordered(x):
        bits = x.view(np.int32).astype(np.int64)
        return np.where(bits < 0, -(bits & 0x7FFFFFFF), bits)
    return np.abs(ordered(a) - ordered(b))


def run_tensor_cases(sample):
    sample.write_case_file("tensor.py", CASES)
    result = sample.run("-k", "tensor", "--junitxml", "junit.xml")
    assert result.ret == 0, result.stdout.str()
    return result, {c["nodeid"]: c for c in sample.report()["cases"]}


def test_the_sample_pair_really_differs_by_a_few_ulp_at_one_element():
    """The premise of the cases below, checked on the built module (not on the README's word)."""
    import sample_reference
    import sample_rust

    expected, actual = sample_reference.dense_relu(X, W, B), sample_rust.dense_relu(X, W, B)
    assert expected.dtype == actual.dtype == F32 and expected.shape == actual.shape == (2, 2)
    assert ulp_distance(expected, actual).tolist() == [[3, 0], [0, 0]]
    assert (expected[0, 0], actual[0, 0]) == (F32(0.15999997), F32(0.16000001))


def test_ulp_exact_contract_names_the_element_and_the_ulp_count(sample):
    result, cases = run_tensor_cases(sample)
    assert {k: (c["outcome"], c["raw"]) for k, c in cases.items()} == EXPECTED
    few = cases["cases/tensor.py::dense_relu_ulp[few_ulp]"]
    assert few["message"].startswith("[0, 0]: expected 0.15999997 != actual 0.16000001")
    assert "3 ulp" in few["message"]
    abs_error = float(np.float64(F32(0.16000001)) - np.float64(F32(0.15999997)))
    assert few["metrics"]["max_ulp"] == 3
    assert few["metrics"]["mismatched"] == 1 and few["metrics"]["total"] == 4
    assert few["metrics"]["max_abs"] == abs_error
    assert few["metrics"]["max_rel"] == abs_error / float(np.float64(F32(0.15999997)))
    exact = cases["cases/tensor.py::dense_relu_ulp[exact]"]
    assert exact["metrics"]["max_abs"] == 0 and exact["metrics"]["mismatched"] == 0
    result.stdout.fnmatch_lines(["PARITY: 3 match, 1 error agreement, 0 mismatch, 0 different errors, * 1 expected divergence, *"])


def test_float32_default_tolerance_accepts_it_and_records_the_observed_error(sample):
    _, cases = run_tensor_cases(sample)
    accepted = cases["cases/tensor.py::dense_relu[few_ulp]"]
    assert accepted["outcome"] == "match"
    abs_error = float(np.float64(F32(0.16000001)) - np.float64(F32(0.15999997)))
    # a passing comparison still says how far apart the sides were: where tolerances can be tightened
    assert accepted["metrics"]["max_abs"] == abs_error
    assert accepted["metrics"]["max_ulp"] == 3
    assert accepted["metrics"]["mismatched"] == 0 and accepted["metrics"]["total"] == 4
    hypothesis = cases["cases/tensor.py::dense_relu[hypothesis]"]
    assert hypothesis["outcome"] == "match" and hypothesis["examples_run"] >= 20
    junit = ET.parse(sample.root / "junit.xml")
    properties = {(case.get("name"), p.get("name")): p.get("value") for case in junit.iter("testcase")
                  for p in case.iter("property")}
    assert float(properties[("dense_relu[few_ulp]", "parity_max_ulp")]) == 3
    html = (sample.root / "parity-report" / "parity-report.html").read_text()
    assert '<h4>Metrics</h4><table class="metrics">' in html and "<td>max_ulp</td>" in html


def test_without_the_recorded_divergence_the_ulp_difference_fails(sample):
    sample.write_case_file("tensor.py", CASES.replace('expect=divergence(', 'expect=None and divergence('))
    result = sample.run("-k", "dense_relu_ulp")
    assert result.ret == 1
    assert sample.verdicts()["cases/tensor.py::dense_relu_ulp[few_ulp]"] == ("mismatch", "mismatch")
    result.stdout.fnmatch_lines(["*[[]0, 0[]]: expected 0.15999997 != actual 0.16000001*3 ulp*"])
