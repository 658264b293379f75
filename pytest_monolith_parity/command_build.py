"""Build a project's own Rust side with its configured command (``rust_build_command``).

For projects other than a monolith checkout -- the sample pair, or any port
whose Rust side a shell command builds (``make sample``, a maturin line):
the command runs once per run, under a file lock, and only when the files
under ``rust_sources`` (or the toolchain) changed since the last success
(:mod:`build_stamps`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .build_stamps import BuildError, BuildResult, ensure_built


def build_with_command(mode: str, command: str | None, sources: list[Path], stamp: Path) -> BuildResult:
    """Run ``command`` in a shell per ``mode`` (auto / never / force) when ``sources`` changed."""
    return ensure_built(mode, command, sources, stamp, run=lambda: _run_shell(command))


def _run_shell(command: str) -> None:
    process = subprocess.run(command, shell=True, capture_output=True, text=True)
    if process.returncode != 0:
        output = (process.stdout + process.stderr).splitlines()[-60:]
        raise BuildError(f"the Rust build command failed with exit status {process.returncode}: {command}\n"
                         + "\n".join(output))
