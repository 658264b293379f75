"""Kernels built from a tree without Bazel: our own custom op bound by the bootstrap, failures as reasons, the cache.

CI has no monolith checkout, so these build ``tests/reference/kernels/`` (our
own sources, not monolith code) through exactly the pipeline
``kernels/monolith.toml`` goes through.  The cache is shared by the xdist
workers of one test session, so the one real TensorFlow compile happens once.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tensorflow as tf  # noqa: F401 - in the test extra: a missing install must fail, not skip

from pytest_monolith_parity.kernel_build import build as kbuild
from pytest_monolith_parity.kernel_build import binding, load_manifest, ManifestError, KernelSet, toolchain
from pytest_monolith_parity.kernel_build import ops as kops
from pytest_monolith_parity.kernel_build import patches as kpatches
from pytest_monolith_parity.outcomes import ReferenceUnavailable
from pytest_monolith_parity.reference import bootstrap

KERNELS = Path(__file__).resolve().parent / "kernels"
MANIFEST = KERNELS / "kernels.toml"
BROKEN_IN_CHECKOUT = "monolith/native_training/runtime/ops/parity_broken_kernel.cc"  # see conftest.kernel_checkout


@pytest.fixture(scope="session")
def kernel_cache(tmp_path_factory) -> Path:
    """One cache for the whole test session, xdist workers included (the lock makes them build once)."""
    return tmp_path_factory.getbasetemp().parent / "parity-kernel-cache"


@pytest.fixture(scope="session")
def built(kernel_checkout, kernel_cache):
    return kbuild.build_libraries(load_manifest(MANIFEST), kernel_checkout, cache_root=kernel_cache)


def results(report) -> dict[str, kbuild.LibraryResult]:
    return {r.name: r for r in report.results}


def test_our_op_builds_and_the_bootstrap_binds_it(built, kernel_checkout, kernel_cache, proto_cache):
    ours = results(built)["parity_ops"]
    assert ours.status == "built" and ours.kernels == ["ParityScaleAdd"], ours.reason
    assert ours.ops == ["ParityNoKernel", "ParityScaleAdd"]
    kernels = KernelSet(load_manifest(MANIFEST), kernel_checkout, kernel_cache, build_missing=False)
    bootstrap.activate(kernel_checkout, proto_cache, kernels=kernels)
    scale_ops = importlib.import_module("monolith.native_training.scale_ops")
    y = scale_ops.scale_add(tf.constant([1.0, -2.5, 0.0]), 3.0)
    assert y.numpy().tolist() == [4.0, -6.5, 1.0]  # x * 3 + 1, computed by the kernel we compiled
    assert kernels.lookup("parity_scale_add").function is kernels.module("parity_ops")[0].parity_scale_add


def test_an_op_whose_kernel_did_not_compile_is_unavailable_with_the_compiler_line(built, kernel_checkout,
                                                                                   kernel_cache, proto_cache):
    ours = results(built)["parity_ops"]
    assert BROKEN_IN_CHECKOUT in ours.failed_sources and "error" in ours.failed_sources[BROKEN_IN_CHECKOUT]
    kernels = KernelSet(load_manifest(MANIFEST), kernel_checkout, kernel_cache, build_missing=False)
    bootstrap.activate(kernel_checkout, proto_cache, kernels=kernels)
    scale_ops = importlib.import_module("monolith.native_training.scale_ops")
    with pytest.raises(ReferenceUnavailable) as caught:
        scale_ops.no_kernel(tf.constant([1.0]))
    message = str(caught.value)
    assert message.startswith("custom op parity_no_kernel (ParityNoKernel) is not built: its kernel "
                              f"{BROKEN_IN_CHECKOUT} did not build: ")
    assert "parity_broken_kernel.cc:3" in message and "error" in message  # the compiler's own first error line


def test_a_library_that_does_not_compile_never_fails_the_run(built, kernel_checkout, kernel_cache, proto_cache):
    broken = results(built)["parity_broken"]
    assert broken.status == "failed" and broken.library == ""
    assert broken.reason.startswith("(own) parity_broken_library.cc: ") and "this_is_not_cpp" in broken.reason
    log = Path(broken.directory) / kbuild.LOG
    assert "this_is_not_cpp" in log.read_text()  # the whole compiler output is kept
    kernels = KernelSet(load_manifest(MANIFEST), kernel_checkout, kernel_cache, build_missing=False)
    bootstrap.activate(kernel_checkout, proto_cache, kernels=kernels)
    scale_ops = importlib.import_module("monolith.native_training.scale_ops")
    with pytest.raises(ReferenceUnavailable, match=r"^custom op ParityBroken is not built: library parity_broken "
                                                   r"is not built: \(own\) parity_broken_library\.cc: .*error"):
        scale_ops.broken(1)


def test_a_second_run_rebuilds_nothing(built, kernel_checkout, kernel_cache):
    before = kbuild.BUILDS
    again = kbuild.build_libraries(load_manifest(MANIFEST), kernel_checkout, cache_root=kernel_cache)
    assert kbuild.BUILDS == before
    assert [(r.name, r.action, r.status) for r in again.results] == [
        ("parity_ops", "cached", "built"), ("parity_broken", "cached", "failed"), ("parity_c_abi", "cached", "built")]
    assert [r.key for r in again.results] == [r.key for r in built.results]


def test_a_changed_source_is_rebuilt(kernel_checkout, tmp_path):
    manifest_dir = tmp_path / "kernels"
    shutil.copytree(KERNELS, manifest_dir)
    manifest = load_manifest(manifest_dir / "kernels.toml")
    first = kbuild.build_libraries(manifest, kernel_checkout, ["parity_c_abi"], tmp_path / "cache").results[0]
    (manifest_dir / "parity_c_abi.cc").write_text((KERNELS / "parity_c_abi.cc").read_text() + "\n// changed\n")
    second = kbuild.build_libraries(manifest, kernel_checkout, ["parity_c_abi"], tmp_path / "cache").results[0]
    assert (first.action, second.action) == ("compiled", "compiled") and first.key != second.key


def test_a_c_abi_library_is_loaded_with_ctypes(built, kernel_checkout, kernel_cache):
    import ctypes

    kernels = KernelSet(load_manifest(MANIFEST), kernel_checkout, kernel_cache, build_missing=False)
    library, reason = kernels.module("parity_c_abi")
    assert reason == ""
    library.parity_add_i64.restype = ctypes.c_int64
    library.parity_add_i64.argtypes = [ctypes.c_int64, ctypes.c_int64]
    assert library.parity_add_i64(2**40, -5) == 2**40 - 5


def test_a_kernel_built_for_another_tensorflow_is_refused(built, kernel_checkout, kernel_cache, tmp_path,
                                                          monkeypatch):
    ours = results(built)["parity_ops"]
    # A library keyed for another TensorFlow is another key: this TensorFlow would build its own.
    facts = dict(ours.toolchain, tensorflow=dict(ours.toolchain["tensorflow"], version="2.14.0"))
    library = load_manifest(MANIFEST).library("parity_ops")
    sources = kbuild._sources.collect(kernel_checkout, [*library.sources, *library.optional],
                                      MANIFEST.parent, library.own_sources)
    assert kbuild.library_key(library, sources.digest(), facts) != ours.key
    assert kbuild.library_key(library, sources.digest(), ours.toolchain) == ours.key
    # And a stamp that claims another TensorFlow (a copied or tampered cache) is refused, never loaded.
    stale = kbuild.LibraryResult.from_json(ours.to_json())
    stale.toolchain = facts
    monkeypatch.setattr(binding, "load_library", lambda result: pytest.fail("a refused library was loaded"))
    kernels = KernelSet(load_manifest(MANIFEST), kernel_checkout, kernel_cache, results=[stale])
    found = kernels.lookup("parity_scale_add")
    assert not found.bound
    assert found.reason == ("library parity_ops was built against TensorFlow 2.14.0, this process runs "
                            f"{tf.__version__}: refused (rebuild: python -m pytest_monolith_parity build-ops)")


def test_patches_touch_copies_never_the_tree(built):
    ours = results(built)["parity_ops"]
    assert ours.patches == {"own:parity_ops.cc": {"status-ok": 2}}
    assert "return Status::OK();" in (KERNELS / "parity_ops.cc").read_text()
    staged = (Path(ours.directory) / "own" / "parity_ops.cc").read_text()
    assert "Status::OK()" not in staged and staged.count("::tensorflow::OkStatus()") == 2


def test_the_build_stamp_says_what_it_was_built_with(built):
    stamp = json.loads((Path(results(built)["parity_ops"].directory) / kbuild.STAMP).read_text())
    assert stamp["toolchain"]["tensorflow"]["version"] == tf.__version__
    assert stamp["toolchain"]["compiler"] == toolchain.compiler_version()
    assert Path(stamp["library"]).is_file() and stamp["library"].endswith("libparity_ops.so")


def test_an_undeclared_or_unknown_op_says_so(kernel_checkout, kernel_cache):
    kernels = KernelSet(load_manifest(MANIFEST), kernel_checkout, kernel_cache, build_missing=False)
    assert "no source under" in kernels.lookup("no_such_op").reason


def test_python_names_follow_tensorflow():
    assert kops.python_name("GenSeqMask") == "gen_seq_mask"
    assert kops.python_name("MonolithTFExampleToExample") == "monolith_tf_example_to_example"
    assert kops.python_name("ResourceApplyAdamom") == "resource_apply_adamom"
    assert kops.cpu_kernels('REGISTER_KERNEL_BUILDER(Name("A").Device(DEVICE_CPU), K);\n'
                            'REGISTER_KERNEL_BUILDER(Name("B").Device(DEVICE_GPU), K);') == ["A"]


def test_the_status_ok_patch():
    text, counts = kpatches.apply_all("return Status::OK(); return tensorflow::Status::OK(); x::Status::OK2")
    assert text == "return ::tensorflow::OkStatus(); return ::tensorflow::OkStatus(); x::Status::OK2"
    assert counts == {"status-ok": 2}


@pytest.mark.parametrize("text, message", [
    ("[[library]]\nname='x'\nsources=['a.cc']\n", "`format = 1` expected"),
    ("format = 1\n[[library]]\nname='1x'\nsources=['a.cc']\n", "`name` must be an identifier"),
    ("format = 1\n[[library]]\nname='x'\n", "declares no `sources`"),
    ("format = 1\n[[library]]\nname='x'\nsources='a.cc'\n", "`sources` must be a list of strings"),
    ("format = 1\n[[library]]\nname='x'\nsources=['a.cc']\nkind='rust'\n", "kind must be one of"),
    ("format = 1\n[[library]]\nname='x'\nsources=['a.cc']\nsrcs=[]\n", "unknown field(s) srcs"),
    ("format = 1\n[[library]]\nname='x'\nsources=['a.cc']\n[[library]]\nname='x'\nsources=['b.cc']\n",
     "declared twice"),
    ("format = [", "not valid TOML"),
    ("format = 1\n[[library]]\nname='x'\nsources=['a.cc']\nprotos=['p.proto']\n[[library]]\nname='y'\n"
     "sources=['b.cc']\nprotos=['p.proto']\n", "already compiled into library 'x'"),
])
def test_manifest_errors_name_the_file_and_the_fix(tmp_path, text, message):
    path = tmp_path / "kernels.toml"
    path.write_text(text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_cli_build_ops(built, kernel_checkout, kernel_cache, tmp_path):
    report = tmp_path / "ops.json"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_monolith_parity", "build-ops", "--manifest", str(MANIFEST), "--source-root",
         str(kernel_checkout), "--cache-dir", str(kernel_cache), "--json", str(report)],
        capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].split()[:3] == ["parity_ops", "built", "cached"] and "ParityScaleAdd" in lines[0]
    assert any(line.split()[:3] == ["parity_broken", "failed", "cached"] for line in lines)
    assert "build-ops: [1/3] parity_ops" in completed.stderr
    assert json.loads(report.read_text())["counts"] == {"built": 2, "failed": 1}


def test_cli_build_ops_reports_a_bad_manifest(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_monolith_parity", "build-ops", "--manifest", str(tmp_path / "none.toml"),
         "--source-root", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2 and "does not exist" in completed.stderr


def test_the_probe_says_which_custom_ops_have_a_built_kernel(built, kernel_checkout, kernel_cache, proto_cache,
                                                             monkeypatch):
    from pytest_monolith_parity.reference import probe

    monkeypatch.setenv(kbuild.CACHE_ENV, str(kernel_cache))
    result = probe.probe(kernel_checkout, ["monolith/native_training/scale_ops.py"], workers=1, timeout=60,
                         cache_dir=proto_cache, kernels_manifest=MANIFEST)
    row = result.rows[0]
    assert (row.klass, row.custom_ops, row.custom_ops_built) == (
        "importable", ["ParityBroken", "parity_no_kernel", "parity_scale_add"], ["parity_scale_add"])
    summary = result.summary()
    assert (summary["custom_op_uses"], summary["custom_op_uses_built"]) == (3, 1)
    assert "custom ops called by importable files: 1 of 3 built" in probe.render(result, "table")
    assert result.environment["kernels"]["parity_ops"]["status"] == "built"
    assert "# TensorFlow shim: tensorflow.python.framework.ops.Tensor -> alias" in probe.render(result, "tsv")


def test_every_patch_is_in_the_docs():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "reference-environment.md").read_text()
    for patch in kpatches.PATCHES:
        assert f"| `{patch.name}` |" in docs, f"patch {patch.name} is missing from docs/reference-environment.md"
