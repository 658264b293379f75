"""Parity of monolith/native_training/service_discovery.py (Rust: ``monolith_training::py_discovery``).

The worked example of a Rust function only some revisions have
(docs/rust-bindings.md, "Adding a wrapper"): ``MlpServiceDiscovery::query_all``
exists on the branch, not on master.  On a checkout without it these items are
*rust unavailable* (``monolith_training::py_discovery::MlpServiceDiscovery::query_all
not in this checkout``); the gate counts them as new on the pull request that adds it.

Both sides read the ``MLP_*`` environment when the discovery is constructed
(Python ``MLPEnv()``, Rust ``MlpServiceDiscovery::new``); ``around=`` sets exactly
these variables on each side and restores the process environment afterwards.
"""

from __future__ import annotations

from pytest_monolith_parity import Case, compare, example, pyo3, python_call
from pytest_monolith_parity.helpers import environ

COVERS = "monolith/native_training/service_discovery.py"

# Every MLP_* / MPI variable either side reads, set or removed, so the machine's own never leak in.
BASE = {"MLP_FRAMEWORK": None, "MLP_SSH_PORT": None, "MLP_LOG_PATH": None, "MLP_DEBUG_PORT": None,
        "MLP_ENTRYPOINT_DIR": None, "MLP_TASK_CMD": None, "MLP_CPU": None, "MLP_GPU": None, "MLP_GPU_TYPE": None,
        "MLP_MEM": None, "MLP_HOST": None, "OMPI_COMM_WORLD_RANK": None, "MLP_CHIEF_NUM": None}
PS_AND_WORKER = {**BASE, "MLP_ROLE": "WORKER", "MLP_ROLE_INDEX": "0", "MLP_PORT": "2222",
                 "MLP_PS_NUM": "2", "MLP_WORKER_NUM": "1",
                 "MLP_PS_0_PRIMARY_HOST": "10.0.0.1", "MLP_PS_0_PORT": "3000",
                 "MLP_PS_1_PRIMARY_HOST": "10.0.0.2", "MLP_PS_1_PORT": "3001",
                 "MLP_WORKER_0_PRIMARY_HOST": "10.0.0.9", "MLP_WORKER_0_PORT": "4000"}


def query_all_python(env):
    from monolith.native_training.service_discovery import MLPServiceDiscovery

    return MLPServiceDiscovery().query_all()


def in_env(env):
    return environ(env)


Case(
    id="mlp_query_all",
    covers=COVERS,
    python=python_call(query_all_python, around=in_env),
    rust=pyo3("mlp_service_discovery_query_all", adapt=lambda env: (), around=in_env),
    examples=[example(PS_AND_WORKER, id="ps_and_worker")],
    compare=compare.structured(),
)
