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
