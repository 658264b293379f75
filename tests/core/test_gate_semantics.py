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
