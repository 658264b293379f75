"""pytest nodes for parity cases: a case file collects into one item per input.

``cases/agent_service/data_def.py`` declaring case ``model_meta`` with
examples ``a`` and ``b`` and a strategy collects as::

    cases/agent_service/data_def.py::model_meta[a]
    cases/agent_service/data_def.py::model_meta[b]
    cases/agent_service/data_def.py::model_meta[hypothesis]

Each item carries the ``parity`` marker and ``parity_<package>``
(``parity_agent_service``).
"""

from __future__ import annotations

from typing import Any

import pytest

import traceback

from .cases import Case, CaseDefinitionError, Example
from .compare.base import ComparatorConfigError
from .execution import Execution
from .loader import load_cases
from .outcomes import Outcome, Verdict
from .records import junit_properties
from .runners.base import RunnerConfigError

SESSION_KEY = pytest.StashKey["Any"]()


class ParityCollectError(Exception):
    """A case file cannot be collected; the message names the case, the file and the fix."""


class CaseFile(pytest.File):
    def collect(self):
        display = self.path.relative_to(self.config.rootpath).as_posix() if self.path.is_relative_to(
            self.config.rootpath) else str(self.path)
        try:
            cases = load_cases(self.path, display)
        except CaseDefinitionError as error:
            raise ParityCollectError(str(error)) from None
        except (ComparatorConfigError, RunnerConfigError) as error:
            line = _line_in(error, self.path)
            raise ParityCollectError(f"{display}{line}: invalid parity case specification: {error}") from None
        state = self.config.stash[SESSION_KEY]
        for case in cases:
            # whether each side can be called is checked after collection, once the Rust side is built for the
            # selected cases (session.prepare_rust; a problem fails this file's collection, naming the case)
            state.note_collected(case)
            marker = f"parity_{case.package}"
            self.config.addinivalue_line("markers", f"{marker}: parity cases covering monolith/{case.package}")
            for example in case.examples:
                yield ParityItem.from_parent(self, name=f"{case.id}[{example.id}]", case=case, example=example,
                                             marker=marker)
            if case.strategy is not None:
                yield ParityItem.from_parent(self, name=f"{case.id}[hypothesis]", case=case, example=None,
                                             marker=marker)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ParityCollectError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


def _line_in(error: BaseException, path) -> str:
    """``:17`` -- the line of ``path`` where the error was raised, if it is in the traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
    return f":{frames[-1].lineno}" if frames else ""


class ParityFailure(Exception):
    def __init__(self, verdict: Verdict, record: dict[str, Any]):
        super().__init__(verdict.message)
        self.verdict = verdict
        self.record = record


class ParityItem(pytest.Item):
    def __init__(self, *, case: Case, example: Example | None, marker: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.case = case
        self.example = example
        self.replay_args = None
        self.parity_record: dict[str, Any] | None = None
        self.add_marker("parity")
        self.add_marker(marker)

    def runtest(self) -> None:
        state = self.config.stash[SESSION_KEY]
        try:
            if self.example is not None:
                execution, replay = state.run_example(self.case, self.example), f"pytest {self.nodeid!r}"
            else:
                execution, replay = state.run_property(self.case, self.replay_args)
        except Exception as error:  # a harness bug must still give this item a verdict: never a silent gap
            execution, replay = harness_failure(self.case, self.example, error), f"pytest {self.nodeid!r}"
        verdict = execution.verdict
        self.parity_record = state.record(execution, self.nodeid, replay)
        self.user_properties.extend(junit_properties(self.parity_record))
        if verdict.outcome is Outcome.EXPECTED_DIVERGENCE:
            pytest.xfail(f"expected divergence: {verdict.message}")
        if verdict.outcome is Outcome.REFERENCE_UNAVAILABLE:
            pytest.skip(f"reference unavailable: {verdict.message}")
        if verdict.outcome is Outcome.RUST_UNAVAILABLE:
            pytest.skip(f"rust unavailable: {verdict.message}")
        if not verdict.outcome.passed:
            raise ParityFailure(verdict, self.parity_record)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ParityFailure):
            return render_failure(excinfo.value.record)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"parity {self.name}"


def harness_failure(case: Case, example: Example | None, error: Exception) -> Execution:
    """The verdict of an item whose run raised in the harness itself: a harness error with the traceback's tail."""
    where = "".join(traceback.format_exception(error)[-3:]).strip()
    verdict = Verdict(Outcome.HARNESS_ERROR, Outcome.HARNESS_ERROR,
                      message=f"the harness failed running case {case.id!r} of {case.source_file}: "
                              f"{type(error).__name__}: {error}", notes=[where])
    return Execution(case, example.id if example is not None else None,
                     example.args if example is not None else None, verdict)


def render_failure(record: dict[str, Any]) -> str:
    lines = [f"PARITY {record['outcome'].upper()}: {record['case_id']} "
             f"(covers {record['covers']}, case file {record['case_file']})",
             f"  python: {record['python_call']}", f"  rust:   {record['rust_call']}"]
    if record.get("inputs"):
        lines.append(f"  inputs: {record['inputs']}")
    lines.append(f"  compared against {record['against']} with {record['comparator']}")
    lines.append(f"  {record['message']}")
    for note in record.get("notes", []):
        lines.append(f"  note: {note}")
    if record.get("diff"):
        lines.append("  diff:")
        lines.extend(f"    {line}" for line in record["diff"].splitlines())
    for side in ("python", "rust"):
        data = record.get(side)
        if data and data.get("kind") != "value" and data.get("detail") and data["detail"] != record.get("diff"):
            lines.append(f"  {side} detail:")
            lines.extend(f"    {line}" for line in data["detail"].splitlines()[-15:])
    if record.get("replay"):
        lines.append(f"  replay: {record['replay']}")
    return "\n".join(lines)
