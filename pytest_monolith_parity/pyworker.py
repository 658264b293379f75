"""A framed-protocol worker that runs Python reference calls in isolation.

Started by :class:`~pytest_monolith_parity.runners.python_side.IsolatedPython`
as ``python -m pytest_monolith_parity.pyworker``; each request's ``call`` is
an import target ``package.module:function``.

With ``MONOLITH_PARITY_FORK_PER_CALL=1`` (what isolated calls use) the worker
imports its group once (``MONOLITH_PARITY_WORKER_GROUP``: the case file or
module of its targets) and then answers each call from a child forked for
it (ahead of time, while the harness works on the previous answer), so no
call sees what an earlier one did to flags, globals or the environment.  The
child answers through a pipe; a child that dies without answering takes the
worker down the same way (the same signal, the same exit status), so the
harness sees exactly what it would see had the worker made the call itself.
When the group's import started threads (Python or native, or a running grpc:
runners/fork_safety.py), forking is not safe: the worker then makes the calls
itself and says so in a ``note`` of each answer.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import signal
import struct
import sys
import traceback
from pathlib import Path

from . import values
from .outcomes import ReferenceUnavailable
from .runners.base import RunnerConfigError
from .runners.fork_safety import native_thread_table, native_threads_hazard, python_threads
from .runners.framed_call import HARNESS_ERROR_TYPE
from .runners.python_side import CASE_FILE_PREFIX, resolve_target

_HEADER = struct.Struct("<I")
FORK_PER_CALL = "MONOLITH_PARITY_FORK_PER_CALL"
WORKER_GROUP = "MONOLITH_PARITY_WORKER_GROUP"


def _read_frame(stream) -> dict | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (length,) = _HEADER.unpack(header)
    return json.loads(stream.read(length).decode("utf-8"))


def _write_frame(stream, message: dict) -> None:
    payload = json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8")
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def handle(request: dict) -> dict:
    call = request.get("call")
    if call == "__ping__":
        return {"ok": None}
    try:
        try:
            function = resolve_target(call)
        except RunnerConfigError as error:  # the case is broken (a target that does not import): not a finding
            return {"error": {"type": HARNESS_ERROR_TYPE, "message": str(error)}}
        args = [values.decode(a) for a in request.get("args", [])]
        kwargs = {k: values.decode(v) for k, v in request.get("kwargs", {}).items()}
        result = function(*args, **kwargs)
        return {"ok": values.encode(result)}
    except ReferenceUnavailable as error:
        return {"error": {"type": "ReferenceUnavailable", "message": str(error)}}
    except Exception as error:  # noqa: BLE001 - every failure is reported to the harness
        return {"error": {"type": type(error).__name__, "message": str(error),
                          "detail": traceback.format_exc(limit=8)}}
    except BaseException as error:
        if type(error).__name__ != "PanicException":
            raise
        return {"panic": {"message": str(error)}}


def preload_group(group: str) -> None:
    """Import the case file or module every call of this worker uses; a failure is left for each call to report."""
    from . import case_modules

    try:
        if group.startswith(CASE_FILE_PREFIX):
            case_modules.load(Path(group[len(CASE_FILE_PREFIX):]))
        elif group:
            __import__(group)
    except Exception:  # noqa: BLE001 - resolve_target reports it again, per call, as the verdict it is
        pass


def fork_hazard_note(group: str, known: set[int]) -> str:
    """Why this worker must make its calls itself instead of forking each ('' when forking is safe).

    Forking is safe when importing the group started no thread: no Python thread, no native thread
    beyond ``known`` (those before the import), every known one parked, no running grpc (runners/fork_safety.py).
    """
    threads = python_threads()
    if threads:
        reason = f"importing {group} started Python threads ({', '.join(threads)}), which a fork would copy without them"
    else:
        reason = native_threads_hazard(known, since=f"by importing {group}")
    return f"the isolated calls ran one after another in one worker, not in a fork each: {reason}" if reason else ""


def _exit_status(error: SystemExit) -> int:
    """What the interpreter makes of an uncaught SystemExit (printing a non-integer code, like it does)."""
    if error.code is None:
        return 0
    if isinstance(error.code, int):
        return error.code & 0xFF
    print(error.code, file=sys.stderr)
    return 1


class ForkedCall:
    """A child forked from the pristine worker ahead of time, waiting for the one request it answers.

    Forking before the request arrives takes the fork off the call's path; the
    child is what a fork at the call would be, because the worker itself never
    runs a call.
    """

    def __init__(self) -> None:
        request_read, self._request = os.pipe()
        self._response, response_write = os.pipe()
        sys.stderr.flush()
        gc.freeze()  # what the worker holds is permanent: the call's collections never touch (copy) its pages
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._request)
            os.close(self._response)
            _answer_one(request_read, response_write)
        os.close(request_read)
        os.close(response_write)

    def call(self, request: dict) -> dict:
        """The child's answer; if it dies without one, this worker dies the same way."""
        payload = json.dumps(request).encode("utf-8")
        try:
            _write_all(self._request, payload)
        except BrokenPipeError:
            pass  # it is already gone: its status says how
        os.close(self._request)
        chunks = []
        while chunk := os.read(self._response, 1 << 16):
            chunks.append(chunk)
        os.close(self._response)
        _, status = os.waitpid(self.pid, 0)
        data = b"".join(chunks)
        if len(data) >= _HEADER.size and len(data) == _HEADER.size + _HEADER.unpack(data[:_HEADER.size])[0]:
            return json.loads(data[_HEADER.size:].decode("utf-8"))
        _die_like(status)

    def discard(self) -> None:
        os.close(self._request)  # EOF: the child exits without running anything
        os.close(self._response)
        os.waitpid(self.pid, 0)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _answer_one(request_read: int, response_write: int):
    """In the forked child: wait for the request, answer it, end (never returns)."""
    status = 0
    try:
        os.dup2(2, 1)  # C-level writes to stdout land on stderr, never in the frame stream
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # the worker's request stream is the worker's alone
        os.close(devnull)
        chunks = []
        while chunk := os.read(request_read, 1 << 16):
            chunks.append(chunk)
        if not chunks:
            os._exit(0)  # discarded: the worker is shutting down
        request = json.loads(b"".join(chunks).decode("utf-8"))
        atexit._clear()  # noqa: SLF001 - only what this call registers runs when it ends
        numpy = sys.modules.get("numpy")
        if numpy is not None and hasattr(numpy, "random"):
            numpy.random.seed()  # each call draws like a fresh process, not the worker's stream again
        response = handle(request)
        response["id"] = request.get("id")
        payload = json.dumps(response, ensure_ascii=False, allow_nan=False).encode("utf-8")
        _write_all(response_write, _HEADER.pack(len(payload)) + payload)
    except SystemExit as error:
        status = _exit_status(error)
    except BaseException:  # noqa: BLE001 - KeyboardInterrupt and the like: printed, status 1
        traceback.print_exc()
        status = 1
    finally:
        try:
            atexit._run_exitfuncs()  # noqa: SLF001
            sys.stderr.flush()
        finally:
            os._exit(status)


def _die_like(status: int):
    """End this worker the way its call's child ended: by the same signal, or with the same exit status."""
    sys.stderr.flush()
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            signal.signal(number, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
        os.kill(os.getpid(), number)
        os._exit(128 + number)  # pragma: no cover - the signal's default action ends the process first
    raise SystemExit(os.waitstatus_to_exitcode(status))


def main() -> None:
    extra = os.environ.get("MONOLITH_PARITY_SYS_PATH", "")
    for entry in reversed([p for p in extra.split(os.pathsep) if p]):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    reference_root = os.environ.get("MONOLITH_PARITY_REFERENCE_ROOT")
    if reference_root:
        from .reference.bootstrap import activate

        activate(reference_root)  # the same import environment as the in-process reference
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything the reference prints must not corrupt the frame stream
    per_call, note = os.environ.get(FORK_PER_CALL) == "1", ""
    if per_call:
        group = os.environ.get(WORKER_GROUP, "")
        known = set(native_thread_table())  # a worker forked from the zygote has none; a spawned one, its pools
        preload_group(group)
        note = fork_hazard_note(group, known)
        per_call = not note
    spare = ForkedCall() if per_call else None
    while True:
        request = _read_frame(stdin)
        if request is None:
            if spare is not None:
                spare.discard()
            return
        ping = request.get("call") == "__ping__"
        if spare is not None and not ping:
            response, spare = spare.call(request), None
        else:
            response = handle(request)
        response["id"] = request.get("id")
        if note and not ping:
            response["note"] = note
        _write_frame(stdout, response)
        if per_call and spare is None:
            note = fork_hazard_note(group, known)  # the worker runs no call, so this stays '' -- unless a thread woke
            per_call = not note
            spare = ForkedCall() if per_call else None  # while the harness works on this answer


if __name__ == "__main__":
    main()
