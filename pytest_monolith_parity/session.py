"""Per-run state shared by the hooks: settings, goldens, workers and results.

On a pytest-xdist worker it accumulates golden updates and golden usage to
hand to the controller; on the controller (or in a run without xdist) it
also gathers every case record and writes the goldens and the reports.

Finishing is defensive: a run that did not finish (:mod:`completeness`) keeps
the last complete reports and writes ``*.partial.*`` beside them, appends
nothing to the trend and never passes; a gate or a report that fails to be
produced is reported (and fails the run as a harness error) without keeping
the others from being written.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from .version import __version__
from .build_stamps import BuildError
from .command_build import build_with_command
from .cases import Case, Example
from .completeness import Completeness
from .config import Settings
from .execution import Execution, run_example, run_property
from .gate import EXIT_HARNESS_ERROR, GateResult, evaluate
from .github import annotations, markdown_summary
from .golden import GoldenIntegrityError, GoldenStore
from .files import atomic_write
from .history import append_history, read_history
from .html_report import coverage_from_inventory, render_html, write_html
from .hypothesis_support import profile_settings, write_replay
from .records import build_record
from .report import build_report, load_probe, render_markdown, summary_line, write_reports
from .runners.base import RunContext, RunnerConfigError
from .runners.workers import WorkerPool

#: ``publish``'s default: read the import probe's result from the probe file.
_LOAD_PROBE = object()

#: File names of the reports of a run that did not finish (beside the complete ones, never over them).
PARTIAL_NAMES = {"json": "parity-report.partial.json", "markdown": "parity-report.partial.md",
                 "html": "parity-report.partial.html", "summary": "summary.partial.md"}


def _packages_not_built(cases: list[Case], artifacts: Any, settings: Settings) -> set[str]:
    """Packages of the wrappers the cases call that this build left out (``__parity_api__`` says "not built")."""
    wrappers = (artifacts.api or {}).get("wrappers", {})
    # pyo3(function) names its function; driver(..., needs=function) the one it cannot do without
    names = {getattr(case.rust, "function", None) for case in cases} | {getattr(case.rust, "needs", None)
                                                                           for case in cases}
    return {wrappers[name]["package"] for name in names
            if isinstance(name, str) and wrappers.get(name, {}).get("status") == "not built"}


def detect_revision(root: str | None) -> str:
    if not root:
        return "unknown"
    try:
        out = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


class SetupError(Exception):
    """The run cannot start: a bad setting, baseline, tolerance table, checkout or Rust build."""


def open_session(rootdir: Path, options: dict[str, Any], environ: dict[str, str] | os._Environ, *,
                 update_golden: bool, baseline_path: str | None, fix: bool, perf_gate: bool = False) -> "ParitySession":
    """Resolve settings and inputs into a ready session (reference environment active), or raise SetupError."""
    from .compare.base import ComparatorConfigError
    from .compare.tensor import configure_default_tolerances
    from .config import SettingsError, derandomize_for_gate, load_pyproject, resolve
    from .gate import BaselineError, load_baseline
    from .reference.bootstrap import ReferenceEnvironmentError
    from .reference.checkout import CheckoutError
    from .reference.protos import ProtoCompileError
    from .kernel_build.manifest import ManifestError

    try:
        table, path = load_pyproject(rootdir)
        settings = resolve(rootdir, options, environ, table, path)
    except SettingsError as error:
        raise SetupError(str(error)) from None
    try:
        configure_default_tolerances(table.get("tolerances"))
    except ComparatorConfigError as error:
        raise SetupError(f"{path} [tool.monolith_parity.tolerances]: {error}") from None
    if settings.shard and (update_golden or fix):
        raise SetupError(f"--parity-shard {settings.shard} runs part of the cases; "
                         f"{'--update-golden' if update_golden else '--parity-fix'} needs all of them: run it "
                         "without --parity-shard")
    if update_golden and environ.get("CI") and not settings.allow_golden_update_in_ci:
        raise SetupError("--update-golden refuses to run with CI set: goldens are recorded by a person who "
                         "reviews them. Pass --allow-golden-update-in-ci to override.")
    try:
        baseline = load_baseline(Path(baseline_path)) if baseline_path else None
    except BaselineError as error:
        raise SetupError(str(error)) from None
    if baseline is not None:
        derandomize_for_gate(settings)
    state = ParitySession(settings, update_golden=update_golden, baseline=baseline, fix=fix)
    state.baseline_path = Path(baseline_path) if baseline_path else None
    state.perf_gate = perf_gate
    try:
        state.check_goldens()
    except GoldenIntegrityError as error:
        raise SetupError(str(error)) from None
    try:
        state.activate_reference()
    except (CheckoutError, ReferenceEnvironmentError, ProtoCompileError, ManifestError) as error:
        raise SetupError(f"the monolith reference cannot be set up: {error}") from None
    return state


class ParitySession:
    def __init__(self, settings: Settings, *, update_golden: bool = False,
                 baseline: list[dict[str, Any]] | None = None, fix: bool = False):
        self.settings = settings
        self.update_golden = update_golden
        self.baseline = baseline
        self.fix = fix
        self.gate: GateResult | None = None
        self.fix_report = None  # fixer.FixReport after --parity-fix
        self.other_failures = 0
        self.baseline_path: Path | None = None  # the baseline report, for the reports' "changed" section
        self.perf_gate = False  # --parity-perf-gate: a case whose Rust side got slower fails the run
        self.slower: list[dict[str, Any]] = []
        revision = settings.reference_revision or detect_revision(settings.monolith_root)
        self.store = GoldenStore(settings.golden_path, harness_version=__version__, reference_revision=revision)
        self.workers = WorkerPool(start_timeout=settings.worker_start_timeout)
        self.records: list[dict[str, Any]] = []
        self.golden_updates: dict[str, dict[str, Any]] = {}
        self.golden_used: dict[str, set[str]] = collections.defaultdict(set)
        self.golden_modules: set[str] = set()
        self.golden_case_files: set[str] = set()
        self.whole_run = False
        self.selection = "whole"  # whole | subset | replay (see history.py)
        self.deselected_cases = 0
        self.completeness = Completeness()
        self.shard: dict[str, Any] | None = None  # the shard block of a --parity-shard run (sharding.py)
        self.environment: dict[str, Any] | None = None  # merge-reports: what ran the shards (else collected)
        self.changed_goldens: list[str] = []
        self.unused_goldens: list[str] = []
        self.legacy_goldens: list[str] = []  # files the rebuilt manifest could not take facts from
        self.report_paths: dict[str, Path] = {}
        self.gate_error = ""
        self.finish_errors: list[str] = []
        self.fix_refused = ""
        self._hypothesis = None
        self.build = None
        self.rust_artifacts = None
        self.reported_rust_lines: list[str] = []
        self.reference = None
        self.kernels = None  # kernel_build.KernelSet when a kernel manifest is present
        self.kernel_report: dict[str, Any] = {}

    # -- goldens ------------------------------------------------------------
    def check_goldens(self) -> None:
        """Before anything runs: a missing manifest is an error, or (under --update-golden) rebuilt."""
        if not self.store.manifest_missing():
            return
        if not self.update_golden:
            raise GoldenIntegrityError(self.store.missing_manifest_message())
        self.legacy_goldens = self.store.rebuild_manifest()

    # -- the reference ----------------------------------------------------
    def activate_reference(self) -> None:
        """Make ``monolith`` importable from the configured checkout (protos, stand-ins; see reference/).

        With a kernel manifest present, ``gen_monolith_ops``' ops are bound to
        the kernels built from the checkout (on first use, or up front by
        :meth:`prepare_kernels`); subprocesses inherit the manifest's path.
        """
        if not self.settings.monolith_root:
            return
        from .reference.bootstrap import KERNELS_ENV, activate

        root = self.settings.path(self.settings.monolith_root)
        manifest = self.settings.path(self.settings.kernels_manifest)
        if manifest.is_file():
            from .kernel_build import KernelSet, load_manifest

            self.kernels = KernelSet(load_manifest(manifest), root.resolve())
            os.environ[KERNELS_ENV] = str(manifest.resolve())
        self.reference = activate(root, kernels=self.kernels)

    def prepare_kernels(self, cases: list[Case]) -> None:
        """Build, before any case runs, the kernel libraries the collected cases' Python files reach.

        One build per library under pytest-xdist (file lock + cache); a kernel
        that does not compile only makes its ops unavailable.
        """
        if self.kernels is None or self.reference is None:
            return
        import sys
        import time

        from .reference.probe import custom_ops_reached

        root = self.reference.checkout.root
        covered = sorted({case.covers for case in cases if case.covers})
        ops: set[str] = set()
        for covers in covered:
            ops.update(custom_ops_reached(root, covers))
        libraries = self.kernels.libraries_for(sorted(ops))
        libraries += [name for name in self.kernels.libraries_called_by(covered) if name not in libraries]
        start = time.perf_counter()
        for index, name in enumerate(libraries, 1):
            print(f"monolith-parity: kernels [{index}/{len(libraries)}] {name} "
                  f"({time.perf_counter() - start:.0f}s elapsed)", file=sys.stderr, flush=True)
            result = self.kernels.result(name)
            self.kernel_report[name] = {"status": result.status, "action": result.action, "reason": result.reason,
                                        "kernels": result.kernels}

    # -- the Rust side ----------------------------------------------------
    def prepare_rust(self, cases: list[Case], progress: Any = False) -> list[tuple[Case, str]]:
        """Build (or reuse) what the selected cases need, make it importable, then check every case.

        Runs after collection and deselection (``-k``, ``-m``), so only what the selected
        cases call is compiled: with a checkout, the bindings with the cargo features of
        the packages those cases cover (and only if one of them calls the bindings), the
        monolith CLI only if one runs it (each within ``rust_artifacts``).  A configured
        ``rust_build_command`` is a project's own build.  Both are cached by source hashes.

        Returns the cases that cannot run with the reason (a misspelt function, a wrapper
        the bindings do not have...): the plugin reports them as their files' collection
        errors.  A case whose Rust function this checkout lacks is fine: its runner says
        so (``unavailable``) and its verdict is *rust unavailable*.
        """
        from . import monolith_rs_build

        settings = self.settings
        try:
            if settings.rust_build_command or not settings.monolith_root:
                self.build = build_with_command(settings.rust_build, settings.rust_build_command,
                                          [settings.path(p) for p in settings.rust_sources], settings.build_stamp)
            elif cases:
                self._build_checkout(cases, progress)
        except BuildError as error:  # RustSetupError is a BuildError too
            raise SetupError(str(error)) from None
        problems: list[tuple[Case, str]] = []
        for case in cases:
            try:
                case.python.validate(settings)
                case.rust.validate(settings)
            except RunnerConfigError as error:
                problems.append((case, str(error)))
        return problems

    def _build_checkout(self, cases: list[Case], progress: Any) -> None:
        from . import monolith_rs_build

        settings = self.settings
        needs = set().union(*(side.needs_artifacts(settings) for case in cases for side in (case.python, case.rust)))
        what = [a for a in monolith_rs_build.ARTIFACTS if a in needs and a in settings.rust_artifacts]
        if settings.rust_cli and "cli" in what:
            what.remove("cli")  # a configured binary wins over building the checkout's
        if not what:
            return
        available = set(monolith_rs_build.bindings_features())
        features = sorted({case.package for case in cases if "bindings" in case.rust.needs_artifacts(settings)}
                          & available)
        artifacts = monolith_rs_build.prepare(settings, what=what, features=features, progress=progress)
        extra = _packages_not_built(cases, artifacts, settings) - set(features)
        if extra:  # a case calls a wrapper of another package: build that package too, before importing anything
            artifacts = monolith_rs_build.prepare(settings, what=what, features=sorted(set(features) | extra),
                                                  progress=progress)
        self.rust_artifacts = artifacts
        if artifacts.extension is not None:
            monolith_rs_build.activate(artifacts)
            monolith_rs_build.verify_import(artifacts, settings.rust_module)
        if artifacts.cli is not None and not settings.rust_cli:
            settings.rust_cli = str(artifacts.cli)

    # -- running ----------------------------------------------------------
    def context(self, case: Case) -> RunContext:
        timeout = case.timeout or self.settings.timeout
        return RunContext(settings=self.settings, workers=self.workers, timeout=timeout)

    def is_case_nodeid(self, nodeid: str) -> bool:
        """Whether a pytest node id is a parity item's (or a case file's): its file lies under a case directory."""
        path = (self.settings.rootdir / nodeid.split("::", 1)[0]).resolve()
        return any(path.is_relative_to(root) for root in self.settings.case_paths)

    def note_collected(self, case: Case) -> None:
        if case.golden and case.examples:
            relpath = self.store.relpath(case.module_path, case.id)
            self.golden_used[relpath].update(e.id for e in case.examples)
            self.golden_modules.add(case.module_path)
            self.golden_case_files.add(case.source_file)

    def run_example(self, case: Case, example: Example) -> Execution:
        execution = run_example(case, example, self.context(case), self.store, self.update_golden)
        if execution.golden_update is not None:
            relpath = self.store.relpath(case.module_path, case.id)
            entry = self.golden_updates.setdefault(relpath, {"case": case.id, "covers": case.covers,
                                                             "case_file": case.source_file, "entries": {}})
            entry["entries"][example.id] = execution.golden_update.to_json()
        return execution

    def run_property(self, case: Case, replay_args=None) -> tuple[Execution, str]:
        if self._hypothesis is None:
            self._hypothesis = profile_settings(self.settings.hypothesis_profile)
        execution = run_property(case, self.context(case), self._hypothesis, replay_args)
        replay = ""
        if execution.args is not None and execution.python is not None and replay_args is None:
            path = write_replay(self.settings.report_path, case.source_file, case.id, execution.args)
            replay = f"pytest -m parity --parity-replay {path}"
        return execution, replay

    def record(self, execution: Execution, nodeid: str, replay: str = "") -> dict[str, Any]:
        return build_record(execution, nodeid, replay, root=self.settings.rootdir,
                            rust_module=self.settings.rust_module)

    # -- merging (xdist) --------------------------------------------------
    def rust_lines(self) -> list[str]:
        """What the terminal says about the Rust side (on the controller: as a worker reported it)."""
        if self.rust_artifacts is not None:
            return self.rust_artifacts.describe()
        return list(self.reported_rust_lines)

    def worker_output(self) -> str:
        """What a worker hands the controller, as JSON text: execnet's own serializer cannot carry an int
        below -2**31 that needs more than 32 bits (``struct.error`` at session end, and every golden update lost),
        and goldens of int64 ids hold such values."""
        return json.dumps(self._worker_output_data(), allow_nan=True)

    def _worker_output_data(self) -> dict[str, Any]:
        return {
            "rust": self.rust_lines(),
            "golden_updates": self.golden_updates,
            "golden_used": {k: sorted(v) for k, v in self.golden_used.items()},
            "golden_modules": sorted(self.golden_modules),
            "golden_case_files": sorted(self.golden_case_files),
            "deselected_cases": self.deselected_cases,
            **({"shard": self.shard} if self.shard is not None else {}),
        }

    def merge_worker_output(self, output: str | dict[str, Any]) -> None:
        if isinstance(output, str):
            output = json.loads(output)
        for relpath, update in output.get("golden_updates", {}).items():
            target = self.golden_updates.setdefault(relpath, {"case": update["case"], "covers": update["covers"],
                                                              "case_file": update.get("case_file", ""),
                                                              "entries": {}})
            target["entries"].update(update["entries"])
        for relpath, ids in output.get("golden_used", {}).items():
            self.golden_used[relpath].update(ids)
        self.golden_modules.update(output.get("golden_modules", []))
        if output.get("rust") and not self.reported_rust_lines:
            self.reported_rust_lines = list(output["rust"])
        self.golden_case_files.update(output.get("golden_case_files", []))
        # every worker collects (and deselects) the same items: the most any of them saw
        self.deselected_cases = max(self.deselected_cases, int(output.get("deselected_cases", 0)))
        if output.get("shard") is not None:
            self.shard = output["shard"]  # every worker collected the same items, so computed the same shard

    # -- finishing --------------------------------------------------------
    @property
    def complete(self) -> bool:
        return self.completeness.complete

    def finish(self) -> None:
        """Write goldens (if updating), find unused ones, judge the gate, write the reports, apply fixes."""
        def write_goldens() -> None:
            self.changed_goldens = self.store.apply_updates(self.golden_updates)

        def find_unused() -> None:
            self.unused_goldens = self.store.unused(self.golden_used, self.golden_modules, self.whole_run,
                                                    self.golden_case_files)

        if self.update_golden and self.golden_updates:
            self._step("golden files", write_goldens)
        if self.settings.unused_goldens != "ignore" and self.golden_used and self.complete:
            self._step("the unused-golden check", find_unused)
        if not self.records and (self.complete or not self.completeness.started) and not self.settings.shard:
            return  # (a shard reports even when it got no parity item: merge-reports needs every shard's report)
        self.publish()

    def publish(self, probe: Any = _LOAD_PROBE) -> None:
        """Judge the gate and write every report of the records (also what ``merge-reports`` does with shards').

        ``probe``: the import probe's result (default: read from the probe file). A
        shard's reports carry its ``shard`` block and it adds nothing to the trend:
        the merge of all shards is the run that does.
        """
        try:
            self.gate = evaluate(self.records, self.baseline, strict_records=self.settings.strict_records)
        except Exception as error:  # noqa: BLE001 - the reports must still be written, and say why there is no gate
            self.gate_error = f"{type(error).__name__}: {error}"
        try:
            report = self._build_report(probe)
        except Exception as error:  # noqa: BLE001 - say so, and fail the run as a harness error
            self.finish_errors.append(f"the report could not be built: {type(error).__name__}: {error}")
            return
        self.slower = list((report.get("changes") or {}).get("slower") or [])
        if report.get("perf") is not None:
            report["perf"]["gate"] = self.perf_gate
        if self.complete:
            self._write_complete(report)
        else:
            self._write_partial(report)
        if self.fix and not self.complete:
            self.fix_refused = ("--parity-fix did nothing: the run did not finish, and fixes planned from part of "
                                "the items could drop expectations the other items still need")
        elif self.fix:
            from .fixer import apply_fixes, plan  # libcst is only needed here

            def fix() -> None:
                self.fix_report = apply_fixes(self.settings.rootdir, plan(self.records))

            self._step("--parity-fix", fix)

    def _build_report(self, probe: Any = _LOAD_PROBE) -> dict[str, Any]:
        return build_report(self.records, revision=self.settings.revision, extra={
            "reference_revision": self.store.reference_revision,
            "golden": {"changed": self.changed_goldens, "unused": self.unused_goldens},
            "gate": self._gate_json(),
            "complete": self.complete,
            "completeness": self.completeness.to_json(),
            "selection": self.selection,
            "hypothesis_profile": self.settings.hypothesis_profile,
            "probe": load_probe(self.settings.path(self.settings.probe_file)) if probe is _LOAD_PROBE else probe,
            **({"shard": {**self.shard, "other_failures": self.other_failures}} if self.shard is not None else {}),
        }, **self._report_context(self.settings.path(self.settings.history_file)))

    def gate_line(self) -> str | None:
        """The run's verdict line: INCOMPLETE, the gate's, or ERROR when the gate could not be judged."""
        if not self.complete and self.completeness.started:
            return self.completeness.line()
        if self.gate_error:
            return f"GATE: ERROR (the gate could not be judged: {self.gate_error})"
        return self.gate.line() if self.gate is not None else None

    def _gate_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.gate.to_json() if self.gate is not None else {"passed": False}
        if self.gate_error:
            data["error"] = self.gate_error
        if not self.complete:
            data["passed"] = False
        data["line"] = self.gate_line()
        return data

    def _step(self, what: str, action) -> None:
        """Run one finishing step; a failure is reported and fails the run, but the other steps still run."""
        try:
            action()
        except Exception as error:  # noqa: BLE001 - one broken product must not cost the others
            self.finish_errors.append(f"{what} could not be written: {type(error).__name__}: {error}")

    def _write_complete(self, report: dict[str, Any]) -> None:
        report_dir = self.settings.report_path

        def reports() -> None:
            self.report_paths.update(write_reports(report_dir, report))

        self._step("the JSON and Markdown reports", reports)
        history_path = self.settings.path(self.settings.history_file)
        if not self.settings.shard:  # a shard is part of a run: its merge adds the run to the trend
            self._step("the trend history", lambda: append_history(history_path, report, self.settings.revision))

        def html() -> None:
            self.report_paths["html"] = write_html(report_dir, report)

        self._step("the HTML report", html)
        self._step("the Markdown summary", lambda: self._write_summary(report, report_dir / "summary.md", "summary"))
        for name in PARTIAL_NAMES.values():  # a finished run makes an older partial report stale
            stale = report_dir / name
            if stale.exists():
                self._step(f"removing the stale {name}", stale.unlink)

    def _write_partial(self, report: dict[str, Any]) -> None:
        report_dir = self.settings.report_path
        paths = {kind: report_dir / name for kind, name in PARTIAL_NAMES.items()}
        text = json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"

        def reports() -> None:
            atomic_write(paths["json"], text.encode("utf-8"))
            self.report_paths["partial json"] = paths["json"]
            atomic_write(paths["markdown"], render_markdown(report).encode("utf-8"))
            self.report_paths["partial markdown"] = paths["markdown"]

        self._step("the partial JSON and Markdown reports", reports)

        def html() -> None:
            atomic_write(paths["html"], render_html(report).encode("utf-8"))
            self.report_paths["partial html"] = paths["html"]

        self._step("the partial HTML report", html)
        self._step("the partial Markdown summary", lambda: self._write_summary(report, paths["summary"],
                                                                               "partial summary"))

    def _write_summary(self, report: dict[str, Any], path: Path, kind: str) -> None:
        summary = markdown_summary(report, self.gate_line() or "")
        atomic_write(path, summary.encode("utf-8"))
        self.report_paths[kind] = path
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as handle:
                handle.write(summary)

    def _coverage(self, report: dict[str, Any]) -> dict[str, Any] | None:
        """Per-package coverage of the inventory's files by cases, when an inventory is present."""
        return self._inventory_coverage(report["cases"])

    def _inventory_coverage(self, records: list[dict[str, Any]]) -> dict[str, Any] | None:
        path = self.settings.path(self.settings.inventory_file)
        if not path.is_file():
            return None
        from .inventory import store

        return coverage_from_inventory(store.load(path), records)

    def _report_context(self, history_path: Path) -> dict[str, Any]:
        """What build_report adds to the records: the baseline, the trend, the inventory, the environment."""
        from .changes import load_baseline_document
        from .environment import collect

        settings = self.settings
        return {
            "baseline": load_baseline_document(self.baseline_path) if self.baseline_path else None,
            "history": read_history(history_path),
            "coverage": self._inventory_coverage(self.records),
            "environment": self.environment if self.environment is not None else collect(
                rootdir=settings.rootdir, golden_dir=settings.golden_path,
                monolith_root=settings.path(settings.monolith_root) if settings.monolith_root else None,
                rust_revision=settings.revision, reference_revision=self.store.reference_revision),
        }

    def annotations(self) -> list[str]:
        return annotations(self.records) if os.environ.get("GITHUB_ACTIONS") == "true" else []

    def exit_code(self, pytest_status: int) -> int:
        """The run's exit code: pytest's, unless the parity gate decides (see gate.py and completeness.py)."""
        if not self.complete and self.completeness.started:
            return self.completeness.exit_code(pytest_status)
        if pytest_status not in (0, 1):
            return pytest_status
        if self.gate_error or self.finish_errors:
            return EXIT_HARNESS_ERROR
        if self.gate is None or self.other_failures:
            return pytest_status
        code = self.gate.exit_code()
        if self.unused_goldens and self.settings.unused_goldens == "fail":
            code = max(1, code)
        if self.perf_gate and self.slower:
            code = max(1, code)
        return code

    def summary(self) -> str:
        return summary_line(self.records)

    def close(self) -> None:
        self.workers.close()
