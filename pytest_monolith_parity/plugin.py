"""pytest hooks of pytest-monolith-parity, and nothing else.

Each hook delegates to a module that works without pytest: settings to
:mod:`config`, collection to :mod:`collect`, running to :mod:`session`,
reports to :mod:`report`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import config as parity_config
from .build import BuildError
from .rust_build.workspace import RustSetupError
from .collect import SESSION_KEY, CaseFile
from .compare.base import ComparatorConfigError
from .compare.tensor import configure_default_tolerances
from .gate import BaselineError, load_baseline
from .reference.bootstrap import ReferenceEnvironmentError
from .reference.checkout import CheckoutError
from .reference.protos import ProtoCompileError
from .hypothesis_support import ReplayError, read_replay, register_profiles
from .session import ParitySession
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
    group.addoption("--parity-fix", action="store_true", default=False,
                    help="after review: rewrite the case files' expected divergences to match this run")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "parity: a parity case (Python reference vs Rust)")
    options = {spec.name: config.getoption(f"parity_{spec.name}") for spec in parity_config.SETTINGS}
    try:
        table, path = parity_config.load_pyproject(config.rootpath)
        settings = parity_config.resolve(config.rootpath, options, os.environ, table, path)
    except parity_config.SettingsError as error:
        raise pytest.UsageError(f"monolith-parity: {error}") from None
    try:
        configure_default_tolerances(table.get("tolerances"))
    except ComparatorConfigError as error:
        raise pytest.UsageError(f"monolith-parity: {path} [tool.monolith_parity.tolerances]: {error}") from None
    update = config.getoption("update_golden")
    if update and os.environ.get("CI") and not settings.allow_golden_update_in_ci:
        raise pytest.UsageError("monolith-parity: --update-golden refuses to run with CI set: goldens are "
                                "recorded by a person who reviews them. Pass --allow-golden-update-in-ci to override.")
    baseline = None
    if config.getoption("parity_baseline"):
        try:
            baseline = load_baseline(Path(config.getoption("parity_baseline")))
        except BaselineError as error:
            raise pytest.UsageError(f"monolith-parity: {error}") from None
    register_profiles()
    state = ParitySession(settings, update_golden=update, baseline=baseline, fix=config.getoption("parity_fix"))
    try:
        state.activate_reference()
    except (CheckoutError, ReferenceEnvironmentError, ProtoCompileError) as error:
        raise pytest.UsageError(f"monolith-parity: the monolith reference cannot be set up: {error}") from None
    config.stash[SESSION_KEY] = state
    config.pluginmanager.register(RecordCollector(state), "monolith-parity-records")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(state), "monolith-parity-xdist")


def pytest_sessionstart(session: pytest.Session) -> None:
    try:
        session.config.stash[SESSION_KEY].prepare_rust()
    except (BuildError, RustSetupError) as error:
        raise pytest.UsageError(f"monolith-parity: {error}") from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = config.stash[SESSION_KEY].settings
    return ["monolith-parity: " + "; ".join(settings.describe()[:6])]


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    state = parent.config.stash[SESSION_KEY]
    if file_path.suffix != ".py" or file_path.name.startswith(("_", "conftest")):
        return None
    resolved = file_path.resolve()
    if any(resolved.is_relative_to(root) for root in state.settings.case_paths):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    state = config.stash[SESSION_KEY]
    collected_roots = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    state.whole_run = all(any(case_dir.is_relative_to(root) for root in collected_roots)
                          for case_dir in state.settings.case_paths)
    replay = config.getoption("parity_replay")
    if not replay:
        return
    try:
        case_file, case_id, args = read_replay(Path(replay))
    except ReplayError as error:
        raise pytest.UsageError(f"monolith-parity: {error}") from None
    selected = [i for i in items if getattr(i, "case", None) is not None and i.example is None
                and i.case.id == case_id and i.case.source_file == case_file]
    if not selected:
        raise pytest.UsageError(f"monolith-parity: replay file {replay} names case {case_id!r} in {case_file}, "
                                "which this run did not collect; run from the same rootdir, with that file collected")
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


class RecordCollector:
    """Gathers case records from test reports; on the controller these arrive from every xdist worker."""

    def __init__(self, state: ParitySession):
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = getattr(report, "parity", None)
        if record is not None and report.when == "call":
            self.state.records.append(record)
        elif report.failed and record is None and not hasattr(report, "parity"):
            self.state.other_failures += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash[SESSION_KEY]
    try:
        if is_worker(session.config):
            session.config.workeroutput["parity"] = state.worker_output()
            return
        state.finish()
        session.exitstatus = state.exit_code(session.exitstatus)
    finally:
        state.close()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash[SESSION_KEY]
    if not state.records and not state.changed_goldens and not state.unused_goldens:
        return
    write = terminalreporter.write_line
    terminalreporter.section("monolith parity")
    if state.rust_artifacts is not None:
        for line in state.rust_artifacts.describe():
            write(f"rust side: {line}")
    elif state.build is not None and state.build.action != "skipped":
        write(f"rust build: {state.build.action} in {state.build.seconds:.2f}s")
    for relpath in state.changed_goldens:
        write(f"golden written: {state.settings.golden_path / relpath}")
    if state.update_golden and not state.changed_goldens:
        write("goldens: nothing changed")
    for item in state.unused_goldens:
        level = "ERROR" if state.settings.unused_goldens == "fail" else "warning"
        write(f"{level}: unused golden {item} (no collected case uses it; delete it or restore the case)")
    for kind, path in state.report_paths.items():
        write(f"report ({kind}): {path}")
    if state.fix_report is not None:
        for case_file in state.fix_report.changed_files:
            write(f"--parity-fix rewrote {case_file}")
        for fix in state.fix_report.manual:
            write(f"--parity-fix could not locate {fix.case_file}::{fix.case_id}[{fix.example_id}] ({fix.action}): "
                  "edit it by hand (its id is not a literal, or the expectation is shared by other inputs)")
    for line in state.annotations():
        terminalreporter.write_line(line)
    if state.records:
        write(state.summary(), bold=True)
    if state.gate is not None:
        write(state.gate.line(), bold=True)
