"""CLI parity of the agent-service entry points: ``monolith agent-service agent|controller|client``
(monolith-rs ``monolith-cli/src/commands/agent_service.rs``) vs the Python scripts
``agent_controller.py``, ``agent.py``, ``agent_client.py`` and ``client.py`` (``svr_client.py`` has no ``__main__``).

Each case expresses one intent in each side's own flags (absl ``--zk_servers`` / clap
``--zk-servers``) and compares what the command line promises: the exit code and stdout
(``compare.structured``).  stderr is not compared (log format is not the contract); it stays
in the report's side detail.  The Python side is ``reference_cli`` (``python -m pytest_monolith_parity.reference.run
<module> ...``: the module as ``__main__`` inside the reference environment), the Rust side
``rust_cli(..., subcommand=["agent-service"])``.

Normalisation (``post=``, the same function on both sides): RFC 3339 timestamps in stdout become
``<time>`` (monolith-rs's tracing subscriber writes timestamped log lines to stdout).  Nothing
else is rewritten: ANSI colour codes and log lines on stdout are part of what is compared.

Services: ZooKeeper-backed invocations get a fresh empty chroot per call on the shared real
ZooKeeper server (``pytest_monolith_parity.services.zookeeper``); without one the Python side is
*reference unavailable*.  ``agent_client`` cases talk to the Python reference AgentService (the
"replicas" scenario of cases/agent_service/agent_service.py) on a free 127.0.0.1 port, with
``MY_HOST_IP=127.0.0.1`` for both clients.  Only 127.0.0.1 is used.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path

from pytest_monolith_parity import Case, ReferenceUnavailable, compare, divergence, example, reference_cli, rust_cli

from ._support import servers

COMPARED = ("exit_code", "stdout")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
ZK_PLACEHOLDER = "127.0.0.1:1/parity-zookeeper-unavailable"


def normalise(value: dict) -> dict:
    """The ``post=`` of both sides: timestamps in stdout -> ``<time>``; nothing else changes."""
    value = dict(value)
    if isinstance(value.get("stdout"), str):
        value["stdout"] = TIMESTAMP.sub("<time>", value["stdout"])
    return value


def python(module: str, argv, **kwargs):
    return reference_cli(f"monolith.agent_service.{module}", argv, capture=COMPARED, post=normalise, **kwargs)


def rust(argv, **kwargs):
    return rust_cli(argv, subcommand=["agent-service"], capture=COMPARED, post=normalise, **kwargs)


# ------------------------------------------------------------------------------------------------ inputs

_SCRATCH: list[str] = []


def scratch() -> Path:
    """A directory of read-only inputs shared by both sides (export trees, conf files); removed at exit."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.mkdtemp(prefix="parity-agent-cli-"))
        atexit.register(shutil.rmtree, _SCRATCH[0], True)
    return Path(_SCRATCH[0])


def zk_hosts(side: str) -> str:
    """A fresh empty chroot on the shared real ZooKeeper (``host:port/chroot``)."""
    from pytest_monolith_parity.services import zookeeper as zk

    try:
        zk.shared_server()
        return zk.chroot_hosts(zk.fresh_chroot(f"agent-cli-{side}"))
    except zk.ZooKeeperUnavailable as error:
        if side == "python":
            raise ReferenceUnavailable(f"ZooKeeper: {error}") from None
        return ZK_PLACEHOLDER


def export_base() -> str:
    """An exported entry+ps model tree: entry/<ts>/saved_model.pb with a TfServingRemotePredict node
    whose model_name is ``parity_model:ps_0``, and ps_0/<ts>/saved_model.pb."""
    base = scratch() / "export" / "parity_model"
    if not base.exists():
        from tensorflow.core.protobuf import saved_model_pb2

        sm = saved_model_pb2.SavedModel()
        node = sm.meta_graphs.add().graph_def.node.add()
        node.name, node.op = "remote_predict", "TfServingRemotePredict"
        node.attr["model_name"].s = b"parity_model:ps_0"
        for sub_graph in ("entry", "ps_0"):
            version = base / sub_graph / "1700000000"
            version.mkdir(parents=True)
            (version / "saved_model.pb").write_bytes(sm.SerializeToString() if sub_graph == "entry" else
                                                      saved_model_pb2.SavedModel().SerializeToString())
    return str(base)


def agent_conf(name: str, text: str) -> str:
    path = scratch() / f"{name}.conf"
    if not path.exists():
        path.write_text(text)
    return str(path)


CLIENT_CONF = "bzid parity\nbase_name parity_model\ndeploy_type ps\nnum_ps 2\nagent_version 1\ndc_aware false\n"
V2_CONF = "bzid parity\nbase_name parity_model\ndeploy_type unified\nagent_version 2\n"


def python_agent_port() -> str:
    """The port of the shared Python reference AgentService of the "replicas" scenario."""
    return str(servers.agent_service("python", REPLICAS).port)


# The "replicas" scenario of cases/agent_service/agent_service.py (PS tasks 0 and 1, ENTRY task 0).
REPLICAS = (
    ("ps", 0, 0, "10.0.0.1:9000"), ("ps", 0, 1, "10.0.0.2:9000"),
    ("ps", 1, 0, "10.0.0.3:9000"), ("ps", 1, 1, "10.0.0.4:9000"),
    ("entry", 0, 0, "10.0.0.9:9100"),
)

LOGS_ON_STDOUT = ("monolith-rs's tracing subscriber (main.rs: fmt::layer()) writes '<time> INFO monolith: "
                  "Monolith CLI starting...' and '... completed successfully' to stdout with ANSI colours; "
                  "Python's absl logs go to stderr")

# ------------------------------------------------------------------------------------------------ controller

CONTROLLER = "monolith/agent_service/agent_controller.py"

Case(id="controller_unsupported_cmd", covers=CONTROLLER,
     python=python("agent_controller", ["--cmd", "bogus"]),
     rust=rust(["controller", "--cmd", "bogus"]),
     examples=[example(id="bogus")],
     compare=compare.structured(),
     expect=divergence("an unknown --cmd: Python main() raises ValueError('unsupported cmd bogus, options are "
                       "decl|pub|unpub|bzid_info') -> exit 1 with a traceback; clap rejects the value -> exit 2 "
                       "('invalid value 'bogus' for '--cmd <CMD>'')", outcome="mismatch",
                       message="root['exit_code']"))

Case(id="controller_overwrite_not_int", covers=CONTROLLER,
     python=python("agent_controller", ["--overwrite", "yes", "--cmd", "bogus"]),
     rust=rust(["controller", "--overwrite", "yes", "--cmd", "bogus"]),
     examples=[example(id="yes")],
     compare=compare.structured(),
     expect=divergence("a non-integer --overwrite: absl fails flag parsing ('FATAL Flags parsing error') -> exit 1; "
                       "clap -> exit 2", outcome="mismatch", message="root['exit_code']"))

Case(id="controller_bzid_info_python_flags", covers=CONTROLLER,
     python=python("agent_controller", lambda: ["--zk_servers", zk_hosts("python"), "--bzid", "parity",
                                                "--cmd", "bzid_info"]),
     rust=rust(lambda: ["controller", "--zk_servers", zk_hosts("rust"), "--bzid", "parity", "--cmd", "bzid_info"]),
     examples=[example(id="absl_spelling")],
     compare=compare.structured(),
     expect=divergence("the Python flag spelling is rejected by the Rust CLI: clap derives kebab-case "
                       "('--zk-servers', value 'bzid-info'), so '--zk_servers' is 'unexpected argument' -> exit 2; "
                       "Python prints the bzid info and exits 0", outcome="mismatch", message="root['exit_code']"))

Case(id="controller_bzid_info", covers=CONTROLLER,
     python=python("agent_controller", lambda: ["--zk_servers", zk_hosts("python"), "--bzid", "parity",
                                                "--cmd", "bzid_info"]),
     rust=rust(lambda: ["controller", "--zk-servers", zk_hosts("rust"), "--bzid", "parity", "--cmd", "bzid-info"]),
     examples=[example(id="empty_namespace")],
     compare=compare.structured(),
     expect=divergence("the Rust controller has no ZooKeeper client: without --fake-zk it bails 'real ZooKeeper "
                       "client is not wired in Rust yet' -> exit 1; Python reads the (empty) namespace from "
                       "ZooKeeper and exits 0", outcome="mismatch", message="root['exit_code']"))

Case(id="controller_bzid_info_fake_zk", covers=CONTROLLER,
     python=python("agent_controller", lambda: ["--zk_servers", zk_hosts("python"), "--bzid", "parity",
                                                "--cmd", "bzid_info"]),
     rust=rust(["controller", "--fake-zk", "--bzid", "parity", "--cmd", "bzid-info"]),
     examples=[example(id="empty_namespace")],
     compare=compare.structured(),
     expect=divergence("empty namespace (Python: a fresh ZooKeeper chroot; Rust: --fake-zk): Python prints '\\n' "
                       "(main's bare print()) then json.dumps(indent=2) in insertion order model_info, "
                       "container_info, layout_info; Rust prints serde_json keys sorted (container_info first) "
                       "between log lines. " + LOGS_ON_STDOUT, outcome="mismatch", message="root['stdout']"))

Case(id="controller_decl", covers=CONTROLLER,
     python=python("agent_controller", lambda: ["--zk_servers", zk_hosts("python"), "--bzid", "parity",
                                                "--cmd", "decl", "--export_base", export_base()]),
     rust=rust(lambda: ["controller", "--fake-zk", "--bzid", "parity", "--cmd", "decl",
                        "--export-base", export_base()]),
     examples=[example(id="entry_ps_export")],
     compare=compare.structured(),
     expect=divergence("decl of an entry+ps export whose entry graph has a TfServingRemotePredict node "
                       "(model_name 'parity_model:ps_0'): Python find_model_name reads it from saved_model.pb, "
                       "declares parity_model in ZooKeeper, exit 0; Rust agent_controller::find_model_name is a "
                       "stub returning None -> 'declare_saved_model failed: Model name is None', exit 1",
                       outcome="mismatch", message="root['exit_code']: 0 != 1"))

Case(id="controller_decl_named", covers=CONTROLLER,
     python=python("agent_controller", lambda: ["--zk_servers", zk_hosts("python"), "--bzid", "parity",
                                                "--cmd", "decl", "--export_base", export_base(),
                                                "--model_name", "parity_model"]),
     rust=rust(lambda: ["controller", "--fake-zk", "--bzid", "parity", "--cmd", "decl",
                        "--export-base", export_base(), "--model-name", "parity_model"]),
     examples=[example(id="entry_ps_export")],
     compare=compare.structured(),
     expect=divergence("decl with the model name given (Python main ignores --model_name for decl; Rust uses it): "
                       "both exit 0, Python prints only '\\n' (main's bare print()); Rust (--fake-zk, its only "
                       "backend) prints 'parity_model' between log lines. " + LOGS_ON_STDOUT,
                       outcome="mismatch", message="root['stdout']"))

Case(id="controller_decl_without_export_base", covers=CONTROLLER,
     python=python("agent_controller", lambda: ["--zk_servers", zk_hosts("python"), "--cmd", "decl"]),
     rust=rust(["controller", "--fake-zk", "--cmd", "decl"]),
     examples=[example(id="missing")],
     compare=compare.structured(),
     expect=divergence("decl without an export base: both exit 1 (Python AssertionError; Rust '--export-base is "
                       "required for --cmd decl'), but Python's stdout is '\\n' and Rust's the log line. "
                       + LOGS_ON_STDOUT, outcome="mismatch", message="root['stdout']"))

Case(id="controller_pub_without_layout", covers=CONTROLLER,
     python=python("agent_controller", lambda: ["--zk_servers", zk_hosts("python"), "--cmd", "pub",
                                                "--model_name", "parity_model:*"]),
     rust=rust(["controller", "--fake-zk", "--cmd", "pub", "--model-name", "parity_model:*"]),
     examples=[example(id="missing")],
     compare=compare.structured(),
     expect=divergence("pub without --layout: both exit 1 (Python AssertionError; Rust '--layout and --model-name "
                       "are required'), stdout differs. " + LOGS_ON_STDOUT, outcome="mismatch",
                       message="root['stdout']"))

# ------------------------------------------------------------------------------------------------ agent

AGENT = "monolith/agent_service/agent.py"

Case(id="agent_version_2", covers=AGENT,
     python=python("agent", lambda: ["--conf", agent_conf("v2", V2_CONF), "--tfs_log", "/dev/null"]),
     rust=rust(lambda: ["agent", "--conf", agent_conf("v2", V2_CONF), "--tfs-log", "/dev/null"]),
     examples=[example(id="unsupported")],
     compare=compare.structured(),
     expect=divergence("agent_version 2: Python raises 'agent_version v2 is not support' -> exit 1; Rust bails "
                       "'only agent_version=3 with deploy_type=unified is supported' -> exit 1; stdout differs. "
                       + LOGS_ON_STDOUT, outcome="mismatch", message="root['stdout']"))

# ------------------------------------------------------------------------------------------------ client

CLIENT = "monolith/agent_service/agent_client.py"


def client_case(case_id: str, py_flags, rs_flags, examples, **kwargs) -> None:
    env = {"MY_HOST_IP": "127.0.0.1"}
    Case(id=case_id, covers=CLIENT,
         python=python("agent_client", lambda *a: ["--conf", agent_conf("client", CLIENT_CONF),
                                                   "--port", python_agent_port(), *py_flags(*a)], env=env),
         rust=rust(lambda *a: ["client", "--conf", agent_conf("client", CLIENT_CONF),
                               "--port", python_agent_port(), *rs_flags(*a)], env=env),
         examples=examples, compare=compare.structured(), **kwargs)


client_case("client_heart_beat",
            lambda st: ["--cmd_type", "hb", "--server_type", st],
            lambda st: ["--cmd-type", "hb", "--server-type", st],
            [example("ps", id="ps"), example("entry", id="entry")],
            expect=divergence("HeartBeat output: Python prints one '<key>  -> (<n>) \\n\\t<addr>...' block per key; "
                              "Rust prints the Debug form of the prost HashMap ({\"ps:0\": AddressList { address: [..] }}, "
                              "keys in HashMap order) between log lines. " + LOGS_ON_STDOUT, outcome="mismatch", message="root['stdout']"))

client_case("client_get_replicas",
            lambda st, task: ["--cmd_type", "gr", "--server_type", st, "--task", str(task)],
            lambda st, task: ["--cmd-type", "gr", "--server-type", st, "--task", str(task)],
            [example("ps", 1, id="ps_task1"), example("entry", 0, id="entry_task0")],
            expect=divergence("GetReplicas output: Python prints 'PS 1  =>  [addr, ...]' (ServerType name, task, "
                              "the repeated field); Rust prints only the debug list [\"addr\", ...] between log "
                              "lines. " + LOGS_ON_STDOUT, outcome="mismatch", message="root['stdout']"))


def _zk_client_conf(side: str) -> str:
    """A client conf whose zk_servers is a fresh empty chroot (agent_client reads ZooKeeper hosts from --conf)."""
    hosts = zk_hosts(side)
    return agent_conf(f"client-zk-{hosts.rsplit('/', 1)[-1]}", CLIENT_CONF + f"zk_servers {hosts}\n")


Case(id="client_addr", covers=CLIENT,
     python=python("agent_client", lambda: ["--conf", _zk_client_conf("python"), "--cmd_type", "addr"],
                   env={"MY_HOST_IP": "127.0.0.1"}),
     rust=rust(lambda: ["client", "--conf", _zk_client_conf("rust"), "--cmd-type", "addr"],
               env={"MY_HOST_IP": "127.0.0.1"}),
     examples=[example(id="nothing_loaded")],
     compare=compare.structured(),
     expect=divergence("agent_client --cmd_type addr (and get/load/unload/clean) reads ZooKeeper; the Rust client "
                       "only has hb and gr (clap: invalid value 'addr' for '--cmd-type') -> exit 2; Python prints "
                       "'parity_model has not load !' for an empty namespace and exits 0",
                       outcome="mismatch", message="root['exit_code']: 0 != 2"))

Case(id="client_status", covers="monolith/agent_service/client.py",
     python=python("client", lambda: ["--zk_servers", zk_hosts("python"), "--bzid", "parity",
                                      "--model_name", "parity_model", "--cmd_type", "status"]),
     rust=rust(lambda: ["client", "--target", "127.0.0.1:1", "--model-name", "parity_model",
                        "--cmd-type", "status"]),
     examples=[example(id="nothing_loaded")],
     compare=compare.structured(),
     expect=divergence("client.py main() calls env_utils.setup_host_ip(), which monolith.native_training.env_utils "
                       "does not define: every invocation dies with AttributeError -> exit 1 (a reference bug); "
                       "the Rust client has no status/load/unload (clap: invalid value 'status') -> exit 2",
                       outcome="mismatch", message="root['exit_code']: 1 != 2"))
