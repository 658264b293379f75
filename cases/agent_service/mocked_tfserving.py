"""Live-protocol parity of monolith/agent_service/mocked_tfserving.py: the fake TF Serving gRPC server.

Python: the reference's ``ModelMgr`` + ``ModelServiceImpl`` + ``PredictionServiceImpl`` (what
``FakeTFServing(model_config_file=<ModelServerConfig>)`` builds), served on 127.0.0.1; Rust:
monolith-serving's ``FakeTfServing::start_with_configs`` (wrapper:
rust_bindings/src/agent_service/mocked_tfserving.rs).  Both get the same serialized
``ModelServerConfig`` (built with the reference's ``utils.gen_model_config``).

Both model managers move each version START -> LOADING -> AVAILABLE through an event queue and
add a new version of a random model every 30 s, so a server's answers depend on its age: each
call gets a *fresh* pair of servers (``grpc_servers.fresh``), and before the request under test
both sides are settled the same way: ``GetModelStatus`` of every configured model is polled
until every version is AVAILABLE (10 s at most; an unsettled side is compared as it is).
Requests go through the reference's generated TF Serving stubs; responses are compared with
``compare.proto(<response type>)``; a non-OK status is the error ``GrpcStatus_<CODE>``.
Responses hold no ports, pids or times: goldens are kept.
"""

from __future__ import annotations

import time

from pytest_monolith_parity import Case, compare, divergence, driver, example
from pytest_monolith_parity.services import grpc_servers as gs

from ._support import servers

COVERS = "monolith/agent_service/mocked_tfserving.py"
MODEL = "parity_model"
AVAILABLE = 30
SETTLE_SECONDS = 10.0


def _config(name: str) -> bytes:
    from monolith.agent_service.utils import gen_model_config
    from tensorflow_serving.config import model_server_config_pb2

    msc = model_server_config_pb2.ModelServerConfig()
    if name == "latest2":
        configs = [gen_model_config(MODEL, "/parity/models/parity_model", version_policy="latest", version_data=2)]
    elif name == "specific":
        configs = [gen_model_config(MODEL, "/parity/models/parity_model", version_policy="specific",
                                    version_data=[3, 1])]
    else:
        raise ValueError(name)
    msc.model_config_list.config.extend(configs)
    return msc.SerializeToString()


def _apis():
    from tensorflow_serving.apis import (get_model_metadata_pb2, get_model_status_pb2, model_management_pb2,
                                         model_service_pb2_grpc, predict_pb2, prediction_service_pb2_grpc)

    return (get_model_status_pb2, get_model_metadata_pb2, model_management_pb2, predict_pb2,
            model_service_pb2_grpc.ModelServiceStub, prediction_service_pb2_grpc.PredictionServiceStub)


def _settle(target: str, config: bytes) -> None:
    from tensorflow_serving.config import model_server_config_pb2

    status_pb2, *_, model_stub, _ = _apis()
    names = [c.name for c in model_server_config_pb2.ModelServerConfig.FromString(config).model_config_list.config]
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        settled = True
        for name in names:
            request = status_pb2.GetModelStatusRequest()
            request.model_spec.name = name
            response = gs.call(target, model_stub, "GetModelStatus", request)
            states = [s.state for s in response.model_version_status]
            settled &= bool(states) and all(s == AVAILABLE for s in states)
        if settled:
            return
        time.sleep(0.05)


def _request(method: str, *args):
    status_pb2, metadata_pb2, management_pb2, predict_pb2, model_stub, prediction_stub = _apis()
    if method == "GetModelStatus":
        name, version = args
        request = status_pb2.GetModelStatusRequest()
        request.model_spec.name = name
        if version is not None:
            request.model_spec.version.value = version
        return model_stub, request
    if method == "GetModelMetadata":
        name, fields, *version = args
        request = metadata_pb2.GetModelMetadataRequest(metadata_field=fields)
        request.model_spec.name = name
        if version:
            request.model_spec.version.value = version[0]
        return prediction_stub, request
    if method == "HandleReloadConfigRequest":
        (config,) = args
        request = management_pb2.ReloadConfigRequest()
        request.config.ParseFromString(_config(config))
        return model_stub, request
    if method == "Predict":
        request = predict_pb2.PredictRequest()
        request.model_spec.name = args[0]
        return prediction_stub, request
    raise ValueError(method)


def _caller(side: str, method: str):
    start = servers.start_python_fake_tfserving if side == "python" else servers.start_rust_fake_tfserving

    def call(config: str, *args) -> bytes:
        config_bytes = _config(config)
        handle = gs.fresh(lambda: start(config_bytes))
        try:
            _settle(handle.target, config_bytes)
            stub, request = _request(method, *args)
            return gs.call(handle.target, stub, method, request).SerializeToString()
        finally:
            handle.close()

    call.__name__ = f"{side}_{method}"
    return call


def _type(module_index: int, name: str):
    return getattr(_apis()[module_index], name)


def tfs_case(method: str, response, examples: list, **kwargs) -> None:
    Case(id=method, covers=COVERS,
         python=_caller("python", method),
         rust=driver(_caller("rust", method), needs="fake_tfserving_start_with_config"),
         examples=examples, compare=compare.proto(response), **kwargs)


tfs_case("GetModelStatus", _type(0, "GetModelStatusResponse"), [
    example("latest2", MODEL, None, id="all_versions"),
    example("latest2", MODEL, 2, id="version_2"),
    example("latest2", MODEL, 7, id="unknown_version"),
    example("latest2", "missing", None, id="unknown_model"),
    example("specific", MODEL, None, id="specific_versions"),
])

RUST_METADATA = ("Rust ModelMgr::get_metadata answers only 'base_path', 'num_versions' and 'signature_name' "
                 "(mocked_tfserving.rs), each as format!(\"{v:?}\") of a String; Python answers every ModelConf "
                 "attribute (and ModelVersion attributes when model_spec.version is set) as repr(v)")

tfs_case("GetModelMetadata", _type(1, "GetModelMetadataResponse"), [
    example("latest2", MODEL, ["base_path"], id="base_path", expect=divergence(
        "base_path quoting: Python repr() gives b\"'/parity/models/parity_model'\", Rust Debug gives "
        "b'\"/parity/models/parity_model\"'. " + RUST_METADATA,
        outcome="mismatch", message='metadata["base_path"].value: bytes differ at offset 0')),
    example("latest2", MODEL, ["version_policy", "version_data", "model_platform"], id="other_conf_fields",
            expect=divergence("model_platform, version_data, version_policy are missing on Rust. " + RUST_METADATA,
                              outcome="mismatch", message='metadata["model_platform"]: missing in actual')),
    example("latest2", MODEL, ["signature_name"], id="signature_name", expect=divergence(
        "signature_name: Python repr() of the tuple, b\"('update', 'predict')\"; Rust Debug-formats the Debug "
        "string of a Vec again (its quotes escaped). " + RUST_METADATA,
        outcome="mismatch", message='metadata["signature_name"].value: bytes differ at offset 0')),
    example("latest2", MODEL, ["num_versions"], id="num_versions", expect=divergence(
        "num_versions is not a ModelConf attribute (Python answers nothing); Rust answers it. " + RUST_METADATA,
        outcome="mismatch", message='metadata["num_versions"]: unexpected in actual')),
    example("latest2", MODEL, ["version", "state"], 2, id="version_fields", expect=divergence(
        "with model_spec.version set Python adds the ModelVersion's version and state; Rust ignores "
        "version-specific fields. " + RUST_METADATA,
        outcome="mismatch", message='metadata["state"]: missing in actual')),
    example("latest2", MODEL, ["no_such_field"], id="unknown_field"),
    example("latest2", MODEL, [], id="no_fields"),
    example("latest2", "missing", ["base_path"], id="unknown_model", expect=divergence(
        "unknown model: Python get_metadata does self._models[name] -> KeyError -> status UNKNOWN "
        "\"Exception calling application: 'missing'\"; Rust returns the model_spec with no metadata",
        outcome="python raised", message="GrpcStatus_UNKNOWN: Exception calling application: 'missing'")),
])

tfs_case("HandleReloadConfigRequest", _type(2, "ReloadConfigResponse"), [
    example("latest2", "specific", id="same_model"),
])

tfs_case("Predict", _type(3, "PredictResponse"), [
    example("latest2", MODEL, id="any", expect=divergence(
        "Python PredictionServiceImpl.Predict is `pass` (returns None): grpc answers INTERNAL 'Failed to serialize "
        "response!'; Rust answers UNIMPLEMENTED 'Predict is not implemented in FakeTFServing'",
        outcome="different errors", message="both raised, but python raised GrpcStatus_INTERNAL: Failed to serialize")),
])
