"""Parity of monolith/agent_service/utils.py (Rust: ``monolith_serving::utils``).

Python: the module's own functions and classes, called as an agent calls them.
Rust: ``monolith_parity_rs`` over ``monolith_serving::utils`` (docs/rust-bindings.md).

Inputs that are files are named, never copied: ``"checkout:<path>"`` is a file of the
checkout under test (``MONOLITH_ROOT`` / ``--monolith-root``), read at run time; a
``{name: text}`` dict is written to a fresh temporary directory by both sides' ``adapt``
(``{dir}`` in the text is that directory, so ``include`` lines can name siblings).
Functions driven by environment variables take a first argument ``env``
(``{"VAR": "value" | None}``): :func:`in_env` sets exactly those variables around the
call on each side and restores them afterwards.
"""

from __future__ import annotations

import atexit
import dataclasses
import importlib
import os
import shutil
import socket
import tempfile
from pathlib import Path

from hypothesis import strategies as st

from pytest_monolith_parity import Args, Case, compare, divergence, example, pyo3, python_call
from pytest_monolith_parity.helpers import checkout_root, environ

MODULE = "monolith.agent_service.utils"
COVERS = "monolith/agent_service/utils.py"

# Environment variables any agent-config case may read: every one is set (or removed) explicitly,
# so neither side sees the machine's values and neither allocates a random port.
PORTS = {"PORT": "9100", "PORT2": "9102", "PORT3": "9103", "PORT4": "9104", "PORT5": "9105",
         "PORT6": "9106", "PORT7": "9107", "PORT8": "9108", "PORT9": "9109", "PORT10": "9110"}
AGENT_ENV = {**PORTS, "MY_POD_NAME": "predict-ctr-entry-0", "MY_HOST_IP": "10.1.2.3", "MY_POD_IP": None,
             "MY_HOST_IPV6": None, "REPLICA_ID": None, "SHARD_ID": "0", "MONOLITH_HOST_SHARD_N": None,
             "DENSE_SERVICE_IDX": None, "MY_CPU_LIMIT": None, "TCE_INTERNAL_IDC": None,
             "TCE_LOGICAL_CLUSTER": None, "TCE_CLUSTER": None, "TCE_PHYSICAL_CLUSTER": None, "TCE_PSM": None}
ENV_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=16)
ASCII_WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
                     min_size=1, max_size=8)


# ----------------------------------------------------------------------------------------- helpers
def materialize(spec):
    """A file input as a path: ``"checkout:<rel>"`` in the checkout, a ``{name: text}`` dict written
    to a new temporary directory (the first name is the file passed), anything else unchanged."""
    if isinstance(spec, str) and spec.startswith("checkout:"):
        return str(checkout_root() / spec[len("checkout:"):])
    if isinstance(spec, dict):
        directory = tempfile.mkdtemp(prefix="parity-agent-service-")
        atexit.register(shutil.rmtree, directory, True)
        for name, text in spec.items():
            Path(directory, name).write_text(text.replace("{dir}", directory))
        return str(Path(directory, next(iter(spec))))
    return spec


def files_first(*args, **kwargs):
    """``adapt``: the first argument is a file spec (see :func:`materialize`)."""
    return Args((materialize(args[0]), *args[1:]), kwargs)


def in_env(runner):
    """Make a side take ``env`` as its first argument and run with exactly those variables set."""
    adapt = runner.adapt

    def drop_env(env, *rest, **kwargs):
        return adapt(*rest, **kwargs) if adapt is not None else Args(tuple(rest), kwargs)

    runner.around = lambda env, *rest, **kwargs: environ(env or {})
    runner.adapt = drop_env
    return runner


def _utils():
    return importlib.import_module(MODULE)


def _proto(name):
    """A message class of the reference environment by full name."""
    from google.protobuf import symbol_database

    return symbol_database.Default().GetSymbol(name)


# ----------------------------------------------------------------------------------------- normalize_regex
Case(id="normalize_regex", covers=COVERS,
     python=python_call(f"{MODULE}:normalize_regex"), rust=pyo3("normalize_regex"),
     examples=[
         example("ps_{task}", id="one_group"),
         example("/{bzid}/service/{base}/ps:{index}", id="several"),
         example("", id="empty"),
         example("no groups", id="literal"),
         example("a{b", id="unclosed"),
         example("a}b{c}", id="close_before_open"),
         example("{}", id="empty_name"),
         example("模型_{任务}", id="unicode"),
     ],
     strategy=st.tuples(st.text(st.sampled_from("ab{}_-/:é模"), max_size=20)))

# ----------------------------------------------------------------------------------------- ZKPath
def _zk_path(path):
    zk = _utils().ZKPath(path)
    out = {"path": zk.path}
    for name in ("bzid", "base_name", "idc", "cluster", "server_type", "index", "replica_id"):
        out[name] = getattr(zk, name)
    out["task"] = zk.task
    out["location"] = zk.location
    return out


_ZK_SEGMENT = st.one_of(ASCII_WORD, st.text(max_size=4))
ZK_PATHS = st.builds(
    lambda bzid, base, loc, st_, idx, rep: f"/{bzid}/service/{base}{loc}/{st_}:{idx}{rep}",
    _ZK_SEGMENT, _ZK_SEGMENT,
    st.one_of(st.just(""), st.builds(lambda a, b: f"/{a}:{b}", _ZK_SEGMENT, _ZK_SEGMENT)),
    st.one_of(ASCII_WORD, st.sampled_from(["ps", "entry", "dense", "пс"])),
    st.one_of(st.integers(0, 999).map(str), st.just("x")),
    st.one_of(st.just(""), st.integers(0, 99).map(lambda r: f"/{r}")),
)

Case(id="zk_path", covers=COVERS,
     python=python_call(_zk_path), rust=pyo3("zk_path"),
     examples=[
         example("/iptv/service/iptv_ex/ps:1", id="plain"),
         example("/iptv/service/iptv_ex/lf:default/entry:0/3", id="dc_aware_replica"),
         example("/iptv/service/iptv_ex/dense:0/11", id="replica"),
         example("/iptv/service/iptv_ex/ps", id="no_index"),
         example("", id="empty"),
         example("/iptv/service/模型/ps:0", id="unicode_base_name"),
         example("/iptv/service/iptv_ex/пс:0", id="unicode_server_type"),
         example("/iptv/service/iptv_ex/ps:\u0663", id="unicode_digit_index"),
         example("/iptv/service/iptv_ex/ps:1\n", id="trailing_newline",
                 expect=divergence("Python's `$` also matches before a final newline, so ZKPath.PAT parses "
                                   "'.../ps:1\\n' (index '1'); the Rust regex crate's `$` is end of text only, "
                                   "so every field is None", outcome="mismatch", message="root['bzid']")),
         example(None, id="none"),  # TypeError on both sides (PAT.match(None); the binding's &str)
     ],
     strategy=st.tuples(ZK_PATHS))

Case(id="zk_path_ship_in", covers=COVERS,
     python=python_call(lambda path, idc, cluster: _utils().ZKPath(path).ship_in(idc, cluster)),
     rust=pyo3("zk_path_ship_in"),
     examples=[
         example("/iptv/service/iptv_ex/lf:default/ps:0", "lf", "default", id="same"),
         example("/iptv/service/iptv_ex/lf:default/ps:0", "hl", "default", id="other_idc"),
         example("/iptv/service/iptv_ex/lf:default/ps:0", None, "default", id="idc_none"),
         example("/iptv/service/iptv_ex/ps:0", "lf", "default", id="path_without_location"),
         example("/iptv/service/iptv_ex/ps:0", None, None, id="both_none"),
         example("garbage", "lf", "default", id="unparsed"),
     ])

# ----------------------------------------------------------------------------------------- DeployType
DEPLOY_TYPES = ["entry", "ps", "dense", "mixed", "unified"]
_compat_examples = []
for _d in DEPLOY_TYPES:
    for _s in [None, *DEPLOY_TYPES]:
        _compat_examples.append(example(_d, _s, id=f"{_d}-{_s}"))

_MIXED_SERVER_TYPE_UNIFIED = divergence(
    "Python's DeployType('mixed').compat_server_type(s) returns any s unchanged; Rust accepts only ps/entry/dense "
    "(ConfigError 'invalid server_type')", outcome="rust raised", message="ServingError: Configuration error: invalid server_type")
_NOT_MIXED_WITH_MIXED = divergence(
    "Python treats server_type 'mixed' like None (returns the deploy type); Rust compares it with the deploy type "
    "and raises ConfigError", outcome="rust raised", message="ServingError: Configuration error: DeployType")
_compat_expect = {("mixed", "unified"): _MIXED_SERVER_TYPE_UNIFIED}
for _d in ["entry", "ps", "dense", "unified"]:
    _compat_expect[(_d, "mixed")] = _NOT_MIXED_WITH_MIXED
_compat_examples = [
    example(*e.args.args, id=e.id, expect=_compat_expect.get(tuple(e.args.args))) for e in _compat_examples
]

Case(id="deploy_type_compat_server_type", covers=COVERS,
     python=python_call(lambda d, s=None: _utils().DeployType(d).compat_server_type(s)),
     rust=pyo3("deploy_type_compat_server_type"),
     examples=[
         *_compat_examples,
         example("MIXED", "ps", id="upper_deploy_type"),
         example("mixed", "PS", id="mixed-upper_server_type",
                 expect=divergence("Python returns the server type as given ('PS'); Rust lowercases it ('ps')",
                                   outcome="mismatch", message="root: 'PS' != 'ps'")),
         example("mixed", "bogus", id="mixed-bogus",
                 expect=divergence("Python's mixed deploy type passes any server type through; Rust raises",
                                   outcome="rust raised", message="ServingError: Configuration error: invalid server_type")),
         example("bogus", None, id="bad_deploy_type"),
         example("entry", "ENTRY", id="entry-upper_server_type",
                 expect=divergence("Python asserts dtype == server_type case-sensitively (AssertionError); Rust "
                                   "lowercases the server type and accepts it", outcome="python raised",
                                   message="AssertionError")),
     ],
     errors={"AssertionError": "ServingError", "RuntimeError": "ServingError"})

# ----------------------------------------------------------------------------------------- conf_parser
def _conf_parser(file_name):
    args = {}
    _utils().conf_parser(file_name, args)
    return args


def _conf_values(result):
    """The Rust map (key -> every value) in Python's shape: one value is a str, several a list."""
    return {k: v[0] if len(v) == 1 else v for k, v in result.items()}


_CONF_LINE = st.builds(lambda k, sep, v: f"{k}{sep}{v}",
                       st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True),
                       st.sampled_from([" ", "\t", "=", " = ", "  "]),
                       st.from_regex(r"[A-Za-z0-9_.:/,é]{1,10}", fullmatch=True))
# Well-formed agent.conf: each key at most twice (a third value is a known divergence, see examples).
CONF_FILES = st.lists(_CONF_LINE, max_size=8).filter(
    lambda lines: all(sum(l.split()[0].split("=")[0] == k.split()[0].split("=")[0] for l in lines) <= 2
                      for k in lines)).map(lambda lines: ({"agent.conf": "\n".join(lines) + "\n"},))

Case(id="conf_parser", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=python_call(_conf_parser, adapt=files_first),
     rust=pyo3("conf_parser", adapt=files_first, post=_conf_values),
     examples=[
         example("checkout:monolith/agent_service/agent.conf", id="checkout_agent_conf"),
         example({"agent.conf": ""}, id="empty_file"),
         example("/nonexistent/parity/agent.conf", id="missing_file"),
         example({"agent.conf": "# comment\n\n  bzid  iptv\nbase_name=iptv_ex\nnum_ps\t4\n"}, id="separators"),
         example({"agent.conf": "bzid iptv\nlayout_filters ps_0\nlayout_filters ps_1\n"}, id="repeated_twice"),
         example({"agent.conf": "bzid iptv\ninclude {dir}/more.conf\nbase_name local\n",
                  "more.conf": "base_name included\nnum_ps 2\n"}, id="include"),
         example({"agent.conf": "include /nonexistent/parity/more.conf\nbzid iptv\n"}, id="include_missing"),
         example({"agent.conf": "justakey\nbzid iptv\n"}, id="key_without_value"),
         example({"agent.conf": "bzid 模型\n"}, id="unicode_value"),
         example({"agent.conf": "layout_filters ps_0\nlayout_filters ps_1\nlayout_filters ps_2\n"},
                 id="repeated_thrice",
                 expect=divergence("Python's conf_parser only turns the first repeat into a list: a third value of "
                                   "a key is dropped (['ps_0', 'ps_1']); Rust keeps every value",
                                   outcome="mismatch", message="root['layout_filters']")),
         example({"agent.conf": "bzid iptv # trailing comment\n"}, id="trailing_comment",
                 expect=divergence("Python cuts the comment but does not strip again, so the value keeps the "
                                   "space before '#' ('iptv '); Rust trims it ('iptv')", outcome="mismatch",
                                   message="root['bzid']")),
         example({"agent.conf": "zk_servers=a=b c\n"}, id="separator_in_value",
                 expect=divergence("Python splits once on [ =\\t]+ and keeps the rest verbatim ('a=b c'); Rust "
                                   "splits on every separator and joins with one space ('a b c')",
                                   outcome="mismatch", message="root['zk_servers']")),
         example({"agent.conf": "load_retry_interval_micros 60 * 1000  *  1000\n"}, id="spaces_in_value",
                 expect=divergence("Python keeps the value verbatim ('60 * 1000  *  1000'); Rust re-joins the "
                                   "words with single spaces", outcome="mismatch",
                                   message="root['load_retry_interval_micros']")),
     ],
     strategy=CONF_FILES)

# ----------------------------------------------------------------------------------------- AgentConfig.from_file
# The fields of the Rust AgentConfig struct (monolith-serving/src/utils.rs); the Python dataclass has these and
# ~60 more, which `agent_config_from_file` records as a divergence.
RUST_AGENT_CONFIG_FIELDS = ["bzid", "base_name", "base_path", "num_ps", "num_shard", "deploy_type",
                            "stand_alone_serving", "zk_servers", "dc_aware", "agent_version", "agent_port",
                            "layout_pattern", "layout_filters", "tfs_port_archon", "tfs_port_grpc", "tfs_port_http"]


def _agent_config(fname):
    return _utils().AgentConfig.from_file(fname)


def _config_fields(config):
    out = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    out["deploy_type"] = None if out["deploy_type"] is None else str(out["deploy_type"])
    return out


def _shared_fields(config):
    fields = _config_fields(config)
    return {name: fields[name] for name in RUST_AGENT_CONFIG_FIELDS}


AGENT_CONF = "checkout:monolith/agent_service/agent.conf"
FILTERS = "layout_filters ps_0\nlayout_filters ps_1\n"
CONF_ENTRY = {"agent.conf": "bzid iptv\nbase_name iptv_ex\nbase_path /data/iptv_ex\nnum_ps 4\n"
                            "deploy_type entry\nzk_servers 10.0.0.1:2181\nagent_version 2\n" + FILTERS}
CONF_PS = {"agent.conf": "bzid iptv\nbase_name iptv_ex\nbase_path /data/iptv_ex\nnum_ps 4\ndeploy_type PS\n" + FILTERS}
CONF_DENSE = {"agent.conf": "bzid iptv\nbase_name iptv_ex\ndeploy_type dense\ndense_alone true\n" + FILTERS}
CONF_UNIFIED = {"agent.conf": "bzid iptv\nbase_name iptv_ex\ndeploy_type unified\nlayout_pattern /iptv/layouts/x\n"
                              "layout_filters ps_0\nlayout_filters ps_1\nagent_version 3\n"}

_PORTS_WHEN_NOT_UNIFIED = divergence(
    "Python sets tfs_port_archon/grpc/http only for deploy_type unified (None otherwise); Rust always fills them "
    "from PORT/PORT3/PORT4", outcome="mismatch", message="root['tfs_port_archon']")

Case(id="agent_config_from_file", covers=COVERS,
     python=in_env(python_call(_agent_config, adapt=files_first, post=_config_fields)),
     rust=in_env(pyo3("agent_config_from_file", adapt=files_first)),
     # Only deploy type unified here: for every other deploy type Python draws proxy_port (and the ports
     # of the roles it does not serve) from find_free_port(), which no environment variable fixes.
     examples=[example(AGENT_ENV, CONF_UNIFIED, id="unified")],
     expect=divergence("the Rust AgentConfig holds 16 of the Python dataclass's 74 fields: the TfServingConfig "
                       "flags, the per-role tfs_*_port fields, rough-sort, fetch_ps and other fields are absent",
                       outcome="mismatch", message="root['enable_batching']: missing in actual"))

Case(id="agent_config_from_file_shared_fields", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=in_env(python_call(_agent_config, adapt=files_first, post=_shared_fields)),
     rust=in_env(pyo3("agent_config_from_file", adapt=files_first)),
     examples=[
         example(AGENT_ENV, AGENT_CONF, id="checkout_agent_conf", expect=_PORTS_WHEN_NOT_UNIFIED),
         example(AGENT_ENV, CONF_ENTRY, id="entry", expect=_PORTS_WHEN_NOT_UNIFIED),
         example(AGENT_ENV, CONF_PS, id="ps_upper_case", expect=_PORTS_WHEN_NOT_UNIFIED),
         example(AGENT_ENV, CONF_DENSE, id="dense_alone", expect=_PORTS_WHEN_NOT_UNIFIED),
         example(AGENT_ENV, CONF_UNIFIED, id="unified"),
         example({**AGENT_ENV, "MONOLITH_HOST_SHARD_N": "3"}, CONF_UNIFIED, id="num_shard_from_env"),
         example(AGENT_ENV, {"agent.conf": CONF_UNIFIED["agent.conf"] + "num_ps 2*5\n"}, id="num_ps_expression",
                 expect=divergence("Python evaluates int fields with eval() ('2*5' -> 10); Rust parses an i32 "
                                   "and falls back to the default 1", outcome="mismatch", message="root['num_ps']")),
         example(AGENT_ENV, {"agent.conf": CONF_UNIFIED["agent.conf"] + "dc_aware yes\nstand_alone_serving 0\n"},
                 id="bool_words"),
         example(AGENT_ENV, {"agent.conf": "base_name iptv_ex\ndeploy_type unified\n"}, id="no_bzid",
                 expect=divergence("a missing bzid is None in Python, '' in Rust (unwrap_or_default)",
                                   outcome="mismatch", message="root['bzid']")),
         example(AGENT_ENV, {"agent.conf": "bzid iptv\nbase_name none\ndeploy_type unified\n"}, id="none_string",
                 expect=divergence("Python reads the string 'none' as None for str fields; Rust keeps 'none'",
                                   outcome="mismatch", message="root['base_name']")),
         example(AGENT_ENV, {"agent.conf": "bzid iptv\nserver_type unified\n" + FILTERS}, id="server_type_compat_key"),
         example(AGENT_ENV, {"agent.conf": "bzid iptv\ndeploy_type unified\n"}, id="no_layout_filters",
                 expect=divergence("absent layout_filters are None in Python (List field default), [] in Rust",
                                   outcome="mismatch", message="root['layout_filters']: type NoneType != list")),
         example(AGENT_ENV, {"agent.conf": "bzid iptv\n"}, id="no_deploy_type",
                 expect=divergence("Python asserts deploy_type is not None (AssertionError); Rust defaults to entry",
                                   outcome="python raised", message="AssertionError")),
         example(AGENT_ENV, {"agent.conf": "bzid iptv\ndeploy_type bogus\n"}, id="bad_deploy_type"),
         example({**AGENT_ENV, "MONOLITH_HOST_SHARD_N": "2"}, {"agent.conf": "deploy_type unified\nnum_shard 3\n"},
                 id="num_shard_disagrees_with_env",
                 expect=divergence("Python asserts num_shard == $MONOLITH_HOST_SHARD_N; Rust takes the file's value",
                                   outcome="python raised", message="AssertionError")),
     ],
     errors={"AssertionError": "ServingError"})

# ----------------------------------------------------------------------------------------- AgentConfig properties
def _properties(config):
    out = {"num_tce_shard": config.num_tce_shard, "shard_id": config.shard_id, "replica_id": config.replica_id}
    for name in ("idc", "cluster", "location", "path_prefix", "layout_path", "container_cluster", "container_id"):
        try:
            out[name] = getattr(config, name)
        except Exception as error:  # noqa: BLE001 - a raising property is part of the contract
            out[name] = f"raises {type(error).__name__}"
    return out


_LOCATION_ENV = {**AGENT_ENV, "TCE_INTERNAL_IDC": "LF", "TCE_CLUSTER": "Default", "TCE_PSM": "data.iptv.serving",
                 "SHARD_ID": "2", "MONOLITH_HOST_SHARD_N": "4", "REPLICA_ID": "5"}
_DC_AWARE_UNIFIED = {"agent.conf": CONF_UNIFIED["agent.conf"] + "dc_aware true\n"}
_NO_LOCATION_ENV = {**AGENT_ENV, "REPLICA_ID": "5"}
_NONE_IN_CONTAINER_CLUSTER = ("container_cluster formats unset idc/cluster as 'None' in Python ('unknown;None;None'), "
                              "as '' in Rust ('unknown;;')")

Case(id="agent_config_properties", covers=COVERS,
     python=in_env(python_call(_agent_config, adapt=files_first, post=_properties)),
     rust=in_env(pyo3("agent_config_properties", adapt=files_first)),
     examples=[
         example(_LOCATION_ENV, _DC_AWARE_UNIFIED, id="dc_aware"),
         example(_LOCATION_ENV, CONF_UNIFIED, id="not_dc_aware"),
         example({**_LOCATION_ENV, "TCE_LOGICAL_CLUSTER": "Logical", "TCE_PHYSICAL_CLUSTER": "phys"},
                 CONF_UNIFIED, id="logical_cluster_wins"),
         example({**_LOCATION_ENV, "TCE_CLUSTER": None, "TCE_PHYSICAL_CLUSTER": "Phys"}, CONF_UNIFIED,
                 id="physical_cluster"),
         example({**_LOCATION_ENV, "MY_POD_NAME": None}, CONF_UNIFIED, id="container_id_from_ip"),
         example(_NO_LOCATION_ENV, CONF_UNIFIED, id="no_location",
                 expect=divergence(_NONE_IN_CONTAINER_CLUSTER, outcome="mismatch",
                                   message="root['container_cluster']")),
         example({**_LOCATION_ENV, "TCE_CLUSTER": ""}, CONF_UNIFIED, id="empty_cluster_falls_through",
                 expect=divergence("Python's `or` skips an empty TCE_CLUSTER (cluster None -> location None); "
                                   "Rust's env::var chain takes '' as set", outcome="mismatch",
                                   message="root['cluster']:")),
         example({**_LOCATION_ENV, "TCE_INTERNAL_IDC": "ÀB"}, CONF_UNIFIED, id="unicode_idc",
                 expect=divergence("Python lowercases with str.lower ('àb'); Rust with to_ascii_lowercase ('Àb')",
                                   outcome="mismatch", message="root['idc']:")),
         example(_NO_LOCATION_ENV, _DC_AWARE_UNIFIED, id="dc_aware_without_location",
                 expect=divergence("Python's path_prefix joins a None location (TypeError); Rust falls back to the "
                                   "path without location; and " + _NONE_IN_CONTAINER_CLUSTER, outcome="mismatch",
                                   message="root['path_prefix']:")),
         example({**_LOCATION_ENV, "REPLICA_ID": None}, CONF_UNIFIED, id="replica_id_from_pod_hash",
                 expect=divergence("AgentConfig::replica_id() casts the 40-bit pod-name hash to i32 "
                                   "(140091513157 -> -1642407611); Python keeps the int", outcome="mismatch",
                                   message="root['replica_id']")),
         example(_LOCATION_ENV, {"agent.conf": CONF_UNIFIED["agent.conf"] + "agent_version 1\n"},
                 id="replica_id_agent_v1",
                 expect=divergence("with agent_version 1 Python ignores REPLICA_ID (pod-name hash); Rust's "
                                   "AgentConfig::replica_id() always prefers REPLICA_ID", outcome="mismatch",
                                   message="root['replica_id']")),
         example(_LOCATION_ENV, {"agent.conf": "bzid iptv\nbase_name iptv_ex\ndeploy_type ps\nagent_version 2\n"},
                 id="ps_no_layout",
                 expect=divergence("AgentConfig.layout_path raises AttributeError when layout_pattern is None "
                                   "(None.startswith); Rust returns None", outcome="mismatch",
                                   message="root['layout_path']")),
     ])

# ----------------------------------------------------------------------------------------- get_cmd_and_port
def _get_cmd_and_port(fname, binary, server_type=None, config_file=None):
    return _agent_config(fname).get_cmd_and_port(binary, server_type, config_file)


_CMD_FLAGS = divergence(
    "Rust's get_cmd_and_port emits only --model_config_file, --port and the poll flag; Python also emits "
    "--archon_rpc_psm/cluster, --metrics_namespace_prefix, --log_conf, --rest_api_port, --archon_port, the "
    "fetch_ps flags and every non-default TfServingConfig flag", outcome="mismatch",
    message="root[0]: index 61: expected …'le=/tmp/model.cfg --")

Case(id="agent_config_get_cmd_and_port", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=in_env(python_call(_get_cmd_and_port, adapt=files_first)),
     rust=in_env(pyo3("agent_config_get_cmd_and_port", adapt=files_first)),
     examples=[
         example(AGENT_ENV, AGENT_CONF, "tensorflow_model_server", "ps", "/tmp/model.cfg", id="mixed_ps",
                 expect=_CMD_FLAGS),
         example(AGENT_ENV, AGENT_CONF, "tensorflow_model_server", "entry", "/tmp/model.cfg", id="mixed_entry",
                 expect=_CMD_FLAGS),
         example(AGENT_ENV, CONF_ENTRY, "tensorflow_model_server", None, "/tmp/model.cfg", id="entry_v2",
                 expect=_CMD_FLAGS),
         example(AGENT_ENV, CONF_UNIFIED, "tensorflow_model_server", None, "/tmp/model.cfg", id="unified",
                 expect=_CMD_FLAGS),
         example(AGENT_ENV, AGENT_CONF, "tensorflow_model_server", None, "/tmp/model.cfg", id="mixed_without_type"),
     ],
     errors={"RuntimeError": "ServingError", "AssertionError": "ServingError"})

# ----------------------------------------------------------------------------------------- replica_id_from_pod_name
Case(id="replica_id_from_pod_name", covers=COVERS,
     python=in_env(python_call(f"{MODULE}:replica_id_from_pod_name")),
     rust=in_env(pyo3("replica_id_from_pod_name")),
     examples=[
         example({"MY_POD_NAME": "predict-ctr-entry-0"}, id="pod_name"),
         example({"MY_POD_NAME": ""}, id="empty"),
         example({"MY_POD_NAME": None}, id="unset"),
         example({"MY_POD_NAME": "模型-0"}, id="unicode"),
     ],
     strategy=ENV_TEXT.map(lambda name: ({"MY_POD_NAME": name},)))

# ----------------------------------------------------------------------------------------- get_local_ip
Case(id="get_local_ip", covers=COVERS,
     python=in_env(python_call(f"{MODULE}:get_local_ip")), rust=in_env(pyo3("get_local_ip")),
     examples=[
         example({"MY_HOST_IP": "10.1.2.3"}, id="host_ip"),
         example({"MY_HOST_IP": "fe80::1"}, id="host_ipv6"),
     ])

# The fallbacks depend on this machine's resolver and routes, so no golden: Python vs Rust only.
Case(id="get_local_ip_fallback", covers=COVERS,
     python=in_env(python_call(f"{MODULE}:get_local_ip")), rust=in_env(pyo3("get_local_ip")),
     golden=False,
     examples=[
         example({"MY_HOST_IP": "localhost"}, id="localhost"),
         example({"MY_HOST_IP": ""}, id="empty"),
         example({"MY_HOST_IP": "127.0.0.1"}, id="loopback",
                 expect=divergence("Python rejects MY_HOST_IP=127.0.0.1 and falls back to the UDP-route address; "
                                   "Rust only rejects '' and 'localhost' and returns 127.0.0.1",
                                   outcome="mismatch", message="root: '")),
     ])

# ----------------------------------------------------------------------------------------- ports, tmp files
def with_port(state):
    """``adapt``: 'listening' -> the port of a socket listening on 127.0.0.1 (kept open by the runner),
    'closed' -> a port nothing listens on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if state == "listening":
        sock.listen(1)
        _OPEN_SOCKETS.append(sock)
    else:
        sock.close()
    return Args((port,), {})


_OPEN_SOCKETS: list = []

Case(id="check_port_open", covers=COVERS,
     python=python_call(f"{MODULE}:check_port_open", adapt=with_port),
     rust=pyo3("check_port_open", adapt=with_port),
     examples=[example("listening", id="listening"), example("closed", id="closed")])


def _is_free_port(port):
    """``post``: the contract of find_free_port is a port number one can bind on localhost now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("localhost", port))
        except OSError:
            return False
    return isinstance(port, int) and 0 < port < 65536


Case(id="find_free_port", covers=COVERS,
     python=python_call(f"{MODULE}:find_free_port", post=_is_free_port),
     rust=pyo3("find_free_port", post=_is_free_port),
     examples=[example(id="bindable")])


def _read_and_remove(path):
    data = Path(path).read_bytes()
    os.remove(path)
    return data


Case(id="write_to_tmp_file", covers=COVERS,
     python=python_call(f"{MODULE}:write_to_tmp_file", post=_read_and_remove),
     rust=pyo3("write_to_tmp_file", adapt=lambda content: Args((str(content).encode(),), {}), post=_read_and_remove),
     examples=[example("model_config_list {}\n", id="text"), example("", id="empty"),
               example("模型\n", id="unicode"), example(12, id="int_is_str")])

# ----------------------------------------------------------------------------------------- proto builders
def proto_compare(full_name, *modules, **options):
    """``compare.proto(full_name)`` after importing the modules that register the message type
    (the reference environment provides them; see docs/reference-environment.md)."""
    for module in modules:
        importlib.import_module(module)
    return compare.proto(full_name, **options)


MODEL_SPEC = proto_compare("tensorflow.serving.ModelSpec", "tensorflow_serving.apis.model_pb2")
I64 = st.integers(-2**63, 2**63 - 1)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)

Case(id="gen_model_spec", covers=COVERS,
     python=python_call(f"{MODULE}:gen_model_spec"), rust=pyo3("gen_model_spec"),
     examples=[
         example("iptv_ex:entry", id="name_only"),
         example("iptv_ex:ps_0", 12345, id="version"),
         example("iptv_ex:ps_0", 0, "serving_default", id="version_zero_and_signature"),
         example("iptv_ex:ps_0", None, "", id="empty_signature"),
         example("", id="empty_name"),
         example("模型", -1, "签名", id="unicode_negative_version"),
         example("iptv_ex:entry", "stable", id="version_label",
                 expect=divergence("gen_model_spec(name, 'stable') sets version_label in Python; the Rust "
                                   "gen_model_spec takes an Option<i64> only", outcome="rust raised",
                                   message="UnsupportedByPort")),
         example(None, id="name_none",
                 expect=divergence("Python accepts name=None (field left unset); the Rust API takes &str",
                                   outcome="rust raised", message="TypeError")),
     ],
     strategy=st.tuples(TEXT, st.none() | I64, st.none() | TEXT),
     compare=MODEL_SPEC)

MODEL_CONFIG = proto_compare("tensorflow.serving.ModelConfig", "tensorflow_serving.config.model_server_config_pb2")
_POLICY_GAP = "the Rust gen_model_config only builds the 'latest' policy (no version_policy parameter)"

Case(id="gen_model_config", covers=COVERS,
     python=python_call(f"{MODULE}:gen_model_config"), rust=pyo3("gen_model_config"),
     examples=[
         example("iptv_ex:entry", "/data/iptv_ex/entry", id="defaults"),
         example("iptv_ex:entry", "/data/iptv_ex/entry", "latest", 3, id="latest_3"),
         example("iptv_ex:entry", "/data/iptv_ex/entry", "LATEST", 1, id="latest_upper_case"),
         example("iptv_ex:entry", "/data/iptv_ex/entry", "latest", 0, id="latest_0",
                 expect=divergence("Rust clamps num_versions to at least 1 (version_data.max(1)); Python writes 0",
                                   outcome="mismatch", message="model_version_policy.latest.num_versions: 0 != 1")),
         example("iptv_ex:entry", "/data/iptv_ex/entry", "latest", 2**32 + 3, id="latest_beyond_u32",
                 expect=divergence("num_versions is a uint32: Python's protobuf raises ValueError for 2**32+3; "
                                   "Rust casts with `as u32` and writes 3", outcome="python raised",
                                   message="ValueError")),
         example("iptv_ex:entry", "/data/iptv_ex/entry", version_labels={"stable": 1, "canary": 2}, id="labels"),
         example("模型", "hdfs:///模型", id="unicode"),
         example("iptv_ex:ps_0", "/data/iptv_ex/ps_0", "specific", 12, id="specific",
                 expect=divergence(_POLICY_GAP, outcome="rust raised", message="UnsupportedByPort")),
         example("iptv_ex:ps_0", "/data/iptv_ex/ps_0", "specific", [1, 2], id="specific_list",
                 expect=divergence(_POLICY_GAP, outcome="rust raised", message="TypeError")),
         example("iptv_ex:ps_0", "/data/iptv_ex/ps_0", "all", id="all",
                 expect=divergence(_POLICY_GAP, outcome="rust raised", message="UnsupportedByPort")),
         example("iptv_ex:ps_0", "/data/iptv_ex/ps_0", "latest_once", 2, id="latest_once",
                 expect=divergence("the TF Serving 2.15 ServableVersionPolicy has no latest_once, so Python raises "
                                   "AttributeError; " + _POLICY_GAP, outcome="different errors",
                                   message="both raised, but python raised AttributeError: latest_once")),
         example("iptv_ex:ps_0", "/data/iptv_ex/ps_0", "bogus", id="bad_policy",
                 expect=divergence("Python raises ValueError('bogus is not allowed!'); the binding refuses the "
                                   "policy before Rust (UnsupportedByPort)", outcome="different errors",
                                   message="both raised, but python raised ValueError: bogus is not allowed!")),
         example("iptv_ex:ps_0", "/data/iptv_ex/ps_0", model_platform="pytorch", id="platform",
                 expect=divergence("the Rust gen_model_config always writes model_platform 'tensorflow'",
                                   outcome="rust raised", message="UnsupportedByPort")),
     ],
     strategy=st.builds(lambda n, p, d, labels: Args((n, p, "latest", d), {"version_labels": labels}),
                        TEXT, TEXT, st.integers(1, 2**32 - 1),  # 0 and > u32: divergences above
                        st.none() | st.dictionaries(TEXT, I64, max_size=3)),
     compare=MODEL_CONFIG)

ERROR_CODES = list(range(0, 17))
STATES = [0, 10, 20, 30, 40, 50]

Case(id="gen_status_proto", covers=COVERS,
     python=python_call(f"{MODULE}:gen_status_proto"), rust=pyo3("gen_status_proto"),
     examples=[
         example(id="defaults"),
         example(5, "iptv_ex:entry not found", id="not_found"),
         example(0, "", id="ok_empty_message"),
         example(13, "模型 失败", id="unicode"),
         example(20, id="reserved_code_20",
                 expect=divergence("tensorflow.error.Code is an open proto3 enum: Python stores 20; the Rust "
                                   "Code enum has no such variant (binding: UnsupportedByPort)",
                                   outcome="rust raised", message="UnsupportedByPort")),
     ],
     strategy=st.tuples(st.sampled_from(ERROR_CODES), st.none() | TEXT),
     compare=proto_compare("tensorflow.serving.StatusProto", "tensorflow_serving.util.status_pb2"))

Case(id="gen_model_version_status", covers=COVERS,
     python=python_call(f"{MODULE}:gen_model_version_status"), rust=pyo3("gen_model_version_status"),
     examples=[
         example(1, id="defaults"),
         example(12345, 30, id="available"),
         example(-1, 0, 5, "iptv_ex:entry not found", id="not_found"),
         example(2**40, 50, 13, "模型", id="end_unicode"),
         example(3, 7, id="unknown_state",
                 expect=divergence("ModelVersionStatus.State is open in Python (7 stored); the Rust State enum "
                                   "has no variant 7 (binding: UnsupportedByPort)", outcome="rust raised",
                                   message="UnsupportedByPort")),
     ],
     strategy=st.tuples(I64, st.sampled_from(STATES), st.sampled_from(ERROR_CODES), st.none() | TEXT),
     compare=proto_compare("tensorflow.serving.ModelVersionStatus", "tensorflow_serving.apis.get_model_status_pb2"))

# ----------------------------------------------------------------------------------------- InstanceFormater
def _instance_to_tensor(kind, fname, batch_size):
    formater = getattr(_utils().InstanceFormater, f"from_{kind}")(fname)
    return formater.to_tensor_proto(batch_size)


def _first_instance(tensor):
    """``post``: the first Instance of a DT_STRING tensor, decoded (for a field-level diff)."""
    tensor_type = _proto("tensorflow.TensorProto")
    if isinstance(tensor, bytes):
        tensor = tensor_type.FromString(tensor)
    return _proto("parser.proto.Instance").FromString(tensor.string_val[0])


def _second(*args, **kwargs):
    """``adapt``: the second argument is a file spec."""
    return Args((args[0], materialize(args[1]), *args[2:]), kwargs)


_JSON_MORE = {"inst.json": '{"fid": ["1", "18014398509481985"], "label": [0.5], '
                           '"feature": [{"name": "fc_a", "fid": ["3"]}], "line_id": {"uid": "42", "actions": [2]}}'}


def instance_examples(dump_message, json_message):
    """The InstanceFormater inputs; the two divergences' observed heads differ per case (bytes vs fields)."""
    return [
        example("json", "checkout:monolith/agent_service/test_data/inst.json", 1, id="checkout_json"),
        example("pb_text", "checkout:monolith/agent_service/test_data/inst.pbtext", 1, id="checkout_pbtext"),
        example("dump", "checkout:monolith/agent_service/test_data/inst.dump", 1, id="checkout_dump",
                expect=divergence("InstanceFormatter::from_dump is a heuristic: it puts every 'fid' entry in Instance.fid "
                                  "and drops features and labels; Python rebuilds the nested dict (3 features fc_a/fc_b/.., "
                                  "label [0, 1], line_id.actions)", outcome="mismatch", message=dump_message)),
        example("json", "checkout:monolith/agent_service/test_data/inst.json", 3, id="checkout_json_batch_3"),
        example("json", {"inst.json": "{}"}, 2, id="json_empty"),
        example("json", _JSON_MORE, 1, id="json_proto3_mapping",
                expect=divergence("InstanceFormatter::from_json reads only fid/label/line_id.actions and only JSON "
                                  "numbers; protobuf's JSON mapping (what Python's to_json writes) has uint64 fids as "
                                  "strings, features, line_id.uid...", outcome="mismatch", message=json_message)),
    ]


Case(id="instance_formater_to_tensor_proto", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=python_call(_instance_to_tensor, adapt=_second),
     rust=pyo3("instance_formatter_to_tensor_proto", adapt=_second),
     examples=instance_examples("string_val[0]: bytes differ at offset 0 (length 71 != 55)",
                                "string_val[0]: bytes differ at offset 0 (length 56 != 11)"),
     compare=proto_compare("tensorflow.TensorProto", "tensorflow.core.framework.tensor_pb2"))

Case(id="instance_formater_instance", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=python_call(_instance_to_tensor, adapt=_second, post=_first_instance),
     rust=pyo3("instance_formatter_to_tensor_proto", adapt=_second, post=_first_instance),
     examples=[e for e in instance_examples("fid: length 0 != 6", "fid: length 2 != 0")
               if e.id != "checkout_json_batch_3"],
     compare=proto_compare("parser.proto.Instance", "idl.matrix.proto.proto_parser_pb2"))
