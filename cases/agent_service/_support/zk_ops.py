"""Sequence drivers for the ZooKeeper-backed agent_service parity cases (cases/agent_service/*.py).

Each case runs ONE sequence of operations on each side:

* against a REAL ZooKeeper server (pytest_monolith_parity.services.zookeeper):
  each side in its own fresh chroot of the same per-process server; the Python
  reference through its own ``MonolithKazooClient``, the Rust port through
  ``monolith_parity_rs.ZkClient(KazooAdapter(...))`` (kazoo under monolith-rs's
  ``ZkClient`` trait, see rust_bindings/src/agent_service/zk_client.rs);
* against each side's own FAKE client (``mocked_zkclient.FakeKazooClient`` vs
  monolith-serving's ``FakeKazooClient``).

After every operation the driver waits until the side's kazoo client has run
all queued watch callbacks (``kazoo_adapter.settle``): ZooKeeper delivers a
session's watch notifications before the reply to the write that caused them,
so the observed state is deterministic.  The value of a run is
``{"results": [...one entry per op...], "tree": dump_tree(...)}`` (plus the
layout callback log where used), the tree dumped while the side's session is
still open (ephemeral nodes visible) with paths relative to the chroot, so the
chroot's random name never reaches a result or a golden.  Results hold no
session ids or timestamps.

Errors are recorded, not raised, so a sequence goes on: ``["error", name]``.
The Python side's kazoo exception names are written in the Rust binding's
vocabulary (``NoNodeError`` -> ``ZkError:NoNode``, ...) by ``py_error`` -- the
per-op equivalent of a case's ``errors=`` map; anything unmapped keeps its
Python name and so cannot match a Rust error by accident.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

PY_ERRORS = {
    "NoNodeError": "ZkError:NoNode",
    "NodeExistsError": "ZkError:NodeExists",
    "NotEmptyError": "ZkError:NotEmpty",
}


def py_error(e: BaseException) -> list:
    name = type(e).__name__
    return ["error", PY_ERRORS.get(name, name)]


def rs_error(e: BaseException) -> list:
    kind = getattr(e, "kind", None)
    name = type(e).__name__
    return ["error", f"{name}:{kind}" if kind else name]


def plain(value: Any) -> Any:
    """Dataclasses -> dicts (field order kept), SavedModel/Container -> pairs, tuples -> lists."""
    from monolith.agent_service import backends as b
    if isinstance(value, (b.SavedModel,)):
        return [value.model_name, value.sub_graph]
    if isinstance(value, b.Container):
        return [value.ctx_cluster, value.ctx_id]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    return value


def rs_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: rs_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rs_plain(v) for v in value]
    return value


def server():
    """The shared real ZooKeeper server, through the harness's health protocol (services/health.py).

    Each call checks the server (restarted if it died since the last case) and marks
    it as used by the running case: if it dies while the case runs, the case is a
    harness error naming the server, never a verdict about either side.  Not
    installed here (a static reason): *reference unavailable*.  Take ``hosts`` from
    the returned server on every call; a restarted server keeps its port only when it is still free.
    """
    from pytest_monolith_parity.services import zookeeper as zk
    try:
        return zk.shared_server()
    except zk.ZooKeeperUnavailable as e:  # not installed; a failure to start is a ServiceFailure instead
        from pytest_monolith_parity import ReferenceUnavailable
        raise ReferenceUnavailable(str(e)) from e


def fresh(prefix: str) -> tuple[str, str]:
    """(hosts without chroot, chroot) of a new chroot on the shared server (see :func:`server`)."""
    from pytest_monolith_parity.services import zookeeper as zk
    srv = server()
    return srv.hosts, zk.fresh_chroot(prefix, srv.hosts)


def settle(kazoo_client) -> None:
    from pytest_monolith_parity.services.kazoo_adapter import settle as _settle
    _settle(kazoo_client)


def run_ops(ops, call: Callable[[str, tuple], Any], on_error: Callable[[BaseException], list],
            after: Callable[[], None] = lambda: None, to_plain: Callable[[Any], Any] = plain) -> list:
    results = []
    for op in ops:
        name, args = op[0], tuple(op[1:])
        try:
            results.append(["ok", to_plain(call(name, args))])
        except Exception as e:  # noqa: BLE001 -- recorded and compared, the contract includes errors
            results.append(on_error(e))
        after()
    return results


RAW_OPS = frozenset({"zk_create", "zk_set", "zk_delete"})


def raw_op(zk: Any, name: str, args: tuple) -> None:
    """A change the test writes itself (as another process would), through ``zk``: a kazoo client or the
    kazoo-backed Rust client, which take the same keywords -- so both sides get exactly the same writes."""
    if name == "zk_create":
        zk.create(args[0], args[1], ephemeral=args[2], makepath=True)
    elif name == "zk_set":
        zk.set(args[0], args[1])
    elif name == "zk_delete":
        zk.delete(args[0], recursive=True)
    else:
        raise ValueError(f"not a raw ZooKeeper operation: {name!r} (one of {sorted(RAW_OPS)})")


def py_fake_dump(client, root: str = "/") -> list:
    """Every node below ``root`` of a Python fake client (``mocked_zkclient.FakeKazooClient``):
    sorted ``(path, data)``.  The fake has no sessions (its ``ephemeralOwner`` is always 0) and the
    Rust fake's trait has no way to read the flag, so fake trees carry no ephemeral flag."""
    out, stack = [], [root]
    while stack:
        path = stack.pop()
        for name in client.get_children(path):
            child = f"{path.rstrip('/')}/{name}"
            out.append((child, bytes(client.get(child)[0] or b"")))
            stack.append(child)
    return sorted(out)


def rs_fake_dump(client, root: str = "/") -> list:
    """The same for ``monolith_parity_rs.ZkClient.fake()`` (through the ``ZkClient`` trait)."""
    return [tuple(x) for x in client.dump(root)]


def tuples(value: Any) -> Any:
    """Lists -> tuples, recursively (dicts kept): PyO3 extracts ``(str, str)`` pairs from tuples only."""
    if isinstance(value, (list, tuple)):
        return tuple(tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: tuples(v) if isinstance(v, (list, tuple)) else v for k, v in value.items()}
    return value
