"""Persistent worker processes speaking the framed protocol (docs/protocol.md).

One process serves many calls.  A call that outlives its timeout gets the
process killed (a hung worker cannot be trusted with the next call); a
process that dies mid-call is reported with its signal or exit status and
the tail of its standard error.  Either way the pool starts a fresh process
for the next call.

Each worker is a service of the harness (``services/health.py``): before
every call the pool checks it (alive, answers ``__ping__``) and replaces one
that died between calls, so the call never meets it; a worker that cannot be
started, or is killed during a call by something other than the harness
(SIGKILL, SIGTERM, SIGINT or SIGHUP: ``kill``, the kernel's OOM killer), is a
failure of the harness, not a crash of the side it runs.  A death the code
itself causes (an abort, a segfault, an exit status) stays a *process
crashed* finding.
"""

from __future__ import annotations

import json
import os
import selectors
import shlex
import signal
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import values
from ..services.health import Service, ServiceFailure, exit_description, first_start, use
from .zygote import Zygotes

_HEADER = struct.Struct("<I")
MAX_FRAME = 1 << 30
#: Signals a worker's own code does not send itself: a death by one of these came from outside.
EXTERNAL_SIGNALS = frozenset({signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
#: Seconds a live worker has to answer the ``__ping__`` before each call.
PING_TIMEOUT = 10.0


class WorkerFailure(Exception):
    """The worker died or stopped answering; ``kind`` is ``crashed``, ``timeout`` or ``killed`` (from outside)."""

    def __init__(self, kind: str, message: str, stderr_tail: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.stderr_tail = stderr_tail


def encode_frame(message: Mapping[str, Any]) -> bytes:
    payload = json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8")
    return _HEADER.pack(len(payload)) + payload


def signal_name(returncode: int) -> str:
    """Describe how a process ended: ``killed by SIGABRT (signal 6)`` or ``exit status 3``."""
    return exit_description(returncode)


#: Starts a worker's process instead of :class:`subprocess.Popen` (the zygote's ``launch``): returns a
#: Popen-like process and a note for the record ('' when there is nothing to say).
Launcher = Callable[..., tuple[Any, str]]


class FramedWorker:
    """A single worker process (spawned, or started by ``launcher``: forked from the reference zygote)."""

    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | None = None,
                 launcher: Launcher | None = None):
        self.argv = list(argv)
        self._stderr = tempfile.TemporaryFile(prefix="parity-worker-stderr-")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.launch_note = ""
        try:
            if launcher is not None:
                self.process, self.launch_note = launcher(self.argv, env=full_env, cwd=cwd, stdin=subprocess.PIPE,
                                                          stdout=subprocess.PIPE, stderr=self._stderr)
            else:
                self.process = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=self._stderr,
                    env=full_env,
                    cwd=cwd,
                    start_new_session=True,
                )
        except OSError as error:
            raise WorkerFailure("crashed", f"cannot start worker {self.argv!r}: {error}") from error
        self._next_id = 1
        self._lock = threading.Lock()
        self._killed_by_harness = False

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait for its response, or raise WorkerFailure."""
        with self._lock:
            message = dict(message, id=self._next_id)
            self._next_id += 1
            try:
                assert self.process.stdin is not None
                self.process.stdin.write(encode_frame(message))
                self.process.stdin.flush()
            except (BrokenPipeError, OSError):
                raise self._died("while receiving the request") from None
            deadline = time.monotonic() + timeout
            header = self._read_exactly(_HEADER.size, deadline, timeout)
            (length,) = _HEADER.unpack(header)
            if length > MAX_FRAME:
                self.kill()
                raise WorkerFailure("crashed", f"worker sent a frame of {length} bytes: the stream is corrupt "
                                    "(does it print to stdout outside frames?)", self.stderr_tail())
            payload = self._read_exactly(length, deadline, timeout)
            try:
                response = json.loads(payload.decode("utf-8"))
            except ValueError as error:
                self.kill()
                raise WorkerFailure("crashed", f"worker sent a frame that is not JSON ({error}); "
                                    "workers must write only frames to stdout", self.stderr_tail()) from None
            if response.get("id") != message["id"]:
                self.kill()
                raise WorkerFailure("crashed", f"worker answered request {message['id']} with id "
                                    f"{response.get('id')!r}", self.stderr_tail())
            return response

    def call(self, function: str, args: Sequence[Any], kwargs: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        return self.request(
            {"call": function, "args": [values.encode(a) for a in args],
             "kwargs": {k: values.encode(v) for k, v in kwargs.items()}},
            timeout,
        )

    def _read_exactly(self, size: int, deadline: float, timeout: float) -> bytes:
        assert self.process.stdout is not None
        stream = self.process.stdout
        chunks: list[bytes] = []
        remaining = size
        with selectors.DefaultSelector() as selector:
            selector.register(stream, selectors.EVENT_READ)
            while remaining:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self.kill()
                    raise WorkerFailure("timeout", f"no answer within {timeout:g} s; the worker was killed",
                                        self.stderr_tail())
                chunk = os.read(stream.fileno(), remaining)
                if not chunk:
                    raise self._died("before answering")
                chunks.append(chunk)
                remaining -= len(chunk)
        return b"".join(chunks)

    def _died(self, when: str) -> WorkerFailure:
        try:
            returncode = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            returncode = self.process.returncode
        external = returncode < 0 and -returncode in EXTERNAL_SIGNALS and not self._killed_by_harness
        return WorkerFailure("killed" if external else "crashed", f"worker {signal_name(returncode)} {when}",
                             self.stderr_tail())

    def stderr_tail(self, lines: int = 20) -> str:
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - 16384))
            text = self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        self._killed_by_harness = True
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not time out
            pass

    def close(self) -> None:
        """Ask politely (EOF on stdin), then kill."""
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        for stream in (self.process.stdout,):
            if stream is not None:
                stream.close()
        self._stderr.close()


class WorkerService(Service):
    """One command line's worker as a service: checked (``__ping__``) before each call, restarted when dead.

    Its after-call check is the call's own (:func:`~.framed_call.call_worker` sees how the worker
    ended), so the watch does not check it again: a worker the code under test crashed is a finding.
    """

    checked_after_call = False

    def __init__(self, pool: "WorkerPool", argv: Sequence[str], env: Mapping[str, str] | None, cwd: str | None,
                 launcher: Launcher | None = None):
        self.pool = pool
        self.argv, self.env, self.cwd, self.launcher = list(argv), env, cwd, launcher
        self.worker: FramedWorker | None = None
        self.generation = 0

    def name(self) -> str:
        command = shlex.join(self.argv)
        command = command if len(command) <= 120 else command[:117] + "..."
        pid = f" (pid {self.worker.process.pid})" if self.worker is not None else ""
        return f"worker `{command}`{pid}"

    def problem(self) -> str | None:
        if self.worker is None:
            return "is not running"
        returncode = self.worker.process.poll()
        if returncode is not None:
            return f"exited ({signal_name(returncode)})"
        try:
            response = self.worker.request({"call": "__ping__"}, min(PING_TIMEOUT, self.pool.start_timeout))
        except WorkerFailure as failure:
            return f"does not answer __ping__ ({failure.message})"
        return None if "ok" in response else f"answered __ping__ with {response!r}"

    def restart(self) -> None:
        if self.worker is not None:
            self.pool.restarts += 1
            self.worker.kill()
            self.worker.close()
            self.worker = None
        try:
            worker = FramedWorker(self.argv, env=self.env, cwd=self.cwd, launcher=self.launcher)
        except WorkerFailure as failure:
            raise ServiceFailure(self.name(), f"failed to start: {failure.message}") from None
        try:
            response = worker.request({"call": "__ping__"}, self.pool.start_timeout)
        except WorkerFailure as failure:
            tail = failure.stderr_tail or worker.stderr_tail()
            worker.kill()
            worker.close()
            raise ServiceFailure(self.name(), f"failed to start: {failure.message}"
                                              + (f"; stderr: {tail[-500:]}" if tail else "")) from None
        if "ok" not in response:
            worker.kill()
            worker.close()
            raise ServiceFailure(self.name(), f"failed to start: it answered its first __ping__ with {response!r}")
        self.worker = worker
        self.generation += 1


class WorkerPool:
    """Keeps one live worker per command line, checks it before each call and replaces a dead one."""

    def __init__(self, start_timeout: float = 30.0):
        self.start_timeout = start_timeout
        self._services: dict[tuple, WorkerService] = {}
        self.restarts = 0
        self.zygotes = Zygotes()  # the reference zygote(s) of this process (runners/zygote.py)

    def get(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | None = None,
            launcher: Launcher | None = None) -> FramedWorker:
        """The worker for this command line, healthy, or :class:`~..services.health.ServiceFailure`.

        ``launcher`` (the zygote's ``launch``) starts it instead of a spawn; a worker started either way
        is a service of its own (one key each), checked and restarted alike.
        """
        key = (tuple(argv), tuple(sorted((env or {}).items())), cwd, launcher is not None)
        service = self._services.get(key)
        if service is None:
            service = self._services[key] = WorkerService(self, argv, env, cwd, launcher)
            first_start(service)
        use(service)
        assert service.worker is not None
        return service.worker

    def service_of(self, worker: FramedWorker) -> WorkerService | None:
        return next((s for s in self._services.values() if s.worker is worker), None)

    def close(self) -> None:
        for service in self._services.values():
            if service.worker is not None:
                service.worker.close()
        self._services.clear()
        self.zygotes.close()
