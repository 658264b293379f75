"""CLI parity of ``monolith/tpu_runner.py`` (absl flags + ``main()``) vs ``monolith tf-runner tpu``
(monolith-cli ``commands/tf_runner.rs``, ``TpuRunnerArgs``).

As in ``cases/gpu_runner.py``: one intent per case in each side's own spelling, exit code + stdout +
the final error message compared (``cases/_support/runner_cli.py``), every invocation stopping at
task resolution (``TASK`` is rejected with the same message by both).  What is checked is which
flags, values and boolean spellings each side accepts: absl booleans take ``--flag``,
``--noflag`` and ``--flag=false``; clap's ``bool`` fields with ``#[arg(long)]`` are ``SetTrue``
switches, so a default-true one (``enable_tpu_version_config``) cannot be turned off at all.
"""

from __future__ import annotations

from pytest_monolith_parity import divergence, example

from ._support import runner_cli
from ._support.runner_cli import LOGS_ON_STDOUT, model_dir

COVERS = "monolith/tpu_runner.py"
TASK = "nodots"  # 'Invalid model name nodots' on both sides (model_imports.py:80-81, model_imports.rs:43-46)


case = runner_cli.case_maker(COVERS, "monolith.tpu_runner", runner_cli.TPU_STANDINS, "tpu")


def flagged(py_flags, rs_flags):
    """Both sides' argv: the task, a model dir, then the example's flags in that side's spelling."""
    return (lambda *a: ["--task", TASK, "--model_dir", model_dir(), *py_flags(*a)],
            lambda *a: ["--task", TASK, "--model-dir", model_dir(), *rs_flags(*a)])


def rejects(why: str, message: str):
    return divergence(why, outcome="mismatch", message=f"root['error']: {message}")


case("tpu_unknown_task",
     lambda task: ["--task", task, "--model_dir", model_dir()],
     lambda task: ["--task", task, "--model-dir", model_dir()],
     [example("nodots", id="no_dot", expect=runner_cli.logs_only("'Invalid model name nodots' on both")),
      example("no.such.Model", id="missing_module", expect=divergence(
          runner_cli.MISSING_MODULE, outcome="mismatch",
          message="root['error']: index 0: expected 'Could not find any va'"))])

# cpu_test defaults to False (tpu_runner.py:121), enable_tpu_version_config to True (tpu_runner.py:102).
BOOLEANS = ("cpu_test", "enable_tpu_version_config")


def kebab(flag: str) -> str:
    return flag.replace("_", "-")


case("tpu_boolean_on",
     *flagged(lambda flag: [f"--{flag}"], lambda flag: [f"--{kebab(flag)}"]),
     [example(flag, id=flag, expect=runner_cli.logs_only()) for flag in BOOLEANS])

case("tpu_boolean_off_no_prefix",
     *flagged(lambda flag: [f"--no{flag}"], lambda flag: [f"--no-{kebab(flag)}"]),
     [example(flag, id=flag, expect=rejects(
         f"absl turns a boolean off with '--no{flag}'; clap's bool field (tf_runner.rs TpuRunnerArgs, "
         f"`#[arg(long, default_value_t = ...)] pub {flag}: bool` = ArgAction::SetTrue) has no negation, so "
         f"'--no-{kebab(flag)}' is 'unexpected argument' -> exit 2",
         "index 0: expected 'Invalid model name no'… != actual \"unexpected argument '\"")) for flag in BOOLEANS])

case("tpu_boolean_off_value",
     *flagged(lambda flag: [f"--{flag}=false"], lambda flag: [f"--{kebab(flag)}=false"]),
     [example(flag, id=flag, expect=rejects(
         f"absl takes '--{flag}=false'; a clap SetTrue switch takes no value ('unexpected value 'false' for "
         f"'--{kebab(flag)}' found; no more were expected', exit 2)"
         + (": with default_value_t = true (tf_runner.rs:210) the port cannot turn this flag off at all"
            if flag == "enable_tpu_version_config" else ""),
         "index 0: expected 'Invalid model name no'… != actual \"unexpected value 'fal\"")) for flag in BOOLEANS])

case("tpu_integer_flags",
     *flagged(lambda flag, value: [f"--{flag}", value], lambda flag, value: [f"--{kebab(flag)}", value]),
     [example("iterations_per_loop", "1", id="iterations_per_loop_1", expect=runner_cli.logs_only()),
      example("host_call_every_n_steps", "0", id="host_call_every_n_steps_0", expect=runner_cli.logs_only()),
      example("iterations_per_loop", "x", id="iterations_per_loop_word", expect=rejects(
          "a non-integer: both reject it before the task, absl with exit 1 ('flag --iterations_per_loop=x: invalid "
          "literal for int()'), clap with exit 2 ('invalid value 'x' ... invalid digit found in string')",
          "index 0: expected 'flag --iterations_per'… != actual \"invalid value 'x' for\"")),
      example("save_checkpoints_steps", "2.5", id="save_checkpoints_steps_float", expect=rejects(
          "a float for an integer flag: absl exit 1 ('invalid literal for int() with base 10: '2.5''), clap exit 2 "
          "('invalid digit found in string')",
          "index 0: expected 'flag --save_checkpoin'… != actual \"invalid value '2.5' f\""))])

case("tpu_string_flags",
     *flagged(lambda flag, value: [f"--{flag}", value], lambda flag, value: [f"--{kebab(flag)}", value]),
     [example("partition_strategy", "div", id="partition_strategy", expect=runner_cli.logs_only()),
      example("overwrite_end_date", "20250101", id="overwrite_end_date", expect=runner_cli.logs_only())])

case("tpu_mode",
     *flagged(lambda mode: ["--mode", mode], lambda mode: ["--mode", mode]),
     [example("eval", id="eval", expect=runner_cli.logs_only()),
      example("train_and_eval", id="train_and_eval", expect=rejects(
          "absl's enum value 'train_and_eval' (tpu_runner.py:80) is rejected by clap's ValueEnum ('train-and-eval') "
          "-> exit 2 'invalid value'", "index 0: expected 'Invalid model name no'… != actual \"invalid value 'train_\"")),
      example("bogus", id="bogus", expect=rejects(
          "an unknown mode: absl exit 1 ('flag --mode=bogus: value should be one of ...'), clap exit 2",
          "index 0: expected 'flag --mode=bogus: va'… != actual \"invalid value 'bogus'\""))])

case("tpu_cpu_test_with_eval",
     *flagged(lambda: ["--cpu_test", "--mode", "eval"], lambda: ["--cpu-test", "--mode", "eval"]),
     [example(id="eval", expect=runner_cli.logs_only(
         "--cpu_test with --mode eval: both resolve the task before any mode check (tpu_runner.py:416; "
         "tf_runner.rs TpuRunnerArgs::run: get_params before 'Cpu test can only work with train mode.'), so both "
         "exit 1 with the task error"))])
