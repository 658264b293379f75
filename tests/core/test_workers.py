"""The framed worker pool: calls, errors, panics, crashes with signals, timeouts and restarts."""

import sys
import textwrap
import time

import pytest

from pytest_monolith_parity.cases import Args
from pytest_monolith_parity.config import Settings
from pytest_monolith_parity.outcomes import SideKind
from pytest_monolith_parity.runners.base import HarnessError, RunContext
from pytest_monolith_parity.runners.framed_call import call_worker
from pytest_monolith_parity.runners.workers import WorkerPool

FAKE_WORKER = textwrap.dedent('''
    import json, os, signal, struct, sys, time
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    def send(m):
        data = json.dumps(m).encode(); out.write(struct.pack("<I", len(data)) + data); out.flush()
    while True:
        head = inp.read(4)
        if len(head) < 4: break
        req = json.loads(inp.read(struct.unpack("<I", head)[0]))
        call, args = req["call"], req.get("args", [])
        rid = req["id"]
        if call == "__ping__": send({"id": rid, "ok": None})
        elif call == "echo": send({"id": rid, "ok": args[0]})
        elif call == "fail": send({"id": rid, "error": {"type": "ValueError", "message": "bad"}})
        elif call == "panic": send({"id": rid, "panic": {"message": "unwrap on None"}})
        elif call == "abort": sys.stderr.write("about to abort\\n"); sys.stderr.flush(); os.abort()
        elif call == "hang": time.sleep(60)
        elif call == "garbage": out.write(b"hello world, not a frame"); out.flush()
        elif call == "pid": send({"id": rid, "ok": os.getpid()})
        else: send({"id": rid, "error": {"type": "UnknownFunction", "message": call}})
''')


@pytest.fixture()
def worker_argv(tmp_path):
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER)
    return [sys.executable, str(script)]


@pytest.fixture()
def context(tmp_path):
    pool = WorkerPool(start_timeout=10)
    yield RunContext(settings=Settings(rootdir=tmp_path), workers=pool, timeout=2.0)
    pool.close()


def call(argv, context, name, *args):
    return call_worker("rust", argv, name, Args(args), context)


def test_value_round_trip(worker_argv, context):
    result = call(worker_argv, context, "echo", {"b": [1.5, -0.0], "a": b"\x00"})
    assert result.kind is SideKind.VALUE and result.value == {"b": [1.5, -0.0], "a": b"\x00"}


def test_error_and_panic_keep_the_worker(worker_argv, context):
    pid = call(worker_argv, context, "pid").value
    error = call(worker_argv, context, "fail")
    assert (error.kind, error.error_type, error.message) == (SideKind.RAISED, "ValueError", "bad")
    panic = call(worker_argv, context, "panic")
    assert panic.kind is SideKind.PANICKED and "unwrap" in panic.message
    assert call(worker_argv, context, "pid").value == pid


def test_abort_is_a_crash_with_signal_and_stderr_then_restart(worker_argv, context):
    pid = call(worker_argv, context, "pid").value
    crash = call(worker_argv, context, "abort")
    assert crash.kind is SideKind.CRASHED
    assert "SIGABRT" in crash.message and "about to abort" in crash.detail
    assert call(worker_argv, context, "pid").value != pid
    assert context.workers.restarts == 1


def test_hang_is_a_timeout_and_the_worker_is_replaced(worker_argv, context):
    pid = call(worker_argv, context, "pid").value
    start = time.monotonic()
    hung = call(worker_argv, context, "hang")
    assert hung.kind is SideKind.TIMEOUT and "2 s" in hung.message
    assert time.monotonic() - start < 10
    assert call(worker_argv, context, "pid").value != pid


def test_bytes_outside_frames_are_a_crash_not_a_value(worker_argv, context):
    result = call(worker_argv, context, "garbage")
    assert result.kind in (SideKind.CRASHED, SideKind.TIMEOUT)
    assert result.kind is not SideKind.VALUE


def test_unknown_function_is_a_harness_error(worker_argv, context):
    with pytest.raises(HarnessError, match="has no function 'nope'"):
        call(worker_argv, context, "nope")


def test_missing_program_is_reported_as_crash(context):
    result = call(["/nonexistent/worker"], context, "echo", 1)
    assert result.kind is SideKind.CRASHED and "cannot start" in result.message


# -- the worker as a service of the harness (services/health.py) ------------------------------------

def test_a_worker_killed_between_calls_is_replaced_before_the_next_call_and_nobody_is_blamed(worker_argv, context):
    import os
    import signal

    from pytest_monolith_parity.services import health

    pid = call(worker_argv, context, "pid").value
    os.kill(pid, signal.SIGKILL)
    with health.watch() as watch:
        result = call(worker_argv, context, "echo", 7)
    assert result.kind is SideKind.VALUE and result.value == 7
    assert watch.check() == []
    [note] = watch.notes  # found dead (exited, or no answer to __ping__) and replaced
    assert f"(pid {pid})" in note and "SIGKILL" in note and note.endswith("before this call; it was restarted")


def test_a_worker_killed_from_outside_during_a_call_is_a_service_failure_not_a_crash_finding(worker_argv, context):
    import os
    import signal
    import threading

    from pytest_monolith_parity.services import health

    pid = call(worker_argv, context, "pid").value
    threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()
    with health.watch() as watch:
        result = call(worker_argv, context, "hang")
    assert result.kind is SideKind.CRASHED and "SIGKILL" in result.message
    [failure] = watch.check()
    assert f"(pid {pid})" in failure and "was killed by SIGKILL (signal 9) before answering" in failure
    assert "outside the harness" in failure
    assert call(worker_argv, context, "pid").value != pid  # restarted for the next case


def test_an_abort_is_still_the_sides_crash_not_the_harnesss(worker_argv, context):
    from pytest_monolith_parity.services import health

    with health.watch() as watch:
        crash = call(worker_argv, context, "abort")
    assert crash.kind is SideKind.CRASHED and "SIGABRT" in crash.message
    assert watch.check() == []
    with health.watch() as after:
        assert call(worker_argv, context, "echo", 1).value == 1
    assert after.check() == [] and after.notes == []  # its death was the verdict; the restart is silent


def test_a_worker_that_cannot_start_fails_the_call_as_a_service(context):
    from pytest_monolith_parity.services import health

    with health.watch() as watch:
        result = call(["/nonexistent/worker"], context, "echo", 1)
    assert result.kind is SideKind.CRASHED
    [failure] = watch.check()
    assert "worker `/nonexistent/worker`" in failure and "failed to start" in failure
