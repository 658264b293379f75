"""Run one case on one input, end to end, and produce its record.

Order of events for an explicit example:

1. run the Python reference and the Rust side;
2. consult the golden: with the reference available it must agree with the
   reference (else *reference drifted*); without it, the golden stands in;
3. classify reference vs Rust (:mod:`classify`), then apply the expected
   divergence strictly (:mod:`expectations`).

Both sides run inside a health watch (``services/health.py``): if a service
the harness started (ZooKeeper, a gRPC server, a worker process) failed while
the call used it, the verdict is a *harness error* naming the service,
whatever the sides returned -- and a golden never stands in for a reference
that failed at run time.

Hypothesis cases skip the golden (their inputs are not fixed) and let
Hypothesis shrink the first failing input, which is saved as a replay file.
A replayed input that the case's strategy cannot produce (another arity,
another type) is a harness error, not a verdict.
Nothing here imports pytest.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from . import values
from .arguments import Args, as_args
from .cases import Case, Example
from .classify import classify, compare_values
from .compare.base import Comparator
from .expectations import apply_expectation
from .golden import GoldenEntry, GoldenIntegrityError, GoldenStore
from .hypothesis_support import replay_misfit
from .outcomes import Outcome, SideKind, SideResult, Verdict
from .runners.base import HarnessError, RunContext, RunnerConfigError
from .services import health
from .services.health import ServiceFailure

#: What makes a run a harness error rather than a verdict.
HARNESS_FAILURES = (HarnessError, RunnerConfigError, GoldenIntegrityError, values.EncodingError, ServiceFailure)


@dataclasses.dataclass
class Execution:
    """Everything known about one case run: the verdict, both sides, and any golden to record."""

    case: Case
    example_id: str | None
    args: Args | None
    verdict: Verdict
    python: SideResult | None = None
    rust: SideResult | None = None
    golden_update: GoldenEntry | None = None
    examples_run: int = 1
    seconds: float = 0.0
    perf: dict[str, Any] | None = None  # the timings of a case with perf=True (see perf.py)


def comparator_for(case: Case) -> Comparator:
    if case.compare is not None:
        return case.compare
    from .compare import exact

    return exact()


def run_sides(case: Case, args: Args, context: RunContext) -> tuple[SideResult, SideResult]:
    return case.python.run(args, context), case.rust.run(args, context)


class ServicesFailed(HarnessError):
    """A service the harness started failed while both sides ran (the message names it and what happened)."""


def run_watched(case: Case, args: Args, context: RunContext) -> tuple[SideResult, SideResult, list[str]]:
    """Both sides inside a health watch: their results and the watch's notes, or :class:`ServicesFailed`."""
    error: Exception | None = None
    with health.watch() as watch:
        try:
            python, rust = run_sides(case, args, context)
        except HARNESS_FAILURES as raised:
            error = raised
    if watch.check():
        raise ServicesFailed(watch.message()) from error
    if error is not None:
        raise error
    return python, rust, list(watch.notes)


def _harness_error(case: Case, example_id: str | None, args: Args | None, error: Exception) -> Execution:
    verdict = Verdict(Outcome.HARNESS_ERROR, Outcome.HARNESS_ERROR, message=f"{type(error).__name__}: {error}")
    return Execution(case, example_id, args, verdict)


def not_runnable(case: Case, example_id: str | None, args: Args | None) -> Execution | None:
    """*rust unavailable* (the checkout lacks the Rust function) or a harness error (the bindings cannot call
    it), decided after the build by the runner's validate(); neither side runs."""
    rust = case.rust
    if rust.unavailable:
        verdict = Verdict(Outcome.RUST_UNAVAILABLE, Outcome.RUST_UNAVAILABLE, message=rust.unavailable)
        return Execution(case, example_id, args, verdict, examples_run=0)
    if rust.unusable:
        verdict = Verdict(Outcome.HARNESS_ERROR, Outcome.HARNESS_ERROR,
                          message=f"the bindings cannot call this checkout's function: {rust.unusable}")
        return Execution(case, example_id, args, verdict, examples_run=0)
    return None


def run_example(case: Case, example: Example, context: RunContext, store: GoldenStore | None,
                update_golden: bool) -> Execution:
    """Run one explicit example (see the module docstring for the order of events)."""
    skipped = not_runnable(case, example.id, example.args)
    if skipped is not None:
        return skipped
    start = time.perf_counter()
    try:
        execution = _run_example(case, example, context, store, update_golden)
    except HARNESS_FAILURES as error:
        execution = _harness_error(case, example.id, example.args, error)
    execution.seconds = time.perf_counter() - start
    if case.perf_calls and execution.python is not None and execution.rust is not None:
        from .perf import measure

        execution.perf = measure(case.python, case.rust, example.args, context, execution.python, execution.rust,
                                 calls=case.perf_calls)
    _add_side_notes(execution.verdict, [execution.python, execution.rust])
    return execution


def _add_side_notes(verdict: Verdict, sides) -> None:
    """How the sides ran, when a person should know (e.g. a spawn instead of a fork), joins the record's notes."""
    for side in sides:
        for note in side.notes if side is not None else ():
            if note not in verdict.notes:
                verdict.notes.append(note)


def _run_example(case: Case, example: Example, context: RunContext, store: GoldenStore | None,
                 update_golden: bool) -> Execution:
    python, rust, service_notes = run_watched(case, example.args, context)
    comparator = comparator_for(case)
    expected = case.expectation_for(example)
    use_golden = case.golden and store is not None
    relpath = store.relpath(case.module_path, case.id) if use_golden else ""
    stored: GoldenEntry | None = None
    if use_golden:
        try:
            stored = store.lookup(relpath, example.id)
        except GoldenIntegrityError:
            if not update_golden:
                raise  # never silently regenerated; --update-golden replaces it explicitly
    notes: list[str] = list(service_notes)

    if python.kind is SideKind.UNAVAILABLE:
        if stored is None:
            verdict = Verdict(Outcome.REFERENCE_UNAVAILABLE, Outcome.REFERENCE_UNAVAILABLE, message=python.message,
                              notes=notes)
            return Execution(case, example.id, example.args, verdict, python, rust)
        verdict = classify(stored.as_side(), rust, comparator, case.errors, case.error_messages)
        verdict.against = "golden"
        verdict.notes.extend(notes)
        verdict.notes.append(f"reference unavailable ({python.message}); the golden stands in")
        return Execution(case, example.id, example.args, apply_expectation(verdict, expected), python, rust)

    verdict = apply_expectation(classify(python, rust, comparator, case.errors, case.error_messages), expected)
    update: GoldenEntry | None = None
    if use_golden:
        recorded = GoldenEntry.from_side(python)
        if update_golden:
            update = recorded  # the store rewrites a file only when its rendered bytes change
            if recorded is None:
                notes.append(f"no golden recorded: the reference {python.kind.value} ({python.message})")
        elif stored is None and recorded is None:  # nothing to record: the reference timed out or crashed
            notes.append(f"no golden: the reference {python.kind.value} ({python.message}), which is never recorded")
        elif stored is None:
            notes.append(f"golden missing: record it with `pytest -m parity --update-golden -k {case.id}`")
            if verdict.outcome.passed:
                verdict.outcome = Outcome.GOLDEN_MISSING
                verdict.message = (f"no golden for {relpath} [{example.id}]; record it with "
                                   f"`pytest -m parity --update-golden -k {case.id}`")
        else:
            drift = _drift(stored, python, comparator)
            if drift:
                notes.append(f"reference drifted from the golden: {drift}")
                verdict.outcome = Outcome.REFERENCE_DRIFTED
                verdict.message = (f"the Python reference no longer matches golden {relpath} [{example.id}]: {drift}. "
                                   "If the change is intended, re-record with --update-golden.")
            rust_vs_golden = classify(stored.as_side(), rust, comparator, case.errors, case.error_messages)
            notes.append(f"rust vs golden: {rust_vs_golden.raw.value}")
    verdict.notes.extend(notes)
    return Execution(case, example.id, example.args, verdict, python, rust, golden_update=update)


def _drift(stored: GoldenEntry, python: SideResult, comparator: Comparator) -> str:
    """Empty if the reference still produces the golden; else how it differs."""
    if stored.kind == "raised" or python.kind is not SideKind.VALUE:
        now = GoldenEntry.from_side(python)
        if now == stored:
            return ""
        before = f"raised {stored.error_type}: {stored.message}" if stored.kind == "raised" else "returned a value"
        return f"golden {before}, reference now {python.headline()}"
    if values.encode(python.value) == stored.value:
        return ""
    verdict = compare_values(values.decode(stored.value), python.value, comparator)
    return "" if verdict.raw is Outcome.MATCH else verdict.message or "values differ"


# -- Hypothesis ---------------------------------------------------------------------------------

class _Divergent(Exception):
    """Raised inside a Hypothesis test so it shrinks towards the smallest diverging input."""

    def __init__(self, verdict: Verdict, args: Args, python: SideResult, rust: SideResult):
        super().__init__(f"{verdict.raw.value}: {verdict.message}")
        self.verdict, self.inputs, self.python, self.rust = verdict, args, python, rust


def run_property(case: Case, context: RunContext, hypothesis_settings: Any,
                 replay_input: Args | None = None) -> Execution:
    """Run a Hypothesis case: many inputs, shrink the first divergence to a minimal one."""
    skipped = not_runnable(case, None, replay_input)
    if skipped is not None:
        return skipped
    comparator = comparator_for(case)
    start = time.perf_counter()
    counter = {"n": 0}
    sides_seen: list[SideResult] = []

    broken: list[ServicesFailed] = []

    def check(args: Args) -> None:
        if broken:  # a service failed: fail every further example at once, so Hypothesis stops quickly
            raise broken[0]
        counter["n"] += 1
        try:
            python, rust, _ = run_watched(case, args, context)
        except ServicesFailed as failure:
            broken.append(failure)
            raise
        sides_seen.extend(side for side in (python, rust) if side.notes)
        verdict = classify(python, rust, comparator, case.errors, case.error_messages)
        if python.kind is SideKind.UNAVAILABLE:
            raise _Divergent(Verdict(Outcome.REFERENCE_UNAVAILABLE, Outcome.REFERENCE_UNAVAILABLE,
                                     message=python.message), args, python, rust)
        if not verdict.raw.passed:
            raise _Divergent(verdict, args, python, rust)

    execution = _run_property(case, check, hypothesis_settings, replay_input, counter, start, broken)
    _add_side_notes(execution.verdict, sides_seen)
    return execution


def _run_property(case: Case, check, hypothesis_settings: Any, replay_input: Args | None, counter: dict,
                  start: float, broken: list[ServicesFailed]) -> Execution:
    from hypothesis import given, settings as hsettings
    from hypothesis.errors import Flaky, HypothesisException

    if replay_input is not None:
        misfit = replay_misfit(case.strategy, replay_input)
        if misfit is not None:
            return _harness_error(case, None, replay_input, HarnessError(
                f"the replayed input does not fit case {case.id!r}: {misfit}. The replay file belongs to another "
                "case or to an older version of this one; run the case again to get a fresh replay"))
    try:
        if replay_input is not None:
            check(replay_input)
        else:
            options = {"report_multiple_bugs": False}
            if case.max_examples is not None:
                options["max_examples"] = case.max_examples
            test = hsettings(hypothesis_settings, **options)(given(case.strategy)(lambda drawn: check(as_args(drawn))))
            test()
    except _Divergent as divergent:
        verdict = apply_expectation(divergent.verdict, case.expect)
        verdict.notes.append(f"smallest diverging input: ({divergent.inputs.describe()})")
        return Execution(case, None, divergent.inputs, verdict, divergent.python, divergent.rust,
                         examples_run=counter["n"], seconds=time.perf_counter() - start)
    except HARNESS_FAILURES as error:
        if broken:
            error = broken[0]
        return _harness_error(case, None, None, error)
    except Flaky as error:
        return _harness_error(case, None, None, HarnessError(
            f"the divergence did not reproduce when Hypothesis replayed it (flaky side?): {error}"))
    except HypothesisException as error:  # the case's strategy or settings, not either side: InvalidArgument...
        return _harness_error(case, None, None, HarnessError(
            f"Hypothesis refused case {case.id!r} of {case.source_file}: {type(error).__name__}: {error}. "
            "Fix the case's strategy= (or max_examples=); no generated input ran"))
    verdict = apply_expectation(Verdict(Outcome.MATCH, Outcome.MATCH), case.expect)
    verdict.notes.append(f"{counter['n']} generated input(s) agreed")
    return Execution(case, None, replay_input, verdict, examples_run=counter["n"],
                     seconds=time.perf_counter() - start)
