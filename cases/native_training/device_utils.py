"""Parity of monolith/native_training/device_utils.py (Rust: ``monolith_training::native_training::device_utils``).

The worked example of a Rust signature that differs between revisions
(docs/rust-bindings.md, "Adding a wrapper"): ``get_visible_gpus`` returns
``String`` on master and ``Result<String, DeviceUtilsError>`` on the branch; the
bindings compile the variant the checkout has, so these cases run on both.
The inputs are the contract's (``processes_per_gpu >= 1``), where every
revision agrees with Python's ``str(int(local_rank / processes_per_gpu))``;
``get_visible_gpus_invalid`` gives what the contract refuses (Python asserts): a revision whose
port asserts too panics (*rust panicked*, a failing verdict: a panic is not an error a caller can
handle), one that returns ``DeviceUtilsError`` agrees (``errors=``).  No expectation is recorded, so
the gate reports the change between revisions.

``gpu_training_toggle``: the module-wide switch ``enable_gpu_training`` / ``disable_gpu_training`` /
``is_gpu_training``, as a sequence on each side's own process state.  Every sequence starts
with ``disable`` (an earlier example in the same process may have left it on), then each op's
result is recorded.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pytest_monolith_parity import Case, divergence, driver, example, pyo3, python_call

COVERS = "monolith/native_training/device_utils.py"

Case(
    id="get_visible_gpus",
    covers=COVERS,
    python=python_call("monolith.native_training.device_utils:get_visible_gpus"),
    rust=pyo3("get_visible_gpus"),
    examples=[
        example(0, id="first_rank"),
        example(2, 1, id="one_process_per_gpu"),
        example(3, 2, id="two_processes_per_gpu"),
        example(7, 4, id="rounds_down"),
    ],
    # int(a / b) on floats vs a / b on i32 agree while a / b is exact enough: ranks and group sizes of real jobs
    strategy=st.tuples(st.integers(0, 4096), st.integers(1, 64)),
    max_examples=50,
)

Case(
    id="get_visible_gpus_invalid",
    covers=COVERS,
    python=python_call("monolith.native_training.device_utils:get_visible_gpus"),
    rust=pyo3("get_visible_gpus"),
    examples=[
        example(0, 0, id="zero_processes_per_gpu"),
        example(3, -2, id="negative_processes_per_gpu"),
    ],
    errors={"AssertionError": "DeviceUtilsError"},
)


def _toggle(module, ops):
    out = []
    module.disable_gpu_training()
    for op in ops:
        result = getattr(module, f"{op}_gpu_training")()
        out.append([op, result])
    return out


def toggle_python(ops):
    from monolith.native_training import device_utils

    return _toggle(device_utils, ops)


def toggle_rust(ops):
    import monolith_parity_rs as rs

    return _toggle(rs, ops)


Case(
    id="gpu_training_toggle",
    covers=COVERS,
    python=python_call(toggle_python, isolated=True),
    rust=driver(toggle_rust, needs="is_gpu_training"),
    examples=[
        example(["is", "enable", "is", "enable", "is", "disable", "is", "disable", "is"], id="toggle"),
    ],
)
