"""Parity of monolith/agent_service/tfs_monitor.py (Rust: ``monolith_serving::tfs_monitor``).

Covered: the pure part, ``TFSMonitor(conf).gen_model_config(pms, fix_dense_version)``:
the TF Serving ``ModelServerConfig`` per service type (entry, ps, dense) an agent
reloads.  The agent config is given as ``{"deploy_type": ..., "dense_alone": ...}``:
Python builds a real ``AgentConfig(bzid=..., **conf)`` (with fixed port environment
variables, see :func:`in_env`), Rust the monitor's own ``AgentConfig``.  Publish metas
are dicts of ``PublishMeta`` fields (``ptype`` as its value, 1 load / 2 unload).

Results: ``{service type: ModelServerConfig}``; Rust's serialized messages are parsed
with the reference's class and the messages compared by ``proto()``, list order included
(it is the order TF Serving is told to load):

* ``tfs_monitor_gen_model_config``: the whole result, oneof presence included;
* ``tfs_monitor_gen_model_config_lists``: each type's list of ``ModelConfig`` (every
  example, and Hypothesis); it cannot see whether an empty type's ``config`` oneof is
  set, which is exactly what the first case records as a divergence.
"""

from __future__ import annotations

import importlib

from hypothesis import strategies as st

from pytest_monolith_parity import Args, Case, compare, divergence, example, pyo3, python_call
from pytest_monolith_parity.helpers import environ

COVERS = "monolith/agent_service/tfs_monitor.py"
ENV = {"PORT": "9100", "PORT2": "9102", "PORT3": "9103", "PORT4": "9104", "PORT5": "9105", "PORT6": "9106",
       "PORT7": "9107", "PORT8": "9108", "PORT9": "9109", "PORT10": "9110", "MY_HOST_IP": "10.1.2.3",
       "MY_POD_NAME": "iptv-0", "REPLICA_ID": None, "MONOLITH_HOST_SHARD_N": None, "DENSE_SERVICE_IDX": None}


def _gen_model_config(conf, pms, fix_dense_version=False):
    utils = importlib.import_module("monolith.agent_service.utils")
    data_def = importlib.import_module("monolith.agent_service.data_def")
    tfs_monitor = importlib.import_module("monolith.agent_service.tfs_monitor")
    with environ(ENV):
        config = utils.AgentConfig(bzid="iptv", **conf)
    metas = []
    for fields in pms:
        fields = dict(fields)
        if "ptype" in fields:
            fields["ptype"] = data_def.PublishType(fields["ptype"])
        metas.append(data_def.PublishMeta(**fields))
    return tfs_monitor.TFSMonitor(config).gen_model_config(metas, fix_dense_version)


def _parse_configs(configs):
    """``post`` (Rust): serialized ModelServerConfig -> the reference's message."""
    from tensorflow_serving.config.model_server_config_pb2 import ModelServerConfig

    return {k: ModelServerConfig.FromString(v) for k, v in configs.items()}


def _pm(model, subs, **fields):
    return {"model_name": model, "sub_models": dict(subs), **fields}


MIXED = {"deploy_type": "mixed"}
IPTV = _pm("iptv_ex", {"entry": "/data/iptv_ex/entry/1650000000", "ps_0": "/data/iptv_ex/ps_0/1650000000"})
IPTV_DENSE = _pm("iptv_ex", {"entry": "/data/iptv_ex/entry/16", "ps_0": "/data/iptv_ex/ps_0/16",
                             "dense_0": "/data/iptv_ex/dense_0/16"})

# One sub-model per service type per publish meta: Rust iterates sub_models as a HashMap (random order),
# so several sub-models of one type make the list order random (recorded in `many_ps_order`).
_SUBS = st.fixed_dictionaries({}, optional={
    "entry": st.integers(0, 2**40), "ps_0": st.integers(0, 2**40), "ps_3": st.integers(0, 2**40),
    "dense_0": st.integers(0, 2**40)}).filter(lambda d: not ("ps_0" in d and "ps_3" in d))
_PMS = st.lists(st.builds(
    lambda model, subs, ptype: _pm(model, {k: f"/data/{model}/{k}/{v}" for k, v in subs.items()}, ptype=ptype),
    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), _SUBS, st.sampled_from([1, 2])), max_size=3)
_CONFS = st.sampled_from([{"deploy_type": "mixed"}, {"deploy_type": "entry"}, {"deploy_type": "ps"},
                          {"deploy_type": "mixed", "dense_alone": True},
                          {"deploy_type": "dense", "dense_alone": True}])

_BAD_VERSION = divergence(
    "Python takes int(os.path.basename(path)) and raises ValueError for a version that is not a number (or an "
    "empty basename after a trailing slash); Rust's Path::file_name skips a trailing slash and unwrap_or(1) "
    "turns a non-number into version 1", outcome="python raised", message="ValueError")

def _empty_type(first):
    return divergence(
        "a service type with no model: Python returns an empty ModelServerConfig() (oneof `config` unset); Rust "
        "starts every type with Some(ModelConfigList{config: []}), so the oneof is set to an empty list (one more "
        "field on the wire)", outcome="mismatch", message=f"root['{first}'].config: unset != model_config_list={{}}")


Case(id="tfs_monitor_gen_model_config", covers=COVERS,
     python=python_call(_gen_model_config),
     rust=pyo3("tfs_monitor_gen_model_config", post=_parse_configs),
     examples=[
         example({"deploy_type": "mixed", "dense_alone": True}, [IPTV_DENSE], id="mixed_dense_alone"),
         example({"deploy_type": "mixed", "dense_alone": True}, [IPTV_DENSE], True, id="dense_alone_fix_version"),
         example(MIXED, [IPTV], id="mixed", expect=_empty_type("dense")),
         example({"deploy_type": "entry"}, [IPTV], id="entry_only", expect=_empty_type("dense")),
         example(MIXED, [], id="no_publish_meta", expect=_empty_type("dense")),
     ],
     compare=compare.structured())


def _config_lists(configs):
    """``post``: each service type's list of ModelConfig (what TF Serving is told to load, in order).
    It cannot tell an unset ``config`` oneof from an empty list: that difference is the case above's."""
    if configs and isinstance(next(iter(configs.values())), bytes):
        configs = _parse_configs(configs)
    return {k: list(v.model_config_list.config) for k, v in configs.items()}


Case(id="tfs_monitor_gen_model_config_lists", covers=COVERS,
     python=python_call(_gen_model_config, post=_config_lists),
     rust=pyo3("tfs_monitor_gen_model_config", post=_config_lists),
     examples=[
         example(MIXED, [IPTV], id="mixed"),
         example(MIXED, [IPTV], True, id="mixed_fix_dense_version"),
         example({"deploy_type": "mixed", "dense_alone": True}, [IPTV_DENSE], id="mixed_dense_alone"),
         example({"deploy_type": "mixed", "dense_alone": True}, [IPTV_DENSE], True, id="dense_alone_fix_version"),
         example({"deploy_type": "entry"}, [IPTV], id="entry_only"),
         example({"deploy_type": "ps"}, [IPTV], id="ps_only"),
         example({"deploy_type": "dense", "dense_alone": True}, [IPTV_DENSE], id="dense_only"),
         example(MIXED, [], id="no_publish_meta"),
         example(MIXED, [IPTV, _pm("other", {"ps_1": "/data/other/ps_1/7"})], id="two_models"),
         example(MIXED, [IPTV, {**IPTV, "ptype": 2, "model_name": "gone"}], id="unload_skipped"),
         example(MIXED, [_pm("iptv_ex", {"entry": "/data/iptv_ex/entry/1", "other": "/data/iptv_ex/other/1"})],
                 id="unknown_sub_model"),
         example(MIXED, [_pm("模型", {"ps_0": "/data/模型/ps_0/3"})], id="unicode"),
         example(MIXED, [_pm("iptv_ex", {f"ps_{i}": f"/data/iptv_ex/ps_{i}/5" for i in range(8)})],
                 id="many_ps_order",
                 expect=divergence("TfsMonitor::gen_model_config iterates PublishMeta.sub_models, a HashMap: the "
                                   "ps configs come out in random order (Python: insertion order); 8 entries make a "
                                   "chance match 1 in 40320", outcome="mismatch", message="root['ps']")),
         example(MIXED, [_pm("iptv_ex", {"ps_0": "/data/iptv_ex/ps_0/latest"})], id="version_not_a_number",
                 expect=_BAD_VERSION),
         example(MIXED, [_pm("iptv_ex", {"ps_0": "/data/iptv_ex/ps_0/12/"})], id="trailing_slash",
                 expect=_BAD_VERSION),
         example(MIXED, [{"model_name": "iptv_ex"}], id="sub_models_none",
                 expect=divergence("PublishMeta.sub_models defaults to None: Python calls None.items() "
                                   "(AttributeError); Rust skips the meta", outcome="python raised",
                                   message="AttributeError")),
         example({"deploy_type": "unified"}, [IPTV], id="unified",
                 expect=divergence("TFSMonitor.get_service_type asserts the deploy type is mixed for anything "
                                   "not entry/ps/dense (AssertionError for unified); the Rust monitor's DeployType "
                                   "has no Unified (binding: UnsupportedByPort)", outcome="different errors",
                                   message="both raised, but python raised AssertionError:")),
     ],
     strategy=st.builds(lambda conf, pms, fix: Args((conf, pms, fix), {}), _CONFS, _PMS, st.booleans()),
     compare=compare.structured())
