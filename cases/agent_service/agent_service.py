"""Live-protocol parity of monolith/agent_service/agent_service.py: the AgentService gRPC server.

Both servers run in this process on free 127.0.0.1 ports, started lazily once per scenario and
stopped at exit (``_support/servers.py`` over ``pytest_monolith_parity.services.grpc_servers``):

* Python: ``AgentServiceImpl(ReplicaWatcher)`` (agent v1, the wiring of agent_service_test.py)
  over the reference's ``FakeKazooClient`` holding one AVAILABLE ``ReplicaMeta`` per replica at
  ``/parity/service/parity_model/<server_type>:<task>/<replica>``;
* Rust: monolith-serving's ``AgentServiceRealImpl`` (grpc_agent.rs) with
  ``register_replica(server_type, address)`` for the same replicas, served by
  ``AgentGrpcServer::serve`` (wrapper: rust_bindings/src/agent_service/grpc_server.rs).

Every request goes through the reference's generated ``AgentServiceStub`` and the serialized
response is compared with ``compare.proto(<response type>)``.  A non-OK status becomes the
error ``GrpcStatus_<CODE>`` on either side.  Scenarios are named by example arguments:
``"replicas"`` (PS tasks 0 and 1 with two replicas each, ENTRY task 0 with one) and ``"empty"``.
The responses hold only the addresses given here (no ports, pids or times): goldens are kept.
"""

from __future__ import annotations

from pytest_monolith_parity import Case, compare, divergence, driver, example
from pytest_monolith_parity.services import grpc_servers as gs

from ._support import servers

COVERS = "monolith/agent_service/agent_service.py"

SCENARIOS = {
    "replicas": (
        ("ps", 0, 0, "10.0.0.1:9000"), ("ps", 0, 1, "10.0.0.2:9000"),
        ("ps", 1, 0, "10.0.0.3:9000"), ("ps", 1, 1, "10.0.0.4:9000"),
        ("entry", 0, 0, "10.0.0.9:9100"),
    ),
    "empty": (),
}


def _pb():
    from monolith.agent_service import agent_service_pb2, agent_service_pb2_grpc

    return agent_service_pb2, agent_service_pb2_grpc


def _request(method: str, *args):
    pb, _ = _pb()
    if method == "HeartBeat":
        (server_type,) = args
        return pb.HeartBeatRequest(server_type=pb.ServerType.Value(server_type))
    if method == "GetReplicas":
        server_type, task = args
        return pb.GetReplicasRequest(server_type=pb.ServerType.Value(server_type), task=task,
                                     model_name=servers.AGENT_MODEL)
    return pb.GetResourceRequest()


def _caller(side: str, method: str):
    def call(scenario: str, *args) -> bytes:
        handle = servers.agent_service(side, SCENARIOS[scenario])
        _, pbg = _pb()
        return gs.call(handle.target, pbg.AgentServiceStub, method, _request(method, *args)).SerializeToString()

    call.__name__ = f"{side}_{method}"
    return call


def _response_type(name: str):
    """The response class (its descriptor registers the type for ``compare.proto``)."""
    pb, _ = _pb()
    return getattr(pb, name)


def agent_case(method: str, response: str, examples: list, **kwargs) -> None:
    Case(id=method, covers=COVERS,
         python=_caller("python", method),
         rust=driver(_caller("rust", method), needs="agent_grpc_server_start"),
         examples=examples, compare=compare.proto(_response_type(response)), **kwargs)


HEARTBEAT_KEYS = divergence(
    "Python v1 HeartBeat answers only the requested server type, keyed by task ('ps:0', 'ps:1'; "
    "ReplicaWatcher.get_all_replicas); Rust AgentServiceRealImpl::heart_beat ignores request.server_type, "
    "has no task dimension (register_replica(server_type, addr)) and keys by enum name ('PS', 'ENTRY')",
    outcome="mismatch", message="addresses[\"ENTRY\"]: unexpected in actual")

agent_case("HeartBeat", "HeartBeatResponse", [
    example("replicas", "PS", id="ps", expect=HEARTBEAT_KEYS),
    example("replicas", "ENTRY", id="entry", expect=HEARTBEAT_KEYS),
    example("replicas", "DENSE", id="dense_none_registered", expect=divergence(
        "no DENSE replica: Python answers an empty map; Rust returns every registered type ('PS', 'ENTRY') "
        "whatever request.server_type is", outcome="mismatch", message="addresses[\"ENTRY\"]: unexpected in actual")),
    example("empty", "PS", id="empty_registry"),
])

agent_case("GetReplicas", "GetReplicasResponse", [
    example("replicas", "PS", 0, id="ps_task0", expect=divergence(
        "Rust get_replicas ignores request.task (its registry has no task): PS task 0 answers the 4 PS "
        "addresses of tasks 0 and 1; Python (ReplicaWatcher.get_replicas) only task 0's 2",
        outcome="mismatch", message="address_list.address: length")),
    example("replicas", "PS", 1, id="ps_task1", expect=divergence(
        "Rust get_replicas ignores request.task: PS task 1 answers all 4 PS addresses; Python only task 1's 2",
        outcome="mismatch", message="address_list.address: length")),
    example("replicas", "PS", 7, id="ps_unknown_task", expect=divergence(
        "Rust get_replicas ignores request.task: a task with no replica answers all 4 PS addresses; "
        "Python answers none", outcome="mismatch", message="address_list")),
    example("replicas", "ENTRY", 0, id="entry_task0"),
    example("replicas", "DENSE", 0, id="dense_none_registered"),
    example("empty", "PS", 0, id="empty_registry"),
])

agent_case("GetResource", "GetResourceResponse", [
    example("replicas", id="v1", expect=divergence(
        "agent v1 (conf None) GetResource returns an empty GetResourceResponse(); Rust get_resource returns "
        "placeholders cpu=network=work_load=-1.0", outcome="mismatch", message="cpu:")),
])
