"""One-shot CLI runs and isolated (subprocess) calls: values, crashes, timeouts, panics."""

import sys

import pytest

from pytest_monolith_parity import cli, pyo3, python_call
from pytest_monolith_parity.cases import Args
from pytest_monolith_parity.config import Settings
from pytest_monolith_parity.outcomes import SideKind
from pytest_monolith_parity.runners.base import HarnessError, RunContext, RunnerConfigError
from pytest_monolith_parity.runners.workers import WorkerPool


@pytest.fixture()
def context(tmp_path):
    pool = WorkerPool(start_timeout=30)
    settings = Settings(rootdir=tmp_path, rust_module="sample_rust", rust_cli=sys.executable)
    yield RunContext(settings=settings, workers=pool, timeout=5.0, scratch_dir=str(tmp_path))
    pool.close()


def run(runner, context, *args, **kwargs):
    return runner.run(Args(args, kwargs), context)


def test_cli_captures_exit_code_streams_and_files(context):
    script = "import sys; open('out.txt','w').write(sys.argv[1] * 2); print('hi'); sys.exit(3)"
    result = run(cli(["{rust_cli}", "-c", script, "{0}"], files=["out.txt", "missing.txt"]), context, "ab")
    assert result.kind is SideKind.VALUE
    assert result.value == {"exit_code": 3, "stdout": "hi\n", "stderr": "",
                            "files": {"out.txt": b"abab", "missing.txt": None}}


def test_cli_signal_is_a_crash_and_a_hang_a_timeout(context):
    crash = run(cli(["{python}", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]), context)
    assert crash.kind is SideKind.CRASHED and "SIGSEGV" in crash.message
    context.timeout = 1
    hang = run(cli(["{python}", "-c", "import time; time.sleep(30)"]), context)
    assert hang.kind is SideKind.TIMEOUT and "1 s" in hang.message


def test_cli_capture_is_validated():
    with pytest.raises(RunnerConfigError, match="capture"):
        cli(["x"], capture=["exit_code", "stdin"])


def test_isolated_python_runs_in_a_worker(context):
    result = run(python_call("json:dumps", isolated=True), context, {"b": 1, "a": [1.5, None]})
    assert result.kind is SideKind.VALUE and result.value == '{"b": 1, "a": [1.5, null]}'
    error = run(python_call("json:loads", isolated=True), context, "{")
    assert error.kind is SideKind.RAISED and error.error_type == "JSONDecodeError"
    with pytest.raises(HarnessError, match="module no_such_module_xyz does not import: ModuleNotFoundError"):
        run(python_call("no_such_module_xyz:f", isolated=True), context)  # a misspelled module: the case is broken


def test_isolated_pyo3_turns_panics_and_hangs_into_verdicts(context):
    panic = run(pyo3("parse_port", isolated=True), context, "")
    assert panic.kind is SideKind.PANICKED and "unwrap" in panic.message
    context.timeout = 1
    hang = run(pyo3("countdown", isolated=True), context, -1)
    assert hang.kind is SideKind.TIMEOUT
    assert run(pyo3("countdown", isolated=True), context, 3).value == 0  # a fresh worker after the kill


def test_in_process_pyo3_panic_is_caught(context):
    panic = run(pyo3("parse_port"), context, "")
    assert panic.kind is SideKind.PANICKED and panic.error_type == "PanicException"


def test_around_wraps_the_call_and_sees_the_arguments(context):
    import contextlib
    import os

    @contextlib.contextmanager
    def env(name, value):
        os.environ[name] = value
        try:
            yield
        finally:
            del os.environ[name]

    runner = python_call(os.environ.get, around=env)
    result = run(runner, context, "PARITY_AROUND_PROBE", "set inside")
    assert result.value == "set inside" and "PARITY_AROUND_PROBE" not in os.environ


def test_a_broken_around_hook_is_a_harness_error(context):
    from pytest_monolith_parity.runners.base import HarnessError

    with pytest.raises(HarnessError, match="`around=` hook of the python side failed to enter"):
        run(python_call(len, around=lambda *a: 1 / 0), context, "x")


def test_isolated_call_of_a_case_file_function_runs_in_that_files_worker(context, tmp_path):
    from pytest_monolith_parity.case_modules import module_name_for
    from pytest_monolith_parity.loader import load_cases

    case_file = tmp_path / "cases" / "flags.py"
    case_file.parent.mkdir()
    case_file.write_text("import os\n\ndef pid_and_value(x):\n    return [os.getpid(), x * 2]\n")
    load_cases(case_file, "cases/flags.py")
    module = sys.modules[module_name_for(case_file)]
    result = run(python_call(module.pid_and_value, isolated=True), context, 21)
    assert result.kind is SideKind.VALUE and result.value[1] == 42
    assert result.value[0] != __import__("os").getpid()  # it ran in the worker, not here


def test_isolated_call_refuses_closures():
    def outer():
        return lambda: 1

    with pytest.raises(RunnerConfigError, match="module-level function"):
        python_call(outer(), isolated=True)


def test_cli_reference_unavailable_exit_is_a_verdict_not_a_value(context):
    script = ("import sys; print('monolith-parity: reference unavailable: custom op X is not built', "
              "file=sys.stderr); sys.exit(69)")
    result = run(cli(["{python}", "-c", script], side="python"), context)
    assert result.kind is SideKind.UNAVAILABLE and result.message == "custom op X is not built"
    plain = run(cli(["{python}", "-c", "import sys; sys.exit(69)"]), context)
    assert plain.kind is SideKind.VALUE and plain.value["exit_code"] == 69  # no marker: an ordinary exit status


def test_relative_worker_path_resolves_against_the_rootdir(tmp_path):
    from pytest_monolith_parity import worker

    settings = Settings(rootdir=tmp_path, rust_worker="rust/bin/worker --flag")
    assert worker("f").argv(settings) == [str(tmp_path / "rust/bin/worker"), "--flag"]
    assert worker("f", command=["sample-worker"]).argv(settings) == ["sample-worker"]  # a PATH lookup stays one


def test_rust_cli_runs_the_configured_binary_with_its_subcommand(context):
    from pytest_monolith_parity import rust_cli

    # rust_cli is sys.executable here: "-c <script>" plays the subcommand
    runner = rust_cli(lambda word: [word], subcommand=["-c", "import sys; print(sys.argv[1:])"],
                      capture=("exit_code", "stdout"))
    result = run(runner, context, "flag")
    assert result.kind is SideKind.VALUE and result.value == {"exit_code": 0, "stdout": "['flag']\n"}
    assert runner.describe() == "cli {rust_cli} -c import sys; print(sys.argv[1:])"


def test_rust_cli_without_a_configured_cli_fails_collection_with_the_fix(tmp_path):
    from pytest_monolith_parity import rust_cli

    with pytest.raises(RunnerConfigError, match="none is configured.*MONOLITH_PARITY_RUST_CLI"):
        rust_cli(["x"], subcommand=["agent-service"]).validate(Settings(rootdir=tmp_path))


def test_stderr_that_is_not_compared_still_reaches_the_report(context):
    script = "import sys; print('why it failed', file=sys.stderr); sys.exit(2)"
    result = run(cli(["{python}", "-c", script], capture=("exit_code",)), context)
    assert result.value == {"exit_code": 2}
    assert "stderr (not compared):\nwhy it failed" in result.detail


def test_an_argv_builder_that_finds_its_service_missing_makes_the_side_unavailable(context):
    from pytest_monolith_parity import ReferenceUnavailable

    def argv():
        raise ReferenceUnavailable("ZooKeeper: not installed")

    result = run(cli(argv, side="python"), context)
    assert result.kind is SideKind.UNAVAILABLE and result.message == "ZooKeeper: not installed"


def test_reference_cli_runs_the_module_through_the_reference_launcher(context, tmp_path, monkeypatch):
    from pytest_monolith_parity import reference_cli

    monkeypatch.delenv("MONOLITH_ROOT", raising=False)
    monkeypatch.delenv("MONOLITH_PARITY_REFERENCE_ROOT", raising=False)
    runner = reference_cli("monolith.agent_service.agent", ["--help"])
    assert runner.side == "python" and runner.describe() == "cli python -m monolith.agent_service.agent"
    result = run(runner, context)  # no checkout configured: the launcher's usage exit, with its reason on stderr
    assert result.kind is SideKind.VALUE and result.value["exit_code"] == 64
    assert "no checkout: set MONOLITH_PARITY_REFERENCE_ROOT or MONOLITH_ROOT" in result.value["stderr"]


def test_driver_needs_a_pyo3_function_at_collection(tmp_path):
    from pytest_monolith_parity import driver

    settings = Settings(rootdir=tmp_path, rust_module="sample_rust")
    driver(len, needs="scale").validate(settings)
    with pytest.raises(RunnerConfigError, match="has no function 'no_such_server_start'"):
        driver(len, needs="no_such_server_start").validate(settings)
    assert driver(len, needs="scale").describe() == "rust driver builtins.len (needs pyo3 scale)"
