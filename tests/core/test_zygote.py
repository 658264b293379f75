"""The reference zygote: every CLI and isolated-call semantic, forked and spawned, and each fallback to a spawn.

Each semantic runs on both paths -- forked from the zygote (``reference_zygote = "auto"``) and spawned
(``"off"``, what the harness did before the zygote) -- and the two results must be the same, byte for
byte.  The zygote here pre-imports ``parity_zygote_probe`` (written to tmp_path and put on PYTHONPATH),
a module that prints at import and holds a global that calls mutate, instead of TensorFlow: the same
mechanics, at the cost of a tiny import.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from pytest_monolith_parity import cli, python_call
from pytest_monolith_parity.cases import Args
from pytest_monolith_parity.config import Settings
from pytest_monolith_parity.outcomes import SideKind
from pytest_monolith_parity.runners.base import RunContext
from pytest_monolith_parity.runners.workers import WorkerPool

PROBE = '''
import sys
print("parity_zygote_probe imported", file=sys.stderr, flush=True)
calls = []
'''

THREADED = '''
import threading
threading.Thread(target=threading.Event().wait, name="import-time-poller", daemon=True).start()
'''

PATHS = ("fork", "spawn")


@pytest.fixture()
def modules(tmp_path, monkeypatch):
    """A directory on PYTHONPATH (for the harness, its zygote and every call alike) with the test modules."""
    directory = tmp_path / "modules"
    directory.mkdir()
    (directory / "parity_zygote_probe.py").write_text(PROBE)
    (directory / "parity_zygote_threaded.py").write_text(THREADED)
    (directory / "parity_zygote_exits.py").write_text("import os\nos._exit(3)\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(directory), os.environ.get("PYTHONPATH")])))
    monkeypatch.syspath_prepend(str(directory))
    return directory


def make_context(tmp_path, *, zygote: str = "auto", preload=("parity_zygote_probe", "absl.flags"), timeout=10.0):
    settings = Settings(rootdir=tmp_path, reference_zygote=zygote, reference_preload=list(preload))
    return RunContext(settings=settings, workers=WorkerPool(start_timeout=60), timeout=timeout,
                      scratch_dir=str(tmp_path))


@pytest.fixture()
def contexts(tmp_path, modules):
    made = {"fork": make_context(tmp_path), "spawn": make_context(tmp_path, zygote="off")}
    yield made
    for context in made.values():
        context.workers.close()


def run(runner, context, *args, **kwargs):
    return runner.run(Args(args, kwargs), context)


def both(contexts, make_runner, *args):
    """The same call on both paths; asserts the fork path forked (no fallback note)."""
    results = {path: run(make_runner(), contexts[path], *args) for path in PATHS}
    assert results["fork"].notes == [], results["fork"].notes
    assert results["spawn"].notes == []
    return results["fork"], results["spawn"]


def same(fork, spawn):
    for field in ("kind", "value", "error_type", "message"):
        assert getattr(fork, field) == getattr(spawn, field), field
    return fork


def python_cli(script, *extra, **options):
    return lambda: cli(["{python}", "-c", textwrap.dedent(script), *extra], side="python", **options)


# -- command lines --------------------------------------------------------------------------------


def test_a_fork_is_a_fork(contexts):
    script = "import os; print(os.getppid())"
    fork = run(python_cli(script)(), contexts["fork"])
    spawn = run(python_cli(script)(), contexts["spawn"])
    zygote_pid = contexts["fork"].workers.zygotes.facts()[0]["pid"]
    assert int(fork.value["stdout"]) == zygote_pid and int(spawn.value["stdout"]) == os.getpid()


def test_exit_code_streams_files_argv_env_cwd_and_stdin(contexts):
    script = """
        import os, sys
        data = sys.stdin.read()
        open("out.txt", "w").write(data[::-1])
        print("argv", sys.argv, "cwd", os.getcwd() == os.environ["PARITY_WORKDIR"], "path0", repr(sys.path[0]))
        print("env", os.environ["PARITY_CASE_VAR"], "main", __name__, file=sys.stderr)
        sys.stdout.write("no newline at the end")
        sys.exit(3)
    """
    fork, spawn = both(contexts, python_cli(script, "{0}", env={"PARITY_CASE_VAR": "case-value",
                                                                  "PARITY_WORKDIR": "{workdir}"},
                                             stdin="héllo\n", files=["out.txt", "missing.txt"]), "first arg")
    value = same(fork, spawn).value
    assert value["exit_code"] == 3
    assert value["stdout"] == "argv ['-c', 'first arg'] cwd True path0 ''\nno newline at the end"
    assert value["stderr"] == "env case-value main __main__\n"
    assert value["files"] == {"out.txt": "\nolléh".encode(), "missing.txt": None}


def test_module_and_script_runs_see_what_python_gives_them(contexts, tmp_path):
    script = tmp_path / "entry_script.py"
    script.write_text("import sys, os\nprint(__name__, __file__, sys.argv, sys.orig_argv[1:], sys.path[0])\n")
    fork, spawn = both(contexts, lambda: cli(["{python}", str(script), "a"], side="python"))
    assert same(fork, spawn).value["stdout"] == (f"__main__ {script} {[str(script), 'a']} {[str(script), 'a']} "
                                                 f"{tmp_path}\n")
    fork, spawn = both(contexts, lambda: cli(["{python}", "-m", "json.tool", "--sort-keys"], side="python",
                                             stdin='{"b": 1, "a": [2]}'))
    assert same(fork, spawn).value["stdout"] == '{\n    "a": [\n        2\n    ],\n    "b": 1\n}\n'
    fork, spawn = both(contexts, lambda: cli(["{python}", "-m", "parity_no_such_module"], side="python"))
    assert same(fork, spawn).value["exit_code"] == 1 and "No module named parity_no_such_module" in fork.value["stderr"]


@pytest.mark.parametrize("script, exit_code, stderr_end", [
    ("raise ValueError('boom')", 1, "ValueError: boom\n"),
    ("import sys; sys.exit('a message')", 1, "a message\n"),
    ("import sys; sys.exit(None)", 0, ""),
    ("import sys; sys.exit(300)", 44, ""),
    ("syntax error here", 1, "SyntaxError: invalid syntax\n"),
    ("import atexit, threading, time\natexit.register(print, 'atexit ran')\n"
     "threading.Thread(target=lambda: (time.sleep(0.3), print('thread joined'))).start()", 0, ""),
    ("import sys; sys.stdout.close(); sys.exit(0)", 0, ""),
])
def test_exit_statuses_and_tracebacks_are_the_interpreters(contexts, script, exit_code, stderr_end):
    fork, spawn = both(contexts, python_cli(script))
    value = same(fork, spawn).value
    assert value["exit_code"] == exit_code and value["stderr"].endswith(stderr_end)
    assert "zygote" not in value["stderr"]  # no frame of the zygote in a traceback


def test_unflushed_output_and_an_unclosed_file_reach_their_destination(contexts):
    script = """
        import sys
        LOG = open("log.txt", "w")
        LOG.write("written, never closed")
        sys.stdout.write("buffered")
        import ctypes; ctypes.CDLL(None).printf(b"from C\\n")
    """
    fork, spawn = both(contexts, python_cli(script, files=["log.txt"]))
    value = same(fork, spawn).value
    assert value["files"] == {"log.txt": b"written, never closed"}
    assert "buffered" in value["stdout"] and "from C\n" in value["stdout"]


def test_a_signal_is_a_crash_on_both_paths(contexts):
    fork, spawn = both(contexts, python_cli("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"))
    same(fork, spawn)
    assert fork.kind is SideKind.CRASHED and fork.message.endswith("killed by SIGSEGV (signal 11)")


def test_an_uncaught_keyboard_interrupt_ends_by_sigint(contexts):
    fork, spawn = both(contexts, python_cli("raise KeyboardInterrupt"))
    same(fork, spawn)
    assert fork.kind is SideKind.CRASHED and "SIGINT" in fork.message


def test_a_hang_is_killed_with_its_process_group_and_is_a_timeout(contexts, tmp_path):
    marker = tmp_path / "grandchild-survived"
    script = f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3); open({str(marker)!r}, 'w')"])
        time.sleep(60)
    """
    for path in PATHS:
        contexts[path].timeout = 1.0
    start = time.monotonic()
    fork, spawn = both(contexts, python_cli(script))
    same(fork, spawn)
    assert fork.kind is SideKind.TIMEOUT and fork.message == f"{sys.executable} did not finish within 1 s; killed"
    assert time.monotonic() - start < 20
    time.sleep(3.5)
    assert not marker.exists()  # the grandchild went down with the group


def test_reference_unavailable_exit_and_marker(contexts):
    script = ("import sys; print('monolith-parity: reference unavailable: custom op X is not built', "
              "file=sys.stderr); sys.exit(69)")
    fork, spawn = both(contexts, python_cli(script))
    same(fork, spawn)
    assert fork.kind is SideKind.UNAVAILABLE and fork.message == "custom op X is not built"


def test_every_call_starts_from_the_pristine_zygote(contexts):
    """Module globals and absl flags one call changes are fresh for the next, on both paths."""
    script = """
        import parity_zygote_probe as probe
        from absl import flags
        probe.calls.append(1)
        flags.DEFINE_string("parity_flag", "default", "defined by every call")
        flags.FLAGS(["prog", "--parity_flag=set"])
        print(len(probe.calls), flags.FLAGS.parity_flag)
    """
    for _ in range(2):
        fork, spawn = both(contexts, python_cli(script))
        value = same(fork, spawn).value
        assert value["stdout"] == "1 set\n"
        # what the pre-import printed is printed into this call's stderr, as a spawned import prints it
        assert value["stderr"] == "parity_zygote_probe imported\n"
    fork, spawn = both(contexts, python_cli("print('does not import the probe')"))
    assert same(fork, spawn).value["stderr"] == ""
    looked_up_first = """
        import importlib.util
        assert importlib.util.find_spec("parity_zygote_probe") is not None  # a lookup alone imports nothing
        import parity_zygote_probe
        print(parity_zygote_probe.calls)
    """
    fork, spawn = both(contexts, python_cli(looked_up_first))
    assert same(fork, spawn).value == {"exit_code": 0, "stdout": "[]\n", "stderr": "parity_zygote_probe imported\n",
                                       "files": {}}


# -- falling back to a spawn ----------------------------------------------------------------------


def spawned_note(result) -> str:
    [note] = result.notes
    assert note.startswith("spawned, not forked from the reference zygote: ")
    return note


@pytest.mark.parametrize("argv, env, reason", [
    (["{python}", "-u", "-c", "print(1)"], {}, "interpreter option -u configures a fresh interpreter"),
    (["{python}", "-c", "print(1)"], {"PYTHONHASHSEED": "7"}, "the call sets PYTHONHASHSEED differently"),
    (["{python}", "-c", "print(1)"], {"LC_ALL": "C"}, "the call sets LC_ALL differently"),
    (["{python}", "-m", "parity_zygote_probe"], {}, "module parity_zygote_probe is already imported in the zygote"),
])
def test_what_a_fork_cannot_reproduce_is_spawned_with_a_note(contexts, argv, env, reason):
    fork = run(cli(argv, env=env, side="python"), contexts["fork"])
    spawn = run(cli(argv, env=env, side="python"), contexts["spawn"])
    same(fork, spawn)
    assert reason in spawned_note(fork) and spawn.notes == []


def test_a_zygote_with_python_threads_spawns_every_call(tmp_path, modules):
    context = make_context(tmp_path, preload=("parity_zygote_threaded",))
    try:
        result = run(python_cli("print('ran')")(), context)
        assert result.value["stdout"] == "ran\n"
        assert "Python threads (import-time-poller)" in spawned_note(result)
    finally:
        context.workers.close()


def test_a_zygote_that_cannot_start_spawns_every_call(tmp_path, modules):
    context = make_context(tmp_path, preload=("parity_zygote_exits",))
    try:
        first, second = (run(python_cli("print('ran')")(), context) for _ in range(2))
        assert first.value["stdout"] == second.value["stdout"] == "ran\n"
        assert "the zygote exited (exit status 3)" in spawned_note(first) and first.notes == second.notes
    finally:
        context.workers.close()


def test_a_zygote_killed_during_a_call_gives_the_call_to_a_spawn(contexts):
    context = contexts["fork"]
    run(python_cli("pass")(), context)
    zygote_pid = context.workers.zygotes.facts()[0]["pid"]
    threading.Timer(0.5, os.kill, (zygote_pid, signal.SIGKILL)).start()
    result = run(python_cli("import time; time.sleep(1.5); print('done')")(), context)
    assert result.kind is SideKind.VALUE and result.value["stdout"] == "done\n"
    assert "the zygote went away during the call" in spawned_note(result)
    again = run(python_cli("import os; print(os.getppid())")(), context)  # a replacement zygote serves the next
    assert again.notes == [] and int(again.value["stdout"]) != os.getpid()


def test_fork_false_and_zygote_off_spawn_without_a_note(contexts):
    for runner, context in ((python_cli("import os; print(os.getppid())", fork=False)(), contexts["fork"]),
                            (python_cli("import os; print(os.getppid())")(), contexts["spawn"])):
        result = run(runner, context)
        assert result.notes == [] and int(result.value["stdout"]) == os.getpid()


def test_a_rust_side_command_is_never_forked(contexts):
    result = run(cli(["{python}", "-c", "import os; print(os.getppid())"]), contexts["fork"])
    assert int(result.value["stdout"]) == os.getpid() and result.notes == []


# -- isolated calls ---------------------------------------------------------------------------------

SCRIPT = '''
from absl import flags

flags.DEFINE_string("parity_shared_flag", "{name}", "two scripts define it at import, like two monolith entry points")
'''

CASE_FILE = '''
import importlib, os, threading
import parity_zygote_probe as probe

def count_calls():
    probe.calls.append(os.getpid())
    return len(probe.calls)

def abort():
    os.abort()

def exit_3():
    os._exit(3)

def hang():
    threading.Event().wait()

def value(x):
    """Imports this file's script, which defines the same absl flag as the other file's."""
    from absl import flags

    importlib.import_module("parity_script_{name}")
    return [x, flags.FLAGS["parity_shared_flag"].default]
'''


def load_case_file(tmp_path, name, extra=""):
    from pytest_monolith_parity.case_modules import module_name_for
    from pytest_monolith_parity.loader import load_cases

    path = tmp_path / "cases" / f"{name}.py"
    path.parent.mkdir(exist_ok=True)
    (tmp_path / "modules" / f"parity_script_{name}.py").write_text(SCRIPT.replace("{name}", name))
    path.write_text(CASE_FILE.replace("{name}", name) + extra)
    load_cases(path, f"cases/{name}.py")
    return sys.modules[module_name_for(path)]


def isolated(function):
    return lambda: python_call(function, isolated=True, fresh_per_call=True)


def test_isolated_calls_each_start_fresh_in_their_files_worker(contexts, tmp_path):
    one = load_case_file(tmp_path, "flags_one")
    two = load_case_file(tmp_path, "flags_two")
    counts = {path: [run(isolated(one.count_calls)(), contexts[path]).value for _ in range(3)] for path in PATHS}
    assert counts["fork"] == [1, 1, 1]  # a fork per call: no call sees the one before
    assert counts["spawn"] == [1, 2, 3]  # one worker makes the calls in turn (``fork=False`` / zygote off)
    # the default: the file's worker (forked from the zygote) makes the calls in turn, as a spawned one does
    default = python_call(one.count_calls, isolated=True)
    assert [run(default, contexts["fork"]).value for _ in range(3)] == [1, 2, 3]
    for name, module in (("flags_one", one), ("flags_two", two)):  # one absl flag, defined by both: a worker each
        fork, spawn = both(contexts, isolated(module.value), 5)
        assert same(fork, spawn).value == [5, name]


def test_isolated_crashes_and_hangs_are_the_same_verdicts(contexts, tmp_path):
    module = load_case_file(tmp_path, "crashes")
    fork, spawn = both(contexts, isolated(module.abort))
    same(fork, spawn)
    assert fork.kind is SideKind.CRASHED and fork.message == "worker killed by SIGABRT (signal 6) before answering"
    fork, spawn = both(contexts, isolated(module.exit_3))
    same(fork, spawn)
    assert fork.kind is SideKind.CRASHED and fork.message == "worker exit status 3 before answering"
    for path in PATHS:
        contexts[path].timeout = 1.0
    fork, spawn = both(contexts, isolated(module.hang))
    same(fork, spawn)
    assert fork.kind is SideKind.TIMEOUT
    fork, spawn = both(contexts, isolated(module.value), "after")  # a fresh worker answers the next call
    assert same(fork, spawn).value == ["after", "crashes"]


def test_a_case_file_that_starts_threads_at_import_gets_its_calls_made_in_turn(contexts, tmp_path):
    module = load_case_file(tmp_path, "threaded", extra="\nimport parity_zygote_threaded\n")
    results = [run(isolated(module.count_calls)(), contexts["fork"]) for _ in range(2)]
    assert [r.value for r in results] == [1, 2]
    [note] = results[0].notes
    assert "not in a fork each" in note and "import-time-poller" in note


def test_an_isolated_worker_the_zygote_cannot_fork_is_spawned_with_a_note(tmp_path, modules):
    context = make_context(tmp_path, preload=("parity_zygote_threaded",))
    try:
        module = load_case_file(tmp_path, "spawned")
        result = run(isolated(module.value)(), context, 1)
        assert result.value == [1, "spawned"] and "Python threads (import-time-poller)" in spawned_note(result)
    finally:
        context.workers.close()


def test_no_zygote_or_child_outlives_the_pool(tmp_path, modules):
    context = make_context(tmp_path)
    run(python_cli("pass")(), context)
    zygote_pid = context.workers.zygotes.facts()[0]["pid"]
    context.workers.close()
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(zygote_pid, 0)
            time.sleep(0.1)
    assert subprocess.run(["pgrep", "-s", str(zygote_pid)], capture_output=True).stdout == b""


# -- fork safety: threads at fork time, a running grpc (runners/fork_safety.py) ------------------------

GRPC_IMPORTED = "import grpc\n"
GRPC_RUNNING = 'import grpc\nchannel = grpc.insecure_channel("127.0.0.1:1")  # starts grpc\'s event engine and timer\n'
BUSY_NATIVE = '''
import _thread, hashlib
data = bytes(32 << 20)
def _hash_forever():
    while True:
        hashlib.sha256(data).digest()  # C code without the GIL: a native thread that is running, not parked
_thread.start_new_thread(_hash_forever, ())
'''
LATE_NATIVE = '''
import _thread, time
def _start_another_later():
    time.sleep(0.5)
    _thread.start_new_thread(time.sleep, (3600,))
_thread.start_new_thread(_start_another_later, ())
'''


@pytest.fixture()
def thread_modules(modules):
    for name, text in (("parity_zygote_grpc_imported", GRPC_IMPORTED), ("parity_zygote_grpc_running", GRPC_RUNNING),
                       ("parity_zygote_busy_native", BUSY_NATIVE), ("parity_zygote_late_native", LATE_NATIVE)):
        (modules / f"{name}.py").write_text(text)
    return modules


def one_call(tmp_path, preload, script="print('ran')"):
    context = make_context(tmp_path, preload=preload)
    try:
        return run(python_cli(script)(), context), context.workers.zygotes.facts()
    finally:
        context.workers.close()


def test_an_imported_grpc_is_forked_and_the_child_runs_grpc(tmp_path, thread_modules):
    script = '''
        import grpc
        from concurrent import futures
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        grpc.channel_ready_future(grpc.insecure_channel("127.0.0.1:%d" % port)).result(timeout=30)
        server.stop(None)
        print("served")
    '''
    result, [facts] = one_call(tmp_path, ("parity_zygote_grpc_imported",), script)
    assert facts["grpc_imported"] and result.notes == [] and result.value["stdout"] == "served\n"


def test_a_zygote_whose_grpc_runs_spawns_every_call(tmp_path, thread_modules):
    result, _ = one_call(tmp_path, ("parity_zygote_grpc_running",))
    assert result.value["stdout"] == "ran\n"
    assert "grpc's C core is running (event engine)" in spawned_note(result)


def test_a_native_thread_running_at_fork_time_makes_the_call_a_spawn(tmp_path, thread_modules):
    result, [facts] = one_call(tmp_path, ("parity_zygote_busy_native",))
    assert facts["python_threads"] == []  # invisible to threading: only the native check sees it
    assert result.value["stdout"] == "ran\n"
    assert "native threads were running at fork time" in spawned_note(result)


def test_a_native_thread_started_after_the_warm_up_makes_the_call_a_spawn(tmp_path, thread_modules):
    context = make_context(tmp_path, preload=("parity_zygote_late_native",))
    try:
        first = run(python_cli("print('ran')")(), context)  # the warm-up's sleeping thread is parked: forked
        assert first.notes == [] and first.value["stdout"] == "ran\n"
        time.sleep(1.0)
        second = run(python_cli("print('ran')")(), context)
        assert second.value["stdout"] == "ran\n"
        assert "native threads started since the warm-up" in spawned_note(second)
    finally:
        context.workers.close()


def test_a_case_file_that_starts_a_native_thread_at_import_gets_its_calls_made_in_turn(contexts, tmp_path):
    extra = "\nimport _thread, time\n_thread.start_new_thread(time.sleep, (3600,))\n"
    module = load_case_file(tmp_path, "native_threaded", extra=extra)
    results = [run(isolated(module.count_calls)(), contexts["fork"]) for _ in range(2)]
    assert [r.value for r in results] == [1, 2]
    [note] = results[0].notes
    assert "not in a fork each" in note and "native threads started by importing" in note
