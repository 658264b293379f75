"""Run ``cargo build`` for one overlay package and install its artifact.

Cargo's JSON messages name the artifact files, so nothing here guesses
target-directory layouts.  The whole output goes to a log file; the
caller may also stream it (the CLI does, for builds that take minutes).
A failure raises :class:`~pytest_monolith_parity.build.BuildError` with
the command, the exit status, the tail of the output and the log path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..build_stamps import BuildError

TAIL_LINES = 60


def cargo_program(explicit: str | None = None) -> str:
    return explicit or os.environ.get("CARGO") or "cargo"


def build(cargo: str, manifest: Path, package: str, target: Sequence[str], *, target_dir: Path, jobs: int | None,
          env: Mapping[str, str], log_path: Path, log: Callable[[str], None] | None = None) -> list[dict]:
    """``cargo build --release -p package <target>``; returns cargo's ``compiler-artifact`` messages."""
    argv = [cargo, "build", "--release", "--manifest-path", str(manifest), "-p", package, *target,
            "--message-format=json-render-diagnostics"]
    if jobs:
        argv += ["-j", str(jobs)]
    full_env = {**os.environ, "CARGO_TARGET_DIR": str(target_dir), "CARGO_TERM_COLOR": "never", **env}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    tail: list[str] = []
    errors: list[str] = []  # from the first compiler error on: what a failure message should show
    with log_path.open("w") as log_file, tempfile.TemporaryFile("w+") as messages:
        log_file.write("$ " + " ".join(argv) + "\n")
        log_file.flush()
        try:
            # cwd outside the checkout: its rust-toolchain.toml and .cargo/config.toml do not apply.
            process = subprocess.Popen(argv, cwd=manifest.parent, env=full_env, stdout=messages,
                                       stderr=subprocess.PIPE, text=True, errors="replace")
        except OSError as error:
            raise BuildError(f"cannot run cargo ({argv[0]}): {error}. Install the Rust toolchain "
                             "(https://rustup.rs) or set CARGO to the cargo binary") from None
        assert process.stderr is not None
        for line in process.stderr:
            log_file.write(line)
            tail.append(line.rstrip("\n"))
            del tail[:-TAIL_LINES]
            if (errors or line.startswith("error")) and len(errors) < TAIL_LINES:
                errors.append(line.rstrip("\n"))
            if log is not None:
                log(line.rstrip("\n"))
        status = process.wait()
        messages.seek(0)
        artifacts = [m for m in (_json(line) for line in messages) if m.get("reason") == "compiler-artifact"]
    if status != 0:
        raise BuildError(f"cargo failed with exit status {status}: {' '.join(argv)}\n"
                         f"(CARGO_TARGET_DIR={target_dir}; full output: {log_path})\n" + "\n".join(errors or tail))
    return artifacts


def _json(line: str) -> dict:
    try:
        return json.loads(line)
    except ValueError:
        return {}


def find_artifact(artifacts: list[dict], target_name: str, kind: str) -> Path:
    """The file of target ``target_name`` of kind ``cdylib`` or ``bin`` among cargo's messages."""
    for message in reversed(artifacts):
        target = message.get("target", {})
        if target.get("name") != target_name or kind not in target.get("kind", []):
            continue
        if kind == "bin" and message.get("executable"):
            return Path(message["executable"])
        for name in message.get("filenames", []):
            if name.endswith((".so", ".dylib", ".dll")):
                return Path(name)
    raise BuildError(f"cargo succeeded but reported no {kind} artifact for {target_name!r}; "
                     "check the [lib]/[[bin]] names in the manifest")


def install(source: Path, destination: Path) -> Path:
    """Copy ``source`` to ``destination`` atomically: a process that already loaded the old file keeps it intact."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    os.close(handle)
    try:
        shutil.copy2(source, temp)
        os.replace(temp, destination)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return destination


def extension_suffix(abi3: bool) -> str:
    if abi3 and sys.platform != "win32":
        return ".abi3.so"
    import sysconfig

    return sysconfig.get_config_var("EXT_SUFFIX") or ".so"
