"""The probe's long-lived worker: TensorFlow imported once, one forked child per module.

Importing TensorFlow costs seconds; importing one monolith module after it
costs milliseconds.  So the worker activates the reference environment,
imports TensorFlow (and Keras, which TF 2.15 loads lazily) once, then for
each request forks a child that imports exactly one module and reports how
that went.  A child that crashes, hangs (killed after the timeout with its
whole process group) or calls ``os._exit`` costs only itself; the next
module starts again from the clean, pre-warmed parent.  Modules never see
each other's side effects (absl flags, monkey patches, sys.modules).

Protocol (JSON lines): the worker prints ``{"ready": ...}`` once, then
answers each request line ``{"path": "monolith/x/y.py"}`` with one result
line.  Run by :mod:`.probe`; ``python -m`` entry point only.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import tempfile
import time
import traceback


def _prewarm() -> list[str]:
    """Import what nearly every monolith module needs, so each child does not pay for it."""
    warmed = []
    for statement in ("import numpy", "import absl.flags, absl.logging", "import google.protobuf",
                      "import tensorflow as tf", "import tensorflow as tf; tf.keras.layers.Layer",
                      "import tensorflow as tf; tf.compat.v1.estimator"):
        try:
            exec(statement, {})  # noqa: S102 - fixed statements above
            warmed.append(statement)
        except Exception:  # noqa: BLE001 - a module that needs it will report the error itself
            pass
    return warmed


def _child(environment, path: str, write_fd: int, output_path: str) -> None:
    """In the forked child: import one module, write one JSON result, never return."""
    from . import probe

    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        start = time.perf_counter()
        result = probe.import_one(environment, path)
        result["seconds"] = round(time.perf_counter() - start, 3)
    except BaseException as error:  # noqa: BLE001 - the child must always answer
        result = {"path": path, "class": "import error", "detail": f"probe child failed: {error!r}",
                  "traceback": traceback.format_exc()[-2000:]}
    try:
        data = (json.dumps(result, default=str) + "\n").encode()
        view = memoryview(data)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    finally:
        os._exit(0)


def _tail(path: str, limit: int = 1500) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _run_one(environment, path: str, timeout: float) -> dict:
    read_fd, write_fd = os.pipe()
    output = tempfile.NamedTemporaryFile(prefix="probe-", suffix=".log", delete=False)
    output.close()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(environment, path, write_fd, output.name)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = start + timeout
    timed_out = False
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    if timed_out:
        for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                kill()
            except OSError:
                pass
    _, status = os.waitpid(pid, 0)
    seconds = round(time.perf_counter() - start, 3)
    tail = _tail(output.name)
    os.unlink(output.name)
    if timed_out:
        return {"path": path, "class": "timed out", "detail": f"import did not finish within {timeout:g}s",
                "seconds": seconds, "output": tail}
    text = b"".join(chunks).decode("utf-8", "replace").strip()
    if text:
        try:
            result = json.loads(text.splitlines()[-1])
            result.setdefault("seconds", seconds)
            return result
        except ValueError:
            pass
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        how = f"killed by signal {signal.Signals(number).name}" if number in signal.Signals._value2member_map_ \
            else f"killed by signal {number}"
    else:
        how = f"exited with status {os.WEXITSTATUS(status)} during import"
    return {"path": path, "class": "crashed", "detail": how, "seconds": seconds, "output": tail}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_monolith_parity.reference.probe_worker")
    parser.add_argument("--monolith-root", required=True)
    parser.add_argument("--cache-dir")
    parser.add_argument("--serving-proto-dir", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--no-prewarm", action="store_true")
    options = parser.parse_args(argv)

    # The protocol gets a private copy of stdout; whatever modules print goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from . import bootstrap

    start = time.perf_counter()
    environment = bootstrap.activate(options.monolith_root, options.cache_dir, options.serving_proto_dir)
    warmed = [] if options.no_prewarm else _prewarm()
    protocol.write(json.dumps({"ready": True, "pid": os.getpid(), "seconds": round(time.perf_counter() - start, 3),
                               "prewarmed": warmed, "protos": str(environment.protos.directory)}) + "\n")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        result = _run_one(environment, request["path"], float(request.get("timeout", options.timeout)))
        protocol.write(json.dumps(result, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
