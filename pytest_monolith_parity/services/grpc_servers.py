"""Live gRPC servers for protocol parity cases: one Python reference server and one Rust server per scenario.

A live-protocol case sends the *same* request, through the *same* Python
gRPC stub, to a server of each side and compares the responses
(``compare.proto(<response type>)``).  This module starts those servers on
free ``127.0.0.1`` ports, lazily, once per process and scenario, and stops
them at exit:

    port = grpc_servers.shared("agent/python/watcher", lambda: start_python(...))

* ``shared(key, start)`` runs ``start() -> Handle`` the first time ``key`` is
  asked for in this process and returns the same handle afterwards; every
  handle's ``stop`` runs at interpreter exit (``atexit``), in reverse start
  order.  A start that fails raises every time it is asked again (with the
  first error), so one broken server cannot start half-way twice.
* ``fresh(start)`` is the per-call variant for servers whose state drifts
  with time (the fake TF Serving loads a new model version every 30 s): the
  caller stops it when done, and ``atexit`` stops it if the caller could not.
* ``call(target, stub_class, method, request, timeout)`` opens a channel,
  waits for it to be ready, makes the unary call, and returns the response;
  a non-OK status is raised as :class:`GrpcStatus` subclass named after the
  status code (``GrpcStatus_UNIMPLEMENTED``), with the details as message,
  so two sides failing with the same code are an *error agreement* and
  different codes are a difference.

Servers bind ``127.0.0.1`` only.  Below the generic part: the starters of the
AgentService pair (``agent_service(side, replicas)``, shared per scenario; used by
``cases/agent_service/agent_service.py`` and the ``agent_client`` cases of ``cli.py``),
the fake TF Serving pair (``start_python_fake_tfserving`` / ``start_rust_fake_tfserving``,
used with ``fresh``), and ``rust_stub_call``, the Rust-side runner of such cases.
"""

from __future__ import annotations

import atexit
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
READY_TIMEOUT = 20.0


def free_port(host: str = HOST) -> int:
    """A TCP port that was free on ``host`` a moment ago (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class Handle:
    """A running server: where it listens and how to stop it."""

    port: int
    stop: Callable[[], Any]
    host: str = HOST
    info: dict = field(default_factory=dict)
    _stopped: bool = False

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    def close(self) -> None:
        if not self._stopped:
            self._stopped = True
            self.stop()


_LOCK = threading.RLock()
_SHARED: dict[str, Handle | BaseException] = {}
_LIVE: list[Handle] = []


def _register(handle: Handle) -> Handle:
    with _LOCK:
        _LIVE.append(handle)
    return handle


def shared(key: str, start: Callable[[], Handle]) -> Handle:
    """The server for ``key`` in this process, started by ``start()`` on first use."""
    with _LOCK:
        known = _SHARED.get(key)
        if isinstance(known, Handle):
            return known
        if isinstance(known, BaseException):
            raise RuntimeError(f"the {key} server failed to start earlier: {type(known).__name__}: {known}") \
                from known
        try:
            handle = start()
        except BaseException as error:
            _SHARED[key] = error
            raise
        _SHARED[key] = _register(handle)
        return handle


def fresh(start: Callable[[], Handle]) -> Handle:
    """A new server for one call; close it when done (``atexit`` closes it otherwise)."""
    return _register(start())


def stop_all() -> None:
    """Stop every server this process started (runs at exit; tests may call it)."""
    with _LOCK:
        handles, _LIVE[:] = list(reversed(_LIVE)), []
        _SHARED.clear()
    for handle in handles:
        try:
            handle.close()
        except Exception:  # noqa: BLE001 - at exit, one failing stop must not keep the others running
            pass


atexit.register(stop_all)


class GrpcStatus(Exception):
    """A non-OK gRPC status; the subclass name carries the code (``GrpcStatus_NOT_FOUND``)."""

    code: str = "UNKNOWN"


_STATUS_TYPES: dict[str, type[GrpcStatus]] = {}


def status_error(code: str, details: str) -> GrpcStatus:
    with _LOCK:
        kind = _STATUS_TYPES.get(code)
        if kind is None:
            kind = type(f"GrpcStatus_{code}", (GrpcStatus,), {"code": code})
            _STATUS_TYPES[code] = kind
    return kind(details)


def wait_ready(target: str, timeout: float = READY_TIMEOUT) -> None:
    import grpc

    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=timeout)


def call(target: str, stub_class: type, method: str, request: Any, timeout: float = 10.0) -> Any:
    """One unary call through ``stub_class`` (the reference's generated stub) to ``target``."""
    import grpc

    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=READY_TIMEOUT)
        stub = stub_class(channel)
        try:
            return getattr(stub, method)(request, timeout=timeout)
        except grpc.RpcError as error:
            code = error.code()
            raise status_error(code.name if code is not None else "UNKNOWN", error.details() or "") from None


# ------------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------------
# The Rust side of a live-protocol case

def rust_stub_call(function: Callable[..., Any], needs: str, *, post: Callable[[Any], Any] | None = None):
    """The Rust side of a live-protocol case: ``function(*args)`` in-process, as side ``rust``.

    ``function`` starts (or reuses) the Rust server through ``monolith_parity_rs`` and sends the
    request through the reference's Python stub.  ``needs`` is the extension function that starts
    the server: at collection it is checked like ``pyo3(needs)`` (a missing extension or wrapper
    fails collection with the build command, not every example as *rust raised*).
    """
    from ..runners.base import call_in_process
    from ..runners.rust_side import Pyo3Call

    class RustStubCall(Pyo3Call):
        def run(self, args, context):
            return self.finish(call_in_process(self.side, function, self.adapt_args(args)))

        def describe(self) -> str:
            return f"rust server via {needs} + python stub {getattr(function, '__name__', '?')}"

    return RustStubCall(needs, post=post).for_side("rust")
