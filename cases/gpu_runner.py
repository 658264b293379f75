"""CLI parity of ``monolith/gpu_runner.py`` (absl flags + ``main()``) vs ``monolith tf-runner gpu``
(monolith-cli ``commands/tf_runner.rs``, ``GpuRunnerArgs``).

Each case states one intent in each side's own spelling (absl ``--model_dir`` / clap ``--model-dir``)
unless the spelling itself is the point, and compares exit code, stdout and the final error message
(``cases/_support/runner_cli.py``).  Every invocation stops at task resolution or before: the Rust
binary registers no task (``monolith_core::model_registry`` is empty in the CLI), and a resolved
Python task would start TensorFlow Estimator training, which the Rust runner only stubs.
"""

from __future__ import annotations

from pytest_monolith_parity import divergence, example

from ._support import runner_cli
from ._support.runner_cli import LOGS_ON_STDOUT, model_dir

COVERS = "monolith/gpu_runner.py"
# A task both sides reject with the same message ('Invalid model name nodots': model_imports.py:80-81,
# monolith-core model_imports.rs:43-46), so the flag cases see only what the flags change.
TASK = "nodots"


case = runner_cli.case_maker(COVERS, "monolith.gpu_runner", runner_cli.GPU_STANDINS, "gpu")


NOT_FOUND = runner_cli.MISSING_MODULE


def rejects(why: str, python_head: str):
    """clap rejects what absl accepts: exit 2 and clap's message vs the task error ``TASK`` gives."""
    return divergence(why, outcome="mismatch", message=f"root['error']: {python_head}")


case("gpu_unknown_task",
     lambda task: ["--task", task, "--model_dir", model_dir()],
     lambda task: ["--task", task, "--model-dir", model_dir()],
     [example("nodots", id="no_dot", expect=runner_cli.logs_only("'Invalid model name nodots' on both")),
      example("no.such.Model", id="missing_module", expect=divergence(
          NOT_FOUND, outcome="mismatch", message="root['error']: index 0: expected 'Could not find any va'")),
      example("monolith.native_training.model.NoSuchParams", id="unregistered_class", expect=runner_cli.logs_only(
          "a module that imports but registers no such class: 'Model ... not found from list of above known "
          "models.' on both"))])

case("gpu_python_flag_spelling",
     lambda: ["--task", TASK, "--model_dir", model_dir()],
     lambda: ["--task", TASK, "--model_dir", model_dir()],
     [example(id="model_dir", expect=rejects(
         "the absl spelling '--model_dir' (gpu_runner.py:39) is 'unexpected argument' to clap, which derives "
         "kebab-case '--model-dir' (tf_runner.rs:126) -> exit 2; Python accepts it and fails on the task (exit 1)",
         "'Invalid model name nodots' != \"unexpected argument '--model_dir' found\""))])

case("gpu_mode",
     lambda mode: ["--task", TASK, "--model_dir", model_dir(), "--mode", mode],
     lambda mode: ["--task", TASK, "--model-dir", model_dir(), "--mode", mode],
     [example("train_and_eval", id="train_and_eval", expect=rejects(
         "absl's enum value 'train_and_eval' (gpu_runner.py:51) is rejected by clap's ValueEnum, which spells it "
         "'train-and-eval' (tf_runner.rs RunnerMode) -> exit 2 'invalid value'",
         "index 0: expected 'Invalid model name no'… != actual \"invalid value 'train_\"")),
      example("train-and-eval", id="train-and-eval", expect=divergence(
          "the clap spelling 'train-and-eval' is not one of absl's enum values: Python exits 1 with 'flag "
          "--mode=train-and-eval: value should be one of <train_and_eval|train|eval>' before main(); Rust accepts it "
          "and fails on the task", outcome="mismatch",
          message="root['error']: index 0: expected 'flag --mode=train-and'… != actual 'Invalid model name no'")),
      example("bogus", id="bogus", expect=divergence(
          "an unknown mode: both reject it before the task, absl with exit 1 ('flag --mode=bogus: value should be one "
          "of ...'), clap with exit 2 ('invalid value 'bogus' for '--mode <MODE>'')", outcome="mismatch",
          message="root['error']: index 0: expected 'flag --mode=bogus: va'… != actual \"invalid value 'bogus'\""))])

case("gpu_save_checkpoints_steps",
     lambda steps: ["--task", TASK, "--model_dir", model_dir(), "--save_checkpoints_steps", steps],
     lambda steps: ["--task", TASK, "--model-dir", model_dir(), "--save-checkpoints-steps", steps],
     [example("100", id="int", expect=runner_cli.logs_only()),
      example("-1", id="negative", expect=rejects(
          "a negative value: absl DEFINE_integer (gpu_runner.py:44) takes '-1'; clap reads '-1' as an unknown short "
          "flag ('unexpected argument '-1' found', exit 2: Option<i64> without allow_negative_numbers, "
          "tf_runner.rs:130)", "'Invalid model name nodots' != \"unexpected argument '-1' found\"")),
      example("ten", id="word", expect=divergence(
          "a non-integer: both reject it before the task, absl with exit 1 ('flag --save_checkpoints_steps=ten: "
          "invalid literal for int()'), clap with exit 2 ('invalid value 'ten' ... invalid digit found in string')",
          outcome="mismatch",
          message="root['error']: index 0: expected 'flag --save_checkpoin'… != actual \"invalid value 'ten' f\""))])

case("gpu_required_flags",
     lambda flags: flags,
     lambda flags: [{"--model_dir": "--model-dir"}.get(flag, flag) for flag in flags],
     [example(["--task", TASK], id="no_model_dir", expect=rejects(
         "--model_dir is optional in absl (default None, gpu_runner.py:39-42; main() fails on the task first) but "
         "required by clap (`model_dir: PathBuf`, tf_runner.rs:127) -> exit 2",
         "index 0: expected 'Invalid model name no'… != actual 'the following require'")),
      example(["--model_dir", "/nonexistent"], id="no_task", expect=divergence(
          "no --task: Python's default None reaches model_imports.ImportParams, whose `'.' not in model_name` "
          "raises TypeError (model_imports.py:80) -> exit 1; clap requires --task (tf_runner.rs:123) -> exit 2",
          outcome="mismatch",
          message="root['error']: index 0: expected \"argument of type 'Non\"… != actual 'the following require'"))])
