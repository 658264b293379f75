"""monolith/agent_service/zk_mirror.py (ZKMirror) vs monolith_serving::zk_mirror::ZkMirror.

Each example is a sequence of operations driven on both sides against a REAL
ZooKeeper server, each side in its own fresh chroot (the Rust ZkMirror over
kazoo through the ``ZkClient`` trait); see
_support/zk_mirror_driver.py for the ops, shapes and the
(shared) normalisation.  Both mirrors are ``start()``-ed (watch_service +
watch_publish) before the ops; after every op the driver waits until the side's
kazoo callback queues are drained, so the mirror's cache and event queue are
settled.  Compared: every op's result (including drained events) and the final
ZooKeeper tree (path, payload bytes, ephemeral flag; dumped with the session
open).

Payloads the sequence writes RAW (``zk_create``/``zk_set``) are the same bytes
on both sides (Python's JSON layout), so both mirrors read identical input;
payloads the mirror itself writes (publish_loadding, update_service,
report_resource) are each side's own serialization -- the ``*_decoded`` case
parses JSON so that the known byte-format divergence does not hide others.
"""

import json

from pytest_monolith_parity import Case, compare, divergence, driver, example, python_call
from ._support.zk_mirror_driver import LOCAL_HOST, decoded, py_real, rs_real

COVERS = "monolith/agent_service/zk_mirror.py"
AVAILABLE, LOADING = 30, 20  # tensorflow_serving ModelVersionStatus.State


def js(d: dict) -> bytes:
    """Python's dataclasses_json layout (json.dumps defaults)."""
    return json.dumps(d).encode()


def pm(shard, replica, model, total=1, subs=None, ptype=1, is_spec=False):
    return {"shard_id": shard, "replica_id": replica, "model_name": model, "num_ps": 2,
            "total_publish_num": total, "sub_models": subs, "ptype": ptype, "is_spec": is_spec}


def rm(model, st, task, replica, host=LOCAL_HOST, stat=AVAILABLE):
    return {"address": f"{host}:8500", "stat": stat, "model_name": model, "server_type": st,
            "task": task, "replica": replica, "archon_address": f"{host}:8600"}


R00 = {"address": "10.0.0.1:1", "shard_id": 0, "replica_id": 0, "memory": 100, "cpu": 1.5,
       "network": -1.0, "work_load": 0.5}
R01 = {**R00, "address": "10.0.0.2:1", "replica_id": 1}
SUBS = {"ps_0": "/m/ps_0/1", "ps_1": "/m/ps_1/1", "entry": "/m/entry/1"}
SUBS1 = {"ps_1": "/m/ps_1/1", "entry": "/m/entry/1"}
SUBS0 = {"ps_0": "/m/ps_0/1", "entry": "/m/entry/1"}
MM = {"model_name": "m", "model_dir": "/d/m", "ckpt": "c1", "num_shard": 2, "action": "NONE",
      "spec_replicas": []}

SEQUENCES = {
    "crud": [
        ("create", "/bz/a/x", b"1"), ("create", "/bz/a/x", b"2"), ("exists", "/bz/a/x"),
        ("set", "/bz/a/y", b"3"), ("set", "/bz/a/y", b"4"), ("ensure_path", "/bz/e/f"),
        ("create", "/bz/p/c", b"c"), ("delete", "/bz/p", False), ("exists", "/bz/p"),
        ("delete", "/bz/nope"), ("exists", "/bz/nope"), ("create", "/bz/eph", b"e", True),
        ("get", "/bz/a/x"),
    ],
    "leader": [("is_leader",), ("set_leader",), ("is_leader",)],
    "resources": [
        ("report_resource", R00), ("watch_resource",), ("resources",), ("report_resource", R01),
        ("resources",), ("zk_set", "/bz/resource/0:0", js({**R00, "memory": 7})), ("resources",),
        ("zk_delete", "/bz/resource/0:1"), ("resources",),
    ],
    "watch_resource_before_path": [("watch_resource",), ("report_resource", R00), ("resources",)],
    "publish_load_events": [
        ("publish_loadding", [pm(0, 0, "m", 2, SUBS0)]), ("events",), ("expected_loading",),
        ("publish_loadding", [pm(1, 0, "m", 2, SUBS1)]), ("events",), ("expected_loading",),
        ("zk_delete", "/bz/publish/0:0:m"), ("events",), ("zk_delete", "/bz/publish/1:0:m"), ("events",),
        ("expected_loading",),
    ],
    # republishing an unchanged PublishMeta: single-key sub_models only -- see RANDOM_ORDER_NOTE
    "publish_republish_same": [
        ("publish_loadding", [pm(0, 0, "m", 1, {"entry": "/m/entry/1"})]), ("events",),
        ("publish_loadding", [pm(0, 0, "m", 1, {"entry": "/m/entry/1"})]), ("events",),
    ],
    "publish_raw_events": [
        ("zk_create", "/bz/publish/0:0:m", js(pm(0, 0, "m", 2, SUBS0)), False), ("events",),
        ("zk_create", "/bz/publish/1:0:m", js(pm(1, 0, "m", 2, SUBS1)), False), ("events",),
        ("get", "/bz/publish/1:0:m"), ("zk_set", "/bz/publish/1:0:m", js(pm(1, 0, "m", 2, SUBS))), ("events",),
        ("get", "/bz/publish/1:0:m"), ("zk_delete", "/bz/publish/1:0:m"), ("events",),
        ("zk_delete", "/bz/publish/0:0:m"), ("events",),
    ],
    "publish_unload": [
        ("zk_create", "/bz/publish/0:0:m", js(pm(0, 0, "m", 1, SUBS0, ptype=2)), False), ("events",),
        ("get", "/bz/publish/0:0:m"),
    ],
    "expected_loading_shard1": [  # mirror: tce_shard_id=1, REPLICA_ID=0
        ("zk_create", "/bz/publish/0:0:m", js(pm(0, 0, "m", 3, SUBS0)), False),
        ("zk_create", "/bz/publish/1:0:m", js(pm(1, 0, "m", 3, SUBS1)), False), ("expected_loading",),
        ("zk_create", "/bz/publish/-1:0:m", js(pm(-1, 0, "m", 3, {"entry": "/m/entry/1"})), False),
        ("expected_loading",),
        ("zk_create", "/bz/publish/0:0:n", js(pm(0, 1, "n", 1, SUBS0, is_spec=True)), False),
        ("zk_create", "/bz/publish/0:0:u", js(pm(0, 0, "u", 1, SUBS0, ptype=2)), False),
        ("expected_loading",), ("events",),
    ],
    "portal_create_delete": [
        ("watch_portal",), ("zk_create", "/bz/portal/m", js(MM), False), ("events",),
        ("zk_delete", "/bz/portal/m"), ("events",), ("zk_create", "/bz/portal/m", js(MM), False), ("events",),
    ],
    "portal_existing_and_empty": [
        ("zk_create", "/bz/portal/m", js(MM), False), ("zk_create", "/bz/portal/e", b"", False),
        ("watch_portal",), ("events",),
    ],
    "portal_changed": [
        ("watch_portal",), ("zk_create", "/bz/portal/m", js(MM), False), ("events",),
        ("zk_set", "/bz/portal/m", js({**MM, "ckpt": "c2"})), ("events",),
    ],
    "portal_no_model_name": [
        ("watch_portal",), ("zk_create", "/bz/portal/k", js({"model_dir": "/d/k"}), False), ("events",),
    ],
    "portal_conscience": [
        ("zk_create", "/bz/portal/m", js(MM), False),
        ("zk_create", "/bz/publish/0:0:m", js(pm(0, 0, "m", 1, SUBS0)), False),
        ("zk_create", "/bz/publish/0:0:gone", js(pm(0, 0, "gone", 1, SUBS0)), False),
        ("events",), ("watch_portal",), ("events_sorted",),  # sorted: see RACY_NOTE
    ],
    "service_replicas": [
        ("update_service", [rm("m", "ps", 0, 0), rm("m", "entry", 0, 0)]),
        ("get_all_replicas", "ps"), ("get_model_replicas", "m", "ps"), ("get_task_replicas", "m", "ps", 0),
        ("get_replica", "m", "ps", 0, 0), ("get_replica", "m", "ps", 0, 1), ("local_replica_paths",),
        ("zk_create", "/bz/service/m/ps:0/1", js(rm("m", "ps", 0, 1, host="10.1.1.1")), True),
        ("zk_create", "/bz/service/m/ps:1/0", js(rm("m", "ps", 1, 0, host="10.1.1.1", stat=LOADING)), True),
        ("get_all_replicas", "ps"), ("get_task_replicas", "m", "ps", 0), ("get_replica", "m", "ps", 1, 0),
        ("local_replica_paths",),
    ],
    "service_model_replicas_two_per_task": [
        ("update_service", [rm("m", "ps", 0, 0)]),
        ("zk_create", "/bz/service/m/ps:0/1", js(rm("m", "ps", 0, 1, host="10.1.1.1")), True),
        ("get_model_replicas", "m", "ps"),
    ],
    "service_update_removes_local": [
        ("update_service", [rm("m", "ps", 0, 0), rm("m", "entry", 0, 0)]), ("local_replica_paths",),
        ("update_service", [rm("m", "entry", 0, 0, stat=LOADING)]), ("local_replica_paths",),
        ("get_all_replicas", "entry"), ("get_all_replicas", "ps"), ("update_service", []),
        ("local_replica_paths",),
    ],
    "tce_replica_id_env": [("tce_replica_id",)],
    "missing_api": [
        ("zk_create", "/bz/publish/0:0:m", js(pm(0, 0, "m", 1, SUBS0)), False),
        ("update_service", [rm("m", "ps", 0, 0)]),
        ("get_published_path", "m"), ("get_children", "/bz/service/m"),
    ],
}

# per-sequence mirror configuration: (tce_shard_id, num_tce_shard, env)
CONFIG = {
    "expected_loading_shard1": (1, 2, {"REPLICA_ID": "0"}),
}
EXTRA_EXAMPLES = {  # same ops, other env
    "tce_replica_id_pod_name": ("tce_replica_id_env", (-1, 1, {"MY_POD_NAME": "pod-7"})),
}

RACY_NOTE = """portal_conscience: watch_portal deletes /bz/publish/0:0:gone, whose publish DataWatch fires on
kazoo's event thread, while the caller's thread runs the new portal DataWatch's first call synchronously:
the two queued events' order is a race on BOTH sides, so that op compares them sorted (events_sorted)."""
RANDOM_ORDER_NOTE = """Rust PublishMeta::serialize writes sub_models (a HashMap, RandomState) in a random key
order (monolith_parity_rs.publish_meta_serialize gives 5 distinct byte strings for one 3-key meta in 20
calls).  publish_loading compares the cached bytes with a fresh serialization, so republishing an unchanged
multi-key meta rewrites the node at random (CHANGED -> an extra PUBLISH event) where Python never rewrites.
Random on the Rust side, so not expressible as a strict expected divergence: republishing is compared
with a single-key sub_models only, and the finding is reported, not cased."""

PAYLOAD = (
    "ZK payloads written by the mirror / event data: Python ResourceSpec/PublishMeta/ReplicaMeta/ModelMeta"
    ".serialize() is dataclasses_json to_json (json.dumps ', ' / ': ' separators: b'{\"model_name\": \"m\", ...'); "
    "Rust serde_json is compact (b'{\"model_name\":\"m\",...') -- the bytes differ (the _decoded case parses them)")
UNLOAD = (
    "watch_publish on a publish node with ptype UNLOAD that was never loaded: Python's first DataWatch call "
    "runs `del self._data[data_path]` -> KeyError inside the callback, so no event is queued; Rust's "
    "m.remove() is silent and cnt==0 queues a PUBLISH event (zk_mirror.rs watch_publish)")
PORTAL_CHANGED = (
    "watch_portal on a CHANGED portal node: Python only asserts the event type and queues nothing; Rust maps "
    "any other event type to action 'NONE' and queues a PORTAL event (zk_mirror.rs watch_portal `_ => NONE`)")
PORTAL_NAME = (
    "portal node whose ModelMeta has no model_name: Python queues ModelMeta.deserialize(data) as is "
    "(model_name null); Rust fills model_name with the node's basename (zk_mirror.rs `if mm.model_name.is_none()`)")
DUP = (
    "get_model_replicas with two replicas under one task: Python's get_children returns one entry per cached "
    "descendant path (the task name twice), so each replica is listed twice (4 items); Rust's "
    "get_children_cached collects a BTreeSet (2 items)")
MISSING = (
    "ZKMirror.get_published_path and ZKMirror.get_children have no public Rust counterpart (ZkMirror has "
    "neither; get_children_cached is private): the Rust side raises AttributeError")
POD = (
    "tce_replica_id with REPLICA_ID unset and MY_POD_NAME='pod-7': Python falls back to "
    "replica_id_from_pod_name() = int(md5(pod)[10:20], 16) = 20776209183; Rust returns -1 (REPLICA_ID only)")


def _d(reason, message):
    return divergence(reason, outcome="mismatch", message=message)


EXPECT: dict = {
    "watch_resource_before_path": _d(PAYLOAD, "root['tree'][3][1]"),
    "publish_load_events": _d(PAYLOAD, "root['results'][4][1][0][1]"),
    "publish_republish_same": _d(PAYLOAD, "root['results'][1][1]"),
    "publish_unload": _d(UNLOAD, "root['results'][1][1][0]"),
    "expected_loading_shard1": _d(UNLOAD, "root['results'][8][1][2]"),
    "portal_create_delete": _d(PAYLOAD, "root['results'][2][1][0][1]"),
    "portal_existing_and_empty": _d(PAYLOAD, "root['results'][3][1][0][1]"),
    "portal_changed": _d(PAYLOAD, "root['results'][2][1][0][1]"),  # + PORTAL_CHANGED, see the decoded case
    "portal_no_model_name": _d(PAYLOAD + "; and " + PORTAL_NAME, "root['results'][2][1][0][1]"),
    "portal_conscience": _d(PAYLOAD, "root['results'][5][1]"),
    "service_replicas": _d(PAYLOAD, "root['tree'][5][1]"),
    "service_update_removes_local": None,
    "service_model_replicas_two_per_task": _d(DUP, "root['results'][2][1]['m:ps:0']"),
    "missing_api": _d(MISSING, "root['results'][2]"),
    "tce_replica_id_pod_name": _d(POD, "root['results'][0][1]"),
}
EXPECT_DECODED: dict = {
    "publish_unload": _d(UNLOAD, "root['results'][1][1][0]"),
    "expected_loading_shard1": _d(UNLOAD, "root['results'][8][1][2]"),
    "portal_changed": _d(PORTAL_CHANGED, "root['results'][4][1][0]"),
    "portal_no_model_name": _d(PORTAL_NAME, "root['results'][2][1][0][1][1]['model_name']"),
    "service_model_replicas_two_per_task": _d(DUP, "root['results'][2][1]['m:ps:0']"),
    "missing_api": _d(MISSING, "root['results'][2]"),
    "tce_replica_id_pod_name": _d(POD, "root['results'][0][1]"),
}


def _examples(expects: dict):
    out = []
    items = [(sid, ops, CONFIG.get(sid, (-1, 1, {"REPLICA_ID": "0"}))) for sid, ops in SEQUENCES.items()]
    items += [(eid, SEQUENCES[base], cfg) for eid, (base, cfg) in EXTRA_EXAMPLES.items()]
    for sid, ops, cfg in items:
        expect = expects.get(sid)
        kw = {"expect": expect} if expect else {}
        out.append(example(ops, *cfg, id=sid, **kw))
    return out


Case(id="zk_mirror_real", covers=COVERS,
     python=python_call(py_real), rust=driver(rs_real),
     examples=_examples(EXPECT), compare=compare.structured(), timeout=60)

Case(id="zk_mirror_real_decoded", covers=COVERS,
     python=python_call(py_real, post=decoded), rust=driver(rs_real, post=decoded),
     examples=_examples(EXPECT_DECODED), compare=compare.structured(), timeout=60)
