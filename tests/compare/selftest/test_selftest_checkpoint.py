"""Self-test of ``checkpoint()`` (few, small examples: TensorFlow writes every one): a changed element,
dtype, shape or variable set is reported at that variable; a damaged actual bundle (flipped byte, truncated
or missing data file) is a difference at the variable TensorFlow cannot read, never TensorFlow's error;
variable creation order and the form of the path are not differences."""

from __future__ import annotations

import glob
import itertools
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from selftest_settings import examples
from pytest_monolith_parity.compare import ComparatorInputError, checkpoint

import tensorflow as tf  # the checkpoint comparator reads with TensorFlow's bundle reader; a missing TF fails here

_counter = itertools.count()
DTYPES = [np.float32, np.float64, np.int32, np.int64, np.bool_]
VARIABLES = st.dictionaries(
    st.sampled_from(["w", "b", "emb", "step"]),
    st.tuples(st.sampled_from(DTYPES), st.sampled_from([(), (2,), (2, 3)]), st.integers(0, 2**16)),
    min_size=1, max_size=3,
)


def values(spec) -> dict[str, np.ndarray]:
    out = {}
    for name, (dtype, shape, seed) in spec.items():
        rng = np.random.default_rng(seed)
        out[name] = (rng.standard_normal(shape) * 10).astype(dtype) if dtype is not np.bool_ else rng.random(shape) > 0.5
    return out


def write(root, variables: dict[str, np.ndarray], order=None) -> str:
    names = order or list(variables)
    ckpt = tf.train.Checkpoint(**{n: tf.Variable(variables[n]) for n in names})
    return ckpt.write(os.path.join(str(root), f"c{next(_counter)}", "ckpt"))


def V(name: str) -> str:
    return f'variables["{name}/.ATTRIBUTES/VARIABLE_VALUE"]'


def first_unreadable(prefix: str) -> str | None:
    """The oracle: the first variable (in sorted order) TensorFlow itself cannot read from a bundle."""
    try:
        reader = tf.train.load_checkpoint(prefix)
    except Exception:  # noqa: BLE001
        return ""
    for name in sorted(reader.get_variable_to_shape_map()):
        try:
            reader.get_tensor(name)
        except Exception:  # noqa: BLE001
            return name
    return None


@examples(12)
@given(data=st.data())
def test_one_change_is_reported_at_its_variable(data, tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    expected = values(data.draw(VARIABLES, label="variables"))
    name = data.draw(st.sampled_from(sorted(expected)), label="variable")
    how = data.draw(st.sampled_from(["element", "dtype", "shape", "missing", "extra"]), label="change")
    actual = dict(expected)
    place = V(name)
    value = expected[name]
    if how == "element":
        changed = value.copy()
        flat = changed.reshape(-1)
        flat[0] = (not flat[0]) if value.dtype == np.bool_ else flat[0] + 1
        actual[name] = flat.reshape(value.shape) if value.ndim else flat[0]
        index = "" if not value.ndim else "[" + ", ".join("0" for _ in value.shape) + "]"
        place = V(name) + index
    elif how == "dtype":
        actual[name] = value.astype(np.float16 if value.dtype != np.float16 else np.float32)
    elif how == "shape":
        actual[name] = value.reshape(-1)[:1].reshape((1,) * (value.ndim + 1))
    elif how == "missing":
        del actual[name]
    else:
        actual["zz_extra"] = np.zeros(2, np.float32)
        place = V("zz_extra")
    if not actual:
        actual["other"] = np.zeros(1, np.float32)
        place = V(name)
    result = checkpoint(object_graph="ignore" if how in ("missing", "extra") and data.draw(st.booleans()) else "proto").compare(
        write(root, expected), write(root, actual))
    assert result.equal is False, result.render()
    assert result.differences[0].path == place, (how, place, result.render())


@examples(12)
@given(data=st.data())
def test_a_damaged_actual_bundle_is_a_difference_at_the_unreadable_variable(data, tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    variables = values(data.draw(VARIABLES, label="variables"))
    e, a = write(root, variables), write(root, variables)
    (data_file,) = glob.glob(a + ".data-*")
    raw = Path(data_file).read_bytes()
    how = data.draw(st.sampled_from(["flip", "truncate", "missing"]), label="damage")
    if how == "flip":
        offset = data.draw(st.integers(0, len(raw) - 1), label="offset")
        Path(data_file).write_bytes(raw[:offset] + bytes([raw[offset] ^ 0x10]) + raw[offset + 1:])
    elif how == "truncate":
        Path(data_file).write_bytes(raw[: data.draw(st.integers(0, len(raw) - 1), label="length")])
    else:
        os.remove(data_file)
    unreadable = first_unreadable(a)
    result = checkpoint().compare(e, a)
    assert result.equal is False, result.render()
    assert unreadable is not None, "every byte of a bundle's data file is covered by a tensor CRC"
    assert result.differences[0].path == f'variables["{unreadable}"]', (how, unreadable, result.render())
    assert "actual: cannot read this variable" in result.differences[0].message


@examples(6)
@given(data=st.data())
def test_a_damaged_expected_bundle_is_an_input_error_naming_the_files(data, tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    variables = values(data.draw(VARIABLES, label="variables"))
    e, a = write(root, variables), write(root, variables)
    (data_file,) = glob.glob(e + ".data-*")
    os.remove(data_file)
    with pytest.raises(ComparatorInputError, match="expected \\(reference\\) checkpoint .*data file missing"):
        checkpoint().compare(e, a)


@examples(10)
@given(data=st.data())
def test_creation_order_and_path_form_are_irrelevant(data, tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    variables = values(data.draw(VARIABLES, label="variables"))
    e = write(root, variables)
    a = write(root, {n: v.copy() for n, v in variables.items()}, order=list(reversed(list(variables))))
    form = data.draw(st.sampled_from(["prefix", "index", "directory"]), label="form")
    actual = {"prefix": a, "index": a + ".index", "directory": os.path.dirname(a)}[form]
    result = checkpoint(tensor=None).compare(e, actual)
    assert result.equal is True, result.render()
