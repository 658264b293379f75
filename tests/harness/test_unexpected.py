"""Without a recorded divergence every class fails; a stale record fails as unexpected pass."""

import textwrap

import pytest

CASES_WITHOUT_EXPECTATIONS = textwrap.dedent('''
    import numpy as np
    import sample_reference.messages  # noqa: F401
    from pytest_monolith_parity import Case, compare, example, pyo3, python_call, worker

    R = "sample_reference/__init__.py"
    Case(id="ulp", covers=R, python=python_call("sample_reference:tenth"), rust=pyo3("tenth"),
         examples=[example(np.array([9.0], np.float32))], compare=compare.tensor(max_ulp=0))
    Case(id="order", covers=R, python=python_call("sample_reference:to_json"), rust=pyo3("to_json"),
         examples=[example({"b": 1, "a": 2})], compare=compare.json(key_order=True))
    Case(id="presence", covers=R, python=python_call("sample_reference:record"), rust=pyo3("record"),
         examples=[example("abc", 0)], compare=compare.proto("sample.Record"))
    Case(id="panic", covers=R, python=python_call("sample_reference:parse_port"), rust=pyo3("parse_port"),
         examples=[example("")])
    Case(id="hang", covers=R, python=python_call("sample_reference:countdown"), rust=worker("countdown"),
         examples=[example(-1)], timeout=1)
    Case(id="one_side", covers=R, python=python_call("sample_reference:normalize_name"),
         rust=pyo3("normalize_name"), examples=[example("")])
    Case(id="rust_raises", covers=R, python=python_call("sample_reference:add"), rust=pyo3("add"),
         examples=[example(2**62, 2**62)])
''')


def test_each_divergence_fails_with_its_class(sample):
    sample.write_case_file("bare.py", CASES_WITHOUT_EXPECTATIONS)
    result = sample.run("-k", "bare", "--golden-dir", "no-goldens")
    assert result.ret == 1
    verdicts = {k.split("::")[1]: v[0] for k, v in sample.verdicts().items()}
    assert verdicts == {
        "ulp[ex0]": "mismatch",
        "order[ex0]": "mismatch",
        "presence[ex0]": "mismatch",
        "panic[ex0]": "rust panicked",
        "hang[ex0]": "timeout",
        "one_side[ex0]": "python raised",
        "rust_raises[ex0]": "rust raised",
    }
    result.stdout.fnmatch_lines(["*PARITY MISMATCH: ulp*", "*[[]0[]]: expected 0.90000004 != actual 0.9*1 ulp*"])
    result.stdout.fnmatch_lines(["*PARITY RUST PANICKED: panic*"])
    result.stdout.fnmatch_lines(["PARITY: 0 match, 0 error agreement, 3 mismatch, 0 different errors, 1 python raised, "
                                 "1 rust raised, 1 rust panicked, 0 process crashed, 1 timeout, 0 reference drifted, "
                                 "0 golden missing, 0 expected divergence, 0 unexpected pass, 0 divergence changed, "
                                 "0 reference unavailable, 0 rust unavailable, 0 harness error"])


STALE = textwrap.dedent('''
    from pytest_monolith_parity import Case, divergence, example, pyo3, python_call
    Case(id="stale", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"),
         rust=pyo3("add"), examples=[example(1, 2)], golden=False,
         expect=divergence("was broken once", outcome="mismatch"))
    Case(id="changed", covers="sample_reference/__init__.py", python=python_call("sample_reference:parse_port"),
         rust=pyo3("parse_port"), examples=[example("")], golden=False,
         expect=divergence("recorded as an error on one side", outcome="rust raised"))
''')


def test_stale_and_changed_divergences_fail(sample):
    sample.write_case_file("stale.py", STALE)
    result = sample.run("-k", "stale or changed")
    assert result.ret == 1
    assert sample.verdicts() == {
        "cases/stale.py::stale[ex0]": ("unexpected pass", "match"),
        "cases/stale.py::changed[ex0]": ("divergence changed", "rust panicked"),
    }
    result.stdout.fnmatch_lines(["*expected divergence no longer happens*was broken once*"])
    result.stdout.fnmatch_lines(["*the divergence changed: recorded rust raised, observed rust panicked*"])


def test_flipping_a_sample_divergence_makes_the_gate_fail(sample):
    """If the Rust side is fixed, the record of the divergence turns the run red until it is removed."""
    cases = sample.root / "cases" / "text.py"
    source = cases.read_text()
    flipped = source.replace('example({"a": 1, "b": "x"}, id="sorted_keys")',
                             'example({"a": 1, "b": "x"}, id="sorted_keys", expect=divergence("x", message="root"))')
    assert flipped != source
    cases.write_text(flipped)
    result = sample.run("-k", "to_json")
    assert result.ret == 1
    assert sample.verdicts()["cases/text.py::to_json[sorted_keys]"] == ("unexpected pass", "match")


@pytest.mark.parametrize("junit", ["report.xml"])
def test_junit_xml_carries_parity_properties(sample, junit):
    sample.run("-k", "tenth", f"--junitxml={junit}")
    xml = (sample.root / junit).read_text()
    assert 'name="parity_outcome" value="expected divergence"' in xml
    assert 'name="parity_max_ulp" value="1' in xml


BROKEN_STRATEGY = textwrap.dedent('''
    from hypothesis import strategies as st
    from pytest_monolith_parity import Case, pyo3, python_call

    # min_value is not a float32: Hypothesis raises InvalidArgument before any input is drawn
    Case(id="bad_strategy", covers="sample_reference/__init__.py", python=python_call("sample_reference:tenth"),
         rust=pyo3("tenth"), strategy=st.tuples(st.floats(min_value=1e-6, max_value=1.0, width=32)), golden=False)
    Case(id="fine", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"),
         rust=pyo3("add"), strategy=st.tuples(st.integers(0, 9), st.integers(0, 9)), golden=False)
''')


def test_an_invalid_strategy_is_a_harness_error_with_a_record(sample):
    """Every collected item has a verdict: a strategy Hypothesis refuses is the case's fault, said so, not a gap."""
    sample.write_case_file("strategies.py", BROKEN_STRATEGY)
    result = sample.run("-k", "bad_strategy or fine")
    assert result.ret == 6, result.stdout.str()  # harness error
    report = sample.report()
    assert report["completeness"]["collected"] == len(report["cases"]) == 2
    bad = next(c for c in report["cases"] if c["case_id"] == "bad_strategy")
    assert bad["outcome"] == "harness error"
    assert bad["message"].startswith("HarnessError: Hypothesis refused case 'bad_strategy' of ")
    assert "strategies.py" in bad["message"] and "InvalidArgument" in bad["message"]
    assert "Fix the case's strategy=" in bad["message"]
    result.stdout.fnmatch_lines(["GATE: FAIL (1 failing, 0 unexpected pass, 1 harness error)"])


CRASHING_HARNESS = textwrap.dedent('''
    from pytest_monolith_parity.session import ParitySession

    original = ParitySession.run_example

    def run_example(self, case, example):
        if example.id == "boom":
            raise RuntimeError("a bug in the harness")
        return original(self, case, example)

    ParitySession.run_example = run_example
''')


def test_an_item_the_harness_fails_on_still_gets_a_verdict(sample):
    sample.write_case_file("boom.py", textwrap.dedent('''
        from pytest_monolith_parity import Case, example, pyo3, python_call
        Case(id="boom_case", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"),
             rust=pyo3("add"), golden=False, examples=[example(1, 2, id="boom"), example(2, 3, id="ok")])
    '''))
    (sample.root / "conftest.py").write_text(CRASHING_HARNESS)
    result = sample.run("-k", "boom_case")
    assert result.ret == 6, result.stdout.str()
    verdicts = sample.verdicts()
    assert verdicts["cases/boom.py::boom_case[boom]"] == ("harness error", "harness error")
    assert verdicts["cases/boom.py::boom_case[ok]"] == ("match", "match")
    boom = next(c for c in sample.report()["cases"] if c["example_id"] == "boom")
    assert boom["message"] == ("the harness failed running case 'boom_case' of cases/boom.py: "
                               "RuntimeError: a bug in the harness"), boom["message"]
