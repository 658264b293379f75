"""ZKBackend sequence drivers shared by cases/agent_service/{backends,agent_controller}.py (see zk_ops)."""

from . import zk_ops

BZID = "bz"


# ---------------------------------------------------------------------------------------------- Python side
def _py_call(bd, log, name, args):
    from monolith.agent_service.backends import (Container, ContainerServiceInfo, SavedModel,
                                                 SavedModelDeployConfig)
    if name == "decl_saved_model":
        return bd.decl_saved_model(SavedModel(*args[0]), SavedModelDeployConfig(**args[1]))
    if name in ("add_to_layout", "remove_from_layout"):
        return getattr(bd, name)(args[0], SavedModel(*args[1]))
    if name == "report_service_info":
        return bd.report_service_info(Container(*args[0]), ContainerServiceInfo(**args[1]))
    if name == "get_service_info":
        return bd.get_service_info(Container(*args[0]))
    if name == "sync_available_saved_models":
        return bd.sync_available_saved_models(Container(*args[0]), {SavedModel(*s) for s in args[1]})
    if name == "register_layout_callback":
        def callback(saved_models):
            log.append(zk_ops.plain(saved_models))
            return True
        return bd.register_layout_callback(args[0], callback)
    if name == "set_lost":
        return bd._is_lost.set()
    if name == "map_model_to_layout":
        from monolith.agent_service.agent_controller import map_model_to_layout
        return map_model_to_layout(bd, *args)
    if name == "zk_ensure_path":
        bd._zk.ensure_path(args[0])  # kazoo returns True/the path; the raw op's value is not under test
        return None
    return getattr(bd, name)(*args)


def _py_run(bd, ops, after, dump):
    log = []
    results = zk_ops.run_ops(ops, lambda n, a: _py_call(bd, log, n, a), zk_ops.py_error, after)
    return {"results": results, "callbacks": log, "tree": dump()}


def py_real(ops):
    from monolith.agent_service.backends import ZKBackend
    from pytest_monolith_parity.services.zookeeper import dump_tree
    hosts, chroot = zk_ops.fresh("backends-py")
    bd = ZKBackend(BZID, hosts + chroot)
    bd.start()
    try:
        return _py_run(bd, ops, lambda: zk_ops.settle(bd._zk), lambda: dump_tree(hosts, chroot))
    finally:
        bd.stop()
        bd._zk.close()


def py_fake(ops):
    from monolith.agent_service.backends import ZKBackend
    from monolith.agent_service.mocked_zkclient import FakeKazooClient
    bd = ZKBackend(BZID, "127.0.0.1:1")  # never connected: the fake replaces it, as backends_test.py does
    bd._zk = FakeKazooClient()
    bd.start()
    try:
        return _py_run(bd, ops, lambda: None, lambda: zk_ops.py_fake_dump(bd._zk))
    finally:
        bd.stop()


# ---------------------------------------------------------------------------------------------- Rust side
def _rs_call(bd, client, log, name, args):
    args = zk_ops.tuples(args)  # PyO3 takes pairs as tuples
    if name == "register_layout_callback":
        def callback(saved_models):
            log.append(zk_ops.rs_plain(saved_models))
            return True
        return bd.register_layout_callback(args[0], callback)
    if name == "set_lost":
        return bd.set_lost_for_test(True)
    if name == "map_model_to_layout":
        return bd.map_model_to_layout(*args)
    if name == "zk_ensure_path":
        client.ensure_path(args[0])
        return None
    return getattr(bd, name)(*args)


def _rs_run(bd, client, ops, after, dump):
    log = []
    results = zk_ops.run_ops(ops, lambda n, a: _rs_call(bd, client, log, n, a), zk_ops.rs_error, after,
                             zk_ops.rs_plain)
    return {"results": results, "callbacks": log, "tree": dump()}


def rs_real(ops):
    import monolith_parity_rs as rs
    from pytest_monolith_parity.services.kazoo_adapter import KazooAdapter
    from pytest_monolith_parity.services.zookeeper import dump_tree
    hosts, chroot = zk_ops.fresh("backends-rs")
    adapter = KazooAdapter(hosts + chroot)
    client = rs.ZkClient(adapter)
    bd = rs.ZkBackend(BZID, client)
    bd.start()
    try:
        return _rs_run(bd, client, ops, lambda: zk_ops.settle(adapter.client), lambda: dump_tree(hosts, chroot))
    finally:
        bd.stop()
        adapter.client.close()


def rs_fake(ops):
    import monolith_parity_rs as rs
    client = rs.ZkClient.fake()
    bd = rs.ZkBackend(BZID, client)
    bd.start()
    try:
        return _rs_run(bd, client, ops, lambda: None, lambda: zk_ops.rs_fake_dump(client))
    finally:
        bd.stop()


def decoded(value):
    """post= hook of the *_decoded cases, applied identically to both sides: JSON payloads (tree node
    bytes, bzid_info's deploy_config/service_info strings) parsed.  These cases exist IN ADDITION to the
    byte-exact ones, whose recorded payload-format divergence would otherwise hide any other difference
    of the same sequence behind its first diff line."""
    import json

    def walk(v):
        if isinstance(v, (bytes, str)) and v[:1] in (b"{", "{"):
            try:
                return ["json", json.loads(v)]
            except ValueError:
                return v
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(walk(x) for x in v)
        return v
    return walk(value)


