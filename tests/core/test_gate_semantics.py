"""Gate semantics: what fails a pull request, with and without a baseline."""

from pytest_monolith_parity.gate import evaluate


def rec(nodeid, outcome):
    return {"nodeid": nodeid, "outcome": outcome}


BASE = [rec("a", "match"), rec("b", "mismatch"), rec("c", "expected divergence"), rec("d", "match"),
        rec("gone", "match")]


def test_without_baseline_every_failure_fails():
    result = evaluate([rec("a", "match"), rec("b", "mismatch")])
    assert not result.passed and result.still_failing == ["b"] and result.exit_code() == 1
    assert result.line() == "GATE: FAIL (1 failing, 0 unexpected pass, 0 harness error)"
    assert evaluate([rec("a", "match"), rec("c", "expected divergence")]).passed


def test_unavailable_references_fail_and_are_named_apart():
    """An item whose reference cannot run here is never a pass; the line says how many of the failing are that."""
    result = evaluate([rec("a", "match"), rec("b", "mismatch"), rec("u", "reference unavailable"),
                       rec("v", "reference unavailable")])
    assert not result.passed and result.still_failing == ["b", "u", "v"] and result.reference_unavailable == ["u", "v"]
    assert result.line() == ("GATE: FAIL (3 failing (2 of them reference unavailable), 0 unexpected pass, "
                             "0 harness error)")
    against = evaluate([rec("a", "reference unavailable"), rec("u", "reference unavailable")],
                       [rec("a", "match"), rec("u", "reference unavailable")])
    assert against.regressions == ["a"] and against.reference_unavailable == ["u"]  # newly unavailable regresses
    assert against.line() == ("GATE: FAIL vs baseline: 1 regression, 0 fixed, 0 new (0 failing), 1 still failing "
                              "(1 of them reference unavailable), 0 removed, 0 unexpected pass, 0 harness error")


def test_baseline_fails_only_on_what_got_worse():
    current = [rec("a", "mismatch"), rec("b", "match"), rec("c", "expected divergence"), rec("d", "match"),
               rec("new_ok", "match"), rec("new_bad", "rust panicked")]
    result = evaluate(current, BASE)
    assert result.regressions == ["a"] and result.fixes == ["b"]
    assert result.new_passing == ["new_ok"] and result.new_failing == ["new_bad"]
    assert result.removed == ["gone"] and not result.passed
    assert result.line() == ("GATE: FAIL vs baseline: 1 regression, 1 fixed, 2 new (1 failing), 0 still failing, "
                             "1 removed, 0 unexpected pass, 0 harness error")


def test_baseline_tolerates_old_failures():
    current = [rec("a", "match"), rec("b", "mismatch"), rec("c", "expected divergence"), rec("d", "match")]
    result = evaluate(current, BASE)
    assert result.passed and result.still_failing == ["b"] and result.exit_code() == 0


def test_unexpected_pass_and_harness_error_always_fail():
    assert not evaluate([rec("c", "unexpected pass")], BASE).passed
    harness = evaluate([rec("a", "harness error")], BASE)
    assert not harness.passed and harness.exit_code() == 6


# -- malformed baselines are refused before anything runs ----------------------------------------

import json

import pytest

from pytest_monolith_parity.gate import BaselineError, load_baseline


@pytest.mark.parametrize("document,needle", [
    ({"cases": [{"x": 1}]}, "its format is None"),
    ({"format": 1, "cases": {"a": 1}}, "it has no list 'cases'"),
    ({"format": 1, "cases": [{"outcome": "match"}]}, "cases[0] has no 'nodeid' string"),
    ({"format": 1, "cases": [{"nodeid": "a", "outcome": "great"}]}, "cases[0] (a) has outcome 'great'"),
    ({"format": 1, "complete": False, "cases": []}, "a run that did not finish"),
    ([1, 2], "a JSON list, not an object"),
])
def test_baseline_of_the_wrong_shape_is_one_clear_error(tmp_path, document, needle):
    path = tmp_path / "base.json"
    path.write_text(json.dumps(document))
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    assert needle in str(caught.value) and "not a parity JSON report of format 1 or 2" in str(caught.value)


def test_a_valid_baseline_loads(tmp_path):
    path = tmp_path / "base.json"
    path.write_text(json.dumps({"format": 1, "complete": True, "cases": [{"nodeid": "a", "outcome": "match"}]}))
    assert load_baseline(path) == [{"nodeid": "a", "outcome": "match"}]


def test_loose_records_warn_and_fail_only_under_strict():
    loose = {"nodeid": "x", "outcome": "expected divergence",
             "expected_divergence": {"reason": "r", "outcome": "mismatch", "message": ""}}
    tight = {"nodeid": "y", "outcome": "expected divergence",
             "expected_divergence": {"reason": "r", "outcome": "mismatch", "message": "[0]:"}}
    warned = evaluate([loose, tight])
    assert warned.passed and warned.loose_records == ["x"]
    assert warned.line() == ("GATE: PASS (0 failing, 0 unexpected pass, 0 harness error); 1 recorded divergence(s) "
                             "without a message prefix (a warning; --parity-strict-records fails)")
    strict = evaluate([loose, tight], strict_records=True)
    assert not strict.passed and strict.exit_code() == 1 and strict.line().startswith("GATE: FAIL")
    assert evaluate([tight], strict_records=True).passed


# -- rust unavailable: the checkout lacks the Rust function a case calls ---------------------------------------

UNAVAILABLE = "rust unavailable"


def test_rust_unavailable_alone_never_fails_a_run():
    result = evaluate([rec("a", "match"), rec("x", UNAVAILABLE)])
    assert result.passed and result.exit_code() == 0 and result.rust_unavailable == ["x"]
    assert result.still_failing == [] and result.new_failing == []
    assert result.line() == "GATE: PASS (0 failing, 0 unexpected pass, 0 harness error, 1 rust unavailable)"


def test_unavailable_on_the_base_and_running_now_is_new():
    base = [rec("a", "match"), rec("x", UNAVAILABLE), rec("y", UNAVAILABLE)]
    result = evaluate([rec("a", "match"), rec("x", "match"), rec("y", "mismatch")], base)
    assert result.new_passing == ["x"] and result.new_failing == ["y"] and not result.passed
    assert result.fixes == [] and result.regressions == [] and result.rust_unavailable == []
    assert result.line().startswith("GATE: FAIL vs baseline: 0 regression, 0 fixed, 2 new (1 failing)")


def test_running_on_the_base_and_unavailable_now_is_a_regression():
    base = [rec("a", "match"), rec("x", "match"), rec("failing_before", "mismatch")]
    result = evaluate([rec("a", "match"), rec("x", UNAVAILABLE), rec("failing_before", UNAVAILABLE)], base)
    assert result.regressions == ["failing_before", "x"] and not result.passed and result.exit_code() == 1


def test_unavailable_on_both_sides_or_only_new_is_neither_pass_nor_failure():
    base = [rec("a", "match"), rec("x", UNAVAILABLE)]
    result = evaluate([rec("a", "match"), rec("x", UNAVAILABLE), rec("brand_new", UNAVAILABLE)], base)
    assert result.passed and result.rust_unavailable == ["brand_new", "x"]
    assert result.new_passing == result.new_failing == result.regressions == []
    assert result.line().endswith("0 harness error, 2 rust unavailable")
