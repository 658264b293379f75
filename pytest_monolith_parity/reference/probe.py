"""Which Python files of the checkout import in the reference environment, and why the others do not.

Every ``*.py`` under ``monolith/`` (tests and ``__init__`` files included) is
put in exactly one class:

==============================  =============================================================================
class                           meaning (``detail`` says which)
==============================  =============================================================================
importable                      imports; ``custom_ops`` lists custom ops it calls later (static), whose
                                cases will be *reference unavailable*
needs custom op                 importing calls a Bazel-built custom op, or the file is the op loader itself
needs package                   a third-party module is missing (``kafka``, ``flask``...), or a TF Serving
                                proto the wheel lacks
needs service                   importing tried to reach a service (connection refused, ZooKeeper, gRPC)
broken on this TensorFlow       the installed TensorFlow lacks an API the module uses
                                (``ops.register_tensor_conversion_function``, ``tensorflow.python.keras``...)
missing in checkout             it imports a ``monolith``/``idl`` module that the checkout does not have
                                (Bazel-generated or internal)
import error                    any other exception at import (the error is in ``detail``)
crashed                         the importing process died (signal or ``os._exit``)
timed out                       the import did not finish within the per-import timeout
not a module                    the path is not importable as a module name (not an identifier), or the file
                                exits at import (a script)
==============================  =============================================================================

``__init__.py`` files are probed by executing the package's deferred
``__init__`` (the bootstrap never runs them on plain import), so their class
says whether *that file* runs here.

Imports run in :mod:`.probe_worker` processes (TensorFlow imported once per
worker, a forked child per module), so a crash or hang costs one file.
:func:`probe` returns structured rows and counts; :func:`render` prints
them as a table, TSV or JSON.  Pytest-free.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import queue
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import protos as _protos
from .checkout import Checkout

CLASSES = (
    "importable",
    "needs custom op",
    "needs package",
    "needs service",
    "broken on this TensorFlow",
    "missing in checkout",
    "import error",
    "crashed",
    "timed out",
    "not a module",
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TF_TOPS = {"tensorflow", "keras", "tensorflow_estimator", "tf_keras"}
_TF_MODULE_IN_MESSAGE = re.compile(r"""(?:module|from) '((?:tensorflow|keras|tensorflow_estimator)(?:\.[\w.]+)?)'""")
_SERVICE_TYPES = {"ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "gaierror", "herror",
                  "TimeoutError", "socket.timeout", "NoNodeError", "KazooTimeoutError", "ConnectionLoss",
                  "RpcError", "_InactiveRpcError", "FutureTimeoutError"}


@dataclasses.dataclass
class ProbeRow:
    path: str
    klass: str
    detail: str = ""
    seconds: float = 0.0
    custom_ops: list[str] = dataclasses.field(default_factory=list)
    traceback: str = ""
    custom_ops_built: list[str] = dataclasses.field(default_factory=list)  # of custom_ops: a built kernel runs them

    @property
    def is_test(self) -> bool:
        return self.path.endswith("_test.py")

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "class": self.klass, "detail": self.detail, "seconds": self.seconds,
                "custom_ops": self.custom_ops, "custom_ops_built": self.custom_ops_built,
                "traceback": self.traceback}


@dataclasses.dataclass
class ProbeResult:
    checkout: str
    revision: str
    rows: list[ProbeRow]
    seconds: float
    workers: int
    environment: dict[str, Any] = dataclasses.field(default_factory=dict)

    def counts(self, rows: Iterable[ProbeRow] | None = None) -> dict[str, int]:
        """Files per class, every class listed (zero included), in :data:`CLASSES` order."""
        selected = list(self.rows if rows is None else rows)
        return {klass: sum(1 for row in selected if row.klass == klass) for klass in CLASSES}

    def summary(self) -> dict[str, Any]:
        non_test = [row for row in self.rows if not row.is_test]
        importable = [row for row in self.rows if row.klass == "importable"]
        return {
            "custom_op_modules": sum(1 for row in importable if row.custom_ops),
            "custom_op_modules_all_built": sum(1 for row in importable if row.custom_ops
                                               and set(row.custom_ops) <= set(row.custom_ops_built)),
            "custom_op_uses": sum(len(row.custom_ops) for row in importable),
            "custom_op_uses_built": sum(len(row.custom_ops_built) for row in importable),
            "files": len(self.rows),
            "importable": sum(row.klass == "importable" for row in self.rows),
            "non_test_files": len(non_test),
            "non_test_importable": sum(row.klass == "importable" for row in non_test),
            "counts": self.counts(),
            "non_test_counts": self.counts(non_test),
        }

    def to_json(self) -> dict[str, Any]:
        return {"checkout": self.checkout, "revision": self.revision, "seconds": round(self.seconds, 2),
                "workers": self.workers, "environment": self.environment, **self.summary(),
                "rows": [row.to_json() for row in self.rows]}


# -- in the worker's child ------------------------------------------------------
def module_name(path: str) -> str | None:
    """``monolith/a/b.py`` -> ``monolith.a.b``; ``monolith/a/__init__.py`` -> ``monolith.a``; None if not importable."""
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(_IDENTIFIER.match(part) for part in parts):
        return None
    return ".".join(parts)


def import_one(environment: Any, path: str) -> dict[str, Any]:
    """Import the module at ``path`` (run its deferred ``__init__`` for a package) and classify the outcome."""
    import importlib

    name = module_name(path)
    if name is None:
        return {"path": path, "class": "not a module", "detail": "path is not a valid module name"}
    if name in environment.standins:
        reason = environment.standins[name][0]
        return {"path": path, "class": "needs custom op", "detail": f"replaced by a stand-in: {reason}"}
    try:
        importlib.import_module(name)
        if path.endswith("/__init__.py"):
            environment.run_deferred_init(name)
    except SystemExit as error:
        return {"path": path, "class": "not a module", "detail": f"exits at import (SystemExit {error.code!r}): a script"}
    except BaseException as error:  # noqa: BLE001 - classifying is the point
        klass, detail = classify(error)
        return {"path": path, "class": klass, "detail": detail, "traceback": _format(error)}
    return {"path": path, "class": "importable", "detail": ""}


def _format(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))[-3000:]


def _innermost_file(error: BaseException) -> str:
    tb = error.__traceback__
    last = ""
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last


def _last_line(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


def classify(error: BaseException) -> tuple[str, str]:
    """The class and detail of an exception raised while importing a module."""
    kind = type(error).__name__
    message = str(error)
    if kind == "ReferenceUnavailable":
        if message.startswith("custom op"):
            return "needs custom op", message
        if message.startswith("TF Serving proto"):
            return "needs package", f"tensorflow_serving: {message.split(' is not available')[0][len('TF Serving proto '):]} " \
                                    "(not in the tensorflow-serving-api wheel)"
        return "needs service", message
    if isinstance(error, ModuleNotFoundError) and error.name:
        top = error.name.partition(".")[0]
        if top in {"monolith", "idl"}:
            return "missing in checkout", f"{error.name} (not in the checkout: Bazel-generated or internal)"
        if top in _TF_TOPS:
            return "broken on this TensorFlow", _last_line(error)
        if top in {"google", "tensorflow_serving"}:  # namespace-like: the second part says which
            return "needs package", ".".join(error.name.split(".")[:2 if top == "google" else None])
        return "needs package", top
    if kind in _SERVICE_TYPES or any(base.__name__ in _SERVICE_TYPES for base in type(error).__mro__) \
            or type(error).__module__.startswith(("kazoo", "grpc", "consul", "kafka")):
        return "needs service", _last_line(error)
    if isinstance(error, ImportError) and error.name and error.name.partition(".")[0] in _TF_TOPS:
        return "broken on this TensorFlow", _last_line(error)
    match = _TF_MODULE_IN_MESSAGE.search(message)
    if isinstance(error, (AttributeError, ImportError)) and match:
        return "broken on this TensorFlow", _last_line(error)
    innermost = _innermost_file(error)
    if any(f"{os.sep}{top}{os.sep}" in innermost for top in _TF_TOPS) and "site-packages" in innermost:
        return "broken on this TensorFlow", _last_line(error)
    return "import error", _last_line(error)


# -- static facts ------------------------------------------------------------------
def custom_op_uses(source: str) -> list[str]:
    """Names of ``gen_monolith_ops`` attributes a module uses (statically: aliases followed one level)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    aliases: set[str] = set()
    ops: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "gen_monolith_ops":
                    aliases.add(alias.asname or alias.name)
            direct = (node.module or "").endswith(".gen_monolith_ops")
            if direct:
                ops.update(alias.name for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.endswith(".gen_monolith_ops") and alias.asname:
                    aliases.add(alias.asname)
    for node in tree.body:  # `hash_table_ops = gen_monolith_ops`
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
    ops.update(node.attr for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases)
    return sorted(ops)


def custom_ops_reached(root: Path, path: str) -> list[str]:
    """Custom ops a file uses, and those of the monolith modules it imports directly (what its cases may call)."""
    file = root / path
    if not file.is_file():
        return []
    source = file.read_text("utf-8", errors="replace")
    found = set(custom_op_uses(source))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return sorted(found)
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("monolith."):
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.startswith("monolith.")]
        for name in names:
            candidate = root.joinpath(*name.split(".")).with_suffix(".py")
            if candidate.is_file() and candidate != file:
                found.update(custom_op_uses(candidate.read_text("utf-8", errors="replace")))
    return sorted(found)


# -- the driver ------------------------------------------------------------------
class ProbeError(RuntimeError):
    """A probe worker could not start; the message carries its stderr."""


class _Worker:
    """One probe_worker process, restarted when it dies."""

    def __init__(self, command: list[str], start_timeout: float, env: dict[str, str]):
        self.command = command
        self.start_timeout = start_timeout
        self.env = env
        self.process: subprocess.Popen | None = None
        self.stderr_path = ""
        self.buffer = b""
        self.ready: dict[str, Any] = {}
        self.restarts = -1

    def start(self) -> None:
        self.stop()
        handle, self.stderr_path = tempfile.mkstemp(prefix="probe-worker-", suffix=".err")
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=handle,
                                        env=self.env, start_new_session=True)
        os.close(handle)
        self.buffer = b""
        self.restarts += 1
        line = self.read_line(self.start_timeout)
        if line is None:
            tail = self.stderr_tail()
            self.stop()
            raise ProbeError(f"probe worker did not start within {self.start_timeout:g}s: "
                             f"{' '.join(self.command)}\n{tail}")
        self.ready = json.loads(line)

    def stderr_tail(self, limit: int = 3000) -> str:
        try:
            return Path(self.stderr_path).read_text("utf-8", errors="replace")[-limit:]
        except OSError:
            return ""

    def read_line(self, timeout: float) -> str | None:
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace")

    def ask(self, path: str, timeout: float) -> dict[str, Any] | None:
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps({"path": path, "timeout": timeout}) + "\n").encode())
            self.process.stdin.flush()
        except OSError:
            return None
        line = self.read_line(timeout + 30)
        return json.loads(line) if line else None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            if self.process.stdin:
                self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.process = None
        if self.stderr_path:
            try:
                os.unlink(self.stderr_path)
            except OSError:
                pass


def probe(checkout: Checkout | str | Path, files: Sequence[str] | None = None, *, workers: int = 2,
          timeout: float = 60.0, cache_dir: str | Path | None = None,
          serving_proto_dirs: Iterable[str | Path] | None = None, start_timeout: float = 180.0,
          prewarm: bool = True, python: str = sys.executable,
          progress: Callable[[ProbeRow, int, int], None] | None = None,
          kernels_manifest: str | Path | None = None) -> ProbeResult:
    """Classify ``files`` (default: every ``*.py`` under ``monolith/``) with ``workers`` worker processes.

    With ``kernels_manifest``, the workers bind ``gen_monolith_ops`` to the kernels already in the cache
    (they build nothing) and each row says which of its custom ops have a built kernel.
    """
    if not isinstance(checkout, Checkout):
        checkout = Checkout.open(checkout)
    start = time.perf_counter()
    serving_proto_dirs = [str(d) for d in (serving_proto_dirs or [])]
    built = _protos.build(checkout, cache_dir, serving_proto_dirs)  # once here, so workers only reuse it
    paths = list(files) if files is not None else checkout.python_files()
    command = [python, "-m", "pytest_monolith_parity.reference.probe_worker", "--monolith-root", str(checkout.root),
               "--timeout", str(timeout), "--cache-dir", str(built.directory.parent)]
    for directory in serving_proto_dirs:
        command += ["--serving-proto-dir", directory]
    if not prewarm:
        command.append("--no-prewarm")
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([package_root, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    kernels = None
    if kernels_manifest is not None:
        from ..kernel_build import KernelSet, load_manifest

        kernels = KernelSet(load_manifest(kernels_manifest), checkout.root, build_missing=False)
        env["MONOLITH_PARITY_KERNELS"] = str(Path(kernels_manifest).resolve())
        env["MONOLITH_PARITY_KERNEL_BUILD"] = "never"
    else:
        env.pop("MONOLITH_PARITY_KERNELS", None)

    results: dict[str, ProbeRow] = {}
    pending: queue.Queue[str] = queue.Queue()
    for path in paths:
        pending.put(path)
    lock = threading.Lock()
    errors: list[BaseException] = []
    started: list[dict[str, Any]] = []

    def record(row: ProbeRow) -> None:
        with lock:
            results[row.path] = row
            if progress is not None:
                progress(row, len(results), len(paths))

    def run_worker() -> None:
        worker = _Worker(command, start_timeout, env)
        try:
            worker.start()
            started.append(worker.ready)
            while True:
                try:
                    path = pending.get_nowait()
                except queue.Empty:
                    return
                answer = worker.ask(path, timeout)
                if answer is None:  # the worker itself died or hung: this file is the culprit
                    tail = worker.stderr_tail(800)
                    record(ProbeRow(path, "crashed", f"probe worker died or hung importing it; stderr: {tail[-300:]}"))
                    worker.start()
                    continue
                record(_row(answer))
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        finally:
            worker.stop()

    threads = [threading.Thread(target=run_worker, daemon=True) for _ in range(max(1, min(workers, len(paths) or 1)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors and len(results) < len(paths):
        raise errors[0]
    for row in results.values():
        if row.klass in {"importable", "needs custom op", "import error", "broken on this TensorFlow"}:
            source = (checkout.root / row.path).read_text("utf-8", errors="replace")
            row.custom_ops = custom_op_uses(source)
            if kernels is not None:
                row.custom_ops_built = [op for op in row.custom_ops if not kernels.status(op)[1]]
    rows = [results[path] for path in paths]
    return ProbeResult(checkout=str(checkout.root), revision=checkout.revision, rows=rows,
                       seconds=time.perf_counter() - start, workers=len(threads),
                       environment={"protos": str(built.directory), "python": python,
                                    "timeout": timeout, "workers_ready": started,
                                    "tensorflow_shims": [dataclasses.asdict(s) for s in _tf_shims()],
                                    "kernels": kernels.summary() if kernels is not None else None})


def _tf_shims() -> list[Any]:
    from .tf_compat import SHIMS

    return list(SHIMS)


def _row(answer: dict[str, Any]) -> ProbeRow:
    detail = str(answer.get("detail", ""))
    if answer.get("class") in {"crashed", "timed out"} and answer.get("output"):
        tail = str(answer["output"]).strip().splitlines()
        if tail:
            detail = f"{detail}; last output: {tail[-1][:200]}"
    return ProbeRow(path=answer["path"], klass=answer.get("class", "import error"), detail=detail,
                    seconds=float(answer.get("seconds", 0.0)), traceback=str(answer.get("traceback", "")))


# -- rendering ---------------------------------------------------------------------
def render(result: ProbeResult, fmt: str = "table") -> str:
    """The result as ``table`` (for people), ``tsv`` (for diffs, like shared/measurements) or ``json``."""
    summary = result.summary()
    if fmt == "json":
        return json.dumps(result.to_json(), indent=2) + "\n"
    counts = ", ".join(f"{klass}: {count}" for klass, count in summary["counts"].items() if count)
    headline = (f"{summary['importable']} of {summary['files']} files import "
                f"({summary['non_test_importable']} of {summary['non_test_files']} non-test modules); {counts}; "
                f"custom ops called by importable files: {summary['custom_op_uses_built']} of "
                f"{summary['custom_op_uses']} built; {result.seconds:.1f}s with {result.workers} worker(s)")
    if fmt == "tsv":
        lines = [f"# Import probe of {result.checkout} (revision {result.revision}).",
                 f"# Result: {headline}.",
                 *[f"# TensorFlow shim: {s['module']}{'.' + s['name'] if s['name'] else ''} -> {s['kind']}"
                   f"{' of ' + s['target'] if s['target'] else ''}"
                   for s in result.environment.get("tensorflow_shims", [])],
                 "# Columns: file, class, detail, seconds, custom ops (static), custom ops with a built kernel."]
        for row in result.rows:
            detail = row.detail.replace("\t", " ").replace("\n", " ")
            lines.append("\t".join([row.path, row.klass, detail, f"{row.seconds:.3f}", ",".join(row.custom_ops),
                                    ",".join(row.custom_ops_built)]))
        return "\n".join(lines) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}: use table, tsv or json")
    width = max([len(row.path) for row in result.rows] + [4])
    klass_width = max(len(klass) for klass in CLASSES)
    lines = [f"{'file'.ljust(width)}  {'class'.ljust(klass_width)}  detail"]
    for row in result.rows:
        detail = row.detail.splitlines()[0] if row.detail else ""
        lines.append(f"{row.path.ljust(width)}  {row.klass.ljust(klass_width)}  {detail[:160]}")
    shims = result.environment.get("tensorflow_shims", [])
    if shims:
        lines += ["", "TensorFlow shims:"]
        lines += [f"  {s['module']}{'.' + s['name'] if s['name'] else ''}: {s['kind']}"
                  f"{' of ' + s['target'] if s['target'] else ''} ({s['why']})" for s in shims]
    lines += ["", headline]
    return "\n".join(lines) + "\n"
