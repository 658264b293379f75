"""Parity of monolith/native_training/runner_utils.py (Rust: ``monolith_training::runner_utils``).

* ``copy_checkpoint_from_restore_dir``: what ``RunnerConfig(restore_dir=..., model_dir=...,
  restore_ckpt=..., is_local=True)`` does in ``__post_init__`` on a chief (``_copy_ckpt_file``):
  the directory tree afterwards (every file byte for byte, every directory).  Python never raises
  from it (it logs and returns); an error from the port is its own verdict.
* ``get_checkpoint_state_with_restore_override``: ``tf.train.get_checkpoint_state`` as
  runner_utils patches it (``gen_get_checkpoint_state()``), which reads ``FLAGS.restore_ckpt`` and
  ``FLAGS.mode``; the port takes them as arguments.  Compared: the returned
  ``tensorflow.CheckpointState`` (the port's two-field struct as that message) and the tree.
* ``isabs``: the patched ``os.path.isabs``.

Trees are built per call in a scratch directory (_support/scratch.py): ``{root}`` in a file is the
scratch root and results write it back as ``{root}``; ``"rel:x"`` passes a path relative to the
root (the call runs with the root as working directory).  Flags are reset around every call
(_support/absl_state.py); the Python side runs in a worker per case file.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pytest_monolith_parity import Case, compare, divergence, driver, example, pyo3, python_call
from ._support.absl_state import parsed_flags
from ._support.scratch import inside, path_in, scratch, snapshot, unroot

COVERS = "monolith/native_training/runner_utils.py"


def _checkpoint(model, *others, timestamps=False, prefix=""):
    """A `checkpoint` file as TF's Saver writes it (text_format.MessageToString(CheckpointState))."""
    lines = [f'model_checkpoint_path: "{prefix}{model}"']
    lines += [f'all_model_checkpoint_paths: "{prefix}{p}"' for p in (*others, model)]
    if timestamps:
        lines += [f"all_model_checkpoint_timestamps: {1700000000.5 + i}" for i in range(len(others) + 1)]
        lines.append("last_preserved_timestamp: 1699999999.25")
    return "\n".join(lines) + "\n"


def _v2(dir_, *steps):
    out = {}
    for step in steps:
        out[f"{dir_}/model.ckpt-{step}.index"] = b"index"
        out[f"{dir_}/model.ckpt-{step}.data-00000-of-00001"] = b"data"
    return out


RESTORE = {"restore/checkpoint": _checkpoint("model.ckpt-61", "model.ckpt-0", "model.ckpt-30"),
           **_v2("restore", 0, 30, 61)}
RESTORE_STATE = 'exempt_model_checkpoint_paths: "model.ckpt-0"\nbuiltin_hash_table_type: MULTI_CUCKOO_HASH_MAP\n'


# ----------------------------------------------------------------------------------------- _copy_ckpt_file
def copy_ckpt_python(tree, restore_dir, model_dir, restore_ckpt=None):
    with scratch(tree) as root, parsed_flags(), inside(root):
        from monolith.native_training.runner_utils import RunnerConfig

        RunnerConfig(is_local=True, restore_dir=path_in(root, restore_dir), model_dir=path_in(root, model_dir),
                     restore_ckpt=restore_ckpt)
        return snapshot(root)


def copy_ckpt_rust(tree, restore_dir, model_dir, restore_ckpt=None):
    import monolith_parity_rs as rs

    with scratch(tree) as root, inside(root):
        rs.copy_checkpoint_from_restore_dir(path_in(root, restore_dir), path_in(root, model_dir), restore_ckpt)
        return snapshot(root)


_ABSOLUTE = ("Python's checkpoint names the restore checkpoint by the absolute path old_get_checkpoint_state(restore_dir) "
             "returns (runner_utils.py:292-300: a relative entry is joined to restore_dir); the port copies the entry "
             "as written in restore_dir/checkpoint (runner_utils.rs: picked = restore_state.model_checkpoint_path)")
_LIST_SYNTAX = ("Python writes monolith_checkpoint with text_format.MessageToString (`exempt_model_checkpoint_paths: "
                "\"...\"` one per line); the port's text_format::to_pbtxt writes `exempt_model_checkpoint_paths:[...]`")


def _copy_diverges(reason, outcome, message):
    return divergence(reason, outcome=outcome, message=message)


_CHECKPOINT_ABSOLUTE = _copy_diverges(_ABSOLUTE, "mismatch",
                                      "root['model/checkpoint']: bytes differ at offset 24 (length 113 != 83)")
_STATE_LIST_SYNTAX = _copy_diverges(_LIST_SYNTAX, "mismatch", "root['model/monolith_checkpoint']: bytes differ at offset 30")
_NOT_LISTED = _copy_diverges(
    "Python falls back to the restore dir's latest checkpoint when restore_ckpt is not listed (runner_utils.py:301-305, "
    "a warning); the port raises RunnerUtilsError::RestoreCkptNotFound", "rust raised", "RunnerUtilsError: restore_ckpt ")

Case(
    id="copy_checkpoint_from_restore_dir",
    covers=COVERS,
    python=python_call(copy_ckpt_python, isolated=True),
    rust=driver(copy_ckpt_rust, needs="copy_checkpoint_from_restore_dir"),
    examples=[
        example(RESTORE, "restore", "model", id="latest", expect=_CHECKPOINT_ABSOLUTE),
        example(RESTORE, "restore", "model", "model.ckpt-30", id="restore_ckpt_basename",
                expect=_CHECKPOINT_ABSOLUTE),
        example(RESTORE, "restore", "model", "/elsewhere/model.ckpt-30", id="restore_ckpt_other_dir",
                expect=_NOT_LISTED),
        example(RESTORE, "restore", "model", "model.ckpt-99", id="restore_ckpt_not_listed", expect=_NOT_LISTED),
        example({**RESTORE, "restore/monolith_checkpoint": RESTORE_STATE}, "restore", "model", "model.ckpt-30",
                id="restore_dir_has_state", expect=_CHECKPOINT_ABSOLUTE),
        example({**RESTORE, "model/monolith_checkpoint": RESTORE_STATE.replace("0", "7")}, "restore", "model",
                id="model_dir_has_state", expect=_CHECKPOINT_ABSOLUTE),
        example({**RESTORE, "model/checkpoint": _checkpoint("model.ckpt-5")}, "restore", "model",
                id="model_dir_has_checkpoint", expect=divergence(
                    "Python returns as soon as model_dir/checkpoint exists (runner_utils.py:315-318), writing nothing; "
                    "the port still writes model_dir/restore_ckpt and monolith_checkpoint", outcome="mismatch",
                    message="root['model/monolith_checkpoint']: unexpected in actual")),
        example({"restore/checkpoint": _checkpoint("model.ckpt-61", "model.ckpt-30", prefix="{root}/restore/"),
                 **_v2("restore", 30, 61)}, "restore", "model", "model.ckpt-30", id="absolute_paths",
                expect=_STATE_LIST_SYNTAX),
        example({"restore/checkpoint": _checkpoint("model.ckpt-61", "model.ckpt-30", prefix="hdfs:/data/m/")},
                "restore", "model", id="hdfs_paths", expect=_STATE_LIST_SYNTAX),
        example({"restore/checkpoint": _checkpoint("model.ckpt-61", "model.ckpt-30", timestamps=True),
                 **_v2("restore", 30, 61)}, "restore", "model", id="with_timestamps",
                expect=_CHECKPOINT_ABSOLUTE),
        example(RESTORE, "rel:restore", "rel:model", "model.ckpt-30", id="relative_dirs", expect=_copy_diverges(
            _ABSOLUTE, "mismatch", "root['model/checkpoint']: bytes differ at offset 24 (length 99 != 83)")),
        example({"restore/": None}, "restore", "model", id="no_checkpoint_in_restore_dir", expect=divergence(
            "Python does nothing when restore_dir has no checkpoint file (runner_utils.py:282); the port raises "
            "RunnerUtilsError::MissingCheckpoint", outcome="rust raised",
            message="RunnerUtilsError: restore_dir does not contain checkpoint file")),
        example({"restore/checkpoint": "garbage"}, "restore", "model", id="unparsable_checkpoint", expect=divergence(
            "Python's get_checkpoint_state raises on an unparsable checkpoint and _copy_ckpt_file logs and returns "
            "(runner_utils.py:311-313); the port falls back to model.ckpt-0 (parse_checkpoint_pbtxt(..).unwrap_or) and "
            "writes model_dir/checkpoint", outcome="mismatch", message="root['model/checkpoint']: unexpected in actual")),
        example(RESTORE, "restore", "deep/new/model", id="model_dir_created", expect=_copy_diverges(
            _ABSOLUTE, "mismatch", "root['deep/new/model/checkpoint']: bytes differ at offset 24 (length 113 != 83)")),
    ],
    compare=compare.structured(),
)


# ----------------------------------------------------------------------------------------- get_checkpoint_state
def _state_message(fields):
    from tensorflow.python.training.checkpoint_state_pb2 import CheckpointState

    return None if fields is None else CheckpointState(**fields)


def _state_dict(state, root):
    if state is None:
        return None
    from google.protobuf import json_format

    return unroot(json_format.MessageToDict(state, preserving_proto_field_name=True), root)


def get_state_python(tree, checkpoint_dir, latest_filename=None, restore_ckpt=None, mode="train"):
    with scratch(tree) as root, parsed_flags({"restore_ckpt": restore_ckpt, "mode": mode}), inside(root):
        from monolith.native_training import runner_utils

        state = runner_utils.gen_get_checkpoint_state()(path_in(root, checkpoint_dir), latest_filename)
        return {"state": _state_dict(state, root), "tree": snapshot(root)}


def get_state_rust(tree, checkpoint_dir, latest_filename=None, restore_ckpt=None, mode="train"):
    import monolith_parity_rs as rs

    with scratch(tree) as root, inside(root):
        fields = rs.get_checkpoint_state_with_restore_override(path_in(root, checkpoint_dir), latest_filename,
                                                                restore_ckpt, mode)
        return {"state": _state_dict(_state_message(fields), root), "tree": snapshot(root)}


MODEL = {"model/checkpoint": _checkpoint("model.ckpt-61", "model.ckpt-0", "model.ckpt-30"), **_v2("model", 0, 30, 61)}

_PATHS = divergence(
    "Python's patched get_checkpoint_state returns TF's CheckpointState: every path joined to the checkpoint dir "
    "('{root}/model/model.ckpt-0'), all paths kept, restore_ckpt applied only on the train/marker rules of "
    "runner_utils.py gen_get_checkpoint_state; the port returns the file's entries as written and its own restore "
    "choice (observed: 'model.ckpt-0' / 'model.ckpt-30', a single entry)", outcome="mismatch",
    message="root['state']['all_model_checkpoint_paths']")

Case(
    id="get_checkpoint_state_with_restore_override",
    covers=COVERS,
    python=python_call(get_state_python, isolated=True),
    rust=driver(get_state_rust, needs="get_checkpoint_state_with_restore_override"),
    examples=[
        example({"model/": None}, "model", id="no_checkpoint_file"),
        example(MODEL, "model", id="no_restore_ckpt", expect=_PATHS),
        example(MODEL, "model", restore_ckpt="model.ckpt-30", id="train_applies_restore_ckpt", expect=_PATHS),
        example({**MODEL, "model/restore_ckpt": "{root}/model/model.ckpt-30"}, "model", restore_ckpt="model.ckpt-30",
                id="train_marker_exists", expect=_PATHS),
        example(MODEL, "model", restore_ckpt="model.ckpt-30", mode="eval", id="eval_applies_without_marker", expect=_PATHS),
        example(MODEL, "model", restore_ckpt="model.ckpt-30", mode="infer", id="infer", expect=_PATHS),
        example(MODEL, "model", restore_ckpt="model.ckpt-61", id="restore_ckpt_is_latest", expect=_PATHS),
        example(MODEL, "model", restore_ckpt="model.ckpt-99", id="restore_ckpt_not_listed", expect=_PATHS),
        example(MODEL, "model", restore_ckpt="/elsewhere/model.ckpt-30", id="restore_ckpt_other_dir", expect=_PATHS),
        example(MODEL, "model", latest_filename="other", restore_ckpt="model.ckpt-30", id="other_latest_filename"),
        example({**MODEL, "model/other": MODEL["model/checkpoint"]}, "model", latest_filename="other",
                restore_ckpt="model.ckpt-30", id="other_latest_filename_present", expect=_PATHS),
        example({"model/checkpoint": _checkpoint("model.ckpt-61", "model.ckpt-30", timestamps=True),
                 **_v2("model", 30, 61)}, "model", id="timestamps", expect=_PATHS),
        example({"model/checkpoint": _checkpoint("model.ckpt-61", "model.ckpt-30", prefix="{root}/model/")},
                "model", restore_ckpt="model.ckpt-30", id="absolute_paths", expect=_PATHS),
        example({"model/checkpoint": _checkpoint("model.ckpt-61", "model.ckpt-30", prefix="hdfs:/data/m/")},
                "model", restore_ckpt="model.ckpt-30", id="hdfs_paths", expect=_PATHS),
        example(MODEL, "rel:model", restore_ckpt="model.ckpt-30", id="relative_dir", expect=_PATHS),
        example({"model/checkpoint": "garbage without a colon"}, "model", id="unparsable"),
        example({"model/checkpoint": 'all_model_checkpoint_paths: "model.ckpt-1"\n'}, "model",
                id="no_model_checkpoint_path"),
    ],
    errors={"Exception": "RunnerUtilsError", "ValueError": "RunnerUtilsError"},
    compare=compare.structured(),
)


# ----------------------------------------------------------------------------------------- isabs
def isabs_python(path):
    from monolith.native_training import runner_utils

    return runner_utils.isabs(path)


Case(
    id="isabs",
    covers=COVERS,
    python=python_call(isabs_python, isolated=True),
    rust=pyo3("runner_utils_isabs"),
    examples=[
        example("/abs/path", id="posix_absolute"),
        example("relative/path", id="relative"),
        example("", id="empty"),
        example("hdfs:/user/model", id="hdfs_one_slash"),
        example("hdfs://nn:9000/user/model", id="hdfs_authority"),
        example("HDFS:/user", id="hdfs_upper_case"),
        example("hdfs:relative", id="hdfs_no_slash"),
        example("s3://bucket/key", id="other_scheme"),
        example("//double/leading", id="double_slash"),
        example(" /leading_space", id="leading_space"),
    ],
    strategy=st.tuples(st.one_of(st.text(max_size=12), st.text(max_size=8).map(lambda s: "hdfs:" + s),
                                 st.text(max_size=8).map(lambda s: "/" + s))),
)


# ----------------------------------------------------------------------------------------- get_discovery
# runner_utils.get_discovery's choices on each side: Python's class -> the port's RunnerDiscovery::kind().
KINDS = {"TfConfigServiceDiscovery": "tf_config", "MLPServiceDiscovery": "mlp", "ConsulServiceDiscovery": "consul",
         "ZKServiceDiscovery": "zk", "NoneType": None}
# Errors of building or using the discovery: Python asserts / raises ValueError, the port RunnerUtilsError.
DISCOVERY_ERRORS = {"AssertionError": "RunnerUtilsError", "ValueError": "RunnerUtilsError",
                    "ConsulException": "RunnerUtilsError"}
MLP_ENV = {"MLP_ROLE": "WORKER", "MLP_ROLE_INDEX": "0", "MLP_PORT": "4000", "MLP_WORKER_NUM": "1",
           "MLP_WORKER_0_PRIMARY_HOST": "10.0.0.9", "MLP_WORKER_0_PORT": "4000", "MLP_PS_NUM": None,
           "YARN_INET_ADDR": "10.0.0.9", "CLOUDNATIVE_INET_ADDR": None, "MLP_HOST": "10.0.0.9",
           "OMPI_COMM_WORLD_RANK": None, "TF_CONFIG": None}
TF_CONFIG = '{"cluster": {"chief": ["c0:1"], "worker": ["w0:1"], "ps": ["p0:1", "p1:1"]}, "task": {"type": "worker", "index": 0}}'
CONSUL_SCRIPT = {"services": {"psm_given": [{"Port": 3000, "Tags": {"index": "0", "name": "ps", "ip": "10.0.0.1"}}],
                              "job_name": [{"Port": 3100, "Tags": {"index": "0", "name": "ps", "ip": "10.0.0.2"}}]}}


def _zk(conf):
    """`{zk}` in zk_server: this process's ZooKeeper (pytest_monolith_parity.services.zookeeper)."""
    if "{zk}" in str(conf.get("zk_server", "")):
        from pytest_monolith_parity import ReferenceUnavailable
        from pytest_monolith_parity.services import zookeeper

        try:
            conf = {**conf, "zk_server": conf["zk_server"].replace("{zk}", zookeeper.shared_server().hosts)}
        except zookeeper.ZooKeeperUnavailable as e:
            raise ReferenceUnavailable(str(e)) from e
    return conf


def _python_ops(discovery, runner_conf, ops):
    from ._support.ops import python_error, run_ops

    kind = KINDS.get(type(discovery).__name__, type(discovery).__name__)
    task = [runner_conf.server_type, runner_conf.index] if kind == "tf_config" else None
    return {"kind": kind, "tf_config_task": task,
            "ops": run_ops(ops, lambda n, a: getattr(discovery, n)(*a), python_error(DISCOVERY_ERRORS))}


def _rust_ops(discovery, ops):
    from ._support.ops import run_ops, rust_error

    task = discovery.tf_config_task()
    return {"kind": discovery.kind(), "tf_config_task": None if task is None else list(task),
            "ops": run_ops(ops, lambda n, a: getattr(discovery, n)(*a), rust_error)}


def discovery_python(conf, env, ops, via="get_discovery", psm=None):
    from pytest_monolith_parity.helpers import environ

    from ._support.consul_agent import observed, scripted

    with environ(env), scripted(CONSUL_SCRIPT) as agent, parsed_flags():
        from monolith.native_training import runner_utils
        from monolith.native_training.service_discovery import ServiceDiscoveryType

        conf = _zk(conf)
        fields = {**conf, "discovery_type": ServiceDiscoveryType(conf["discovery_type"])} if "discovery_type" in conf \
            else dict(conf)
        runner_conf = runner_utils.RunnerConfig(**fields)
        if via == "get_discovery":
            discovery = runner_utils.get_discovery(runner_conf, psm)
            try:
                out = _python_ops(discovery, runner_conf, ops)
            finally:
                if discovery is not None:
                    discovery.close()
        else:
            with runner_utils.monolith_discovery(runner_conf) as discovery:
                out = _python_ops(discovery, runner_conf, ops)
        return {**out, "consul": observed(agent)["requests"]}


def discovery_rust(conf, env, ops, via="get_discovery", psm=None):
    import monolith_parity_rs as rs
    from pytest_monolith_parity.helpers import environ

    from ._support.consul_agent import observed, scripted

    with environ(env), scripted(CONSUL_SCRIPT) as agent:
        conf = _zk(conf)
        if via == "get_discovery":
            discovery = rs.runner_utils_get_discovery(conf, psm)
        else:
            discovery = rs.runner_utils_monolith_discovery(conf)
        try:
            out = _rust_ops(discovery, ops)
        finally:
            discovery.close()
        return {**out, "consul": observed(agent)["requests"]}


QUERY = [("query", "ps"), ("query", "worker")]
# No Consul examples here: the port's Consul discovery made through runner_utils_get_discovery did not return
# from its first query against the scripted agent (observed: the item ran > 5 minutes), and a driver runs in the
# pytest process, where a hang cannot be timed out.  ConsulServiceDiscovery itself is compared in
# cases/native_training/service_discovery.py.

Case(
    id="get_discovery",
    covers=COVERS,
    python=python_call(discovery_python, isolated=True),
    rust=driver(discovery_rust, needs="runner_utils_get_discovery"),
    examples=[
        example({"is_local": True}, MLP_ENV, [], id="local"),
        example({"is_local": False, "discovery_type": 1, "tf_config": TF_CONFIG}, MLP_ENV, QUERY, id="primus"),
        example({"is_local": False, "discovery_type": 1}, MLP_ENV, QUERY, id="primus_without_tf_config"),
        example({"is_local": False, "discovery_type": 1}, {**MLP_ENV, "TF_CONFIG": TF_CONFIG}, QUERY,
                id="primus_tf_config_only_in_env", expect=divergence(
                    "Python asserts conf.tf_config is set (runner_utils.py get_discovery: AssertionError) and never reads "
                    "TF_CONFIG from the environment; the port falls back to the TF_CONFIG variable",
                    outcome="python raised", message="AssertionError")),
        example({"is_local": False, "discovery_type": 4}, MLP_ENV, [("query", "worker")], id="mlp"),
        example({"is_local": False, "discovery_type": 3, "deep_insight_name": "job_name", "zk_server": "{zk}"},
                MLP_ENV, QUERY, id="zk", expect=divergence(
                    "Python's ZK discovery answers query() with what is registered ({}); the port's RunnerDiscovery "
                    "raises RunnerUtilsError on query for ZooKeeper", outcome="mismatch",
                    message="root['ops'][0][0]: 'ok' != 'error'")),
    ],
    compare=compare.structured(),
    # both refuse a Primus discovery without a TF_CONFIG: an assert vs "TF_CONFIG is required for Primus discovery"
    errors={"AssertionError": "RunnerUtilsError"},
    timeout=60,
)

Case(
    id="monolith_discovery",
    covers=COVERS,
    python=python_call(discovery_python, isolated=True),
    rust=driver(discovery_rust, needs="runner_utils_monolith_discovery"),
    examples=[
        example({"is_local": True}, MLP_ENV, [], via="monolith_discovery", id="local"),
        example({"is_local": False, "discovery_type": 4}, MLP_ENV, [("query", "worker")], via="monolith_discovery",
                id="mlp"),
        example({"is_local": False, "discovery_type": 1, "tf_config": TF_CONFIG}, MLP_ENV, QUERY,
                via="monolith_discovery", id="primus"),
    ],
    compare=compare.structured(),
    timeout=60,
)
