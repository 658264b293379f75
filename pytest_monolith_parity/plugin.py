"""pytest hooks of pytest-monolith-parity, and nothing else.

Each hook delegates to a module that works without pytest: settings to
:mod:`config`, collection to :mod:`collect`, running to :mod:`session`,
reports to :mod:`report`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from . import config as parity_config
from . import termination
from .collect import SESSION_KEY, CaseFile, ParityItem
from .hypothesis_support import ReplayError, read_replay, register_profiles, replay_path
from .session import ParitySession, SetupError, open_session
from .sharding import ShardError, select as select_shard
from .terminal import summary_lines
from .xdist_support import XdistHooks, is_worker


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("monolith-parity", "parity of a Rust port against its Python reference")
    for spec in parity_config.SETTINGS:
        if spec.default is False:
            group.addoption(spec.option, action="store_const", const=True, default=None, dest=f"parity_{spec.name}",
                            help=f"{spec.help} (env {spec.env})")
        else:
            group.addoption(spec.option, default=None, dest=f"parity_{spec.name}", help=f"{spec.help} (env {spec.env})")
    group.addoption("--update-golden", action="store_true", default=False,
                    help="record the Python reference's outputs as golden fixtures (only what changed)")
    group.addoption("--parity-replay", default=None, metavar="FILE",
                    help="run the property case of a replay file on its saved input only")
    group.addoption("--parity-baseline", default=None, metavar="REPORT",
                    help="JSON report of the base revision: fail only on regressions and new failing cases")
    group.addoption("--parity-perf-gate", action="store_true", default=False,
                    help="with --parity-baseline: fail the run when a perf=True case's Rust side got slower beyond "
                         "its noise (reported either way)")
    group.addoption("--parity-fix", action="store_true", default=False,
                    help="after review: rewrite the case files' expected divergences to match this run")
    # --parity-strict-records is a setting (config.SETTINGS: strict_records), added with the others above


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "parity: a parity case (Python reference vs Rust)")
    options = {spec.name: config.getoption(f"parity_{spec.name}") for spec in parity_config.SETTINGS}
    try:
        state = open_session(config.rootpath, options, os.environ, update_golden=config.getoption("update_golden"),
                             baseline_path=config.getoption("parity_baseline"), fix=config.getoption("parity_fix"),
                             perf_gate=config.getoption("parity_perf_gate"))
    except SetupError as error:
        raise pytest.UsageError(f"monolith-parity: {error}") from None
    register_profiles()
    config.add_cleanup(termination.interrupt_on_sigterm())
    config.stash[SESSION_KEY] = state
    config.pluginmanager.register(RecordCollector(state), "monolith-parity-records")
    if state.settings.shard:
        config.pluginmanager.register(ShardSelector(state), "monolith-parity-shard")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(state), "monolith-parity-xdist")


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = config.stash[SESSION_KEY].settings
    return ["monolith-parity: " + "; ".join(settings.describe()[:6])]


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    state = parent.config.stash[SESSION_KEY]
    if file_path.suffix != ".py" or file_path.name.startswith(("_", "conftest")):
        return None
    resolved = file_path.resolve()
    for root in state.settings.case_paths:
        if resolved.is_relative_to(root):
            # support code beside the cases (``_support/``, any ``_``-directory) is imported by them, not collected
            if any(part.startswith("_") for part in resolved.relative_to(root).parts[:-1]):
                return None
            return CaseFile.from_parent(parent, path=file_path)
    return None


class _CaseFileNotATestModule(pytest.File):
    """Stands in for pytest's own Module of a case file named on the command line: the case file is ours."""

    def collect(self):
        return []


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    """A case file given as an argument is collected once, as cases (pytest would also import it as a test
    module: a case file's relative imports of its ``_support/`` then fail collection)."""
    resolved = module_path.resolve()
    if any(resolved.is_relative_to(root) for root in parent.config.stash[SESSION_KEY].settings.case_paths):
        return _CaseFileNotATestModule.from_parent(parent, path=module_path)
    return None


def pytest_collection(session: pytest.Session) -> None:
    settings = session.config.stash[SESSION_KEY].settings
    if settings.require_monolith_root and not settings.monolith_root:
        roots = [Path(arg.split("::")[0]).resolve() for arg in session.config.args]
        if any(case_dir.is_relative_to(root) or root.is_relative_to(case_dir)
               for case_dir in settings.case_paths for root in roots):
            raise pytest.UsageError(
                "monolith-parity: the parity cases in " + ", ".join(settings.cases_dirs) + " run against a monolith "
                "checkout: set MONOLITH_ROOT (or --monolith-root) to the directory that holds monolith/, idl/ and "
                "monolith-rs/")


def _covers_case_dirs(config: pytest.Config, state: ParitySession) -> bool:
    """Whether the run's arguments take in every case directory (a whole run unless cases are deselected)."""
    collected_roots = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    return all(any(case_dir.is_relative_to(root) for root in collected_roots) for case_dir in state.settings.case_paths)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    state = config.stash[SESSION_KEY]
    state.prepare_kernels([item.case for item in items if getattr(item, "case", None) is not None])
    state.whole_run = _covers_case_dirs(config, state)
    _select_replay(config, items)
    _prepare_rust(session, state, items)  # after -k / -m / replay: only what the selected items need


def _prepare_rust(session: pytest.Session, state: ParitySession, items: list) -> None:
    """Build the Rust side for the selected items, then fail the files whose cases cannot run (collection errors)."""
    parity_items = [i for i in items if isinstance(i, ParityItem)]
    cases = list({id(i.case): i.case for i in parity_items}.values())
    capture = session.config.pluginmanager.getplugin("capturemanager")
    quiet = session.config.get_verbosity() < 0 and not os.environ.get("CI")
    try:
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            problems = state.prepare_rust(cases, progress=not quiet)
    except SetupError as error:
        if not is_worker(session.config):
            raise pytest.UsageError(f"monolith-parity: {error}") from None
        # an xdist worker cannot end the run with a usage error: its collection fails, and the controller says why
        # (one message per file; the other cases of the file go with it, unnamed)
        first_of_file = {case.source_file: case for case in reversed(cases)}
        problems = [(case, f"the Rust side could not be built: {error}" if first_of_file[case.source_file] is case
                     else "") for case in cases]
    if not problems:
        return
    failing = {id(case) for case, _ in problems}
    parents = {item.case.source_file: item.parent for item in parity_items if id(item.case) in failing}
    by_file: dict[str, list[str]] = {}
    for case, message in problems:
        if message:
            by_file.setdefault(case.source_file, []).append(
                f"parity case {case.id!r} in {case.source_file}: {message}")
    for source_file, messages in by_file.items():
        report = pytest.CollectReport(parents[source_file].nodeid, "failed", "\n".join(messages), [])
        session.config.hook.pytest_collectreport(report=report)
    dropped = [i for i in items if isinstance(i, ParityItem) and id(i.case) in failing]
    items[:] = [i for i in items if not (isinstance(i, ParityItem) and id(i.case) in failing)]
    session.config.hook.pytest_deselected(items=dropped)


def _select_replay(config: pytest.Config, items: list) -> None:
    replay = config.getoption("parity_replay")
    if not replay:
        return
    path = replay_path(replay, config.rootpath)
    if not path.exists():
        raise pytest.UsageError(f"monolith-parity: replay file {replay} does not exist (looked in the current "
                                f"directory and in the rootdir {config.rootpath})")
    try:
        case_file, case_id, args = read_replay(path)
    except ReplayError as error:
        raise pytest.UsageError(f"monolith-parity: {error}") from None
    target = (config.rootpath / case_file).resolve()
    in_file = [i for i in items if isinstance(i, ParityItem) and Path(i.path).resolve() == target]
    selected = [i for i in in_file if i.example is None and i.case.id == case_id]
    if not selected:
        if in_file:
            found = sorted({i.case.id for i in in_file if i.example is None})
            why = (f"{case_file} has no property case {case_id!r} (its property cases: "
                   f"{', '.join(found) or 'none'}); the case was renamed or removed since the replay was written")
        else:
            why = (f"this run did not collect {target} (the replay's case file, relative to the rootdir "
                   f"{config.rootpath}); run with that file collected")
        raise pytest.UsageError(f"monolith-parity: replay file {path} names case {case_id!r} in {case_file}: {why}")
    for item in selected:
        item.replay_args = args
    config.hook.pytest_deselected(items=[i for i in items if i not in selected])
    items[:] = selected




@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    record = getattr(item, "parity_record", None)
    if call.when == "call" and record is not None:
        report.parity = record
    return report


class ShardSelector:
    """``--parity-shard K/N``: keep this shard's items, after every other selection (-m, -k, replay) is done."""

    def __init__(self, state: ParitySession):
        self.state = state

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list) -> None:
        settings = self.state.settings
        explicit = settings.shard_durations is not None
        path = settings.path(settings.shard_durations) if explicit else settings.report_path / "parity-report.json"
        try:
            selection = select_shard([item.nodeid for item in items], settings.shard, path, explicit=explicit)
        except ShardError as error:
            raise pytest.UsageError(f"monolith-parity: --parity-shard {settings.shard}: {error}") from None
        keep = set(selection.selected)
        dropped = [item for item in items if item.nodeid not in keep]
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item.nodeid in keep]
        # the parity items only the shard dropped: without them, the selection is the unsharded run's
        self.state.shard = {**selection.to_json(), "deselected": sum(1 for i in dropped if isinstance(i, ParityItem))}


class RecordCollector:
    """Gathers case records from test reports, and how far the run got (see completeness.py).

    On the controller these arrive from every xdist worker (xdist relays reports,
    collection reports and ``logfinish``; its own hooks are in xdist_support.py).
    """

    def __init__(self, state: ParitySession):
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = getattr(report, "parity", None)
        if record is not None and report.when == "call":
            self.state.records.append(record)
        elif report.failed and record is None:
            self.state.other_failures += 1  # a non-parity test failed: the gate must not turn the run green

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.state.completeness.collected = sum(1 for item in session.items if isinstance(item, ParityItem))

    def pytest_deselected(self, items: list) -> None:
        self.state.deselected_cases += sum(1 for item in items if isinstance(item, ParityItem))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        errors = self.state.completeness.collection_errors
        if report.failed and self.state.is_case_nodeid(report.nodeid) and report.nodeid not in errors:
            errors.append(report.nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location) -> None:
        if self.state.is_case_nodeid(nodeid):
            self.state.completeness.finished.add(nodeid)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        completeness = self.state.completeness
        # pytest's (and xdist's) own stop, ``Interrupted``: collection errors, -x under xdist, a worker's Ctrl-C
        if type(excinfo.value).__name__ == "Interrupted":
            completeness.stopped = completeness.stopped or str(excinfo.value)
        elif isinstance(excinfo.value, termination.Terminated):
            completeness.terminated = True
        else:
            completeness.keyboard_interrupt = True


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash[SESSION_KEY]
    try:
        if is_worker(session.config):
            session.config.workeroutput["parity"] = state.worker_output()
            return
        if session.config.option.collectonly:
            return  # nothing was meant to run: no verdicts, no reports
        completeness = state.completeness
        completeness.exitstatus = int(exitstatus)
        completeness.stopped = completeness.stopped or str(session.shouldfail or session.shouldstop or "")
        state.whole_run = _covers_case_dirs(session.config, state)
        state.selection = _selection(session.config, state, state.deselected_cases)
        if state.shard is not None:  # what the unsharded run would have covered: merge-reports reports that
            state.shard["run_selection"] = _selection(session.config, state,
                                                      state.deselected_cases - state.shard.get("deselected", 0))
            state.selection = "subset"
        state.finish()
        session.exitstatus = state.exit_code(session.exitstatus)
        if exitstatus == pytest.ExitCode.INTERNAL_ERROR:  # pytest prints no terminal summary then: say it here
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                for line, bold in summary_lines(state):
                    reporter.write_line(line, bold=bold)
    finally:
        state.close()


def _selection(config: pytest.Config, state: ParitySession, deselected: int) -> str:
    """What the run covered (history.py): ``replay``, ``subset`` or ``whole``."""
    if config.getoption("parity_replay"):
        return "replay"
    if not state.whole_run or deselected or state.completeness.collection_errors:
        return "subset"
    return "whole"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    lines = summary_lines(config.stash[SESSION_KEY])
    if lines:
        terminalreporter.section("monolith parity")
        for line, bold in lines:
            terminalreporter.write_line(line, bold=bold)
