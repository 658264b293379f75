"""The environment a report states: which harness, Python, libraries and Rust toolchain ran, on which checkout.

Two runs that disagree are first compared by what ran them, so every report
carries, in ``environment``: the harness version; Python and the platform
(system and machine, never the host name); TensorFlow, NumPy, protobuf,
pytest and Hypothesis; ``rustc`` and ``cargo`` as they answer
``--version``; the checkout (the monolith checkout, or the project itself
when none is configured) with its path, git revision, branch and whether it
has local changes -- ``unknown`` only when it is not a git repository; the
Rust revision label of the run; and the reference revisions the goldens were
recorded at (from their manifest).  Pytest-free.
"""

from __future__ import annotations

import collections
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .version import __version__

UNKNOWN = "unknown"
#: Distribution names to ask for each library's version, first found wins (TensorFlow has several).
LIBRARIES: dict[str, tuple[str, ...]] = {
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tensorflow-macos"),
    "numpy": ("numpy",),
    "protobuf": ("protobuf",),
    "pytest": ("pytest",),
    "hypothesis": ("hypothesis",),
}
COMMAND_TIMEOUT = 20


def _run(argv: list[str], cwd: str | None = None) -> str | None:
    """The stripped stdout of a command, or None when it is missing, fails or hangs."""
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def library_version(name: str) -> str | None:
    """The installed version of a library (the imported module's if it is loaded), None when not installed."""
    module = sys.modules.get(name if name != "protobuf" else "google.protobuf")
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    for distribution in LIBRARIES.get(name, (name,)):
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def git_checkout(path: Path) -> dict[str, Any]:
    """Path, revision, branch and local changes of a directory; revision ``unknown`` when it is no git repository."""
    where = str(path)
    facts: dict[str, Any] = {"path": where, "git": False, "revision": UNKNOWN, "branch": None, "dirty": None}
    if not path.is_dir():
        return facts
    revision = _run(["git", "-C", where, "rev-parse", "HEAD"])
    if not revision:
        return facts
    branch = _run(["git", "-C", where, "rev-parse", "--abbrev-ref", "HEAD"])
    status = _run(["git", "-C", where, "status", "--porcelain", "--untracked-files=no"])
    facts.update({"git": True, "revision": revision, "branch": None if branch in (None, "HEAD") else branch,
                  "dirty": None if status is None else bool(status)})
    return facts


def golden_revisions(golden_dir: Path) -> dict[str, int]:
    """Reference revision -> golden files recorded at it, from ``MANIFEST.json`` (empty without one)."""
    try:
        manifest = json.loads((golden_dir / "MANIFEST.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    counts: collections.Counter = collections.Counter()
    for entry in (manifest.get("files") or {}).values() if isinstance(manifest, Mapping) else ():
        if not isinstance(entry, Mapping):
            continue
        recorded = entry.get("recorded") if isinstance(entry.get("recorded"), Mapping) else {}
        counts[str(entry.get("reference_revision") or recorded.get("reference_revision") or UNKNOWN)] += 1
    return dict(counts.most_common())


def collect(*, rootdir: Path, monolith_root: Path | None, golden_dir: Path, rust_revision: str | None,
            reference_revision: str | None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The report's ``environment`` (see the module docstring)."""
    environ = os.environ if environ is None else environ
    checkout = git_checkout(monolith_root if monolith_root is not None else rootdir)
    checkout["kind"] = "monolith checkout" if monolith_root is not None else "project (no monolith checkout configured)"
    return {
        "harness": __version__,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": f"{platform.system()} {platform.machine()}",
        "libraries": {name: library_version(name) for name in LIBRARIES},
        "rustc": _run(["rustc", "--version"]),
        "cargo": _run(["cargo", "--version"]),
        "checkout": checkout,
        "rust_revision": rust_revision,
        "reference_revision": reference_revision,
        "golden_revisions": golden_revisions(golden_dir),
        "ci": bool(environ.get("CI")),
    }
