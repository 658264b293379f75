"""Parity of monolith/native_training/device_utils.py (Rust: ``monolith_training::native_training::device_utils``).

The worked example of a Rust signature that differs between revisions
(docs/rust-bindings.md, "Adding a wrapper"): ``get_visible_gpus`` returns
``String`` on master and ``Result<String, DeviceUtilsError>`` on the branch; the
bindings compile the variant the checkout has, so these cases run on both.
The inputs are the contract's (``processes_per_gpu >= 1``), where every
revision agrees with Python's ``str(int(local_rank / processes_per_gpu))``.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pytest_monolith_parity import Case, example, pyo3, python_call

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
