"""Proto compilation: every .proto once per content, cached, atomic, importable."""

import json
import subprocess
import sys
import importlib

import pytest

import grpc_tools  # noqa: E402,F401 - part of the test extra: a missing install must fail, not skip

from pytest_monolith_parity.reference import protos  # noqa: E402
from pytest_monolith_parity.reference.checkout import Checkout  # noqa: E402


def test_compiles_messages_and_services_into_a_content_keyed_directory(fake_root, tmp_path):
    build = protos.build(Checkout.open(fake_root), tmp_path / "cache")
    assert build.compiled
    assert build.directory.parent == tmp_path / "cache" and build.directory.name == build.key
    python = build.python_dir
    assert (python / "monolith/agent_service/parity_fake_svc_pb2.py").is_file()
    assert (python / "monolith/agent_service/parity_fake_svc_pb2_grpc.py").is_file()  # it has a service
    assert (python / "idl/matrix/proto/parity_fake_line_pb2.py").is_file()
    assert not (python / "idl/matrix/proto/parity_fake_line_pb2_grpc.py").exists()  # no service, no stub file
    assert "monolith.agent_service.parity_fake_svc_pb2_grpc" in build.modules
    manifest = json.loads((build.directory / protos.MANIFEST).read_text())
    assert manifest["protos"] == Checkout.open(fake_root).proto_files()
    # TF Serving protos the wheel lacks come from the serving proto path, in their own tree.
    assert "tensorflow_serving.config.platform_config_pb2" in build.serving_modules
    assert build.serving_file("tensorflow_serving.config.platform_config_pb2").is_file()
    assert not list(tmp_path.joinpath("cache").glob(".*"))  # no temp directory left behind


def test_second_build_reuses_the_cache(fake_root, tmp_path):
    checkout = Checkout.open(fake_root)
    first = protos.build(checkout, tmp_path)
    runs = protos.PROTOC_RUNS
    stamp = (first.directory / protos.MANIFEST).stat().st_mtime_ns
    second = protos.build(checkout, tmp_path)
    assert not second.compiled and second.directory == first.directory
    assert protos.PROTOC_RUNS == runs
    assert (first.directory / protos.MANIFEST).stat().st_mtime_ns == stamp


def test_a_changed_proto_gets_a_new_key(fresh_root, tmp_path):
    checkout = Checkout.open(fresh_root)
    before = protos.build(checkout, tmp_path)
    proto = fresh_root / "idl/matrix/proto/parity_fake_line.proto"
    proto.write_text(proto.read_text().replace("optional uint64 id = 1;", "optional uint64 id = 1; optional int32 n = 2;"))
    after = protos.build(checkout, tmp_path)
    assert after.compiled and after.key != before.key


def test_cache_root_comes_from_the_environment(fake_root, tmp_path, monkeypatch):
    monkeypatch.setenv(protos.CACHE_ENV, str(tmp_path / "env-cache"))
    assert protos.build(Checkout.open(fake_root)).directory.parent == tmp_path / "env-cache"


def test_racing_processes_compile_once(fake_root, tmp_path):
    script = ("import json, sys; from pytest_monolith_parity.reference import protos, checkout; "
              "b = protos.build(checkout.Checkout.open(sys.argv[1]), sys.argv[2]); "
              "print(json.dumps([b.compiled, str(b.directory)]))")
    racers = [subprocess.Popen([sys.executable, "-c", script, str(fake_root), str(tmp_path)], stdout=subprocess.PIPE,
                               text=True) for _ in range(3)]
    answers = [json.loads(p.communicate(timeout=120)[0]) for p in racers]
    assert sorted(compiled for compiled, _ in answers) == [False, False, True]
    assert len({directory for _, directory in answers}) == 1


def test_a_broken_proto_reports_protoc_errors(fresh_root, tmp_path):
    (fresh_root / "idl/matrix/proto/broken.proto").write_text('syntax = "proto3"; message { }')
    cache = tmp_path / "cache"
    with pytest.raises(protos.ProtoCompileError, match="broken.proto"):
        protos.build(Checkout.open(fresh_root), cache)
    assert not [p for p in cache.iterdir() if p.is_dir()]  # the failed build left nothing behind


def test_generated_modules_import_once_installed(fake_root, proto_cache):
    build = protos.build(Checkout.open(fake_root), proto_cache)
    protos.install(build)
    try:
        line = importlib.import_module("idl.matrix.proto.parity_fake_line_pb2")
        assert line.Line(id=2**64 - 1).SerializeToString() == b"\x08" + b"\xff" * 9 + b"\x01"
    finally:
        protos.uninstall(build)
        for name in [n for n in sys.modules if n == "idl" or n.startswith("idl.")]:
            del sys.modules[name]
