"""Turn two side results and a comparator into a raw verdict.

This is the heart of the product and deliberately small: every way the two
sides can end is mapped to exactly one class, and the only path to
``MATCH`` is a comparator saying the values are equal.
"""

from __future__ import annotations

from collections.abc import Mapping

from .compare.base import Comparator, Difference
from .outcomes import Outcome, SideKind, SideResult, Verdict


def _failure_of(result: SideResult) -> Outcome | None:
    """Classes decided by one side alone, whatever the other did."""
    if result.kind is SideKind.TIMEOUT:
        return Outcome.TIMEOUT
    if result.kind is SideKind.CRASHED:
        return Outcome.CRASHED
    if result.kind is SideKind.PANICKED:
        return Outcome.RUST_PANICKED if result.side == "rust" else Outcome.CRASHED
    return None


def errors_equivalent(reference: SideResult, rust: SideResult, mapping: Mapping[str, str]) -> bool:
    """Same type name, or the case maps the reference's type to the Rust one."""
    return reference.error_type == rust.error_type or mapping.get(reference.error_type) == rust.error_type


def classify(reference: SideResult, rust: SideResult, comparator: Comparator,
             errors: Mapping[str, str] | None = None, error_messages: bool = False) -> Verdict:
    """The raw verdict for one input (expected divergences are applied later)."""
    errors = errors or {}
    for side in (rust, reference):
        failure = _failure_of(side)
        if failure is not None:
            return Verdict(failure, failure, message=side.headline(), diff=side.detail)
    if rust.kind is SideKind.UNAVAILABLE:
        return Verdict(Outcome.RUST_RAISED, Outcome.RUST_RAISED, message=rust.headline())
    if reference.kind is SideKind.RAISED and rust.kind is SideKind.RAISED:
        return _both_raised(reference, rust, errors, error_messages)
    if reference.kind is SideKind.RAISED:
        return Verdict(Outcome.PYTHON_RAISED, Outcome.PYTHON_RAISED,
                       message=f"{reference.error_type}: {reference.message}", diff=reference.detail)
    if rust.kind is SideKind.RAISED:
        return Verdict(Outcome.RUST_RAISED, Outcome.RUST_RAISED,
                       message=f"{rust.error_type}: {rust.message}", diff=rust.detail)
    return compare_values(reference.value, rust.value, comparator)


def compare_values(expected: object, actual: object, comparator: Comparator) -> Verdict:
    try:
        comparison = comparator.compare(expected, actual)
    except Exception as error:  # noqa: BLE001 - a comparator that cannot decide is never a match
        message = f"comparator {comparator.describe()} failed: {type(error).__name__}: {error}"
        return Verdict(Outcome.HARNESS_ERROR, Outcome.HARNESS_ERROR, message=message)
    if comparison.equal:
        return Verdict(Outcome.MATCH, Outcome.MATCH, metrics=dict(comparison.metrics))
    first = _headline(comparison.differences[0]) if comparison.differences else comparison.summary or "values differ"
    return Verdict(Outcome.MISMATCH, Outcome.MISMATCH, message=first, diff=comparison.render(),
                   metrics=dict(comparison.metrics))


def _headline(difference: Difference) -> str:
    """The verdict's message: the first difference, always led by words a record can name.

    A difference at the top of the value (no path) whose text starts with the
    values themselves (``16 != 17``) is said as ``root: 16 != 17``, so that a
    recorded divergence has a stable prefix even when the values change from
    run to run (measured memory, a shrunk Hypothesis input).
    """
    text = difference.render()
    if not difference.path and text and not text[0].isalpha():
        return f"root: {text}"
    return text


def _both_raised(reference: SideResult, rust: SideResult, errors: Mapping[str, str], error_messages: bool) -> Verdict:
    """Both raised: an agreement, or *different errors* -- never a mismatch of values, which it is not."""
    if not errors_equivalent(reference, rust, errors):
        message = (f"both raised, but {reference.side} raised {reference.error_type}: {reference.message} "
                   f"and rust raised {rust.error_type}: {rust.message} (map equivalent types with errors={{...}})")
        return Verdict(Outcome.DIFFERENT_ERRORS, Outcome.DIFFERENT_ERRORS, message=message)
    if error_messages and reference.message != rust.message:
        message = f"error messages differ: {reference.message!r} != {rust.message!r}"
        return Verdict(Outcome.DIFFERENT_ERRORS, Outcome.DIFFERENT_ERRORS, message=message)
    return Verdict(Outcome.ERROR_AGREEMENT, Outcome.ERROR_AGREEMENT,
                   message=f"both raised: {reference.error_type} ~ {rust.error_type}")
