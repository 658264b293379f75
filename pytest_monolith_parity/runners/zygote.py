"""The harness's side of the reference zygote: start it, fork calls from it, fall back to a spawn.

A Python reference CLI (``reference_cli``, ``cli(side="python")`` running
this interpreter) or an isolated call's worker would otherwise start a new
interpreter that imports TensorFlow and the reference environment: seconds
per call.  Instead, each harness process (one per pytest-xdist worker) keeps
one zygote (:mod:`.zygote_server`) that imported them once and never runs case
code, and every such call is a fork of it that becomes the command
(:mod:`.zygote_child`).  :func:`launch` returns a :class:`ForkedProcess` with
the parts of :class:`subprocess.Popen` the runners use (pipes, ``pid``,
``poll``, ``wait``, ``communicate``, ``returncode``), so crash, timeout and
exit-status handling is the same code on both paths.

A call is forked only when a fork gives what a spawn gives; otherwise it is
spawned and the reason becomes a note in the record:

* the command is this interpreter with ``-m``, ``-c`` or a script and no
  other interpreter option (``-u``, ``-X``, ``-W``... configure a fresh
  interpreter, which a fork cannot redo);
* the call's environment agrees with the zygote's (the harness's own) on
  every variable read at interpreter or native-library start-up
  (:data:`STARTUP_PREFIXES`: ``PYTHON*``, locale, ``TF_*``, thread pools, the
  dynamic linker...), which a running process cannot re-read;
* the zygote is healthy and reports no hazard (Python threads started by a
  pre-import, the ``-m`` module already imported), and the forked child could
  be prepared.

``reference_zygote = "off"`` (or ``fork=False`` on a runner) spawns every
call, as the harness did before the zygote existed.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Settings

#: Environment variables read when an interpreter or a native library starts: a call whose values differ from the
#: zygote's cannot be forked from it (prefix match; ``HOME`` decides the user site directory).
STARTUP_PREFIXES = ("PYTHON", "LANG", "LANGUAGE", "LC_", "TZ", "HOME", "LD_", "MALLOC_", "GLIBC_", "TF_", "OMP_",
                    "KMP_", "MKL_", "OPENBLAS_", "GOTO_", "CUDA_", "GRPC_", "PROTOCOL_BUFFERS_")

#: What the zygote imports after activating the reference environment, when a checkout is configured: what nearly
#: every monolith entry point needs (the import probe's warm-up, ``reference/probe_worker.py``).
DEFAULT_PRELOAD = ("numpy", "absl.flags", "absl.logging", "google.protobuf", "tensorflow",
                   "tensorflow:keras.layers.Layer", "tensorflow:compat.v1.estimator")

#: Seconds the zygote has to import everything (TensorFlow takes 5-20 s on a busy 2-core machine).
READY_TIMEOUT = 300.0
#: Seconds the zygote has to answer a request (it only forks: milliseconds).
ANSWER_TIMEOUT = 60.0

PIPE = subprocess.PIPE
DEVNULL = subprocess.DEVNULL


class ZygoteUnavailable(Exception):
    """This call cannot be forked; the message says why (it becomes the record's note)."""


def note_for(reason: str) -> str:
    return f"spawned, not forked from the reference zygote: {reason}"


def startup_environment(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(STARTUP_PREFIXES)))


@dataclasses.dataclass(frozen=True)
class PythonCommand:
    """``argv`` of this interpreter that a zygote child can become: ``-m module``, ``-c code`` or ``script``."""

    argv: tuple[str, ...]

    @property
    def module(self) -> str | None:
        return self.argv[2] if self.argv[1] == "-m" else None


def python_command(argv: Sequence[str]) -> PythonCommand | None:
    """The command as a :class:`PythonCommand`; ``None`` when it does not run this interpreter at all.

    Raises :class:`ZygoteUnavailable` when it does run this interpreter, but in a way a fork cannot reproduce.
    """
    if not argv:
        return None
    program = argv[0] if os.sep in argv[0] else (shutil.which(argv[0]) or argv[0])
    if os.path.abspath(program) != os.path.abspath(sys.executable):
        return None
    if len(argv) < 2:
        raise ZygoteUnavailable("an interactive interpreter (no -m, -c or script)")
    option = argv[1]
    if option in ("-m", "-c"):
        if len(argv) < 3:
            raise ZygoteUnavailable(f"`{option}` without its argument")
        return PythonCommand(tuple(argv))
    if option.startswith("-"):
        raise ZygoteUnavailable(f"interpreter option {option} configures a fresh interpreter")
    if not os.path.isfile(option):
        raise ZygoteUnavailable(f"script {option} is not a file (a directory, a zip, or missing)")
    return PythonCommand(tuple(argv))


def preload_for(settings: "Settings") -> tuple[str, ...]:
    if settings.reference_preload is not None:
        return tuple(settings.reference_preload)
    return DEFAULT_PRELOAD if settings.monolith_root else ()


def reference_root_for(settings: "Settings") -> str | None:
    return str(settings.path(settings.monolith_root)) if settings.monolith_root else None


class ZygoteProcess:
    """One running zygote and the conversation with it (thread-safe; one request at a time)."""

    def __init__(self, env: Mapping[str, str], reference_root: str | None, preload: Sequence[str]):
        self.env = dict(env)
        self.startup = startup_environment(env)
        self.statuses: dict[int, int] = {}
        self.replies: dict[int, dict[str, Any]] = {}
        self.lost = ""
        self.facts: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._next_id = 1
        self._children: set[int] = set()
        self._home = tempfile.mkdtemp(prefix="parity-zygote-")
        self._stderr = tempfile.TemporaryFile(prefix="parity-zygote-stderr-")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = ours
        code = "from pytest_monolith_parity.runners import zygote_server; zygote_server.main()"
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, str(theirs.fileno())], pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr, env=self.env,
                cwd=self._home, start_new_session=True)
        except OSError as error:
            self._discard()
            raise ZygoteUnavailable(f"the zygote cannot start: {error}") from None
        finally:
            theirs.close()
        try:
            self._send({"reference_root": reference_root, "preload": list(preload)})
            ready = self._receive_until(lambda m: "ready" in m or "error" in m, READY_TIMEOUT,
                                        f"the zygote did not finish importing within {READY_TIMEOUT:g} s")
        except ZygoteUnavailable:
            self.close()
            raise
        if "error" in ready:
            self.close()
            raise ZygoteUnavailable(f"the zygote failed: {ready['error']}{self._stderr_note()}")
        self.facts = ready

    # -- the conversation -------------------------------------------------------
    def _send(self, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
        data = json.dumps(message).encode("utf-8")
        try:
            if fds:
                socket.send_fds(self.sock, [data], list(fds))
            else:
                self.sock.sendall(data)
        except OSError as error:
            self._lose(f"the zygote stopped listening ({error})")
            raise ZygoteUnavailable(self.lost) from None

    def _pump(self, timeout: float | None) -> bool:
        """Take in one message (within ``timeout``; ``None`` waits); False when none came."""
        if self.lost:
            return False
        with selectors.DefaultSelector() as selector:
            selector.register(self.sock, selectors.EVENT_READ)
            if not selector.select(timeout):
                return False
        try:
            data = self.sock.recv(1 << 20)
        except OSError as error:
            data, reason = b"", f"its socket failed ({error})"
        else:
            reason = ""
        if not data:
            self._lose(reason or f"the zygote exited ({self._exit_text()}){self._stderr_note()}")
            return False
        message = json.loads(data.decode("utf-8"))
        if "exited" in message:
            self.statuses[message["exited"]] = message["status"]
            self._children.discard(message["exited"])
        elif "id" in message:
            self.replies[message["id"]] = message
        else:
            self.replies[0] = message  # ready / error of the warm-up
        return True

    def _receive_until(self, done, timeout: float, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for key, message in list(self.replies.items()):
                    if done(message):
                        del self.replies[key]
                        return message
                left = deadline - time.monotonic()
                if self.lost:
                    raise ZygoteUnavailable(self.lost)
                if left <= 0:
                    self._lose(what)
                    raise ZygoteUnavailable(what)
                self._pump(min(left, 1.0))

    def status_of(self, pid: int, timeout: float | None) -> int | None:
        """The wait status of a child, waiting up to ``timeout`` (``None``: until it ends); None if not yet."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                while self._pump(0):  # take in whatever already arrived
                    pass
                if pid in self.statuses or self.lost:
                    return self.statuses.get(pid)
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._pump(0.2 if left is None else min(left, 0.2))

    def fork(self, command: PythonCommand, env: Mapping[str, str], cwd: str, fds: Sequence[int]) -> int:
        with self._lock:
            ident = self._next_id
            self._next_id += 1
            self._send({"id": ident, "argv": list(command.argv), "env": dict(env), "cwd": cwd}, fds)
        reply = self._receive_until(lambda m: m.get("id") == ident, ANSWER_TIMEOUT,
                                    f"the zygote did not answer a request within {ANSWER_TIMEOUT:g} s")
        if "refused" in reply:
            raise ZygoteUnavailable(reply["refused"])
        self._children.add(reply["pid"])
        return reply["pid"]

    # -- health -----------------------------------------------------------------
    def _exit_text(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "still running"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def _stderr_note(self) -> str:
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - 1500))
            tail = self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""
        return f"; its stderr ends: {tail[-600:]}" if tail else ""

    def _lose(self, reason: str) -> None:
        """The zygote is gone or broken: kill it and every process group it forked for us."""
        if self.lost:
            return
        self.lost = reason
        for pid in list(self._children):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        self._kill_zygote()

    def _kill_zygote(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not time out
            pass

    def close(self) -> None:
        """EOF to the zygote (it kills its children and exits), then make sure it is gone."""
        if self.sock.fileno() >= 0:
            self.sock.close()
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._kill_zygote()
        self.lost = self.lost or "closed"
        self._discard()

    def _discard(self) -> None:
        self._stderr.close()
        shutil.rmtree(self._home, ignore_errors=True)


class Zygotes:
    """The zygote of one harness process, started on first use with the harness's own environment.

    Keyed by the interpreter, the start-up environment, the checkout and the
    pre-imports, so a run that changes one of them (a test, the bench) gets a
    zygote that matches.  A zygote that dies is replaced once; after a second
    death (or a failed start) its calls are spawned, each with the reason.
    """

    def __init__(self) -> None:
        self._running: dict[tuple, ZygoteProcess] = {}
        self._failed: dict[tuple, str] = {}
        self._replaced: set[tuple] = set()
        self._lock = threading.Lock()

    def get(self, base_env: Mapping[str, str], reference_root: str | None, preload: Sequence[str]) -> ZygoteProcess:
        key = (sys.executable, startup_environment(base_env), reference_root, tuple(preload))
        with self._lock:
            if key in self._failed:
                raise ZygoteUnavailable(self._failed[key])
            zygote = self._running.get(key)
            if zygote is not None and not zygote.lost:
                return zygote
            if zygote is not None:
                zygote.close()
                if key in self._replaced:
                    self._failed[key] = f"the zygote died twice (last: {zygote.lost})"
                    raise ZygoteUnavailable(self._failed[key])
                self._replaced.add(key)
            try:
                fresh = ZygoteProcess(base_env, reference_root, preload)
            except ZygoteUnavailable as error:
                self._failed[key] = str(error)
                raise
            self._running[key] = fresh
            return fresh

    def facts(self) -> list[dict[str, Any]]:
        return [z.facts for z in self._running.values() if not z.lost]

    def close(self) -> None:
        with self._lock:
            for zygote in self._running.values():
                zygote.close()
            self._running.clear()


def startup_differences(env: Mapping[str, str], zygote: ZygoteProcess) -> list[str]:
    """Start-up variables the call sets differently from the zygote's environment."""
    mine, theirs = dict(startup_environment(env)), dict(zygote.startup)
    return sorted(name for name in set(mine) | set(theirs) if mine.get(name) != theirs.get(name))


class ForkedProcess:
    """A command forked from a zygote, with the parts of :class:`subprocess.Popen` the runners use."""

    def __init__(self, zygote: ZygoteProcess, command: PythonCommand, env: Mapping[str, str], cwd: str,
                 stdin: Any, stdout: Any, stderr: Any):
        self.zygote = zygote
        self.args = list(command.argv)
        self.returncode: int | None = None
        self.stdin: IO[bytes] | None = None
        self.stdout: IO[bytes] | None = None
        self.stderr: IO[bytes] | None = None
        child_fds: list[int] = []
        ours: list[int] = []
        try:
            for number, (spec, mode) in enumerate(((stdin, "wb"), (stdout, "rb"), (stderr, "rb"))):
                child_fds.append(self._child_end(number, spec, mode, ours))
            self.pid = zygote.fork(command, env, cwd, child_fds)
        except BaseException:
            for stream in (self.stdin, self.stdout, self.stderr):
                if stream is not None:
                    stream.close()
            raise
        finally:
            for fd in ours:
                os.close(fd)

    def _child_end(self, number: int, spec: Any, mode: str, ours: list[int]) -> int:
        """The descriptor the child gets as fd ``number``; for PIPE, keep the other end as a stream."""
        if spec == PIPE:
            read_end, write_end = os.pipe()
            mine, theirs = (write_end, read_end) if number == 0 else (read_end, write_end)
            stream = io.open(mine, mode)
            setattr(self, ("stdin", "stdout", "stderr")[number], stream)
            ours.append(theirs)
            return theirs
        if spec == DEVNULL:
            fd = os.open(os.devnull, os.O_RDONLY if number == 0 else os.O_WRONLY)
            ours.append(fd)
            return fd
        fd = number if spec is None else spec if isinstance(spec, int) else spec.fileno()  # None: inherit ours
        duplicate = os.dup(fd)
        ours.append(duplicate)
        return duplicate

    def _settle(self, status: int | None) -> int | None:
        if status is not None and self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(status)
        elif status is None and self.zygote.lost and self.returncode is None:
            self.returncode = -signal.SIGKILL  # the zygote killed nothing we can see; the harness killed the group
        return self.returncode

    @property
    def zygote_lost(self) -> str:
        """Why the zygote went away before this process's status was known ('' if it did not)."""
        return self.zygote.lost if self.zygote.lost and self.pid not in self.zygote.statuses else ""

    def poll(self) -> int | None:
        if self.returncode is None:
            self._settle(self.zygote.status_of(self.pid, 0))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._settle(self.zygote.status_of(self.pid, timeout))
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass

    def communicate(self, input: bytes | None = None, timeout: float | None = None) -> tuple[bytes, bytes]:
        """Write ``input``, read stdout and stderr to their ends, wait; like Popen's, TimeoutExpired keeps partial output."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not hasattr(self, "_pending_input"):
            self._pending_input = memoryview(input or b"")
            self._output = {"stdout": [], "stderr": []}
            if self.stdin is not None and not self._pending_input:
                self._close_stdin()
        with selectors.DefaultSelector() as selector:
            if self.stdin is not None and not self.stdin.closed:
                os.set_blocking(self.stdin.fileno(), False)
                selector.register(self.stdin.fileno(), selectors.EVENT_WRITE, "stdin")
            for name in ("stdout", "stderr"):
                stream = getattr(self, name)
                if stream is not None and not stream.closed:
                    selector.register(stream.fileno(), selectors.EVENT_READ, name)
            while selector.get_map():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise subprocess.TimeoutExpired(self.args, timeout)
                for key, _events in selector.select(left):
                    if key.data == "stdin":
                        try:
                            written = os.write(key.fd, self._pending_input[:65536])
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:
                            written = len(self._pending_input)
                        self._pending_input = self._pending_input[written:]
                        if not self._pending_input:
                            selector.unregister(key.fd)
                            self._close_stdin()
                        continue
                    chunk = os.read(key.fd, 65536)
                    if chunk:
                        self._output[key.data].append(chunk)
                    else:
                        selector.unregister(key.fd)
                        getattr(self, key.data).close()
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        self.wait(left)
        return b"".join(self._output["stdout"]), b"".join(self._output["stderr"])

    def _close_stdin(self) -> None:
        try:
            self.stdin.close()
        except BrokenPipeError:
            pass


def launch(zygotes: Zygotes, settings: "Settings", base_env: Mapping[str, str], argv: Sequence[str], *,
           env: Mapping[str, str], cwd: str | None, stdin: Any = None, stdout: Any = None, stderr: Any = None,
           fork: bool = True) -> tuple[subprocess.Popen | ForkedProcess, str]:
    """Start ``argv`` forked from a zygote when it can be, else spawned; returns the process and the note.

    ``base_env`` is what the harness gives every Python subprocess (the zygote starts with it); ``env``
    is this call's.  The note is empty when the call was forked, or when it is not a Python command
    (nothing to fork); else it says why the call was spawned.  ``OSError`` from a spawn propagates as
    from Popen.
    """
    cwd = cwd or os.getcwd()
    note = ""
    if fork and settings.reference_zygote != "off":
        try:
            command = python_command(argv)
            if command is not None:
                zygote = zygotes.get(base_env, reference_root_for(settings), preload_for(settings))
                differences = startup_differences(env, zygote)
                if differences:
                    raise ZygoteUnavailable(f"the call sets {', '.join(differences)} differently from the harness "
                                            "(read when an interpreter starts)")
                return ForkedProcess(zygote, command, env, cwd, stdin, stdout, stderr), ""
        except ZygoteUnavailable as error:
            note = note_for(str(error))
    process = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdin=stdin, stdout=stdout, stderr=stderr,
                               start_new_session=True)
    return process, note


def describe(zygotes: Zygotes) -> list[str]:
    """One line per running zygote (warm-up time, threads), for the terminal summary and the bench."""
    lines = []
    for facts in zygotes.facts():
        lines.append(f"reference zygote pid {facts.get('pid')}: warmed up in {facts.get('seconds')} s "
                     f"({len(facts.get('steps', []))} steps, {facts.get('native_threads')} native threads)")
    return lines

