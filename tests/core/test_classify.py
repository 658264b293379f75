"""The classifier: every combination of side endings maps to exactly one class; only equal values match."""

import pytest

from pytest_monolith_parity.cases import divergence
from pytest_monolith_parity.classify import classify
from pytest_monolith_parity.compare.base import Comparator, Comparison, Difference
from pytest_monolith_parity.expectations import apply_expectation
from pytest_monolith_parity.outcomes import Outcome, SideKind, SideResult


class Strict(Comparator):
    name = "strict"

    def compare(self, expected, actual):
        if type(expected) is type(actual) and expected == actual:
            return Comparison.same()
        return Comparison.differ(Difference("", f"{expected!r} != {actual!r}"))


class Broken(Comparator):
    name = "broken"

    def compare(self, expected, actual):
        raise TypeError("cannot compare these")


def value(side, v):
    return SideResult(side, SideKind.VALUE, value=v)


def raised(side, t, m="boom"):
    return SideResult(side, SideKind.RAISED, error_type=t, message=m)


def other(side, kind, m="x"):
    return SideResult(side, kind, message=m)


@pytest.mark.parametrize("python,rust,expected", [
    (value("python", 1), value("rust", 1), Outcome.MATCH),
    (value("python", 1), value("rust", 2), Outcome.MISMATCH),
    (value("python", 1), value("rust", True), Outcome.MISMATCH),
    (raised("python", "ValueError"), value("rust", 1), Outcome.PYTHON_RAISED),
    (value("python", 1), raised("rust", "ValueError"), Outcome.RUST_RAISED),
    (raised("python", "ValueError"), raised("rust", "ValueError"), Outcome.ERROR_AGREEMENT),
    (raised("python", "ValueError"), raised("rust", "InvalidPort"), Outcome.ERROR_AGREEMENT),
    (raised("python", "KeyError"), raised("rust", "InvalidPort"), Outcome.DIFFERENT_ERRORS),
    (value("python", 1), other("rust", SideKind.PANICKED), Outcome.RUST_PANICKED),
    (raised("python", "ValueError"), other("rust", SideKind.PANICKED), Outcome.RUST_PANICKED),
    (value("python", 1), other("rust", SideKind.CRASHED), Outcome.CRASHED),
    (value("python", 1), other("rust", SideKind.TIMEOUT), Outcome.TIMEOUT),
    (other("python", SideKind.TIMEOUT), value("rust", 1), Outcome.TIMEOUT),
    (other("python", SideKind.CRASHED), value("rust", 1), Outcome.CRASHED),
    (value("python", 1), other("rust", SideKind.UNAVAILABLE), Outcome.RUST_RAISED),
])
def test_classification_table(python, rust, expected):
    verdict = classify(python, rust, Strict(), errors={"ValueError": "InvalidPort"})
    assert verdict.raw is expected and verdict.outcome is expected


def test_error_messages_can_be_part_of_the_contract():
    verdict = classify(raised("python", "ValueError", "a"), raised("rust", "ValueError", "b"), Strict(),
                       error_messages=True)
    assert verdict.raw is Outcome.DIFFERENT_ERRORS and "'a' != 'b'" in verdict.message


def test_a_comparator_that_fails_is_a_harness_error_never_a_match():
    verdict = classify(value("python", 1), value("rust", 1), Broken())
    assert verdict.raw is Outcome.HARNESS_ERROR and "cannot compare these" in verdict.message


@pytest.mark.parametrize("raw_python,raw_rust,expect,final", [
    (value("python", 1), value("rust", 2), divergence("r"), Outcome.EXPECTED_DIVERGENCE),
    (value("python", 1), value("rust", 1), divergence("r"), Outcome.UNEXPECTED_PASS),
    (value("python", 1), other("rust", SideKind.PANICKED), divergence("r"), Outcome.DIVERGENCE_CHANGED),
    (value("python", 1), value("rust", 2), divergence("r", message="root: 1 != 2"), Outcome.EXPECTED_DIVERGENCE),
    (value("python", 1), value("rust", 3), divergence("r", message="root: 1 != 2"), Outcome.DIVERGENCE_CHANGED),
    (raised("python", "E"), raised("rust", "E"), divergence("r", outcome="python raised"), Outcome.UNEXPECTED_PASS),
])
def test_expectations_are_strict(raw_python, raw_rust, expect, final):
    verdict = apply_expectation(classify(raw_python, raw_rust, Strict()), expect)
    assert verdict.outcome is final


@pytest.mark.parametrize("kwargs,needle", [
    ({"reason": ""}, "needs a reason"),
    ({"reason": "r", "outcome": "match"}, "not a divergence class"),
    ({"reason": "r", "outcome": "bogus"}, "unknown divergence outcome"),
])
def test_bad_divergences_are_rejected(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        divergence(**kwargs)


def test_both_raised_different_errors_is_its_own_class_and_never_satisfies_a_mismatch_record():
    python, rust = raised("python", "TypeError", "add() missing 1 required argument"), raised("rust", "ValueError")
    verdict = classify(python, rust, Strict())
    assert verdict.raw is Outcome.DIFFERENT_ERRORS and verdict.raw.is_divergence and not verdict.raw.passed
    assert verdict.message.startswith("both raised, but python raised TypeError: add() missing")
    for record in (divergence("r"), divergence("r", message="both raised")):  # outcome defaults to mismatch
        again = apply_expectation(classify(python, rust, Strict()), record)
        assert again.outcome is Outcome.DIVERGENCE_CHANGED
    recorded = divergence("r", outcome="different errors", message="both raised, but python raised TypeError:")
    assert apply_expectation(classify(python, rust, Strict()), recorded).outcome is Outcome.EXPECTED_DIVERGENCE


def test_a_record_matches_outcome_and_message_prefix():
    wrong_prefix = divergence("r", outcome="different errors", message="both raised, but python raised KeyError")
    verdict = apply_expectation(classify(raised("python", "TypeError"), raised("rust", "ValueError"), Strict()),
                                wrong_prefix)
    assert verdict.outcome is Outcome.DIVERGENCE_CHANGED


def test_a_top_level_value_difference_is_led_by_root_so_its_prefix_is_stable():
    first = classify(value("python", 16), value("rust", 16384), Strict())
    second = classify(value("python", 17), value("rust", 17408), Strict())
    assert first.message == "root: 16 != 16384" and second.message.startswith("root: ")
