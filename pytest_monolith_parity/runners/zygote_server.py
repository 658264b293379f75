"""The reference zygote: TensorFlow and the reference environment imported once, a fork per call.

Started by :mod:`.zygote` (the harness's side) as ``python -c "...zygote_server.main()" <fd>``
with one end of a Unix ``SOCK_SEQPACKET`` socket pair.  It

1. reads its configuration (the checkout to activate, the modules to
   pre-import), activates the reference environment and imports them,
   recording what each import wrote to stdout/stderr (:class:`.zygote_child.ImportOutput`);
2. answers ``{"ready": ...}`` with the warm-up's facts (seconds, threads);
3. serves requests until the harness closes the socket.  A request is one
   command line to run, with its environment, working directory and three
   file descriptors (stdin, stdout, stderr) passed with ``SCM_RIGHTS``; the
   zygote forks, the child becomes the command (:mod:`.zygote_child`), and the
   zygote answers ``{"pid": n}`` once the child is set up -- or
   ``{"refused": reason}`` when forking cannot give what a spawn gives (then
   the harness spawns; see *hazards* below).  When a child ends, the zygote
   reaps it (a pidfd per child) and sends ``{"exited": pid, "status": <wait status>}``.

Hazards, checked before every fork (a fork copies memory, never threads: a lock
another thread holds at that moment stays locked forever in the child, and a
library whose threads are gone may wait for them forever -- the known deadlock
of forking after TensorFlow or gRPC started working; each hazard makes the call
a spawn, with the reason as its note):

* Python threads in the zygote (a pre-import started one);
* a native library running its own threads that cannot survive a fork
  (:data:`.fork_safety.FORK_UNSAFE_THREADS`): grpc's C core, once a channel or
  server started its event engine, timer and lifeguard threads.  Importing grpc
  starts none; the default pre-imports never use it, and TensorFlow's own
  statically linked gRPC starts only with a distributed server or session,
  never at import.  So a forked command starts grpc itself, reading the call's
  ``GRPC_*`` variables (``GRPC_ENABLE_FORK_SUPPORT``, ``GRPC_POLL_STRATEGY``)
  as a spawn does; a call whose ``GRPC_*`` differ from the harness's is
  spawned (:data:`.zygote.STARTUP_PREFIXES`);
* native threads at fork time (:func:`.fork_safety.native_threads_hazard`): every native
  thread other than the main one must be one the warm-up left (a thread that
  started later is unknown) and must be parked -- sleeping, with no CPU time
  consumed over a short window (a running thread may hold a lock).  The warm-up
  of the default pre-imports leaves two such threads (NumPy's OpenBLAS pool,
  which also shuts itself down in an at-fork handler, and one of TensorFlow's),
  both idle in a futex wait for the zygote's whole life: the zygote never runs
  case code, so nothing wakes them;
* a ``-m`` module that is already imported here (``runpy`` would run a second
  copy and warn).

``ready`` reports the warm-up's native threads (name, state) and whether grpc
is imported.  A child that hangs before it is set up makes the zygote stop
answering: the harness gives up on it after :data:`.zygote.ANSWER_TIMEOUT` and
spawns the call, with a note.

Before each fork the zygote calls ``gc.freeze()``: its objects become
permanent, so a child's garbage collections never touch (and copy) their
pages.

Messages are JSON, one per packet.  When the harness goes away (EOF), the
zygote kills its children's process groups and exits.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any

from .fork_safety import native_thread_table, native_threads_hazard, python_threads
from .zygote_child import REFERENCE_LAUNCHERS, ImportOutput, become

MAX_MESSAGE = 1 << 20

#: Each pre-import: "module" or "module:attribute.path" (an attribute reached after the import, for lazy loaders).
Preload = Sequence[str]


def send(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    data = json.dumps(message).encode("utf-8")
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.sendall(data)


def receive(sock: socket.socket, max_fds: int = 3) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the descriptors that came with it; ``(None, [])`` at EOF."""
    data, fds, _flags, _address = socket.recv_fds(sock, MAX_MESSAGE, max_fds)
    if not data:
        for fd in fds:
            os.close(fd)
        return None, []
    return json.loads(data.decode("utf-8")), list(fds)


class _Capture:
    """Collects what fds 1 and 2 receive while one pre-import runs (Python and C writers alike)."""

    def __enter__(self) -> "_Capture":
        _flush_all()
        self.saved = [os.dup(1), os.dup(2)]
        self.files = [tempfile.TemporaryFile(), tempfile.TemporaryFile()]
        for fd, handle in zip((1, 2), self.files):
            os.dup2(handle.fileno(), fd)
        return self

    def __exit__(self, *exc: Any) -> None:
        _flush_all()
        for fd, saved in zip((1, 2), self.saved):
            os.dup2(saved, fd)
            os.close(saved)
        self.output = []
        for handle in self.files:
            handle.seek(0)
            self.output.append(handle.read())
            handle.close()


def _flush_all() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)  # C stdio buffers (printf from an extension's initialiser)
    except (OSError, AttributeError):
        pass


def _import(spec: str) -> None:
    import importlib

    module_name, _, attributes = spec.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, attributes.split(".")):
        obj = getattr(obj, part)


def native_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


class Zygote:
    """The zygote process's state: what it pre-imported, the children it has to reap."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.selector = selectors.DefaultSelector()
        self.selector.register(sock, selectors.EVENT_READ)
        self.children: dict[int, int] = {}  # pidfd -> pid
        self.import_outputs: list[ImportOutput] = []
        self.activation_output: list[ImportOutput] = []
        self.reference_root: str | None = None
        self.warm_threads: set[int] = set()

    # -- warm-up --------------------------------------------------------------
    def warm_up(self, reference_root: str | None, preload: Preload) -> dict[str, Any]:
        start = time.perf_counter()
        steps: list[dict[str, Any]] = []
        if reference_root:
            from ..reference import bootstrap

            with _Capture() as capture:
                bootstrap.activate(reference_root)
            self.reference_root = reference_root
            self.activation_output.append(ImportOutput("", *capture.output))
            steps.append({"step": f"activate {reference_root}", "output_bytes": sum(map(len, capture.output))})
        for spec in preload:
            before = set(sys.modules)
            step_start = time.perf_counter()
            error = ""
            with _Capture() as capture:
                try:
                    _import(spec)
                except Exception as failure:  # noqa: BLE001 - a module that needs it reports the error itself
                    error = f"{type(failure).__name__}: {failure}"
            # the import that finishes last is the outermost one (sys.modules moves a module to its end when it
            # finishes): the module whose import, in a spawned process, prints what this step printed
            new_tops = [name for name in sys.modules if name not in before and "." not in name]
            trigger = new_tops[-1] if new_tops else spec.partition(":")[0].partition(".")[0]
            self.import_outputs.append(ImportOutput(trigger, *capture.output))
            steps.append({"step": spec, "seconds": round(time.perf_counter() - step_start, 3), "error": error,
                          "replayed_on_import_of": trigger, "output_bytes": sum(map(len, capture.output))})
        gc.collect()
        table = native_thread_table()
        self.warm_threads = set(table)
        return {"seconds": round(time.perf_counter() - start, 3), "steps": steps,
                "python_threads": python_threads(), "native_threads": native_threads(),
                "threads": [{"tid": tid, "name": name, "state": state} for tid, (name, state, _) in table.items()],
                "grpc_imported": "grpc" in sys.modules}

    # -- serving --------------------------------------------------------------
    def serve(self) -> None:
        while True:
            for key, _events in self.selector.select():
                if key.fileobj is self.sock:
                    request, fds = receive(self.sock)
                    if request is None:
                        self.shutdown()
                        return
                    self.handle(request, fds)
                else:
                    self.reap(key.fileobj)

    def hazard(self, argv: Sequence[str]) -> str:
        threads = python_threads()
        if threads:
            return (f"the zygote has Python threads ({', '.join(threads)}) that a pre-import started: "
                    "forking would copy their locks without them")
        if len(argv) > 2 and argv[1] == "-m" and argv[2] in sys.modules:
            return f"module {argv[2]} is already imported in the zygote: `python -m` would run a second copy"
        return native_threads_hazard(self.warm_threads)

    def handle(self, request: dict[str, Any], fds: list[int]) -> None:
        ident = request.get("id")
        argv, env, cwd = request["argv"], request["env"], request["cwd"]
        refusal = self.hazard(argv)
        if not refusal and len(fds) != 3:
            refusal = f"expected 3 file descriptors (stdin, stdout, stderr), got {len(fds)}"
        if not refusal and not os.path.isdir(cwd):
            refusal = f"working directory {cwd} does not exist"
        if refusal:
            for fd in fds:
                os.close(fd)
            send(self.sock, {"id": ident, "refused": refusal})
            return
        gc.freeze()  # everything the zygote holds is permanent: the child's collections never touch (copy) it
        keep_reference = (len(argv) > 2 and argv[1] == "-m" and argv[2] in REFERENCE_LAUNCHERS
                          and bool(self.reference_root))
        ready_read, ready_write = os.pipe()
        _flush_all()
        pid = os.fork()
        if pid == 0:  # the child: never returns into this loop
            os.close(ready_read)
            self._forget_in_child()

            def setup_done(reason: str) -> None:
                if reason:
                    os.write(ready_write, reason.encode("utf-8", "replace")[:4000])
                os.close(ready_write)

            try:
                become(argv, env, cwd, fds, keep_reference=keep_reference, import_outputs=self.import_outputs,
                       at_start=self.activation_output if keep_reference else (), setup_done=setup_done)
            finally:
                os._exit(70)  # become() never returns; nothing may run the zygote's loop in a child
        os.close(ready_write)
        for fd in fds:
            os.close(fd)
        reason = _read_all(ready_read).decode("utf-8", "replace")
        pidfd = os.pidfd_open(pid)
        self.children[pidfd] = pid
        self.selector.register(pidfd, selectors.EVENT_READ)
        if reason:
            send(self.sock, {"id": ident, "refused": reason})  # the child exits without running anything
        else:
            send(self.sock, {"id": ident, "pid": pid})

    def _forget_in_child(self) -> None:
        """In a fresh child: let go of everything that belongs to the zygote (socket, selector, pidfds)."""
        self.selector.close()
        self.sock.close()
        for pidfd in self.children:
            os.close(pidfd)
        self.children = {}

    def reap(self, pidfd: int) -> None:
        pid = self.children.pop(pidfd)
        self.selector.unregister(pidfd)
        os.close(pidfd)
        _, status = os.waitpid(pid, 0)
        send(self.sock, {"exited": pid, "status": status})

    def shutdown(self) -> None:
        for pidfd, pid in list(self.children.items()):
            for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                try:
                    kill()
                except OSError:
                    pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            os.close(pidfd)
        self.children.clear()


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    zygote = Zygote(sock)
    config, _ = receive(sock, max_fds=0)
    if config is None:
        return
    try:
        facts = zygote.warm_up(config.get("reference_root"), config.get("preload", []))
    except BaseException as error:  # noqa: BLE001 - reported; the harness spawns instead
        send(sock, {"error": f"warm-up failed: {type(error).__name__}: {error}"})
        return
    send(sock, {"ready": True, "pid": os.getpid(), **facts})
    zygote.serve()
