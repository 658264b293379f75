"""The reference environment: monolith imports without its heavy __init__, and every shim works (one test each)."""

import importlib
import sys
import types
from pathlib import Path

import pytest

import grpc_tools  # noqa: E402,F401 - in the test extra: a missing install must fail, not skip

from pytest_monolith_parity.reference import bootstrap  # noqa: E402
from pytest_monolith_parity.outcomes import ReferenceUnavailable  # noqa: E402

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference-environment.md"


@pytest.fixture()
def env(fake_root, proto_cache):
    return bootstrap.activate(fake_root, proto_cache)


def test_monolith_imports_without_running_the_heavy_init(env):
    hyper = importlib.import_module("monolith.core.hyper")
    assert hyper.add(2, 3) == 5
    monolith = sys.modules["monolith"]
    assert monolith.__path__ == [str(env.checkout.monolith_dir), str(env.protos.python_dir / "monolith")]
    assert "TRAINING_STACK" not in vars(monolith)


def test_a_deferred_init_runs_when_a_name_it_defines_is_used(env):
    importlib.import_module("monolith.pkg.impl")
    package = sys.modules["monolith.pkg"]
    assert "VALUE" not in vars(package)  # importing a submodule did not run pkg/__init__.py
    from monolith.pkg import VALUE, Thing

    assert VALUE == 42 and Thing is sys.modules["monolith.pkg.impl"].Thing
    assert env.deferred["monolith.pkg"] == "done"


def test_the_heavy_init_still_fails_when_its_names_are_used(env):
    import monolith

    with pytest.raises(RuntimeError, match="heavy monolith/__init__.py was executed"):
        monolith.TRAINING_STACK  # noqa: B018
    with pytest.raises(RuntimeError):  # and keeps failing the same way
        env.run_deferred_init("monolith")


def test_a_missing_module_is_not_blamed_on_the_init(env):
    with pytest.raises(ModuleNotFoundError, match="monolith.coordinator"):
        importlib.import_module("monolith.native_training.missing_internal")
    assert "monolith" not in env.deferred


def test_generated_protos_import_with_services(env):
    svc = importlib.import_module("monolith.agent_service.parity_fake_svc_pb2")
    grpc_stubs = importlib.import_module("monolith.agent_service.parity_fake_svc_pb2_grpc")
    message = svc.Ping(text="hi")
    message.line.id = 7
    assert svc.Ping.FromString(message.SerializeToString()).line.id == 7
    assert hasattr(grpc_stubs, "EchoStub")


def test_custom_op_stand_in_imports_and_raises_on_use(env):
    hash_ops = importlib.import_module("monolith.native_training.hash_ops")
    with pytest.raises(ReferenceUnavailable,
                       match=r"^custom op hash_table_lookup is not built: no kernel manifest is configured "
                             r"\(kernels_manifest / MONOLITH_PARITY_KERNELS; python -m pytest_monolith_parity "
                             r"build-ops builds the declared kernels\)$"):
        hash_ops.lookup(1)
    ops = importlib.import_module("monolith.native_training.runtime.ops.gen_monolith_ops")
    assert isinstance(ops, bootstrap.StandInModule)
    with pytest.raises(ReferenceUnavailable, match="custom op SomeKernel"):
        class Sub(ops.SomeKernel):  # noqa: F841 - subclassing an op class is a use too
            pass
    with pytest.raises(ReferenceUnavailable, match="custom op nested"):
        ops.nested.attribute()
    assert env.standin_accesses()["monolith.native_training.runtime.ops.gen_monolith_ops"][:1] == ["hash_table_lookup"]


def test_custom_op_base_module_is_a_stand_in(env):
    base = importlib.import_module("monolith.native_training.runtime.ops.gen_monolith_ops_base")
    with pytest.raises(ReferenceUnavailable, match="custom op anything"):
        base.anything()


def test_other_modules_loading_a_library_are_found_and_replaced(env):
    assert "monolith.native_training.other_loader" in env.standins
    other = importlib.import_module("monolith.native_training.other_loader")
    with pytest.raises(ReferenceUnavailable, match="custom op other_op"):
        other.other_op()


def test_serving_status_alias(env):
    from tensorflow_serving.util.status_pb2 import StatusProto

    target = importlib.import_module("tensorflow_serving.apis.status_pb2")
    assert StatusProto is target.StatusProto
    assert StatusProto(error_message="x").error_message == "x"


def test_serving_storage_path_alias_targets_the_moved_module(env, monkeypatch):
    name = "tensorflow_serving.sources.storage_path.file_system_storage_path_source_pb2"
    target, reason = env.aliases[name]
    assert target == "tensorflow_serving.config.file_system_storage_path_source_pb2" and "moved" in reason
    try:
        moved = importlib.import_module(target)
    except ImportError:  # the tensorflow-serving-api wheel (optional) provides it; stand one in otherwise
        moved = types.ModuleType(target)
        moved.FileSystemStoragePathSourceConfig = type("FileSystemStoragePathSourceConfig", (), {})
        monkeypatch.setitem(sys.modules, target, moved)
    monkeypatch.delitem(sys.modules, name, raising=False)
    module = importlib.import_module(name)
    assert module.FileSystemStoragePathSourceConfig is moved.FileSystemStoragePathSourceConfig


def test_serving_proto_missing_from_the_wheel_is_compiled(env):
    from tensorflow_serving.config import platform_config_pb2

    config = platform_config_pb2.PlatformConfigMap()
    config.platform_configs["tensorflow"].name = "tf"
    assert Path(platform_config_pb2.__file__).is_relative_to(env.protos.serving_dir)


def test_serving_proto_found_nowhere_is_an_unavailable_stand_in(env):
    user = importlib.import_module("monolith.agent_service.serving_user")
    with pytest.raises(ReferenceUnavailable, match="session_bundle_config.proto is not available.*"
                                                   "MONOLITH_PARITY_SERVING_PROTO_PATH"):
        user.config()


def test_serving_proto_path_is_configurable(fake_root, tmp_path):
    extra = tmp_path / "serving-protos" / "tensorflow_serving" / "servables" / "tensorflow"
    extra.mkdir(parents=True)
    (extra / "session_bundle_config.proto").write_text(
        'syntax = "proto3";\npackage tensorflow.serving;\nmessage SessionBundleConfig { string session_target = 1; }\n')
    env = bootstrap.activate(fake_root, tmp_path / "cache", [tmp_path / "serving-protos"])
    user = importlib.import_module("monolith.agent_service.serving_user")
    assert user.config().session_target == ""
    assert "tensorflow_serving.servables.tensorflow.session_bundle_config_pb2" in env.protos.serving_modules


def test_activate_is_idempotent_and_deactivate_undoes_it(fake_root, proto_cache):
    first = bootstrap.activate(fake_root, proto_cache)
    assert bootstrap.activate(fake_root, proto_cache) is first
    assert sys.meta_path.count(first.finder) == 1
    importlib.import_module("monolith.core.hyper")
    importlib.import_module("tensorflow_serving.config.platform_config_pb2")
    bootstrap.deactivate()
    assert bootstrap.current() is None
    assert first.finder not in sys.meta_path and str(first.protos.python_dir) not in sys.path
    assert not [n for n in sys.modules if n == "monolith" or n.startswith(("monolith.", "idl."))]
    assert "tensorflow_serving.config.platform_config_pb2" not in sys.modules
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("monolith.core.hyper")
    second = bootstrap.activate(fake_root, proto_cache)  # and it can come back
    assert second is not first and importlib.import_module("monolith.core.hyper").LIMIT == 3


def test_refuses_when_monolith_was_imported_some_other_way(fake_root, proto_cache, monkeypatch):
    monkeypatch.setitem(sys.modules, "monolith", type(sys)("monolith"))
    with pytest.raises(bootstrap.ReferenceEnvironmentError, match="already imported"):
        bootstrap.activate(fake_root, proto_cache)


def test_every_shim_is_described_in_the_docs(env):
    kinds = {shim.kind for shim in env.shims()}
    assert kinds >= {"deferred-init package", "custom-op stand-in", "alias", "compiled proto", "unavailable stand-in"}
    docs = DOCS.read_text()
    module_doc = bootstrap.__doc__
    for name in [*bootstrap.CUSTOM_OP_MODULES, *bootstrap.SERVING_ALIASES, *bootstrap.SERVING_PROTOS]:
        short = name.rsplit(".", 1)[-1]
        assert short in docs, f"{name} is missing from {DOCS}"
        assert short in module_doc, f"{name} is missing from the bootstrap docstring"
