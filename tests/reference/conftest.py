"""A small fake monolith checkout: every situation the reference environment must handle, in a few files.

CI has no real checkout, so these tests build one in tmp_path: a heavy
``monolith/__init__.py`` that raises if executed, a package whose
``__init__`` defines names, protos with a message and a service, custom-op
modules, a module needing a missing package, one needing a service, one
that crashes, one that hangs, a ``.bzl`` file, TF Serving protos the wheel
lacks, and a tiny monolith-rs workspace with a parity plan.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_monolith_parity.reference import bootstrap

FILES = {
    "monolith/__init__.py": """
        raise RuntimeError("heavy monolith/__init__.py was executed")
        TRAINING_STACK = 1
    """,
    "monolith/core/__init__.py": "",
    "monolith/core/hyper.py": '''
        """Pure Python: imports anywhere."""
        LIMIT = 3
        _private = 1

        class Params:
            pass

        def add(a, b):
            return a + b

        async def later():
            return None
    ''',
    "monolith/core/hyper_test.py": """
        from monolith.core import hyper

        def test_add():
            assert hyper.add(1, 2) == 3
    """,
    "monolith/pkg/__init__.py": """
        from monolith.pkg.impl import Thing
        VALUE = 42
    """,
    "monolith/pkg/impl.py": """
        class Thing:
            pass
    """,
    "monolith/native_training/runtime/ops/gen_monolith_ops.py": """
        import tensorflow as tf
        from monolith.native_training.runtime.ops.gen_monolith_ops_base import *
        tf.load_library("monolith/native_training/runtime/ops/libtfkernel_monolith_ops_for_load.so")
    """,
    "monolith/native_training/hash_ops.py": """
        from monolith.native_training.runtime.ops import gen_monolith_ops

        hash_table_ops = gen_monolith_ops

        def lookup(x):
            return hash_table_ops.hash_table_lookup(x)
    """,
    "monolith/native_training/eager_op.py": """
        from monolith.native_training.runtime.ops import gen_monolith_ops

        TABLE = gen_monolith_ops.make_table(3)
    """,
    "monolith/native_training/other_loader.py": """
        import tensorflow as tf

        _lib = tf.load_op_library("libother_ops.so")
        other_op = _lib.other_op
    """,
    "monolith/native_training/needs_pkg.py": """
        import kafka_parity_fake_missing
    """,
    "monolith/native_training/missing_internal.py": """
        from monolith.coordinator.utils import token_utils
    """,
    "monolith/native_training/broken_tf.py": """
        from tensorflow.python.framework.ops import register_tensor_conversion_function_gone
    """,
    "monolith/native_training/service.py": """
        import socket
        socket.create_connection(("127.0.0.1", 1), timeout=2)
    """,
    "monolith/native_training/crash.py": """
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    """,
    "monolith/native_training/hang.py": """
        import time
        time.sleep(600)
    """,
    "monolith/native_training/script.py": """
        raise SystemExit(0)
    """,
    "monolith/native_training/run-me.py": """
        print("a script with a dash in its name")
    """,
    "monolith/agent_service/serving_user.py": """
        from tensorflow_serving.util.status_pb2 import StatusProto
        from tensorflow_serving.config import platform_config_pb2
        from tensorflow_serving.servables.tensorflow import session_bundle_config_pb2

        def config():
            return session_bundle_config_pb2.SessionBundleConfig()
    """,
    "monolith/agent_service/parity_fake_svc.proto": """
        syntax = "proto3";
        package parity_fake.agent;
        import "idl/matrix/proto/parity_fake_line.proto";

        message Ping { string text = 1; parity_fake.idl.Line line = 2; }
        service Echo { rpc Say (Ping) returns (Ping); }
    """,
    "idl/matrix/proto/parity_fake_line.proto": """
        syntax = "proto2";
        package parity_fake.idl;

        message Line { optional uint64 id = 1; }
    """,
    "monolith/fake_workspace.bzl": '''
        """Bazel workspace definitions."""
        def fake_workspace():
            pass
    ''',
    "third_party/org_tensorflow/tf.patch": """
        --- a/tensorflow/BUILD
        +++ b/tensorflow/BUILD
        @@ -1 +1 @@
        -visibility = ["//visibility:private"]
        +visibility = ["//visibility:public"]
    """,
    "monolith-rs/Cargo.toml": """
        [workspace]
        members = ["crates/monolith-core"]
    """,
    "monolith-rs/crates/monolith-core/Cargo.toml": """
        [package]
        name = "monolith-core"
        version = "0.1.0"
    """,
    "monolith-rs/crates/monolith-core/src/lib.rs": """
        pub mod hyper;
    """,
    "monolith-rs/crates/monolith-core/src/hyper.rs": """
        pub struct Params;
        pub fn add(a: i64, b: i64) -> i64 { a + b }
    """,
    "monolith-rs/PYTHON_PARITY_MASTER_PLAN.md": """
        # Plan

        | Python File | Lines | Status | Rust Mapping | Notes |
        |---|---:|---|---|---|
        | [`monolith/core/hyper.py`](#x) | 12 | IN PROGRESS | monolith-rs/crates/monolith-core/src | |
        | [`monolith/native_training/hash_ops.py`](#y) | 6 | IN PROGRESS | monolith-rs/crates/monolith-tf/src | |
        | [`monolith/native_training/crash.py`](#z) | 2 | IN PROGRESS | N/A (test helper) | |
    """,
    "monolith-rs/proto/tensorflow_serving/config/platform_config.proto": """
        syntax = "proto3";
        package tensorflow.serving;
        message PlatformConfig { string name = 1; }
        message PlatformConfigMap { map<string, PlatformConfig> platform_configs = 1; }
    """,
    "monolith-rs/proto/tensorflow_serving/apis/status.proto": """
        syntax = "proto3";
        package tensorflow.serving;
        message StatusProto { int32 error_code = 1; string error_message = 2; }
    """,
}


def write_checkout(root: Path, files: dict[str, str] | None = None) -> Path:
    for rel, text in (FILES if files is None else files).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


@pytest.fixture(scope="session")
def fake_root(tmp_path_factory) -> Path:
    """A read-only fake checkout shared by the session (tests that change files make their own)."""
    return write_checkout(tmp_path_factory.mktemp("checkout"))


@pytest.fixture()
def fresh_root(tmp_path) -> Path:
    """A fake checkout a test may modify."""
    return write_checkout(tmp_path / "checkout")


KERNELS = Path(__file__).resolve().parent / "kernels"
SCALE_OPS = """
    from monolith.native_training.runtime.ops import gen_monolith_ops

    ops = gen_monolith_ops

    def scale_add(x, scale):
        return ops.parity_scale_add(x, scale=scale)

    def no_kernel(x):
        return ops.parity_no_kernel(x)

    def broken(x):
        return ops.ParityBroken(x)
"""


@pytest.fixture(scope="session")
def kernel_checkout(tmp_path_factory) -> Path:
    """The fake checkout plus a module calling our own custom ops and a kernel that does not compile."""
    root = write_checkout(tmp_path_factory.mktemp("kernel-checkout"),
                          {**FILES, "monolith/native_training/scale_ops.py": SCALE_OPS})
    broken = root / "monolith/native_training/runtime/ops/parity_broken_kernel.cc"
    broken.write_bytes((KERNELS / "parity_broken_kernel.cc").read_bytes())
    return root


@pytest.fixture(scope="session")
def proto_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("proto-cache")


@pytest.fixture(autouse=True)
def _no_environment_left_behind(monkeypatch):
    monkeypatch.delenv("MONOLITH_PARITY_SERVING_PROTO_PATH", raising=False)
    monkeypatch.delenv("MONOLITH_PARITY_PROTO_CACHE", raising=False)
    monkeypatch.delenv("MONOLITH_PARITY_KERNELS", raising=False)
    yield
    bootstrap.deactivate()
