"""What the CLI parity cases of ``monolith/gpu_runner.py`` and ``monolith/tpu_runner.py`` share.

The Python side is the runner module run as ``__main__`` in the reference environment
(``reference_cli``); the Rust side ``monolith tf-runner gpu|tpu`` (monolith-cli
``commands/tf_runner.rs``).  Compared: the exit code, stdout, and ``error`` -- the message the
command line ends with, as a user reads it (see :func:`error_line`).  The rest of stderr (absl's
log lines, Python tracebacks, anyhow's backtrace) stays in the report, not in the comparison.

Both runners import packages at top level that are not installed here and that flag parsing and
``main()`` up to ``model_registry.GetParams`` never execute: ``horovod.tensorflow`` and
``mpi4py.MPI`` (gpu_runner.py:29-30: used by ``create_estimator`` / ``run``), ``cloud_tpu_client``
(tpu_runner.py:43: the TPU cluster resolver in ``run``) and ``google.cloud.storage``
(``monolith/core/util.py:19``, imported by ``monolith.core.base_embedding_task``: GCS I/O).  The
cases name them (``STANDINS_ENV``): those that are not installed become stand-ins whose first real
use makes the case *reference unavailable* (reference/run.py), so a case never compares a run that
needed them.
"""

from __future__ import annotations

import re

from pytest_monolith_parity import Case, compare, reference_cli, rust_cli
from pytest_monolith_parity.reference.run import STANDINS_ENV

COMPARED = ("exit_code", "stdout", "stderr")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
TRACEBACK_LAST = re.compile(r"^(?:[A-Za-z_][\w.]*)(?:Error|Exception|Exit)\w*: (?P<message>.*)$")
GPU_STANDINS = "horovod,horovod.tensorflow,mpi4py"
TPU_STANDINS = "cloud_tpu_client,cloud_tpu_client.client,google.cloud,google.cloud.storage"

LOGS_ON_STDOUT = ("monolith-rs's tracing subscriber (monolith-cli main.rs: fmt::layer()) writes '<time> INFO "
                  "monolith: Monolith CLI starting...' to stdout with ANSI colours; absl logs go to stderr")


def error_line(stderr: str) -> str | None:
    """The message a failed command line ends with, without its decoration; None when there is none.

    * absl flag errors: ``FATAL Flags parsing error: flag --mode=bogus: ...`` -> the text after the colon;
    * a Python traceback: its last ``SomeError: message`` line -> ``message``;
    * clap: ``error: unexpected argument '--model_dir' found`` -> the text after ``error: ``;
    * anyhow: ``Error: <context>`` + ``Caused by:`` lines -> the innermost cause (what Python raised).
    """
    text = stderr.split("\nStack backtrace:")[0]
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("FATAL Flags parsing error: "):
            return line[len("FATAL Flags parsing error: "):]
    if "Caused by:" in lines:
        after = lines[lines.index("Caused by:") + 1:]
        if after:
            return re.sub(r"^\s*\d+:\s*", "", after[-1]).strip()
    for line in reversed(lines):
        if line.startswith("Error: "):
            return line[len("Error: "):]
        if line.startswith("error: "):
            return line[len("error: "):]
        match = TRACEBACK_LAST.match(line)
        if match:
            return match.group("message")
    return None


def normalise(value: dict) -> dict:
    """The ``post=`` of both sides: stderr reduced to :func:`error_line`; timestamps in stdout -> ``<time>``."""
    value = dict(value)
    value["error"] = error_line(value.pop("stderr", "") or "")
    if isinstance(value.get("stdout"), str):
        value["stdout"] = TIMESTAMP.sub("<time>", value["stdout"])
    return value


def python(module: str, standins: str, argv):
    return reference_cli(module, argv, capture=COMPARED, post=normalise, env={STANDINS_ENV: standins})


def rust(runner: str, argv):
    return rust_cli(argv, subcommand=["tf-runner", runner], capture=COMPARED, post=normalise)


def case_maker(covers: str, module: str, standins: str, runner: str):
    """The ``case(case_id, py_argv, rs_argv, examples, **kwargs)`` of one runner's case file: the Python
    entry point ``module`` run as ``__main__`` vs ``monolith tf-runner <runner>``, structured comparison."""

    def case(case_id, py_argv, rs_argv, examples, **kwargs):
        Case(id=case_id, covers=covers, python=python(module, standins, py_argv), rust=rust(runner, rs_argv),
             examples=examples, compare=compare.structured(), timeout=120, **kwargs)

    return case


_SCRATCH: list[str] = []


def model_dir() -> str:
    """A fresh, empty model directory (both runners only read it before the task resolves); removed at exit."""
    import atexit
    import shutil
    import tempfile

    if not _SCRATCH:
        _SCRATCH.append(tempfile.mkdtemp(prefix="parity-runner-cli-"))
        atexit.register(shutil.rmtree, _SCRATCH[0], True)
    return tempfile.mkdtemp(dir=_SCRATCH[0])


def logs_only(why: str = "both sides exit 1 with the same final error"):
    """The record of an invocation both sides accept: only the Rust log line on stdout differs."""
    from pytest_monolith_parity import divergence

    return divergence(f"{why}; the one difference: {LOGS_ON_STDOUT}", outcome="mismatch",
                      message="root['stdout']: index 0 (line 1, column 1): expected '' != actual ")


MISSING_MODULE = ("a dotted task whose module does not exist: Python model_registry.GetParams -> "
                  "model_imports.ImportParams(class_key) with require_success=True (model_registry.py:173) raises "
                  "LookupError('Could not find any valid import paths for module no.such. ...'); the port calls "
                  "import_params(key, ..., false) (model_registry.rs:61), ignores the failed import and reports "
                  "'Model no.such.Model not found from list of above known models.'")
