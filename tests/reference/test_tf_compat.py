"""TensorFlow version skew: moved names are aliases of TensorFlow's own objects, removed ones raise when used."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tensorflow as tf  # noqa: F401 - in the test extra: a missing install must fail, not skip
from tensorflow.python.data.ops import options as data_options
from tensorflow.python.framework import ops as tf_ops
from tensorflow.python.framework import tensor as tf_tensor
from tensorflow.python.framework import tensor_conversion_registry

from pytest_monolith_parity.outcomes import ReferenceUnavailable
from pytest_monolith_parity.reference import bootstrap, tf_compat

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference-environment.md"


@pytest.fixture()
def env(fake_root, proto_cache):
    return bootstrap.activate(fake_root, proto_cache)


def test_moved_names_are_the_same_objects(env):
    from tensorflow.python.framework.ops import Tensor, register_tensor_conversion_function

    assert Tensor is tf_tensor.Tensor is tf.Tensor
    assert register_tensor_conversion_function is tensor_conversion_registry.register_tensor_conversion_function


def test_a_moved_module_is_an_alias_of_the_new_one(env):
    from tensorflow.python.data.experimental.ops import distribute_options
    from tensorflow.python.data.experimental.ops.distribute_options import AutoShardPolicy, ExternalStatePolicy

    assert AutoShardPolicy is data_options.AutoShardPolicy and ExternalStatePolicy is data_options.ExternalStatePolicy
    assert distribute_options.ExternalStatePolicy.WARN is data_options.ExternalStatePolicy.WARN


def test_a_name_whose_semantics_changed_raises_when_used(env):
    from tensorflow.python.data.experimental.ops.data_service_ops import ProcessingMode

    with pytest.raises(ReferenceUnavailable, match=r"^TensorFlow tensorflow\.python\.data\.experimental\.ops\."
                                                   r"data_service_ops\.ProcessingMode\.validate is not available.*"
                                                   r"ShardingPolicy"):
        ProcessingMode.validate("parallel_epochs")


def test_a_removed_module_imports_and_raises_when_used(env):
    from tensorflow.python.keras.layers.ops import core as core_ops

    with pytest.raises(ReferenceUnavailable, match=r"keras\.layers\.ops\.core\.dense is not available.*Dense\.call"):
        core_ops.dense(None, None)


def test_deactivate_takes_every_shim_back(env):
    assert "Tensor" in vars(tf_ops)
    bootstrap.deactivate()
    assert "Tensor" not in vars(tf_ops) and "register_tensor_conversion_function" not in vars(tf_ops)
    with pytest.raises(ImportError):
        from tensorflow.python.keras.layers.ops import core  # noqa: F401


def test_shims_apply_when_tensorflow_is_imported_after_activation(fake_root, proto_cache):
    script = textwrap.dedent(f"""
        import sys
        from pytest_monolith_parity.reference import bootstrap
        bootstrap.activate({str(fake_root)!r}, {str(proto_cache)!r})
        assert "tensorflow" not in sys.modules
        from tensorflow.python.framework.ops import Tensor
        from tensorflow.python.framework import tensor
        print(Tensor is tensor.Tensor)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "True"


def test_the_environment_lists_the_tensorflow_shims(env):
    listed = {shim.module: shim.kind for shim in env.shims() if shim.kind.startswith("tensorflow")}
    assert listed == {shim.symbol: f"tensorflow {shim.kind}" for shim in tf_compat.SHIMS}


def test_every_shim_is_in_the_docs():
    docs = DOCS.read_text()
    for shim in tf_compat.SHIMS:
        assert f"`{shim.symbol}`" in docs, f"{shim.symbol} is missing from {DOCS}"
