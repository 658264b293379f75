"""The import probe: every file of the fake checkout lands in the class it deserves, crashes and hangs included."""

import json
import subprocess
import sys

import pytest

import grpc_tools  # noqa: E402,F401 - in the test extra: a missing install must fail, not skip

from pytest_monolith_parity.reference import probe  # noqa: E402

EXPECTED = {
    "monolith/__init__.py": ("import error", "heavy monolith/__init__.py was executed"),
    "monolith/core/__init__.py": ("importable", ""),
    "monolith/core/hyper.py": ("importable", ""),
    "monolith/core/hyper_test.py": ("importable", ""),
    "monolith/pkg/__init__.py": ("importable", ""),
    "monolith/pkg/impl.py": ("importable", ""),
    "monolith/native_training/runtime/ops/gen_monolith_ops.py": ("needs custom op", "libtfkernel_monolith_ops"),
    "monolith/native_training/hash_ops.py": ("importable", ""),
    "monolith/native_training/eager_op.py": ("needs custom op", "custom op make_table"),
    "monolith/native_training/other_loader.py": ("needs custom op", "load_library"),
    "monolith/native_training/needs_pkg.py": ("needs package", "kafka_parity_fake_missing"),
    "monolith/native_training/missing_internal.py": ("missing in checkout", "monolith.coordinator"),
    "monolith/native_training/broken_tf.py": ("broken on this TensorFlow", "register_tensor_conversion_function_gone"),
    "monolith/native_training/service.py": ("needs service", "ConnectionRefusedError"),
    "monolith/native_training/crash.py": ("crashed", "SIGKILL"),
    "monolith/native_training/hang.py": ("timed out", "within 2s"),
    "monolith/native_training/script.py": ("not a module", "SystemExit"),
    "monolith/native_training/run-me.py": ("not a module", "not a valid module name"),
    "monolith/agent_service/serving_user.py": ("importable", ""),
}


def test_probe_of_the_fake_checkout(fake_root, proto_cache):
    """One probe run checked as a whole (one test, so pytest-xdist does not run the probe twice)."""
    # One worker, TensorFlow imported once in it: the hang costs 2 s, the rest well under a second each.
    result = probe.probe(fake_root, workers=1, timeout=2, cache_dir=proto_cache)
    assert [row.path for row in result.rows] == sorted(EXPECTED)
    wrong = {row.path: (row.klass, row.detail) for row in result.rows
             if row.klass != EXPECTED[row.path][0] or EXPECTED[row.path][1] not in row.detail}
    assert not wrong
    assert set(klass for klass, _ in EXPECTED.values()) <= set(probe.CLASSES)

    # Importable rows list the custom ops they call later (what their cases will find unavailable).
    assert next(r for r in result.rows if r.path == "monolith/native_training/hash_ops.py").custom_ops == [
        "hash_table_lookup"]

    counts = result.counts()
    assert list(counts) == list(probe.CLASSES)
    assert counts["importable"] == 7 and sum(counts.values()) == len(EXPECTED)
    summary = result.summary()
    assert (summary["files"], summary["non_test_files"], summary["non_test_importable"]) == (len(EXPECTED), 18, 6)

    table = probe.render(result, "table")
    assert "7 of 19 files import (6 of 18 non-test modules)" in table
    tsv = probe.render(result, "tsv").splitlines()
    assert tsv[0].startswith("# Import probe of") and len([line for line in tsv if not line.startswith("#")]) == 19
    document = json.loads(probe.render(result, "json"))
    assert document["counts"]["crashed"] == 1 and document["rows"][0]["path"] == "monolith/__init__.py"
    with pytest.raises(ValueError, match="table, tsv or json"):
        probe.render(result, "xml")


@pytest.mark.parametrize("error, klass, detail", [
    (ModuleNotFoundError("No module named 'kazoo'", name="kazoo"), "needs package", "kazoo"),
    (ModuleNotFoundError("No module named 'kazoo.client'", name="kazoo.client"), "needs package", "kazoo"),
    (ModuleNotFoundError("x", name="google.cloud"), "needs package", "google.cloud"),
    (ModuleNotFoundError("x", name="tensorflow.python.keras.layers.ops"), "broken on this TensorFlow", "ModuleNotFoundError"),
    (ModuleNotFoundError("x", name="idl.matrix.proto.gone_pb2"), "missing in checkout", "idl.matrix.proto.gone_pb2"),
    (ImportError("cannot import name 'ProcessingMode' from 'tensorflow.python.data.experimental.ops'",
                 name="tensorflow.python.data.experimental.ops"), "broken on this TensorFlow", "ProcessingMode"),
    (AttributeError("module 'tensorflow.compat.v1' has no attribute 'estimator'"), "broken on this TensorFlow",
     "estimator"),
    (ConnectionRefusedError(111, "Connection refused"), "needs service", "ConnectionRefusedError"),
    (ValueError("bad flag"), "import error", "ValueError: bad flag"),
])
def test_classify(error, klass, detail):
    got_class, got_detail = probe.classify(error)
    assert got_class == klass and detail in got_detail


def test_classify_reference_unavailable():
    from pytest_monolith_parity.outcomes import ReferenceUnavailable

    assert probe.classify(ReferenceUnavailable("custom op x is not built (needs ...)"))[0] == "needs custom op"
    klass, detail = probe.classify(ReferenceUnavailable(
        "TF Serving proto tensorflow_serving/a/b.proto is not available (m.X): ..."))
    assert klass == "needs package" and "tensorflow_serving/a/b.proto" in detail


def test_module_names():
    assert probe.module_name("monolith/a/b.py") == "monolith.a.b"
    assert probe.module_name("monolith/a/__init__.py") == "monolith.a"
    assert probe.module_name("monolith/1622716114/x.py") is None


def test_cli_probe_writes_json(fake_root, proto_cache, tmp_path):
    output = tmp_path / "probe.json"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_monolith_parity", "probe", "--monolith-root", str(fake_root),
         "--format", "json", "--output", str(output), "--cache-dir", str(proto_cache), "--workers", "1",
         "--no-prewarm", "monolith/core/hyper.py", "monolith/native_training/needs_pkg.py"],
        capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    document = json.loads(output.read_text())
    assert [(r["path"], r["class"]) for r in document["rows"]] == [
        ("monolith/core/hyper.py", "importable"), ("monolith/native_training/needs_pkg.py", "needs package")]
    assert "1 of 2 files import" in completed.stderr


def test_cli_reports_a_bad_root(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "pytest_monolith_parity", "probe", "--monolith-root",
                                str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "is not a monolith checkout" in completed.stderr
