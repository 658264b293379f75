"""monolith/agent_service/replica_manager.py (ReplicaWatcher) vs monolith_serving::replica_manager::ReplicaWatcher.

Each example is a sequence of operations driven on both sides against a REAL
ZooKeeper server, each side in its own fresh chroot (the Rust watcher over kazoo
through the ``ZkClient`` trait); see
_support/replica_manager_driver.py for the ops, shapes and
the (shared) normalisation.  Replicas are registered as other agents' updaters
do: ephemeral ReplicaMeta nodes under ``/bz/service/m/[idc:cluster/]<type>:<task>/<replica>``,
written raw with identical bytes on both sides; ``watch_data`` mirrors them; the
queries (get_all_replicas / get_replicas / get_replica /
get_replicas_with_extra_info) are compared after every write, plus the final
ZooKeeper tree (path, payload bytes, ephemeral flag, dumped with sessions open).

Ops: ``("watch_data",)``, ``("zk_create", path, bytes, ephemeral)``, ``("zk_set", path, bytes)``,
``("zk_delete", path)``, ``("get_all_replicas", st[, idc, cluster])``,
``("get_replicas", st, task[, idc, cluster])``, ``("get_replica", st, task, replica[, idc, cluster])``,
``("get_replicas_with_extra_info", st, task[, idc, cluster])`` with ``st`` PS=0 / ENTRY=1 / DENSE=2.

Not covered: the 60 s ``_poll`` reconciliation (disabled on both sides, see the
driver), ``stop()`` (Python's joins that 60 s sleep), ReplicaUpdater beyond
``register()`` (its update / re-register loops poll a TFServing model-status
backend on timers) and ReplicaManager / ZKListener (a facade over both plus
KazooState transitions).

``replica_updater_register``: ReplicaUpdater.register() -- the replica's own
ephemeral nodes (entry / ps tasks of this shard / dense), with the environment
the Python AgentConfig reads (ports, shard, replica id, host) set identically for
both sides (see the driver); compared: results and the tree.
"""

import json

from pytest_monolith_parity import Case, compare, divergence, driver, example, python_call
from ._support.zk_mirror_driver import decoded
from ._support.replica_manager_driver import py_real, py_updater, rs_real, rs_updater

COVERS = "monolith/agent_service/replica_manager.py"
PS, ENTRY, DENSE = 0, 1, 2
AVAILABLE, LOADING = 30, 20  # tensorflow_serving ModelVersionStatus.State
P = "/bz/service/m"


def meta(host, grpc=8500, archon=8600, stat=AVAILABLE, ipv6=None):
    """ReplicaMeta bytes in Python's dataclasses_json layout (what a Python ReplicaUpdater writes)."""
    v6 = ipv6 or "[::1]"
    return json.dumps({"address": f"{host}:{grpc}", "address_ipv6": f"{v6}:{grpc}", "stat": stat,
                       "model_name": None, "server_type": None, "task": -1, "replica": -1,
                       "archon_address": f"{host}:{archon}",
                       "archon_address_ipv6": f"{v6}:{archon}"}).encode()


def reg(path, data):
    return ("zk_create", f"{P}/{path}", data, True)


QUERIES_PS0 = [("get_all_replicas", PS), ("get_replicas", PS, 0), ("get_replicas_with_extra_info", PS, 0)]

SEQUENCES = {
    "register_watch_remove": [
        reg("ps:0/0", meta("10.0.0.1")), reg("ps:0/1", meta("10.0.0.2")), reg("ps:1/0", meta("10.0.0.3")),
        reg("entry:0/0", meta("10.0.0.4")), ("watch_data",),
        ("get_all_replicas", PS), ("get_all_replicas", ENTRY), ("get_all_replicas", DENSE),
        ("get_replicas", PS, 0), ("get_replicas", PS, 1), ("get_replicas", PS, 7), ("get_replica", PS, 1, 5),
        ("get_replicas_with_extra_info", PS, 0),
        reg("ps:1/1", meta("10.0.0.5")), ("get_replicas", PS, 1),
        ("zk_set", f"{P}/ps:0/1", meta("10.0.0.2", stat=LOADING)), ("get_replicas", PS, 0),
        ("zk_set", f"{P}/ps:0/1", meta("10.0.0.6")), ("get_replicas", PS, 0),
        ("zk_delete", f"{P}/ps:0/0"), *QUERIES_PS0,
        ("zk_delete", f"{P}/ps:1"), ("get_all_replicas", PS),
        reg("ps:1/0", meta("10.0.0.7")), ("get_all_replicas", PS),
        reg("dense:0/0", meta("10.0.0.8")), ("get_all_replicas", DENSE),
    ],
    "get_replica_one_match": [reg("ps:0/0", meta("10.0.0.1")), ("watch_data",), ("get_replica", PS, 0, 0)],
    "get_replica_absent": [reg("ps:0/0", meta("10.0.0.1")), ("watch_data",), ("get_replica", PS, 0, 3),
                           ("get_replica", ENTRY, 0, 0)],
    "watch_before_prefix_exists": [("watch_data",), reg("ps:0/0", meta("10.0.0.1")), *QUERIES_PS0],
    "dc_aware": [
        reg("lq:c1/ps:0/0", meta("10.0.0.1")), reg("hl:c2/ps:0/0", meta("10.0.0.2")),
        reg("hl:c2/ps:1/3", meta("10.0.0.3")), ("watch_data",),
        ("get_all_replicas", PS), ("get_all_replicas", PS, "lq", "c1"), ("get_replicas", PS, 0),
        ("get_replicas", PS, 0, "hl", "c2"), ("get_replicas_with_extra_info", PS, 0),
        ("get_replicas_with_extra_info", PS, 1, "hl", "c2"),
        reg("lq:c1/ps:1/0", meta("10.0.0.4")), ("get_all_replicas", PS),
    ],
    "archon_ipv6": [
        reg("ps:0/0", meta("10.0.0.1", ipv6="[fe80::1]")), reg("ps:0/1", meta("0.0.0.0", ipv6="[fe80::2]")),
        ("watch_data",), *QUERIES_PS0,
    ],
    "archon_ipv4_fallback": [
        reg("ps:0/0", meta("0.0.0.0", ipv6="[fe80::2]")), ("watch_data",), *QUERIES_PS0,
    ],
    "unroutable_address": [
        reg("ps:0/0", meta("0.0.0.0", ipv6="[::]")), ("watch_data",), *QUERIES_PS0,
    ],
    "replica_id_beyond_i32": [
        reg("ps:0/20776209183", meta("10.0.0.1")), ("watch_data",), ("get_replicas_with_extra_info", PS, 0),
    ],
    "empty_then_data": [
        reg("ps:0/0", b""), ("watch_data",), *QUERIES_PS0,
        ("zk_set", f"{P}/ps:0/0", meta("10.0.0.1")), *QUERIES_PS0,
    ],
    "data_then_empty": [
        reg("ps:0/0", meta("10.0.0.1")), ("watch_data",),
        ("zk_set", f"{P}/ps:0/0", b""), *QUERIES_PS0,
    ],
}
CONFIG = {
    "dc_aware": {"dc_aware": True},
    "archon_ipv6": {"use_archon": True, "address_family": "ipv6"},
    "archon_ipv4_fallback": {"use_archon": True, "address_family": "ipv4"},
}

def _d(reason, message):
    return divergence(reason, outcome="mismatch", message=message)


EXPECT: dict = {
    "get_replica_one_match": _d(
        "get_replica with exactly one available match: Python returns the address str (`result[0]` when "
        "len(result) == 1); Rust returns Option<Vec<String>> -> ['10.0.0.1:8500']", "root['results'][2][1]"),
    "watch_before_prefix_exists": _d(
        "watch_data before /bz/service/m exists: Python's ChildrenWatch on the missing prefix gets NoNodeError "
        "and kazoo stops the watch, so later replicas are never seen ({}); Rust calls zk.ensure_path(prefix) "
        "first and mirrors them (replica_manager.rs watch_data)", "root['results'][2][1]['ps:0']"),
    "unroutable_address": _d(
        "replica whose address is 0.0.0.0:* and address_ipv6 [::]:*: Python's ReplicaMeta.get_address returns "
        "None and get_all_replicas/get_replicas list it ([None]); Rust's get_address returns Option and the "
        "None is skipped (`if let Some(addr)`)", "root['results'][2][1]['ps:0']"),
    "replica_id_beyond_i32": _d(
        "replica node named 20776209183 (> i32::MAX; replica ids derived from MY_POD_NAME's md5 are this "
        "large): Python keys it str(int(name)) and reports replica_id 20776209183; Rust parses the name as "
        "i32, fails, and uses 0 (register_task_watches `replica.parse::<i32>().ok().unwrap_or(0)`)",
        "root['results'][2][1]['10.0.0.1:8500'][2]"),
    "empty_then_data": _d(
        "replica node created empty, then given data: Python's data watch returns early on the empty first call "
        "and on CHANGED runs `self.replicas[task_path][rnode] = meta` with task_path absent -> KeyError in the "
        "kazoo callback, so the replica is never mirrored; Rust's on_data_watch inserts it (entry().or_default())",
        "root['results'][6][1]['ps:0']"),
    "data_then_empty": _d(
        "a task whose only replica is no longer AVAILABLE: Python's get_all_replicas stores result[key] = addrs "
        "even when empty ({'ps:0': []}); Rust inserts a key only when pushing an address ({})",
        "root['results'][3][1]['ps:0']"),
}


def _examples():
    out = []
    for sid, ops in SEQUENCES.items():
        kw = {"expect": EXPECT[sid]} if EXPECT.get(sid) else {}
        out.append(example(ops, CONFIG.get(sid, {}), id=sid, **kw))
    return out


Case(id="replica_watcher_real", covers=COVERS,
     python=python_call(py_real), rust=driver(rs_real),
     examples=_examples(), compare=compare.structured(), timeout=60)


ENTRY_PATH = f"{P}/entry:0/00000000002"
UPDATER_SEQUENCES = {
    "register_mixed": ([("register",), ("register",)], {"num_ps": 4, "num_shard": 2, "shard_id": 1, "replica_id": 2}),
    "register_dense_alone": ([("register",)],
                             {"num_ps": 2, "num_shard": 1, "shard_id": 0, "replica_id": 2, "dense_alone": True}),
    "register_over_existing_node": ([("zk_create", ENTRY_PATH, b"old", False), ("register",)],
                                    {"num_ps": 2, "num_shard": 1, "shard_id": 0, "replica_id": 2}),
    "register_replica_id_unset": ([("register",)], {"num_ps": 2, "num_shard": 1, "shard_id": 0, "replica_id": -1}),
}
PAYLOAD = (
    "ReplicaMeta node payload written by register(): Python ReplicaMeta.to_json() (json.dumps ', ' / ': ' "
    "separators: b'{\"address\": \"10.1.2.3:9103\", ...'); Rust serde_json is compact "
    "(b'{\"address\":\"10.1.2.3:9103\",...') -- the bytes differ (replica_updater_register_decoded parses them)")
SEQUENCE = (
    "register() with replica_id -1: Python creates the entry node /entry:0/0 with kazoo sequence=True (the server "
    "appends 0000000000 -> entry:0/00000000000) and takes replica_id 0 from it, so the ps nodes are ps:<t>/0; "
    "Rust has no sequence create and picks max(existing entry children)+1 = 1 (allocate_replica_id_for_entry): "
    "entry:0/00000000001, ps:<t>/1")
UPDATER_EXPECT: dict = {
    "register_mixed": _d(PAYLOAD, "root['tree'][4][1]"),
    "register_dense_alone": _d(PAYLOAD, "root['tree'][4][1]"),
    "register_over_existing_node": _d(PAYLOAD, "root['tree'][4][1]"),
    "register_replica_id_unset": _d(SEQUENCE, "root['tree'][4][0]"),
}
UPDATER_EXPECT_DECODED: dict = {"register_replica_id_unset": _d(SEQUENCE, "root['tree'][4][0]")}


def _updater_examples(expects):
    return [example(ops, cfg, id=sid, **({"expect": expects[sid]} if sid in expects else {}))
            for sid, (ops, cfg) in UPDATER_SEQUENCES.items()]


Case(id="replica_updater_register", covers=COVERS,
     python=python_call(py_updater), rust=driver(rs_updater),
     examples=_updater_examples(UPDATER_EXPECT), compare=compare.structured(), timeout=60)

# the same with JSON payloads parsed on both sides (zk_mirror_driver.decoded), so the recorded byte-format
# divergence does not hide other differences of the same sequence
Case(id="replica_updater_register_decoded", covers=COVERS,
     python=python_call(py_updater, post=decoded), rust=driver(rs_updater, post=decoded),
     examples=_updater_examples(UPDATER_EXPECT_DECODED), compare=compare.structured(), timeout=60)
