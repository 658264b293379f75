"""Self-test of ``saved_model()`` (two small models, saved once per module: saving is slow): a changed
signature dtype, shape, method name or signature set, or a damaged variables bundle, is reported where it
is; a second save of the same module (new function uids) and a copy are not differences."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from selftest_settings import examples
from pytest_monolith_parity.compare import saved_model

import tensorflow as tf  # the SavedModel comparator parses saved_model.pb and reads variables with TensorFlow
from tensorflow.core.protobuf import saved_model_pb2  # noqa: E402

_counter = itertools.count()
SIG = 'meta_graphs["serve"].signatures["serving_default"]'


def _save(path: str) -> str:
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.float32([1, 2, 3]))
            self.step = tf.Variable(np.int64(7))

        @tf.function(input_signature=[tf.TensorSpec((None, 3), tf.float32, name="x")])
        def serve(self, x):
            return {"y": tf.reduce_sum(x * self.w, axis=-1) + tf.cast(self.step, tf.float32)}

    m = M()
    tf.saved_model.save(m, path, signatures={"serving_default": m.serve})
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("sm")
    return {"ref": _save(str(root / "ref")), "again": _save(str(root / "again"))}


def _copy(models, tmp_path_factory, which: str = "ref") -> str:
    target = str(tmp_path_factory.mktemp(f"smc{next(_counter)}") / "m")
    shutil.copytree(models[which], target)
    return target


def _edit_pb(path: str, edit) -> None:
    pb = os.path.join(path, "saved_model.pb")
    model = saved_model_pb2.SavedModel()
    with open(pb, "rb") as f:
        model.ParseFromString(f.read())
    edit(model.meta_graphs[0].signature_def["serving_default"], model)
    with open(pb, "wb") as f:
        f.write(model.SerializeToString())


def _set_dtype(sig, model):
    sig.inputs["x"].dtype = tf.float64.as_datatype_enum


def _set_dim(sig, model):
    sig.inputs["x"].tensor_shape.dim[1].size = 4


def _set_method(sig, model):
    sig.method_name = "tensorflow/serving/classify"


def _drop_signature(sig, model):
    del model.meta_graphs[0].signature_def["serving_default"]


EDITS = {
    "input dtype": (_set_dtype, SIG + '.inputs["x"].dtype'),
    "input shape": (_set_dim, SIG + '.inputs["x"].shape'),
    "method name": (_set_method, SIG + ".method_name"),
    "signature removed": (_drop_signature, SIG),
}


@examples(8)
@given(data=st.data())
def test_one_signature_change_is_reported_at_its_path(data, models, tmp_path_factory):
    name = data.draw(st.sampled_from(sorted(EDITS)), label="edit")
    edit, place = EDITS[name]
    actual = _copy(models, tmp_path_factory)
    _edit_pb(actual, edit)
    result = saved_model().compare(models["ref"], actual)
    assert result.equal is False, result.render()
    assert result.differences[0].path == place, (name, result.render())


@examples(8)
@given(data=st.data())
def test_a_damaged_variables_bundle_is_reported_at_the_unreadable_variable(data, models, tmp_path_factory):
    actual = _copy(models, tmp_path_factory)
    (data_file,) = glob.glob(os.path.join(actual, "variables", "variables.data-*"))
    raw = Path(data_file).read_bytes()
    offset = data.draw(st.integers(0, len(raw) - 1), label="offset")
    Path(data_file).write_bytes(raw[:offset] + bytes([raw[offset] ^ 0x04]) + raw[offset + 1:])
    reader = tf.train.load_checkpoint(os.path.join(actual, "variables", "variables"))
    unreadable = []
    for n in sorted(reader.get_variable_to_shape_map()):
        try:
            reader.get_tensor(n)
        except Exception:  # noqa: BLE001 - the oracle: TensorFlow's own reader
            unreadable.append(n)
    result = saved_model().compare(models["ref"], actual)
    assert result.equal is False, result.render()
    assert unreadable and result.differences[0].path == f'variables["{unreadable[0]}"]', (offset, result.render())


@examples(4)
@given(data=st.data())
def test_a_second_save_and_a_copy_are_equal(data, models, tmp_path_factory):
    which = data.draw(st.sampled_from(["again", "ref"]), label="actual")
    graph = data.draw(st.booleans(), label="graph=True")
    result = saved_model(graph=graph).compare(models["ref"], _copy(models, tmp_path_factory, which))
    assert result.equal is True, result.render()
