"""Parity of monolith/native_training/estimator.py ``RunConfig.to_runner_config``
(Rust: ``monolith_training::run_config::RunConfig::to_runner_config``, only where run_config.rs
exists: elsewhere these items are *rust unavailable*).

Python merges the user's ``RunConfig`` into a ``RunnerConfig`` whose values may come from the
command line (absl flags, through ``gflags_utils``); the port merges into a ``base`` runner config
(None: ``RunnerConfig::default()``).  The command line is an input of each example: Python parses
it as flags (reset around every call), the port gets ``RunnerConfig::default()`` with those
fields set.  Compared, as JSON values: the fields both ``RunnerConfig`` structs define
(``COMMON``; ``discovery_type`` as the enum's number, the same on both sides:
service_discovery.py:38-42, service_discovery.rs ``ServiceDiscoveryType``).  The structs' other
fields have no counterpart on the other side.

* ``to_runner_config``: the merged config itself -- what a job runs with.
* ``to_runner_config_changes``: only the fields the merge changed, relative to the config the
  command line alone gives (Python: ``RunnerConfig()`` under the same flags; Rust: the base),
  so the merge rules are compared apart from the two structs' different defaults.

A ``RunConfig`` field the port's ``RunConfig`` lacks raises ``UnsupportedByPort`` on the Rust side.
The Python side runs in a worker per case file.
"""

from __future__ import annotations

import json

from pytest_monolith_parity import Case, compare, divergence, driver, example, python_call
from ._support.absl_state import parsed_flags

COVERS = "monolith/native_training/estimator.py"
COMMON = ["is_local", "index", "num_ps", "num_workers", "model_dir", "restore_dir", "restore_ckpt",
          "log_step_count_steps", "discovery_type", "tf_config", "deep_insight_name", "zk_server",
          "enable_gpu_training", "embedding_prefetch_capacity", "enable_embedding_postpush",
          "enable_realtime_training", "tf_grpc_worker_cache_threads",
          "monolith_grpc_worker_service_handler_multiplier"]
# service_discovery.py:38-42 (ServiceDiscoveryType); the absl flag takes the lower-case name.
DISCOVERY = {"primus": 1, "consul": 2, "zk": 3, "mlp": 4}


def _python_fields(conf):
    out = {}
    for name in COMMON:
        value = getattr(conf, name)
        out[name] = value.value if name == "discovery_type" else value
    return json.loads(json.dumps(out))


def _rust_base(command_line):
    return {k: DISCOVERY[v] if k == "discovery_type" else v for k, v in command_line.items()}


def _rust_fields(text):
    merged = json.loads(text)
    return {name: merged[name] for name in COMMON if name in merged}


def merged_python(run_config, command_line=None):
    with parsed_flags(command_line or {}, defined_by=("monolith.native_training.estimator",)):
        from monolith.native_training.estimator import RunConfig

        return _python_fields(RunConfig(**run_config).to_runner_config())


def merged_rust(run_config, command_line=None):
    import monolith_parity_rs as rs

    base = _rust_base(command_line) if command_line else None
    return _rust_fields(rs.run_config_to_runner_config(run_config, base))


def changes_python(run_config, command_line=None):
    with parsed_flags(command_line or {}, defined_by=("monolith.native_training.estimator",)):
        from monolith.native_training.estimator import RunConfig
        from monolith.native_training.runner_utils import RunnerConfig

        before = _python_fields(RunnerConfig())
        after = _python_fields(RunConfig(**run_config).to_runner_config())
    return {k: v for k, v in after.items() if before[k] != v}


def changes_rust(run_config, command_line=None):
    import monolith_parity_rs as rs

    base = _rust_base(command_line or {})
    before = _rust_fields(_base_json(rs, base))
    after = _rust_fields(rs.run_config_to_runner_config(run_config, base))
    return {k: v for k, v in after.items() if before.get(k) != v}


def _base_json(rs, base):
    """The base itself as the port's JSON: RunnerConfig::default() with the command line's fields."""
    default = json.loads(rs.runner_config_default())
    return json.dumps({**default, **base})


RUN_CONFIGS = {
    "defaults": {},
    "sizes": {"num_ps": 2, "num_workers": 4},
    "dirs": {"model_dir": "/data/model", "restore_dir": "/data/restore", "restore_ckpt": "model.ckpt-30"},
    "log_steps": {"log_step_count_steps": 7},
    "parameter_sync": {"enable_parameter_sync": True},
    "local": {"is_local": True},
    "not_local": {"is_local": False},
    "python_only_field": {"warmup_file": "/data/warmup"},
}

_DEFAULTS = divergence(
    "the merged config starts from RunnerConfig::default() (is_local=true, discovery Primus, deep_insight_name "
    "'monolith', zk_server '127.0.0.1:2181', model_dir './model', no worker-cache threads) where Python's "
    "RunnerConfig() has is_local=False, discovery CONSUL mapped to ZK, None, None, '', 16 and 1.0",
    outcome="mismatch", message="root['")
_PYTHON_ONLY = divergence(
    "the port's RunConfig has no warmup_file (run_config.rs RunConfig fields); Python copies it into the "
    "RunnerConfig", outcome="rust raised", message="UnsupportedByPort: RunConfig has no field \"warmup_file\"")

Case(
    id="to_runner_config",
    covers=COVERS,
    python=python_call(merged_python, isolated=True),
    rust=driver(merged_rust, needs="run_config_to_runner_config"),
    examples=[example(fields, id=name, expect=_PYTHON_ONLY if name == "python_only_field" else _DEFAULTS)
              for name, fields in RUN_CONFIGS.items()],
    compare=compare.json(),
)

# The command line every changes example starts from: fields both structs can express, at values that make
# the two bases agree on every COMMON field (a full command line, as a launcher writes it).
CLI = {"is_local": False, "index": 0, "num_ps": 1, "num_workers": 2, "model_dir": "/cli/model",
       "log_step_count_steps": 100, "discovery_type": "zk", "deep_insight_name": "cli_job",
       "zk_server": "zk.cli:2181", "enable_gpu_training": False, "embedding_prefetch_capacity": 0,
       "enable_embedding_postpush": False, "enable_realtime_training": False, "tf_grpc_worker_cache_threads": 16}

_CHANGES_EXPECTED = {
    "python_only_field": _PYTHON_ONLY,
    "local": divergence(
        "is_local=True differs from Python's RunConfig default (False) and is merged; it equals the port's "
        "RunConfig default (run_config.rs:64), which merges only non-default values", outcome="mismatch",
        message="root['is_local']: missing in actual (expected True)"),
}

Case(
    id="to_runner_config_changes",
    covers=COVERS,
    python=python_call(changes_python, isolated=True),
    rust=driver(changes_rust, needs="run_config_to_runner_config"),
    examples=[
        *[example(fields, CLI, id=name, expect=_CHANGES_EXPECTED.get(name)) for name, fields in RUN_CONFIGS.items()],
        example({"num_ps": 1}, CLI, id="same_as_command_line"),
        example({"model_dir": "./model"}, CLI, id="model_dir_rust_default", expect=divergence(
            "Python merges model_dir='./model'; the port skips it, './model' being its RunConfig default "
            "(run_config.rs:68, merge only of non-default values)", outcome="mismatch",
            message="root['model_dir']: missing in actual (expected './model')")),
        example({"is_local": False}, {**CLI, "is_local": True}, id="is_local_false_over_cli_true", expect=divergence(
            "is_local=False equals Python's RunConfig default, so to_runner_config keeps the command line's True; the "
            "port's default is true (run_config.rs:64), so False is merged", outcome="mismatch",
            message="root['is_local']: unexpected in actual (actual False)")),
        example({}, {**CLI, "discovery_type": "consul"}, id="consul_on_command_line", expect=divergence(
            "with --discovery_type=consul Python's to_runner_config ends with discovery_type 3 (ZK, observed); the "
            "port keeps the base's consul (run_config.rs:230 changes it only for a non-default RunConfig value)",
            outcome="mismatch", message="root['discovery_type']: missing in actual (expected 3)")),
        example({}, {**CLI, "enable_gpu_training": True}, id="gpu_training"),
        example({}, {**CLI, "embedding_prefetch_capacity": 3, "enable_embedding_postpush": True},
                id="prefetch_already_set"),
    ],
    compare=compare.json(),
)
