"""A copy of the sample pair's parity project in a pytester directory, run as users run it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parents[1] / "sample"
WORKER = SAMPLE / "rust" / "target" / "release" / "sample-worker"
WORKER_PR = SAMPLE / "rust" / "target-pr" / "release" / "sample-worker"
PYO3_PR = SAMPLE / "rust" / "target-pr" / "python"  # the "pr" build of sample_rust (put first on PYTHONPATH)


class SampleProject:
    """A temporary copy of tests/sample's parity project (cases, goldens, config)."""

    def __init__(self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
        self.pytester = pytester
        self.root = pytester.path
        for name in ("cases", "golden"):
            shutil.copytree(SAMPLE / name, self.root / name)
        shutil.copy(SAMPLE / "pyproject.toml", self.root / "pyproject.toml")
        if not WORKER.exists():
            pytest.fail(f"the sample worker is not built ({WORKER}); run `make setup` first")
        monkeypatch.setenv("MONOLITH_PARITY_RUST_WORKER", str(WORKER))
        monkeypatch.delenv("CI", raising=False)
        monkeypatch.delenv("SAMPLE_REFERENCE_OFFLINE", raising=False)

    def use_pr_pyo3(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Make the pytest subprocesses import the "pr" revision of sample_rust."""
        if not (PYO3_PR / "sample_rust.abi3.so").exists():
            pytest.fail(f"the sample's PR pyo3 module is not built ({PYO3_PR}); run `make setup` first")
        monkeypatch.setenv("PYTHONPATH", str(PYO3_PR))

    def run(self, *args: str, timeout: float = 900) -> pytest.RunResult:
        """A run as users start it; one that hangs fails the test after ``timeout`` seconds instead of hanging it."""
        return self.pytester.runpytest_subprocess("-m", "parity", "cases", "--parity-hypothesis-profile", "ci",
                                                  *args, timeout=timeout)

    def report(self) -> dict:
        return json.loads((self.root / "parity-report" / "parity-report.json").read_text())

    def verdicts(self) -> dict[str, tuple[str, str]]:
        return {case["nodeid"]: (case["outcome"], case["raw"]) for case in self.report()["cases"]}

    def golden(self) -> Path:
        return self.root / "golden"

    def write_case_file(self, name: str, source: str) -> Path:
        path = self.root / "cases" / name
        path.write_text(source)
        return path
