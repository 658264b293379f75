"""A build that runs only when its sources changed: fingerprints, stamps and the build modes.

Both Rust builds go through :func:`ensure_built`: a project's own configured
command (:mod:`command_build`, the sample pair) and the bindings and CLI of a
monolith-rs checkout (:mod:`monolith_rs_build`).  A stamp records the hash of
the build's inputs plus the Rust toolchain version at the last successful
build:

* ``auto``  -- build when the hash differs from the stamp;
* ``force`` -- always build;
* ``never`` -- never build, and refuse to run against a stale build
  (sources changed since the stamp) rather than report verdicts about
  code that is not the code on disk.

Under pytest-xdist only one process builds: the others wait on a file lock
and then find the stamp fresh.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from filelock import FileLock

from .files import atomic_write

_SKIP_DIRS = {"target", ".git", "__pycache__", "node_modules"}
_SOURCE_SUFFIXES = {".rs", ".toml", ".lock", ".proto", ".py", ".pyi", ".c", ".h"}


class BuildError(RuntimeError):
    """The Rust build failed or is stale; the message carries the fix and the build output."""


@dataclasses.dataclass
class BuildResult:
    action: str  # "built", "up to date", "skipped"
    seconds: float
    fingerprint: str


def _source_files(roots: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("target"))
            files.extend(Path(dirpath) / f for f in sorted(filenames) if Path(f).suffix in _SOURCE_SUFFIXES)
    return files


def toolchain_version() -> str:
    try:
        out = subprocess.run(["rustc", "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "rustc unavailable"
    except (OSError, subprocess.TimeoutExpired):
        return "rustc unavailable"


def fingerprint(roots: Iterable[Path], command: str) -> str:
    """sha256 over relative paths and contents of the sources, the command and the toolchain."""
    digest = hashlib.sha256()
    digest.update(command.encode())
    digest.update(toolchain_version().encode())
    _hash_sources(digest, roots)
    return digest.hexdigest()


def _hash_sources(digest, roots: Iterable[Path]) -> None:
    for path in _source_files(list(roots)):
        digest.update(str(path).encode())
        digest.update(b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError as error:  # a dangling symlink is a state too, not a crash
            digest.update(f"<unreadable: {error.strerror}>".encode())


def ensure_built(mode: str, command: str | None, sources: list[Path], stamp: Path, *,
                 run: Callable[[], None], outputs: Iterable[Path] = ()) -> BuildResult:
    """Build per ``mode`` (see the module docstring) when the fingerprint of ``sources`` changed.

    ``run`` builds (it raises :class:`BuildError` with the output on failure);
    ``command`` names the build, in the fingerprint and in the messages' fix
    (no command: nothing to build, "skipped").  ``outputs`` are files the build
    produces: a missing one means "not built", so ``auto`` builds and
    ``never`` refuses.
    """
    start = time.perf_counter()
    if not command:
        return BuildResult("skipped", 0.0, "")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(stamp) + ".lock"):
        current = fingerprint(sources, command)
        recorded = json.loads(stamp.read_text()).get("fingerprint") if stamp.exists() else None
        missing = [str(path) for path in outputs if not Path(path).exists()]
        if mode == "never":
            if missing:
                raise BuildError(f"the Rust build is missing ({', '.join(missing)} does not exist) and "
                                 f"--rust-build=never forbids building it. Build with --rust-build=auto, or run: "
                                 f"{command}")
            if recorded is not None and recorded != current:
                changed = _changed_roots(sources, json.loads(stamp.read_text()).get("roots", {}))
                raise BuildError(
                    f"the Rust build is stale: sources under {', '.join(map(str, changed))} changed since the "
                    f"last build (stamp {stamp}). Rebuild with --rust-build=auto, or run: {command}")
            return BuildResult("skipped", time.perf_counter() - start, current)
        if mode == "auto" and recorded == current and not missing:
            return BuildResult("up to date", time.perf_counter() - start, current)
        run()
        current = fingerprint(sources, command)  # the build may touch inputs (e.g. Cargo.lock)
        atomic_write(stamp, json.dumps({"fingerprint": current, "command": command, "built": time.time(),
                                        "roots": _root_digests(sources)}).encode())
        return BuildResult("built", time.perf_counter() - start, current)


def root_digest(root: Path) -> str:
    """sha256 over the source files under one root (what a stamp records per root)."""
    digest = hashlib.sha256()
    _hash_sources(digest, [root])
    return digest.hexdigest()


def _root_digests(sources: Iterable[Path]) -> dict[str, str]:
    """One digest per source root, so a stale build can say which root changed."""
    digests = {}
    for root in sources:
        digest = hashlib.sha256()
        _hash_sources(digest, [root])
        digests[str(root)] = digest.hexdigest()
    return digests


def _changed_roots(sources: list[Path], recorded: dict[str, str]) -> list[Path]:
    if not recorded:
        return sources
    current = _root_digests(sources)
    return [root for root in sources if recorded.get(str(root)) != current[str(root)]] or sources
