"""On-disk artifacts: TFRecord files, checkpoints, SavedModels and directory trees."""

from __future__ import annotations

import gzip
import importlib
import struct
import zlib

import numpy as np
import pytest

from pytest_monolith_parity.compare import (
    ComparatorConfigError,
    ComparatorInputError,
    checkpoint,
    json,
    saved_model,
    tensor,
    text,
    tfrecord,
    tree,
)
from pytest_monolith_parity.compare import checkpoint as checkpoint_factory
from pytest_monolith_parity.compare.tfrecord import encode_record, masked_crc32c, parse_records

# --------------------------------------------------------------------------- TFRecord helpers


def frames(*records: bytes) -> bytes:
    return b"".join(encode_record(r) for r in records)


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1:]


def example_bytes(fids, label=1.0) -> bytes:
    import tensorflow as tf

    return tf.train.Example(
        features=tf.train.Features(
            feature={
                "fids": tf.train.Feature(int64_list=tf.train.Int64List(value=fids)),
                "label": tf.train.Feature(float_list=tf.train.FloatList(value=[label])),
            }
        )
    ).SerializeToString()


R = [b"alpha", b"beta", b"gamma"]

# (id, comparator options, expected bytes, actual bytes, equal?, path)
TFRECORD_TRAPS = [
    ("equal", {}, frames(*R), frames(*R), True, None),
    ("empty-files", {}, b"", b"", True, None),
    ("record-differs", {}, frames(*R), frames(b"alpha", b"bet4", b"gamma"), False, "records[1]"),
    ("record-count", {}, frames(*R), frames(*R[:2]), False, "records"),
    ("extra-record", {}, frames(*R), frames(*R, b"delta"), False, "records"),
    ("truncated-data", {}, frames(*R), frames(*R)[:-6], False, "records[2]"),
    ("truncated-header", {}, frames(*R), frames(*R) + b"\x05\x00\x00", False, "records[3]"),
    ("truncated-crc-only", {}, frames(*R), frames(*R)[:-2], False, "records[2]"),
    ("bad-data-crc", {}, frames(*R), flip(frames(*R), 12 + 5), False, "records[0]"),
    ("bad-data-crc-trailer", {}, frames(*R), flip(frames(*R), 12 + 5 + 2), False, "records[0]"),
    ("bad-length-crc", {}, frames(*R), flip(frames(*R), 9), False, "records[0]"),
    ("both-equally-corrupt", {}, flip(frames(*R), 12 + 5), flip(frames(*R), 12 + 5), False, "records[0]"),
    ("both-equally-truncated", {}, frames(*R)[:-6], frames(*R)[:-6], False, "records[2]"),
    ("gzip-vs-plain-auto", {}, gzip.compress(frames(*R)), frames(*R), True, None),
    ("zlib-vs-plain-auto", {}, zlib.compress(frames(*R)), frames(*R), True, None),
    ("gzip-same-compression", {"same_compression": True}, gzip.compress(frames(*R)), frames(*R), False, ""),
    ("gzip-truncated", {}, frames(*R), gzip.compress(frames(*R))[:-10], False, ""),
    ("gzip-record-differs", {"compression": "gzip"}, gzip.compress(frames(*R)), gzip.compress(frames(b"x", *R[1:])), False, "records[0]"),
    ("forced-none-on-gzip", {"compression": "none"}, frames(*R), gzip.compress(frames(*R)), False, "records[0]"),
    ("zlib-looking-plain-record", {}, frames(b"\x00" * 0x9C78), frames(b"\x00" * 0x9C78), True, None),
    ("proto-records-equal", {"message_type": "tensorflow.Example"}, frames(example_bytes([1, 2])), frames(example_bytes([1, 2])), True, None),
    ("proto-records-differ", {"message_type": "tensorflow.Example"}, frames(example_bytes([1, 2])), frames(example_bytes([1, 3])), False, 'records[0].features.feature["fids"].int64_list.value[1]'),
    ("proto-tolerance", {"message_type": "tensorflow.Example", "fraction": 1e-3}, frames(example_bytes([1], 1.0)), frames(example_bytes([1], 1.0005)), True, None),
]


@pytest.fixture(scope="module", autouse=True)
def _tf_example_registered():
    import tensorflow as tf  # noqa: F401 - puts tensorflow.Example in the default pool


@pytest.mark.parametrize("case_id,options,expected,actual,equal,path", TFRECORD_TRAPS, ids=[t[0] for t in TFRECORD_TRAPS])
def test_tfrecord_trap(tmp_path, case_id, options, expected, actual, equal, path):
    result = tfrecord(**options).compare(write(tmp_path / "e.tfrecord", expected), str(write(tmp_path / "a.tfrecord", actual)))
    assert result.equal is equal, result.render()
    if not equal:
        assert path in [d.path for d in result.differences], result.render()


def test_tfrecord_reports_first_record_and_count(tmp_path):
    e = frames(*[b"r%d" % i for i in range(10)])
    a = frames(*[b"r%d" % i if i not in (2, 5, 7) else b"X%d" % i for i in range(10)])
    result = tfrecord().compare(e, a)
    paths = [d.path for d in result.differences]
    assert paths[0] == "records[2]" and "records[5]" not in paths
    assert any("3 of 10 compared records differ (indexes 2, 5, 7)" in d.message for d in result.differences)
    assert result.metrics["mismatched"] == 3 and result.metrics["total"] == 10
    assert "first records[2]" in result.summary


def test_tfrecord_crc_messages(tmp_path):
    data = frames(*R)
    result = tfrecord().compare(data, flip(data, 12 + 1))
    (d,) = [d for d in result.differences if "crc" in d.message]
    assert d.path == "records[0]" and d.message.startswith("actual: bad data crc at byte 0: stored 0x")
    result = tfrecord().compare(flip(data, 9), data)
    assert any(d.message.startswith("expected: bad length crc") for d in result.differences)


def test_tfrecord_truncation_message():
    result = tfrecord().compare(frames(*R), frames(*R)[:-6])
    assert "actual: truncated record at byte" in "\n".join(d.message for d in result.differences)
    assert "3 of 5 data bytes" in result.render()


def test_masked_crc_matches_tensorflow_writer(tmp_path):
    import tensorflow as tf

    for compression, opt in (("none", None), ("gzip", "GZIP"), ("zlib", "ZLIB")):
        path = str(tmp_path / f"tf-{compression}.tfrecord")
        with tf.io.TFRecordWriter(path, options=opt) as w:
            for r in R:
                w.write(r)
        raw = open(path, "rb").read()
        parsed = parse_records(raw)
        assert parsed.errors == [] and parsed.records == R and parsed.compression == compression
        assert tfrecord().compare(path, frames(*R)).equal
    # and TF reads what encode_record writes
    path = write(tmp_path / "ours.tfrecord", frames(*R))
    assert [r.numpy() for r in tf.data.TFRecordDataset(str(path))] == R


def test_masked_crc_known_value():
    # the empty string's crc32c is 0; masked it is the rotation constant
    assert masked_crc32c(b"") == 0xA282EAD8
    assert struct.unpack("<I", encode_record(b"")[8:12])[0] == masked_crc32c(struct.pack("<Q", 0))


def test_tfrecord_missing_file(tmp_path):
    result = tfrecord().compare(write(tmp_path / "e", frames(*R)), tmp_path / "nope")
    assert not result.equal and "actual file not found" in result.render()


def test_tfrecord_bad_configuration():
    with pytest.raises(ComparatorConfigError):
        tfrecord(compression="snappy")
    with pytest.raises(ComparatorConfigError):
        tfrecord(fraction=0.1)
    with pytest.raises(ComparatorInputError):
        tfrecord().compare(123, 456)


# --------------------------------------------------------------------------- checkpoints


def _write_ckpt(path, **variables):
    import tensorflow as tf

    ckpt = tf.train.Checkpoint(**{k: tf.Variable(v) for k, v in variables.items()})
    return ckpt.write(str(path))


def V(name: str) -> str:
    return f'variables["{name}/.ATTRIBUTES/VARIABLE_VALUE"]'


W = np.arange(6, dtype=np.float32).reshape(2, 3)
B = np.array([1, 2], dtype=np.int64)


@pytest.fixture(scope="module")
def ckpts(tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    w2 = W.copy()
    w2[1, 0] += 1.0
    return {
        "ref": _write_ckpt(root / "ref" / "ckpt", w=W, b=B),
        "same": _write_ckpt(root / "same" / "ckpt", w=W.copy(), b=B.copy()),
        "tiny": _write_ckpt(root / "tiny" / "ckpt", w=W * np.float32(1 + 2**-23), b=B),
        "value": _write_ckpt(root / "value" / "ckpt", w=w2, b=B),
        "extra": _write_ckpt(root / "extra" / "ckpt", w=W, b=B, c=np.zeros(2, np.float32)),
        "missing": _write_ckpt(root / "missing" / "ckpt", w=W),
        "dtype": _write_ckpt(root / "dtype" / "ckpt", w=W.astype(np.float64), b=B),
        "shape": _write_ckpt(root / "shape" / "ckpt", w=W.reshape(3, 2), b=B),
        "int": _write_ckpt(root / "int" / "ckpt", w=W, b=np.array([1, 3], np.int64)),
    }


CKPT_TRAPS = [
    ("same", {}, True, None),
    ("tiny", {}, True, None),
    ("tiny", {"tensor": tensor(mode="exact")}, False, V("w") + "[0, 1]"),
    ("value", {}, False, V("w") + "[1, 0]"),
    ("extra", {}, False, V("c")),
    ("missing", {}, False, V("b")),
    ("missing", {"ignore": ["b/*"], "object_graph": "ignore"}, True, None),
    ("dtype", {}, False, V("w")),
    ("shape", {}, False, V("w")),
    ("int", {"tensor": tensor(rtol=1.0, atol=10.0)}, False, V("b") + "[1]"),
    ("value", {"rules": {"w/*": tensor(atol=2.0)}}, True, None),
]


@pytest.mark.parametrize("which,options,equal,path", CKPT_TRAPS, ids=[f"{t[0]}-{i}" for i, t in enumerate(CKPT_TRAPS)])
def test_checkpoint_trap(ckpts, which, options, equal, path):
    result = checkpoint(**options).compare(ckpts["ref"], ckpts[which])
    assert result.equal is equal, result.render()
    if not equal:
        assert path in [d.path for d in result.differences], result.render()


def test_checkpoint_messages(ckpts):
    result = checkpoint().compare(ckpts["ref"], ckpts["extra"])
    assert f'{V("c")}: unexpected in actual (actual float32 [2])' in result.render()
    result = checkpoint().compare(ckpts["ref"], ckpts["dtype"])
    assert f"{V('w')}: dtype float32 != float64" in result.render()
    result = checkpoint().compare(ckpts["ref"], ckpts["value"])
    assert "expected 3.0 != actual 4.0 (abs 1, rel 0.33" in result.render()
    assert "1 of 3 variable(s) differ" in result.summary


def test_checkpoint_accepts_index_file_and_directory(ckpts):
    import os

    ref = ckpts["ref"]
    assert checkpoint().compare(ref + ".index", os.path.dirname(ckpts["same"])).equal


def test_checkpoint_missing(tmp_path, ckpts):
    result = checkpoint().compare(ckpts["ref"], tmp_path / "nothing")
    assert not result.equal and "actual: no checkpoint" in result.render()


def test_checkpoint_without_tensorflow(monkeypatch, ckpts):
    # the factory ``compare.checkpoint`` shadows the submodule attribute; go through sys.modules
    mod = importlib.import_module("pytest_monolith_parity.compare.checkpoint")

    def no_tf():
        raise ImportError("No module named 'tensorflow'")

    monkeypatch.setattr(mod, "_import_tensorflow", no_tf)
    with pytest.raises(ComparatorInputError, match=r"TensorFlow is required.*pip install \.\[reference\]"):
        checkpoint_factory().compare(ckpts["ref"], ckpts["same"])
    with pytest.raises(ComparatorInputError, match="TensorFlow is required"):
        saved_model().compare("a", "b")


def test_checkpoint_bad_configuration():
    with pytest.raises(ComparatorConfigError):
        checkpoint(object_graph="maybe")
    with pytest.raises(ComparatorConfigError):
        checkpoint(rules={"w/*": "tensor"})


# --------------------------------------------------------------------------- SavedModels


def _save_model(path, w, shape=(None, 3), dtype="float32"):
    import tensorflow as tf

    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(w)

        @tf.function(input_signature=[tf.TensorSpec(shape, getattr(tf, dtype), name="x")])
        def serve(self, x):
            return {"y": tf.reduce_sum(tf.cast(x, tf.float32) * self.w, axis=-1)}

    m = M()
    tf.saved_model.save(m, str(path), signatures={"serving_default": m.serve})
    return str(path)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("sm")
    w = np.float32([1, 2, 3])
    return {
        "ref": _save_model(root / "ref", w),
        "same": _save_model(root / "same", w.copy()),
        "value": _save_model(root / "value", np.float32([1, 2, 4])),
        "shape": _save_model(root / "shape", w, shape=(2, 3)),
        "dtype": _save_model(root / "dtype", w, dtype="float64"),
    }


SM = 'meta_graphs["serve"].signatures["serving_default"]'
SM_TRAPS = [
    ("same", {}, True, None),
    ("value", {}, False, V("w") + "[2]"),
    ("value", {"variables": False}, True, None),
    ("shape", {}, False, SM + '.inputs["x"].shape'),
    ("dtype", {}, False, SM + '.inputs["x"].dtype'),
]


@pytest.mark.parametrize("which,options,equal,path", SM_TRAPS, ids=[f"{t[0]}-{i}" for i, t in enumerate(SM_TRAPS)])
def test_saved_model_trap(models, which, options, equal, path):
    result = saved_model(**options).compare(models["ref"], models[which])
    assert result.equal is equal, result.render()
    if not equal:
        assert path in [d.path for d in result.differences], result.render()


def test_saved_model_messages(models, tmp_path):
    result = saved_model().compare(models["ref"], models["shape"])
    assert f'{SM}.inputs["x"].shape: [?, 3] != [2, 3]' in result.render()
    result = saved_model().compare(models["ref"], models["dtype"])
    assert f'{SM}.inputs["x"].dtype: DT_FLOAT != DT_DOUBLE' in result.render()
    result = saved_model().compare(models["ref"], tmp_path)
    assert "saved_model.pb: actual: missing" in result.render()


def test_saved_model_graph_flag(models):
    # graph comparison sees the changed input dtype in node and function signatures
    result = saved_model(graph=True, variables=False, signatures=False).compare(models["ref"], models["dtype"])
    assert not result.equal
    assert all(d.path.startswith('meta_graphs["serve"].graph.') for d in result.differences)
    assert any("DT_DOUBLE" in d.message for d in result.differences)
    # two saves of the same model differ only in uid suffixes, which are ignored
    assert saved_model(graph=True).compare(models["ref"], models["same"]).equal


# --------------------------------------------------------------------------- trees


@pytest.fixture
def trees(tmp_path):
    def make(name: str, files: dict[str, bytes]):
        root = tmp_path / name
        for rel, data in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        root.mkdir(exist_ok=True)
        return root

    return make


BASE = {
    "config.json": b'{"a": 1, "b": 2}',
    "data/part-0.tfrecord": frames(*R),
    "notes.txt": b"hello\n",
    "logs/run.log": b"t=1\n",
}


def _with(changes: dict[str, bytes | None]) -> dict[str, bytes]:
    files = dict(BASE)
    for k, v in changes.items():
        if v is None:
            files.pop(k)
        else:
            files[k] = v
    return files


RULES = {"*.json": json(), "data/*.tfrecord": tfrecord(), "*.txt": text("whitespace")}
TREE_TRAPS = [
    ("equal", RULES, {}, BASE, True, None),
    ("extra-file", RULES, {}, _with({"extra.bin": b"x"}), False, "extra.bin"),
    ("missing-file", RULES, {}, _with({"logs/run.log": None}), False, "logs/run.log"),
    ("json-reordered", RULES, {}, _with({"config.json": b'{"b": 2, "a": 1}'}), True, None),
    ("json-key-order-rule", {"*.json": json(key_order=True)}, {}, _with({"config.json": b'{"b": 2, "a": 1}'}), False, "config.json::root"),
    ("json-value", RULES, {}, _with({"config.json": b'{"a": 1, "b": 3}'}), False, "config.json::root['b']"),
    ("default-bytes", RULES, {}, _with({"logs/run.log": b"t=2\n"}), False, "logs/run.log"),
    ("ignored-file", RULES, {"ignore": ["*.log"]}, _with({"logs/run.log": b"t=2\n"}), True, None),
    ("whitespace-text", RULES, {}, _with({"notes.txt": b"  hello  \n\n"}), True, None),
    ("tfrecord-rule", RULES, {}, _with({"data/part-0.tfrecord": frames(*R[:2])}), False, "data/part-0.tfrecord::records"),
    ("first-rule-wins", [("*.json", json()), ("config.json", text())], {}, _with({"config.json": b'{"b":2,"a":1}'}), True, None),
]


@pytest.mark.parametrize("case_id,rules,options,actual,equal,path", TREE_TRAPS, ids=[t[0] for t in TREE_TRAPS])
def test_tree_trap(trees, case_id, rules, options, actual, equal, path):
    e = trees("expected", BASE)
    a = trees("actual", actual)
    result = tree(rules, **options).compare(e, a)
    assert result.equal is equal, result.render()
    if not equal:
        assert path in [d.path for d in result.differences], result.render()


def test_tree_messages_and_metrics(trees):
    e = trees("expected", BASE)
    a = trees("actual", _with({"extra.bin": b"x", "notes.txt": None}))
    result = tree(RULES).compare(e, a)
    assert "extra.bin: unexpected in actual" in result.render()
    assert "notes.txt: missing in actual" in result.render()
    assert result.metrics == {"mismatched": 2, "total": 5}
    assert result.summary == "1 file(s) missing, 1 unexpected file(s)"


def test_tree_checkpoint_rule(trees, tmp_path, ckpts):
    import os
    import shutil

    for name, src in (("e", "ref"), ("a", "value")):
        shutil.copytree(os.path.dirname(ckpts[src]), tmp_path / name)
    cmp = tree({"*.index": checkpoint()}, ignore=["*.data-*"])
    result = cmp.compare(tmp_path / "e", tmp_path / "a")
    assert f"ckpt.index::{V('w')}[1, 0]" in [d.path for d in result.differences]


def test_tree_bad_configuration(tmp_path):
    with pytest.raises(ComparatorConfigError):
        tree({"*.json": "json"})
    with pytest.raises(ComparatorConfigError):
        tree(default="bytes")
    result = tree().compare(tmp_path, tmp_path / "nope")
    assert not result.equal and "actual is not a directory" in result.render()
