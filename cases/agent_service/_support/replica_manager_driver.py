"""ReplicaWatcher sequence drivers for cases/agent_service/replica_manager.py (see zk_ops for conventions).

Both sides against the REAL ZooKeeper server, each in its own fresh chroot: the
Python ``ReplicaWatcher`` over its own ``MonolithKazooClient`` (with a real
``AgentConfig``), the Rust ``ReplicaWatcher`` over ``ZkClient(KazooAdapter(...))``
(with a ``WatcherConfig`` of the same fields).  Replicas are registered the way
ReplicaUpdater / other agents do it: ephemeral ReplicaMeta nodes written RAW
(``zk_create``/``zk_set``/``zk_delete``, identical bytes on both sides) through
the side's own client; after every op the driver waits until the side's kazoo
callback queues are drained (``zk_ops.settle``).

The 60 s reconciliation poll (``_poll`` / ``poll_once``) is disabled on both
sides before ``watch_data`` (``_should_poll = False`` / ``set_should_poll(False)``)
so a slow run cannot race it; it is not covered.  At the end the Python watcher
is only flagged stopped (``_has_stop = True``): its ``stop()`` joins a thread
sleeping 60 s.

Shapes: ``server_type`` is the agent_service.proto ``ServerType`` value (PS=0,
ENTRY=1, DENSE=2).  Address lists are sorted on both sides: Python lists them
in its replicas dict's insertion order (watch arrival), the Rust port iterates a
HashMap (RandomState, random per process); neither order is part of the
contract.  ``get_replicas_with_extra_info`` -> ``{address: [idc, cluster,
replica_id]}`` (proto2 fields, ``None`` when unset).
"""

from __future__ import annotations

from . import zk_ops

BZID = "bz"
MODEL = "m"


def _sorted(v):
    if isinstance(v, dict):
        return {k: _sorted(v[k]) for k in sorted(v)}
    if isinstance(v, (list, tuple)):
        return sorted(_sorted(x) for x in v) if all(isinstance(x, str) for x in v) else [_sorted(x) for x in v]
    return v


# ---------------------------------------------------------------------------------------------- Python side
def _py_extra(d):
    return {addr: [i.idc if i.HasField("idc") else None, i.cluster if i.HasField("cluster") else None,
                   i.replica_id if i.HasField("replica_id") else None] for addr, i in d.items()}


def _py_call(w, name, args):
    if name in zk_ops.RAW_OPS:
        return zk_ops.raw_op(w.zk, name, args)
    if name == "watch_data":
        w._should_poll = False
        return w.watch_data()
    if name == "get_replicas_with_extra_info":
        return _py_extra(w.get_replicas_with_extra_info(*args))
    return getattr(w, name)(*args)


def py_real(ops, cfg=None):
    from monolith.agent_service import utils
    from monolith.agent_service.replica_manager import ReplicaWatcher
    from monolith.native_training.zk_utils import MonolithKazooClient
    from pytest_monolith_parity.services.zookeeper import dump_tree
    cfg = dict(cfg or {})
    use_archon = cfg.pop("use_archon", False)
    family = cfg.pop("address_family", "ipv4")
    hosts, chroot = zk_ops.fresh("replica-watcher-py")
    zk = MonolithKazooClient(hosts=hosts + chroot)
    zk.start()
    conf = utils.AgentConfig(bzid=BZID, base_name=MODEL, num_ps=2, **{"deploy_type": "mixed", **cfg})
    w = ReplicaWatcher(zk, conf, use_archon=use_archon, zk_watch_address_family=family)
    w._should_poll = False
    try:
        results = zk_ops.run_ops(ops, lambda n, a: _sorted(_py_call(w, n, a)), zk_ops.py_error,
                                 lambda: zk_ops.settle(zk), zk_ops.rs_plain)
        return {"results": results, "tree": [list(x) for x in dump_tree(hosts, chroot)]}
    finally:
        w._has_stop = True  # stop() would join the poll thread's 60 s sleep
        zk.stop()
        zk.close()


# ---------------------------------------------------------------------------------------------- Rust side
def _rs_call(w, client, name, args):
    if name in zk_ops.RAW_OPS:
        return zk_ops.raw_op(client, name, args)
    if name == "watch_data":
        w.set_should_poll(False)
        return w.watch_data()
    return getattr(w, name)(*args)


def rs_real(ops, cfg=None):
    import monolith_parity_rs as rs
    from pytest_monolith_parity.services.kazoo_adapter import KazooAdapter
    from pytest_monolith_parity.services.zookeeper import dump_tree
    cfg = dict(cfg or {})
    hosts, chroot = zk_ops.fresh("replica-watcher-rs")
    adapter = KazooAdapter(hosts + chroot)
    client = rs.ZkClient(adapter)
    client.start()
    w = rs.ReplicaWatcher(client, BZID, MODEL, cfg.get("dc_aware", False), cfg.get("deploy_type", "mixed"),
                          cfg.get("dense_alone", False), cfg.get("use_archon", False),
                          cfg.get("address_family", "ipv4"))
    w.set_should_poll(False)
    try:
        results = zk_ops.run_ops(ops, lambda n, a: _sorted(_rs_call(w, client, n, a)), zk_ops.rs_error,
                                 lambda: zk_ops.settle(adapter.client), zk_ops.rs_plain)
        return {"results": results, "tree": [list(x) for x in dump_tree(hosts, chroot)]}
    finally:
        w.stop()  # the Rust watcher does not stop the client (nor does Python's)
        adapter.close()


# ---------------------------------------------------------------------------------------------- ReplicaUpdater
# ReplicaUpdater.register(): the replica's own ephemeral nodes.  Python's AgentConfig takes its ports, shard and
# replica id from the environment (mixed deploy: entry archon=PORT, entry=PORT3, ps=PORT5, ps archon=PORT7,
# dense=PORT8, dense archon=PORT10; SHARD_ID, MONOLITH_HOST_SHARD_N, REPLICA_ID) and the host from
# MY_HOST_IP / MY_HOST_IPV6; the run sets that environment for both sides and gives the Rust UpdaterConfig the
# same values explicitly.  use_metrics=False (no metrics client); agent_version=2 (version 1 derives the
# replica id from MY_POD_NAME only, ignoring REPLICA_ID).
UPDATER_PORTS = {"entry": 9103, "entry_archon": 9100, "ps": 9105, "ps_archon": 9107, "dense": 9108,
                 "dense_archon": 9110}


def _updater_env(cfg):
    return {"PORT": "9100", "PORT2": "9102", "PORT3": "9103", "PORT4": "9104", "PORT5": "9105", "PORT6": "9106",
            "PORT7": "9107", "PORT8": "9108", "PORT9": "9109", "PORT10": "9110",
            "MY_HOST_IP": "10.1.2.3", "MY_HOST_IPV6": "fe80::9", "SHARD_ID": str(cfg["shard_id"]),
            "MONOLITH_HOST_SHARD_N": str(cfg["num_shard"]),  # monolith.agent_service.constants.HOST_SHARD_ENV
            "REPLICA_ID": str(cfg["replica_id"]), "MY_POD_NAME": None}


def _updater_call(u, client_ops, name, args):
    if name in zk_ops.RAW_OPS:
        return client_ops(name, args)
    return getattr(u, name)(*args)


def py_updater(ops, cfg):
    from monolith.agent_service import utils
    from monolith.agent_service.replica_manager import ReplicaUpdater
    from monolith.native_training.zk_utils import MonolithKazooClient
    from pytest_monolith_parity.helpers import environ
    from pytest_monolith_parity.services.zookeeper import dump_tree
    hosts, chroot = zk_ops.fresh("replica-updater-py")
    with environ(_updater_env(cfg)):
        zk = MonolithKazooClient(hosts=hosts + chroot)
        zk.start()
        try:
            conf = utils.AgentConfig(bzid=BZID, base_name=MODEL, deploy_type="mixed", num_ps=cfg["num_ps"],
                                     num_shard=cfg["num_shard"], dense_alone=cfg.get("dense_alone", False),
                                     use_metrics=False, agent_version=2)  # v2: replica id from REPLICA_ID
            u = ReplicaUpdater(zk, conf)

            def raw(name, args):
                return _py_call(type("W", (), {"zk": zk})(), name, args)
            results = zk_ops.run_ops(ops, lambda n, a: _updater_call(u, raw, n, a), zk_ops.py_error,
                                     lambda: zk_ops.settle(zk), zk_ops.rs_plain)
            return {"results": results, "tree": [list(x) for x in dump_tree(hosts, chroot)]}
        finally:
            zk.stop()
            zk.close()


def rs_updater(ops, cfg):
    import monolith_parity_rs as rs
    from pytest_monolith_parity.helpers import environ
    from pytest_monolith_parity.services.kazoo_adapter import KazooAdapter
    from pytest_monolith_parity.services.zookeeper import dump_tree
    hosts, chroot = zk_ops.fresh("replica-updater-rs")
    p = UPDATER_PORTS
    with environ(_updater_env(cfg)):
        adapter = KazooAdapter(hosts + chroot)
        client = rs.ZkClient(adapter)
        client.start()
        try:
            u = rs.ReplicaUpdater(client, BZID, MODEL, cfg["num_ps"], cfg["num_shard"], cfg["shard_id"],
                                  cfg["replica_id"], "mixed", cfg.get("dense_alone", False),
                                  (p["entry"], p["entry_archon"], p["ps"], p["ps_archon"], p["dense"],
                                   p["dense_archon"]))
            results = zk_ops.run_ops(ops, lambda n, a: _updater_call(u, lambda nn, aa: _rs_call(None, client, nn, aa),
                                                                     n, a),
                                     zk_ops.rs_error, lambda: zk_ops.settle(adapter.client), zk_ops.rs_plain)
            return {"results": results, "tree": [list(x) for x in dump_tree(hosts, chroot)]}
        finally:
            adapter.close()
