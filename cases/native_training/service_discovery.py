"""Parity of monolith/native_training/service_discovery.py (Rust: ``monolith_training::py_discovery``
for TF_CONFIG and MLP, ``monolith_training::native_training::service_discovery`` for Consul).

``mlp_query_all`` is the worked example of a Rust function only some revisions have
(docs/rust-bindings.md, "Adding a wrapper"): ``MlpServiceDiscovery::query_all`` exists on the
branch, not on master.  On a checkout without it these items are *rust unavailable*
(``monolith_training::py_discovery::MlpServiceDiscovery::query_all not in this checkout``); the
gate counts them as new on the pull request that adds it.

The other cases run a sequence of operations on one discovery object per example
(_support/ops.py): each op's value or error, in order.

* TF_CONFIG: ``TfConfigServiceDiscovery(json.loads(tf_config))`` vs the port built from the same
  JSON text; ops ``query``, ``register``, ``deregister`` and the properties ``server_type``,
  ``index``, ``addr``.
* MLP: the ``MLP_*`` environment is set exactly (every variable either side reads, set or
  removed) while the object is built and used.  ``query('ps')`` in Python first connects to
  every PS (``check_port``, up to an hour): those examples name PS hosts on 127.0.0.1 and the
  call keeps listening sockets open on their ports.  Ops only some revisions have
  (``server_type``, ``index``, ``addr``, ``query_all``, ``deregister_all``) are in
  ``mlp_properties``, which is *rust unavailable* where they are absent.
* Consul: both sides' own Consul clients talk HTTP to the same scripted agent
  (_support/consul_agent.py) with the same scripted answers; compared with the ops' results:
  every request the agent received (method, path, JSON body) and the registrations visible at
  the end.  ``retry_time_secs=0`` on both sides (the constructor argument both have).

Python sides run in a worker per case file (the environment is process-wide there too).
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from pytest_monolith_parity import Case, compare, divergence, driver, example, pyo3, python_call
from pytest_monolith_parity.helpers import environ
from ._support.consul_agent import observed, scripted
from ._support.ops import listening, python_error, run_ops, rust_error

COVERS = "monolith/native_training/service_discovery.py"

# ----------------------------------------------------------------------------------------- MLP query_all
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

# ----------------------------------------------------------------------------------------- TF_CONFIG
# Errors that mean "this TF_CONFIG / name / address is not valid" on each side (the port: DiscoveryError).
TF_ERRORS = {"ValueError": "DiscoveryError", "KeyError": "DiscoveryError", "IndexError": "DiscoveryError"}


def _tf_config_call(discovery, name, args):
    if name in ("server_type", "index", "addr"):
        value = getattr(discovery, name)
        return value() if callable(value) else value
    return getattr(discovery, name)(*args)


def tf_config_python(tf_config, ops):
    from monolith.native_training.service_discovery import TfConfigServiceDiscovery

    on_error = python_error(TF_ERRORS)
    try:
        discovery = TfConfigServiceDiscovery(json.loads(tf_config))
    except Exception as e:  # noqa: BLE001 -- compared like every op
        return [on_error(e)]
    return [["ok", None], *run_ops(ops, lambda n, a: _tf_config_call(discovery, n, a), on_error)]


def tf_config_rust(tf_config, ops):
    import monolith_parity_rs as rs

    try:
        discovery = rs.TfConfigServiceDiscovery(tf_config)
    except Exception as e:  # noqa: BLE001
        return [rust_error(e)]
    return [["ok", None], *run_ops(ops, lambda n, a: _tf_config_call(discovery, n, a), rust_error)]


def tf_config(cluster, task_type, task_index):
    return json.dumps({"cluster": cluster, "task": {"type": task_type, "index": task_index}})


CLUSTER = {"chief": ["c0:2222"], "worker": ["w0:2222", "w1:2222"], "ps": ["p0:2222", "p1:2222"]}
NO_CHIEF = {"worker": ["w0:2222", "w1:2222"], "ps": ["p0:2222"]}
_ADDR = st.builds(lambda h, p: f"{h}:{p}", st.sampled_from(["h0", "h1", "10.0.0.1", "[::1]"]), st.integers(1, 65535))


def _valid_tf_config(draw_cluster, pick):
    cluster = {k: v for k, v in draw_cluster.items() if v}
    if not cluster:
        cluster = {"worker": ["w0:1"]}
    task_type = sorted(cluster)[pick % len(cluster)]
    return tf_config(cluster, task_type, pick % len(cluster[task_type]))


# Well-formed TF_CONFIGs (every task in its cluster), with the ops below.
TF_CONFIGS = st.builds(
    lambda cluster, pick: (_valid_tf_config(cluster, pick), ALL_OPS),
    st.fixed_dictionaries({"chief": st.lists(_ADDR, max_size=1), "worker": st.lists(_ADDR, max_size=3),
                           "ps": st.lists(_ADDR, max_size=3)}),
    st.integers(0, 50))
ALL_OPS = [("query", "ps"), ("query", "worker"), ("query", "chief"), ("server_type",), ("index",), ("addr",),
           ("register", "ps", 0, "x:1"), ("deregister", "ps", 0, "x:1"), ("query", "ps")]

Case(
    id="tf_config",
    covers=COVERS,
    python=python_call(tf_config_python, isolated=True),
    rust=driver(tf_config_rust, needs="TfConfigServiceDiscovery"),
    examples=[
        example(tf_config(CLUSTER, "chief", 0), ALL_OPS, id="chief"),
        example(tf_config(CLUSTER, "worker", 1), ALL_OPS, id="worker_after_chief"),
        example(tf_config(CLUSTER, "ps", 1), ALL_OPS, id="ps"),
        example(tf_config(NO_CHIEF, "worker", 0), ALL_OPS, id="no_chief"),
        example(tf_config({"worker": ["w0:1"]}, "worker", 0), ALL_OPS, id="no_ps"),
        example(tf_config(CLUSTER, "worker", 5), ALL_OPS, id="index_out_of_range"),
        example(tf_config(CLUSTER, "evaluator", 0), ALL_OPS, id="task_type_not_in_cluster"),
        example(json.dumps({"cluster": CLUSTER}), ALL_OPS, id="no_task", expect=divergence(
            "Python builds TfConfigServiceDiscovery without a task (queries answer, server_type/index raise later); "
            "the port refuses the TF_CONFIG at construction (observed: first op DiscoveryError)",
            outcome="mismatch", message="root[0][0]: 'ok' != 'error'")),
        example(tf_config(CLUSTER, "worker", "1"), ALL_OPS, id="index_as_string", expect=divergence(
            "Python keeps task.index '1' as given (queries answer, index/addr raise TypeError later); the port "
            "refuses a string index at construction (observed: first op DiscoveryError)",
            outcome="mismatch", message="root[0][0]: 'ok' != 'error'")),
        example("not json", ALL_OPS, id="not_json", expect=divergence(
            "Python's json.loads raises JSONDecodeError out of the constructor; the port wraps the parse error in "
            "DiscoveryError", outcome="mismatch", message="root[0][1]: 'JSONDecodeError' != 'DiscoveryError'")),
    ],
    strategy=TF_CONFIGS,
    max_examples=40,
    compare=compare.structured(),
)

# ----------------------------------------------------------------------------------------- MLP sequences
MLP_BASE = {**BASE, "CLOUDNATIVE_INET_ADDR": None, "YARN_INET_ADDR": "10.0.0.9", "MLP_HOST": "10.0.0.9",
            "MLP_ROLE": "WORKER", "MLP_ROLE_INDEX": "0", "MLP_PORT": "4000"}
# PS on 127.0.0.1 (the call listens on their ports: Python's query('ps') connects first).
PS_PORTS = (39411, 39412)
MLP_LOCAL = {**MLP_BASE, "MLP_PS_NUM": "2", "MLP_WORKER_NUM": "2",
             "MLP_PS_0_PRIMARY_HOST": "127.0.0.1", "MLP_PS_0_HOST": "127.0.0.1", "MLP_PS_0_PORT": str(PS_PORTS[0]),
             "MLP_PS_1_PRIMARY_HOST": "127.0.0.1", "MLP_PS_1_HOST": "127.0.0.1", "MLP_PS_1_PORT": str(PS_PORTS[1]),
             "MLP_WORKER_0_PRIMARY_HOST": "10.0.0.9", "MLP_WORKER_0_HOST": "10.1.0.9", "MLP_WORKER_0_PORT": "4000",
             "MLP_WORKER_1_PRIMARY_HOST": "10.0.0.8", "MLP_WORKER_1_HOST": "10.1.0.8", "MLP_WORKER_1_PORT": "4001"}
# The port's MLP errors are DiscoveryError; Python asserts (MLPServiceDiscovery._check) or fails to split.
MLP_ERRORS = {"AssertionError": "DiscoveryError", "ValueError": "DiscoveryError"}


def _mlp_call(rs, discovery, name, args):
    if rs is None:  # Python
        if name in ("server_type", "index", "addr"):
            return getattr(discovery, name)
        return getattr(discovery, name)(*args)
    if name in ("register", "deregister", "query", "close"):
        return getattr(discovery, name)(*args)
    return getattr(rs, f"mlp_sd_{name}")(discovery, *args)


def mlp_python(env, ops):
    with environ(env), listening(PS_PORTS):
        from monolith.native_training.service_discovery import MLPServiceDiscovery

        discovery = MLPServiceDiscovery()
        return run_ops(ops, lambda n, a: _mlp_call(None, discovery, n, a), python_error(MLP_ERRORS))


def mlp_rust(env, ops):
    import monolith_parity_rs as rs

    with environ(env), listening(PS_PORTS):
        discovery = rs.MlpServiceDiscovery()
        return run_ops(ops, lambda n, a: _mlp_call(rs, discovery, n, a), rust_error)


Case(
    id="mlp_sequences",
    covers=COVERS,
    python=python_call(mlp_python, isolated=True),
    rust=driver(mlp_rust, needs="MlpServiceDiscovery"),
    examples=[
        example(MLP_LOCAL, [("query", "worker"), ("query", "ps"), ("query", "PS"), ("query", "chief")], id="query"),
        example(MLP_LOCAL, [("deregister", "worker", 1, "10.0.0.8:4001"), ("query", "worker"),
                            ("register", "worker", 1, "10.0.0.8:4001"), ("query", "worker")],
                id="deregister_then_register"),
        example(MLP_LOCAL, [("deregister", "ps", 0, f"127.0.0.1:{PS_PORTS[0]}"), ("query", "ps")],
                id="deregistered_ps_skips_port_check"),
        example(MLP_LOCAL, [("register", "worker", 0, "localhost:4000"), ("register", "worker", 0, "0.0.0.0:4000"),
                            ("register", "worker", 1, "10.1.0.8:4001")], id="allowed_hosts", expect=divergence(
                "Python refuses registering worker 1 at 10.1.0.8 (not MLP_WORKER_1_PRIMARY_HOST: DiscoveryError); "
                "the port accepts it (observed: third op ok)", outcome="mismatch", message="root[2][0]: 'error' != 'ok'")),
        example(MLP_LOCAL, [("register", "worker", 1, "10.0.0.77:4001")], id="host_not_allowed"),
        example(MLP_LOCAL, [("register", "worker", 0, "10.0.0.9:4999")], id="port_mismatch"),
        example(MLP_LOCAL, [("register", "worker", 2, "10.0.0.8:4001")], id="index_out_of_range"),
        example(MLP_LOCAL, [("register", "evaluator", 0, "10.0.0.8:4001")], id="unknown_role"),
        example(MLP_LOCAL, [("register", "worker", 0, "no-port")], id="addr_without_port"),
        example({**MLP_LOCAL, "MLP_WORKER_1_PRIMARY_HOST": '"10.0.0.8"'}, [("query", "worker")],
                id="quoted_env_value", expect=divergence(
                    "Python strips the quotes of MLP_WORKER_1_PRIMARY_HOST ('10.0.0.8:4001'); the port keeps them",
                    outcome="mismatch", message="root[0][1][1]: '10.0.0.8:4001' != '\"10.0.0.8\":4001'")),
        example({**MLP_LOCAL, "MLP_WORKER_1_PORT": None}, [("query", "worker")], id="missing_port", expect=divergence(
            "without MLP_WORKER_1_PORT Python's query raises DiscoveryError; the port answers with the workers it can "
            "address ({0: '10.0.0.9:4000'})", outcome="mismatch", message="root[0][0]: 'error' != 'ok'")),
        example({**MLP_LOCAL, "MLP_WORKER_NUM": "0"}, [("query", "worker")], id="zero_replicas"),
        example(MLP_LOCAL, [("query", "")], id="empty_name"),
    ],
    compare=compare.structured(),
    timeout=60,
)

Case(
    id="mlp_properties",
    covers=COVERS,
    python=python_call(mlp_python, isolated=True),
    rust=driver(mlp_rust, needs="mlp_sd_server_type"),
    examples=[
        example(MLP_LOCAL, [("server_type",), ("index",), ("addr",)], id="worker_0"),
        example({**MLP_LOCAL, "MLP_ROLE": "ps", "MLP_ROLE_INDEX": "1", "MLP_PORT": str(PS_PORTS[1])},
                [("server_type",), ("index",), ("addr",)], id="ps_1", expect=divergence(
                    "addr(): Python uses the host MLP_HOST names (10.0.0.9); the port answers 127.0.0.1",
                    outcome="mismatch", message="root[2][1]: '10.0.0.9:")),
        example({**MLP_LOCAL, "MLP_ROLE": None, "MLP_ROLE_INDEX": None}, [("server_type",), ("index",), ("addr",)],
                id="no_role", expect=divergence(
                    "without MLP_ROLE Python's server_type is '' and addr is MLP_HOST:MLP_PORT; the port returns None "
                    "for both", outcome="mismatch", message="root[0][1]: type str != NoneType: '' != None")),
        example(MLP_LOCAL, [("query_all",), ("deregister", "worker", 0, "10.0.0.9:4000"), ("query_all",)],
                id="query_all_with_filter"),
        example(MLP_LOCAL, [("deregister_all",), ("query", "worker"), ("query", "ps"), ("query_all",)],
                id="deregister_all"),
        example(MLP_LOCAL, [("close",), ("query", "worker"), ("query_all",), ("server_type",), ("index",)],
                id="after_close", expect=divergence(
                    "after close() Python's index is None (the MLPEnv is dropped); the port still answers 0",
                    outcome="mismatch", message="root[4][1]: type NoneType != int: None != 0")),
        example({**MLP_LOCAL, "MLP_CHIEF_NUM": "1", "MLP_CHIEF_0_PRIMARY_HOST": "10.0.0.5",
                 "MLP_CHIEF_0_PORT": "5000", "MLP_EVALUATOR_NUM": "1"}, [("query_all",)], id="query_all_roles"),
        example({**MLP_LOCAL, "MPI_EXTRA_NUM": "3", "MLP_PS_REPLICA_NUM": "2"}, [("query_all",)],
                id="num_variables_of_other_shapes"),
    ],
    compare=compare.structured(),
    timeout=60,
)

# ----------------------------------------------------------------------------------------- Consul
CONSUL_ID = "parity_psm"
# ConsulServiceDiscovery errors on each side: ValueError (bad addr), ConsulException (the agent said no),
# KeyError (a lookup entry without the tags Python reads); the port raises ServiceDiscoveryError for each.
CONSUL_ERRORS = {"ValueError": "ServiceDiscoveryError", "ConsulException": "ServiceDiscoveryError",
                 "KeyError": "ServiceDiscoveryError"}


def _entry(name, index, ip, port):
    return {"Port": port, "Tags": {"index": str(index), "name": name, "ip": ip}}


def consul_python(script, ops):
    from monolith.native_training.service_discovery import ConsulServiceDiscovery

    with scripted(script) as agent:
        discovery = ConsulServiceDiscovery(CONSUL_ID, retry_time_secs=0)
        results = run_ops(ops, lambda n, a: getattr(discovery, n)(*a), python_error(CONSUL_ERRORS))
        return {"results": results, **observed(agent)}


def consul_rust(script, ops):
    import monolith_parity_rs as rs

    with scripted(script) as agent:
        discovery = rs.ConsulServiceDiscovery(CONSUL_ID, retry_time_secs=0)
        results = run_ops(ops, lambda n, a: getattr(discovery, n)(*a), rust_error)
        return {"results": results, **observed(agent)}


TWO_PS = {"services": {CONSUL_ID: [_entry("ps", 0, "10.0.0.1", 3000), _entry("ps", 1, "10.0.0.2", 3001),
                                   _entry("worker", 0, "10.0.0.9", 4000)]}}
Case(
    id="consul",
    covers=COVERS,
    python=python_call(consul_python, isolated=True),
    rust=driver(consul_rust, needs="ConsulServiceDiscovery"),
    examples=[
        example(TWO_PS, [("query", "ps"), ("query", "worker"), ("query", "chief"), ("query_all",)], id="query"),
        example({}, [("query", "ps")], id="nothing_registered"),
        example({}, [("register", "ps", 0, "10.0.0.1:3000"), ("query", "ps")], id="register"),
        example(TWO_PS, [("register", "ps", 0, "10.0.0.7:3007"), ("query", "ps")], id="register_replaces"),
        example(TWO_PS, [("register", "ps", 0, "10.0.0.1:3000"), ("query", "ps")], id="register_same_addr"),
        example(TWO_PS, [("deregister", "ps", 1, "10.0.0.2:3001"), ("query", "ps")], id="deregister"),
        example({}, [("register", "ps", 0, "10.0.0.1")], id="addr_without_port"),
        example({}, [("register", "ps", 0, "a:b:3000")], id="addr_with_two_colons"),
        example({}, [("register", "ps", 0, "10.0.0.1:70000"), ("query", "ps")], id="port_out_of_range",
                expect=divergence(
                    "Python sends port 70000 to the agent and registers it; the port refuses it before any request "
                    "(ServiceDiscoveryError)", outcome="mismatch", message="root['requests'][1][0]: 'PUT' != 'GET'")),
        example({"status": {"register": 500}}, [("register", "ps", 0, "10.0.0.1:3000")], id="agent_refuses_register",
                expect=divergence(
                    "the agent answers 500: Python gives up after one register request; the port sends it 4 more "
                    "times before raising", outcome="mismatch", message="root['requests'][2]: unexpected in actual")),
        example({"status": {"lookup": 503}}, [("query", "ps"), ("query_all",)], id="lookup_not_200"),
        example({"body": {"lookup": json.dumps([{"Port": 3000}])}}, [("query", "ps")], id="entry_without_tags"),
        example({"body": {"lookup": json.dumps([{"Port": 3000, "Tags": {"name": "ps", "ip": "h", "index": 2}}])}},
                [("query", "ps")], id="index_tag_as_number"),
        example(TWO_PS, [("close",), ("query", "ps")], id="after_close"),
    ],
    compare=compare.structured(),
    timeout=60,
)
