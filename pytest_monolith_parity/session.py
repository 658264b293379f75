"""Per-run state shared by the hooks: settings, goldens, workers and results.

On a pytest-xdist worker it accumulates golden updates and golden usage to
hand to the controller; on the controller (or in a run without xdist) it
also gathers every case record and writes the goldens and the reports.
"""

from __future__ import annotations

import collections
import subprocess
from pathlib import Path
from typing import Any

from . import __version__
from .cases import Case, Example
from .config import Settings
from .execution import Execution, run_example, run_property
from .golden import GoldenStore
from .hypothesis_support import profile_settings, write_replay
from .records import build_record
from .report import build_report, summary_line, write_reports
from .runners.base import RunContext
from .runners.workers import WorkerPool


def detect_revision(root: str | None) -> str:
    if not root:
        return "unknown"
    try:
        out = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


class ParitySession:
    def __init__(self, settings: Settings, *, update_golden: bool = False):
        self.settings = settings
        self.update_golden = update_golden
        revision = settings.reference_revision or detect_revision(settings.monolith_root)
        self.store = GoldenStore(settings.golden_path, harness_version=__version__, reference_revision=revision)
        self.workers = WorkerPool(start_timeout=settings.worker_start_timeout)
        self.records: list[dict[str, Any]] = []
        self.golden_updates: dict[str, dict[str, Any]] = {}
        self.golden_used: dict[str, set[str]] = collections.defaultdict(set)
        self.golden_modules: set[str] = set()
        self.whole_run = False
        self.changed_goldens: list[str] = []
        self.unused_goldens: list[str] = []
        self.report_paths: dict[str, Path] = {}
        self._hypothesis = None
        self.build = None

    # -- running ----------------------------------------------------------
    def context(self, case: Case) -> RunContext:
        timeout = case.timeout or self.settings.timeout
        return RunContext(settings=self.settings, workers=self.workers, timeout=timeout)

    def note_collected(self, case: Case) -> None:
        if case.golden and case.examples:
            relpath = self.store.relpath(case.module_path, case.id)
            self.golden_used[relpath].update(e.id for e in case.examples)
            self.golden_modules.add(case.module_path)

    def run_example(self, case: Case, example: Example) -> Execution:
        execution = run_example(case, example, self.context(case), self.store, self.update_golden)
        if execution.golden_update is not None:
            relpath = self.store.relpath(case.module_path, case.id)
            entry = self.golden_updates.setdefault(relpath, {"case": case.id, "covers": case.covers, "entries": {}})
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
    def worker_output(self) -> dict[str, Any]:
        return {
            "golden_updates": self.golden_updates,
            "golden_used": {k: sorted(v) for k, v in self.golden_used.items()},
            "golden_modules": sorted(self.golden_modules),
        }

    def merge_worker_output(self, output: dict[str, Any]) -> None:
        for relpath, update in output.get("golden_updates", {}).items():
            target = self.golden_updates.setdefault(relpath, {"case": update["case"], "covers": update["covers"],
                                                              "entries": {}})
            target["entries"].update(update["entries"])
        for relpath, ids in output.get("golden_used", {}).items():
            self.golden_used[relpath].update(ids)
        self.golden_modules.update(output.get("golden_modules", []))

    # -- finishing --------------------------------------------------------
    def finish(self) -> None:
        """Write goldens (if updating), find unused ones, write the reports."""
        if self.update_golden and self.golden_updates:
            self.changed_goldens = self.store.apply_updates(self.golden_updates)
        if self.settings.unused_goldens != "ignore" and self.golden_used:
            self.unused_goldens = self.store.unused(self.golden_used, self.golden_modules, self.whole_run)
        if self.records:
            report = build_report(self.records, extra={
                "reference_revision": self.store.reference_revision,
                "golden": {"changed": self.changed_goldens, "unused": self.unused_goldens},
            })
            self.report_paths = write_reports(self.settings.report_path, report)

    def summary(self) -> str:
        return summary_line(self.records)

    def close(self) -> None:
        self.workers.close()
