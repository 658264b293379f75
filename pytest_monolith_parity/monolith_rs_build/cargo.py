"""Run ``cargo build`` for one overlay package and install its artifact.

Cargo's JSON messages name the artifact files, so nothing here guesses
target-directory layouts; they also drive the progress line (one
``compiler-artifact`` per compiled unit, counted against the total that
``cargo metadata`` predicts).  The whole output goes to a log file; the
caller may also stream it (``build-rust --verbose``).  A failure raises
:class:`~pytest_monolith_parity.build_stamps.BuildError` with the command,
the exit status, the tail of the output and the log path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..build_stamps import BuildError
from ..progress import Progress

TAIL_LINES = 60


def cargo_program(explicit: str | None = None) -> str:
    return explicit or os.environ.get("CARGO") or "cargo"


def build(cargo: str, manifest: Path, package: str, target: Sequence[str], *, target_dir: Path, jobs: int | None,
          env: Mapping[str, str], log_path: Path, log: Callable[[str], None] | None = None,
          features: Sequence[str] = (), progress: Progress | None = None) -> list[dict]:
    """``cargo build --release -p package <target>``; returns cargo's ``compiler-artifact`` and
    ``build-script-executed`` messages (``progress`` advances on each artifact)."""
    # --target-dir, not CARGO_TARGET_DIR: rustc inherits cargo's environment, and sccache hashes every CARGO_*
    # variable, so a per-checkout CARGO_TARGET_DIR would make every compilation of another checkout a miss.
    argv = [cargo, "build", "--release", "--manifest-path", str(manifest), "-p", package, *target,
            "--target-dir", str(target_dir), "--message-format=json-render-diagnostics"]
    if features:
        argv += ["--features", ",".join(features)]
    if jobs:
        argv += ["-j", str(jobs)]
    full_env = {**os.environ, "CARGO_TERM_COLOR": "never", **env}
    full_env.pop("CARGO_TARGET_DIR", None)  # the argument decides; see above
    log_path.parent.mkdir(parents=True, exist_ok=True)
    tail: list[str] = []
    errors: list[str] = []  # from the first compiler error on: what a failure message should show
    messages: list[dict] = []
    with log_path.open("w") as log_file:
        log_file.write("$ " + " ".join(argv) + "\n")
        if env.get("RUSTC_WRAPPER"):
            log_file.write(f"RUSTC_WRAPPER={env['RUSTC_WRAPPER']}\n")
        log_file.flush()
        try:
            # cwd outside the checkout: its rust-toolchain.toml and .cargo/config.toml do not apply.
            process = subprocess.Popen(argv, cwd=manifest.parent, env=full_env, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, errors="replace")
        except OSError as error:
            raise BuildError(f"cannot run cargo ({argv[0]}): {error}. Install the Rust toolchain "
                             "(https://rustup.rs) or set CARGO to the cargo binary") from None
        assert process.stderr is not None and process.stdout is not None
        reader = threading.Thread(target=_read_messages, args=(process.stdout, messages, progress), daemon=True)
        reader.start()
        for line in process.stderr:
            log_file.write(line)
            tail.append(line.rstrip("\n"))
            del tail[:-TAIL_LINES]
            if (errors or line.startswith("error")) and len(errors) < TAIL_LINES:
                errors.append(line.rstrip("\n"))
            if log is not None:
                log(line.rstrip("\n"))
        status = process.wait()
        reader.join()
    artifacts = messages
    if status != 0:
        raise BuildError(f"cargo failed with exit status {status}: {' '.join(argv)}\n"
                         f"(CARGO_TARGET_DIR={target_dir}; full output: {log_path})\n" + "\n".join(errors or tail))
    return artifacts


def _read_messages(stdout, into: list[dict], progress: Progress | None) -> None:
    for line in stdout:
        message = _json(line)
        reason = message.get("reason")
        if reason == "compiler-artifact":
            into.append(message)
            if progress is not None:
                target = message.get("target", {})
                name = target.get("name", "")
                if "custom-build" in target.get("kind", []):
                    name = f"{_package_name(message.get('package_id', ''))} (build script)"
                progress.advance(name)
        elif reason == "build-script-executed":
            into.append(message)


def build_script_out_dir(messages: list[dict], package: str) -> Path | None:
    """``OUT_DIR`` of ``package``'s build script in this build (cargo's ``build-script-executed`` message)."""
    for message in reversed(messages):
        if message.get("reason") == "build-script-executed" and _package_name(message.get("package_id", "")) == package:
            return Path(message["out_dir"])
    return None


def _package_name(package_id: str) -> str:
    """The name in a package id: ``path+file:///x/bindings#monolith-parity-rs@0.1.0`` or the old
    ``monolith-parity-rs 0.1.0 (path+file:///x)`` form."""
    if "#" in package_id:
        tail = package_id.rsplit("#", 1)[1]
        return tail.split("@", 1)[0] if "@" in tail else package_id.rsplit("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return package_id.split(" ", 1)[0]


def metadata(cargo: str, manifest: Path, *, features: Sequence[str] = (), env: Mapping[str, str] | None = None
             ) -> dict:
    """``cargo metadata`` of the overlay with these features (the resolved graph: packages, features, targets)."""
    argv = [cargo, "metadata", "--format-version", "1", "--manifest-path", str(manifest)]
    if features:
        argv += ["--features", ",".join(features)]
    host = _host_triple()
    if host:
        argv += ["--filter-platform", host]
    try:
        out = subprocess.run(argv, cwd=manifest.parent, env={**os.environ, **(env or {})}, capture_output=True,
                             text=True, timeout=600)
    except OSError as error:
        raise BuildError(f"cannot run cargo ({argv[0]}): {error}. Install the Rust toolchain") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"cargo metadata did not finish in 10 minutes: {' '.join(argv)}") from None
    if out.returncode != 0:
        raise BuildError(f"cargo metadata failed with exit status {out.returncode}: {' '.join(argv)}\n"
                         + "\n".join(out.stderr.splitlines()[-TAIL_LINES:]))
    return json.loads(out.stdout)


def _host_triple() -> str:
    try:
        out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    for line in out.stdout.splitlines():
        if line.startswith("host: "):
            return line.split(": ", 1)[1].strip()
    return ""


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
