"""The sample pair's parity project as a user has it, for the mutants and coverage tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SAMPLE = Path(__file__).parents[1] / "sample"


def _project(tmp_path: Path) -> Path:
    """The sample's parity project (cases, goldens, config) with its Rust tree linked, as a user has it."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("cases", "golden"):
        shutil.copytree(SAMPLE / name, project / name)
    shutil.copy(SAMPLE / "pyproject.toml", project / "pyproject.toml")
    (project / "rust").symlink_to(SAMPLE / "rust")
    return project


def _env() -> dict[str, str]:
    """The caller's environment without any checkout or harness setting (they must not leak into the run)."""
    return {k: v for k, v in os.environ.items()
            if not (k == "MONOLITH_ROOT" or k.startswith("MONOLITH_PARITY_") or k == "PYTHONPATH")}


def cargo_slot():
    """One cargo-heavy test of this directory at a time, even under xdist (2 cores: never two builds at once)."""
    import tempfile

    from filelock import FileLock

    return FileLock(str(Path(tempfile.gettempdir()) / "parity-mutants-tests.lock"))
