"""ZKMirror sequence drivers for cases/agent_service/zk_mirror.py (see zk_ops for the conventions).

Both sides run against the REAL ZooKeeper server, each in its own fresh chroot:
the Python ``ZKMirror`` over its own ``MonolithKazooClient``, the Rust
``ZkMirror`` over ``ZkClient(KazooAdapter(...))``.  After every op the driver
waits until the side's kazoo client has drained its callback queues
(``zk_ops.settle``), so watch-driven state (the mirror's ``_data`` cache and its
event queue) is settled before the next op.

Environment: ``tce_replica_id`` reads ``REPLICA_ID`` (Python falls back to
``MY_POD_NAME``'s md5); the run sets/clears them for its duration, identically on
both sides.  Local host: Python's ``_local_host`` is ``get_local_ip()``, the Rust
port's is a constructor-time string (``set_local_host_for_test``); both are set
to ``LOCAL_HOST`` so ``local_replica_paths`` has a host to match.

Shapes: ResourceSpec / PublishMeta / ReplicaMeta -> dict of fields (enums as
their values); events drained from the queue -> ``[path, data, etype value]``.
Normalised identically on both sides (documented where a case relies on it):
lists of replicas / resources are sorted by their JSON text and dict keys
sorted -- Python orders them by its cache dict's insertion order (the order
watch callbacks arrived), the Rust port by HashMap iteration (RandomState:
random per process) or a BTreeSet; neither order is part of the contract.

Ops: ``("<ZKMirror method>", *args)`` with records passed as field dicts, plus
``("events",)`` (drain the queue; ``("events_sorted",)``: the same, sorted by repr, for
events queued by two threads at once -- a kazoo callback and the caller's synchronous first watch
call -- whose relative order is a race on both sides), ``("zk_create", path, bytes, ephemeral)``,
``("zk_set", path, bytes)``, ``("zk_delete", path)`` (raw writes through the
side's own client, as another process would), ``("tce_replica_id",)``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import os

from . import zk_ops

BZID = "bz"
LOCAL_HOST = "10.9.8.7"


@contextlib.contextmanager
def _env(env: dict):
    keys = ("REPLICA_ID", "MY_POD_NAME")
    old = {k: os.environ.get(k) for k in keys}
    try:
        for k in keys:
            os.environ.pop(k, None)
        os.environ.update(env)
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _key(v):
    return json.dumps(v, sort_keys=True, default=repr)


def norm(value):
    """Shared normalisation (applied to both sides' plain values)."""
    if isinstance(value, dict):
        return {k: norm(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        items = [norm(v) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            return sorted(items, key=_key)
        return items
    return value


def py_plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: py_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: py_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [py_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(py_plain(v) for v in value)
    return value


def rs_plain(value):
    if isinstance(value, dict):
        return {k: rs_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rs_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------- Python side
def _py_call(m, queue, name, args):
    from monolith.agent_service import data_def as dd
    if name in ("events", "events_sorted"):
        out = []
        while not queue.empty():
            e = queue.get_nowait()
            out.append([e.path, e.data, e.etype.value])
        return sorted(out, key=repr) if name == "events_sorted" else out
    if name == "create":  # Python's third positional is acl: (path, value, ephemeral) passed by keyword
        return m.create(args[0], args[1], ephemeral=args[2] if len(args) > 2 else False)
    if name == "report_resource":
        return m.report_resource(dd.ResourceSpec(**args[0]))
    if name == "publish_loadding":
        return m.publish_loadding([dd.PublishMeta(**_pm(pm)) for pm in args[0]])
    if name == "update_service":
        return m.update_service([dd.ReplicaMeta(**rm) for rm in args[0]])
    if name in ("resources", "local_replica_paths", "tce_replica_id", "is_leader"):
        return getattr(m, name)
    if name in zk_ops.RAW_OPS:
        return zk_ops.raw_op(m._zk, name, args)
    return getattr(m, name)(*args)


def _pm(fields: dict) -> dict:
    from monolith.agent_service.data_def import PublishType
    out = dict(fields)
    if "ptype" in out:
        out["ptype"] = PublishType(out["ptype"])
    return out


def py_real(ops, tce_shard_id=-1, num_tce_shard=1, env=None):
    from queue import Queue

    from monolith.agent_service.zk_mirror import ZKMirror
    from monolith.native_training.zk_utils import MonolithKazooClient
    from pytest_monolith_parity.services.zookeeper import dump_tree
    hosts, chroot = zk_ops.fresh("zk-mirror-py")
    with _env(env or {"REPLICA_ID": "0"}):
        zk = MonolithKazooClient(hosts=hosts + chroot)
        queue = Queue()
        m = ZKMirror(zk, BZID, queue=queue, tce_shard_id=tce_shard_id, num_tce_shard=num_tce_shard)
        m._local_host = LOCAL_HOST
        m.start()
        try:
            zk_ops.settle(zk)
            results = zk_ops.run_ops(ops, lambda n, a: _py_call(m, queue, n, a), zk_ops.py_error,
                                     lambda: zk_ops.settle(zk), py_plain)
            return norm({"results": results, "tree": [list(x) for x in dump_tree(hosts, chroot)]})
        finally:
            m.stop()
            zk.close()


# ---------------------------------------------------------------------------------------------- Rust side
def _rs_call(m, client, name, args):
    if name in ("events", "events_sorted"):
        out = [list(e) for e in m.drain_events()]
        return sorted(out, key=repr) if name == "events_sorted" else out
    if name == "publish_loadding":
        return m.publish_loading(list(args[0]))
    if name == "update_service":
        return m.update_service(list(args[0]))
    if name in zk_ops.RAW_OPS:
        return zk_ops.raw_op(client, name, args)
    return getattr(m, name)(*args)


def rs_real(ops, tce_shard_id=-1, num_tce_shard=1, env=None):
    import monolith_parity_rs as rs
    from pytest_monolith_parity.services.kazoo_adapter import KazooAdapter
    from pytest_monolith_parity.services.zookeeper import dump_tree
    hosts, chroot = zk_ops.fresh("zk-mirror-rs")
    with _env(env or {"REPLICA_ID": "0"}):
        adapter = KazooAdapter(hosts + chroot)
        client = rs.ZkClient(adapter)
        m = rs.ZkMirror(client, BZID, tce_shard_id, num_tce_shard, LOCAL_HOST)
        m.start(False)
        try:
            zk_ops.settle(adapter.client)
            results = zk_ops.run_ops(ops, lambda n, a: _rs_call(m, client, n, a), zk_ops.rs_error,
                                     lambda: zk_ops.settle(adapter.client), rs_plain)
            return norm({"results": results, "tree": [list(x) for x in dump_tree(hosts, chroot)]})
        finally:
            m.stop()
            adapter.client.close()


def decoded(value):
    """post= hook of the *_decoded case (both sides): JSON payloads (tree node bytes, event data) parsed,
    so that the byte-format divergence recorded by the byte-exact case does not hide other differences."""
    def walk(v):
        if isinstance(v, (bytes, str)) and v[:1] in (b"{", "{"):
            try:
                return ["json", norm(json.loads(v))]
            except ValueError:
                return v
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(x) for x in v]
        return v
    return walk(value)
