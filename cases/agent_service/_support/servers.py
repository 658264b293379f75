"""The server pairs of the agent_service live-protocol cases: the reference's and the port's.

Each starter returns a :class:`~pytest_monolith_parity.services.grpc_servers.Handle`;
``agent_service(side, replicas)`` is shared per scenario (``grpc_servers.shared``),
the fake TF Serving pair is started ``fresh`` per call by its cases.  Used by
``agent_service.py``, ``mocked_tfserving.py`` and the ``agent_client`` cases of ``cli.py``.

Both go through the harness's health protocol (services/health.py): a shared server is
checked on every ``agent_service(...)`` call and restarted (on a new port) if it died
between cases; one that dies while a case uses it, or a fresh one found dead when
the case closes it, makes that case a harness error naming the server.  So callers
take ``handle.target`` from each call and always close fresh servers with ``handle.close()``.
"""

from __future__ import annotations

from pytest_monolith_parity.services.grpc_servers import HOST, Handle, shared, wait_ready

# AgentService (monolith/agent_service/agent_service.py vs monolith-serving grpc_agent.rs)
#
# A scenario is a tuple of replicas ``(server_type, task, replica, address)``, e.g.
# ``("ps", 1, 0, "10.0.0.3:9000")``: "this replica of task 1 of the PS is AVAILABLE at that address".
#
# * Python: the reference's own v1 wiring, as in agent_service_test.py: the replicas written as
#   ``ReplicaMeta`` JSON at ``<path_prefix>/<server_type>:<task>/<replica>`` of the reference's
#   ``FakeKazooClient``, a ``ReplicaWatcher`` watching them, and ``AgentServiceImpl(watcher)``
#   served by a grpc server.  ``AgentService.__init__`` does exactly this but binds ``[::]``; here
#   the same servicer is added to a server bound to 127.0.0.1 only.
# * Rust: ``AgentServiceRealImpl`` with ``register_replica(server_type, address)`` for each
#   replica in order, served by ``AgentGrpcServer::serve`` (``monolith_parity_rs``).  The Rust
#   registry has no task or replica dimension (and no replica state): that is part of what the
#   cases compare, not something this helper hides.

AGENT_BZID = "parity"
AGENT_MODEL = "parity_model"


def _rust_module():
    import importlib

    return importlib.import_module("monolith_parity_rs")


def start_python_agent_service(replicas: tuple) -> Handle:
    from concurrent import futures

    import grpc
    from monolith.agent_service import utils
    from monolith.agent_service.agent_service import AgentServiceImpl
    from monolith.agent_service.agent_service_pb2_grpc import add_AgentServiceServicer_to_server
    from monolith.agent_service.data_def import ModelState, ReplicaMeta
    from monolith.agent_service.mocked_zkclient import FakeKazooClient
    from monolith.agent_service.replica_manager import ReplicaWatcher

    zk = FakeKazooClient()
    zk.start()
    conf = utils.AgentConfig(bzid=AGENT_BZID, base_name=AGENT_MODEL, deploy_type="ps", num_ps=2, dc_aware=False)
    for server_type, task, replica, address in replicas:
        meta = ReplicaMeta(address=address, stat=ModelState.AVAILABLE)
        zk.create(path=f"{conf.path_prefix}/{server_type}:{task}/{replica}", value=meta.to_json().encode(),
                  ephemeral=True, makepath=True)
    watcher = ReplicaWatcher(zk, conf)
    watcher.watch_data()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    add_AgentServiceServicer_to_server(AgentServiceImpl(watcher), server)
    port = server.add_insecure_port(f"{HOST}:0")
    server.start()

    def stop() -> None:
        server.stop(grace=None)
        watcher._has_stop = True  # its poll thread sleeps 60 s between rounds and is a daemon: do not join it

    handle = Handle(port=port, stop=stop, info={"replicas": replicas})
    wait_ready(handle.target)
    return handle


def start_rust_agent_service(replicas: tuple) -> Handle:
    from monolith.agent_service.agent_service_pb2 import ServerType

    rs = _rust_module()
    registrations = [(ServerType.Value(server_type.upper()), address) for server_type, _, _, address in replicas]
    port = rs.agent_grpc_server_start(registrations, HOST, 0)
    handle = Handle(port=port, stop=lambda: rs.agent_grpc_server_stop(port), info={"replicas": replicas})
    wait_ready(handle.target)
    return handle


def agent_service(side: str, replicas: tuple) -> Handle:
    """The shared AgentService server of ``side`` ("python" or "rust") for this scenario."""
    start = start_python_agent_service if side == "python" else start_rust_agent_service
    return shared(f"agent_service/{side}/{replicas!r}", lambda: start(replicas))


# ------------------------------------------------------------------------------------------------
# Fake TF Serving (monolith/agent_service/mocked_tfserving.py vs monolith-serving mocked_tfserving.rs)
#
# Both model managers load, then move each version START -> LOADING -> AVAILABLE through an event
# queue, and every 30 s add a new version of a random model: a server's answers depend on its age.
# So these are ``fresh`` per call, and ``settle`` waits (the same way on both sides) until the
# served status stops changing before the request under test is sent.

def start_python_fake_tfserving(model_server_config: bytes) -> Handle:
    """``FakeTFServing(model_config_file=<ModelServerConfig>)``, bound to 127.0.0.1.

    ``FakeTFServing.__init__`` binds ``[::]:port`` and ``start()`` blocks in
    ``wait_for_termination``; this builds the same parts (its ``ModelMgr`` over the config's
    ``model_config_list``, ``ModelServiceImpl`` and ``PredictionServiceImpl`` on one grpc
    server) on 127.0.0.1 and starts them the way ``start()`` does (model manager, then server).
    """
    from concurrent import futures

    import grpc
    from monolith.agent_service import mocked_tfserving as mt
    from tensorflow_serving.config import model_server_config_pb2

    msc = model_server_config_pb2.ModelServerConfig.FromString(model_server_config)
    manager = mt.ModelMgr(msc.model_config_list.config)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    mt.add_ModelServiceServicer_to_server(mt.ModelServiceImpl(manager), server)
    mt.add_PredictionServiceServicer_to_server(mt.PredictionServiceImpl(manager), server)
    port = server.add_insecure_port(f"{HOST}:0")
    manager.start()
    server.start()

    def stop() -> None:
        server.stop(grace=None)
        manager.stop()

    handle = Handle(port=port, stop=stop)
    wait_ready(handle.target)
    return handle


def start_rust_fake_tfserving(model_server_config: bytes) -> Handle:
    rs = _rust_module()
    port = rs.fake_tfserving_start_with_config(model_server_config, HOST, 0)
    handle = Handle(port=port, stop=lambda: rs.fake_tfserving_stop(port))
    wait_ready(handle.target)
    return handle
