"""Per-run state shared by the hooks: settings, goldens, workers and results.

On a pytest-xdist worker it accumulates golden updates and golden usage to
hand to the controller; on the controller (or in a run without xdist) it
also gathers every case record and writes the goldens and the reports.
"""

from __future__ import annotations

import collections
import os
import subprocess
from pathlib import Path
from typing import Any

from .version import __version__
from .build_stamps import BuildError
from .command_build import build_with_command
from .cases import Case, Example
from .config import Settings
from .execution import Execution, run_example, run_property
from .gate import GateResult, evaluate
from .github import annotations, markdown_summary
from .golden import GoldenStore
from .files import atomic_write
from .history import append_history, read_history
from .html_report import coverage_from_inventory, write_html
from .hypothesis_support import profile_settings, write_replay
from .records import build_record
from .report import build_report, load_probe, summary_line, write_reports
from .runners.base import RunContext, RunnerConfigError
from .runners.workers import WorkerPool


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
                 update_golden: bool, baseline_path: str | None, fix: bool) -> "ParitySession":
    """Resolve settings and inputs into a ready session (reference environment active), or raise SetupError."""
    from .compare.base import ComparatorConfigError
    from .compare.tensor import configure_default_tolerances
    from .config import SettingsError, load_pyproject, resolve
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
    state = ParitySession(settings, update_golden=update_golden, baseline=baseline, fix=fix)
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
        revision = settings.reference_revision or detect_revision(settings.monolith_root)
        self.store = GoldenStore(settings.golden_path, harness_version=__version__, reference_revision=revision)
        self.workers = WorkerPool(start_timeout=settings.worker_start_timeout)
        self.records: list[dict[str, Any]] = []
        self.golden_updates: dict[str, dict[str, Any]] = {}
        self.golden_used: dict[str, set[str]] = collections.defaultdict(set)
        self.golden_modules: set[str] = set()
        self.golden_case_files: set[str] = set()
        self.whole_run = False
        self.shard: dict[str, Any] | None = None  # the shard block of a --parity-shard run (sharding.py)
        self.changed_goldens: list[str] = []
        self.unused_goldens: list[str] = []
        self.report_paths: dict[str, Path] = {}
        self._hypothesis = None
        self.build = None
        self.rust_artifacts = None
        self.reported_rust_lines: list[str] = []
        self.reference = None
        self.kernels = None  # kernel_build.KernelSet when a kernel manifest is present
        self.kernel_report: dict[str, Any] = {}

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
        return build_record(execution, nodeid, replay)

    # -- merging (xdist) --------------------------------------------------
    def rust_lines(self) -> list[str]:
        """What the terminal says about the Rust side (on the controller: as a worker reported it)."""
        if self.rust_artifacts is not None:
            return self.rust_artifacts.describe()
        return list(self.reported_rust_lines)

    def worker_output(self) -> dict[str, Any]:
        return {
            "rust": self.rust_lines(),
            "golden_updates": self.golden_updates,
            "golden_used": {k: sorted(v) for k, v in self.golden_used.items()},
            "golden_modules": sorted(self.golden_modules),
            "golden_case_files": sorted(self.golden_case_files),
            **({"shard": self.shard} if self.shard is not None else {}),
        }

    def merge_worker_output(self, output: dict[str, Any]) -> None:
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
        if output.get("shard") is not None:
            self.shard = output["shard"]  # every worker collected the same items, so computed the same shard

    # -- finishing --------------------------------------------------------
    def finish(self) -> None:
        """Write goldens (if updating), find unused ones, judge the gate, write the reports, apply fixes."""
        if self.update_golden and self.golden_updates:
            self.changed_goldens = self.store.apply_updates(self.golden_updates)
        if self.settings.unused_goldens != "ignore" and self.golden_used:
            self.unused_goldens = self.store.unused(self.golden_used, self.golden_modules, self.whole_run,
                                                    self.golden_case_files)
        if not self.records and not self.settings.shard:  # a shard reports even when it got no parity item
            return
        self.publish(load_probe(self.settings.path(self.settings.probe_file)))

    def publish(self, probe: dict[str, Any] | None) -> None:
        """Judge the gate and write every report of the records (also what ``merge-reports`` does with shards').

        A shard's reports carry its ``shard`` block and it adds nothing to the
        trend: the merge of all shards is the run that does.
        """
        self.gate = evaluate(self.records, self.baseline)
        report = build_report(self.records, revision=self.settings.revision, extra={
            "reference_revision": self.store.reference_revision,
            "golden": {"changed": self.changed_goldens, "unused": self.unused_goldens},
            "gate": self.gate.to_json(),
            "probe": probe,
            **({"shard": {**self.shard, "other_failures": self.other_failures}} if self.shard is not None else {}),
        })
        self.report_paths = write_reports(self.settings.report_path, report)
        history_path = self.settings.path(self.settings.history_file)
        if not self.settings.shard:
            append_history(history_path, report, self.settings.revision)
        self.report_paths["html"] = write_html(self.settings.report_path, report, history=read_history(history_path),
                                               coverage=self._coverage(report))
        summary = markdown_summary(report, self.gate.line())
        atomic_write(self.settings.report_path / "summary.md", summary.encode("utf-8"))
        self.report_paths["summary"] = self.settings.report_path / "summary.md"
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as handle:
                handle.write(summary)
        if self.fix:
            from .fixer import apply_fixes, plan  # libcst is only needed here

            self.fix_report = apply_fixes(self.settings.rootdir, plan(self.records))

    def _coverage(self, report: dict[str, Any]) -> dict[str, Any] | None:
        """Per-package coverage of the inventory's files by cases, when an inventory is present."""
        path = self.settings.path(self.settings.inventory_file)
        if not path.is_file():
            return None
        from .inventory import store

        return coverage_from_inventory(store.load(path), report["cases"])

    def annotations(self) -> list[str]:
        return annotations(self.records) if os.environ.get("GITHUB_ACTIONS") == "true" else []

    def exit_code(self, pytest_status: int) -> int:
        """The run's exit code: pytest's, unless the parity gate decides (see gate.py)."""
        if self.gate is None or pytest_status not in (0, 1) or self.other_failures:
            return pytest_status
        if self.unused_goldens and self.settings.unused_goldens == "fail":
            return max(1, self.gate.exit_code())
        return self.gate.exit_code()

    def summary(self) -> str:
        return summary_line(self.records)

    def close(self) -> None:
        self.workers.close()
