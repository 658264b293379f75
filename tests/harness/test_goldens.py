"""Goldens: recorded once under -n 2, never rewritten needlessly, never trusted when tampered."""

import json
import shutil


def golden_state(root):
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*.json"))}


def test_update_golden_under_xdist_writes_each_file_once_and_then_nothing(sample):
    shutil.rmtree(sample.golden())
    result = sample.run("--update-golden", "-n", "2")
    written = [line for line in result.stdout.lines if line.startswith("golden written: ")]
    files = sorted(p.relative_to(sample.golden()).as_posix() for p in sample.golden().rglob("*.json")
                   if p.name != "MANIFEST.json")
    assert len(written) == len(files) == len(set(written)) == 12
    manifest = json.loads((sample.golden() / "MANIFEST.json").read_text())
    assert sorted(manifest["files"]) == files
    assert {entry["side"] for entry in manifest["files"].values()} == {"python"}
    before = golden_state(sample.golden())
    again = sample.run("--update-golden", "-n", "2")
    again.stdout.fnmatch_lines(["goldens: nothing changed"])
    assert golden_state(sample.golden()) == before


def test_committed_sample_goldens_are_current(sample):
    """The repository's goldens match what the reference produces now (no drift, none missing)."""
    result = sample.run()
    assert result.ret == 0
    outcomes = {outcome for outcome, _raw in sample.verdicts().values()}
    assert not outcomes & {"reference drifted", "golden missing", "harness error"}
    result.stdout.fnmatch_lines(["PARITY: * 0 reference drifted, 0 golden missing, *"])


def test_missing_golden_fails_and_prints_the_command(sample):
    (sample.golden() / "sample_reference/__init__/add.json").unlink()
    result = sample.run("-k", "add and not i64")
    assert result.ret == 1
    assert sample.verdicts()["cases/numeric.py::add[small]"] == ("golden missing", "match")
    result.stdout.fnmatch_lines(["*pytest -m parity --update-golden -k add*"])


def test_tampered_golden_is_an_error_and_not_regenerated(sample):
    path = sample.golden() / "sample_reference/__init__/add.json"
    path.write_text(path.read_text().replace("3", "4"))
    tampered = path.read_bytes()
    result = sample.run("-k", "add and not i64")
    assert result.ret == 6  # harness error: the golden cannot be trusted to decide
    assert sample.verdicts()["cases/numeric.py::add[small]"][0] == "harness error"
    result.stdout.fnmatch_lines(["*does not match its manifest hash*edited by hand*"])
    assert path.read_bytes() == tampered


def test_reference_drift_is_reported(sample):
    path = sample.golden() / "sample_reference/__init__/add.json"
    document = json.loads(path.read_text())
    document["examples"]["small"]["value"] = 4
    path.write_text(json.dumps(document, indent=2) + "\n")
    manifest_path = sample.golden() / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text())
    import hashlib
    manifest["files"]["sample_reference/__init__/add.json"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))
    result = sample.run("-k", "add and not i64")
    assert result.ret == 1
    assert sample.verdicts()["cases/numeric.py::add[small]"] == ("reference drifted", "match")
    result.stdout.fnmatch_lines(["*no longer matches golden*add.json*small*"])


def test_golden_stands_in_when_the_reference_is_unavailable(sample, monkeypatch):
    monkeypatch.setenv("SAMPLE_REFERENCE_OFFLINE", "1")
    result = sample.run("-k", "version")
    assert result.ret == 0
    case = sample.report()["cases"][0]
    assert (case["outcome"], case["against"]) == ("match", "golden")
    assert any("custom op sample_version_op is not built" in note for note in case["notes"])
    (sample.golden() / "sample_reference/__init__/version.json").unlink()
    result = sample.run("-k", "version", "--unused-goldens", "ignore")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["PARITY: 0 match, *, 1 reference unavailable, 0 rust unavailable, 0 harness error"])


def test_unused_golden_is_reported_and_can_fail_the_run(sample):
    extra = sample.golden() / "sample_reference/__init__/removed_case.json"
    shutil.copy(sample.golden() / "sample_reference/__init__/add.json", extra)
    result = sample.run("-k", "add and not i64")
    result.stdout.fnmatch_lines(["warning: unused golden sample_reference/__init__/removed_case.json*"])
    assert result.ret == 0
    result = sample.run("-k", "add and not i64", "--unused-goldens", "fail")
    result.stdout.fnmatch_lines(["ERROR: unused golden sample_reference/__init__/removed_case.json*"])
    assert result.ret == 1


def test_update_golden_under_xdist_keeps_int64_extremes(sample):
    """A golden holding -2**63 travels from an xdist worker to the controller intact (execnet's own serializer
    raised struct.error on it at session end, and every golden update of the run was lost)."""
    sample.write_case_file("extremes.py", "from pytest_monolith_parity import Case, example, pyo3, python_call\n"
                           'Case(id="add_extremes", covers="sample_reference/__init__.py", '
                           'python=python_call("sample_reference:add"), rust=pyo3("add"), '
                           "examples=[example(-(2**62), -(2**62), id='int64_min'), "
                           "example(2**62, 2**62 - 1, id='int64_max')])\n")
    result = sample.run("-k", "add_extremes", "--update-golden", "-n", "2")
    assert result.ret == 0, result.stdout.str()
    assert "struct.error" not in result.stdout.str() + result.stderr.str()
    path = next(sample.golden().rglob("add_extremes.json"))
    text = path.read_text()
    assert str(-(2**63)) in text and str(2**63 - 1) in text, text
    manifest = json.loads((sample.golden() / "MANIFEST.json").read_text())
    assert any(key.endswith("add_extremes.json") for key in manifest["files"])
    again = sample.run("-k", "add_extremes", "-n", "2")
    assert again.ret == 0, again.stdout.str()


HANGS = '''
import time
from pytest_monolith_parity import Case, divergence, example, pyo3, python_call

def hangs(a, b):
    time.sleep(30)
    return a + b

Case(id="hangs", covers="sample_reference/__init__.py", python=python_call(hangs, isolated=True), rust=pyo3("add"),
     timeout=2, examples=[example(1, 2, id="deadlock", expect=divergence(
         "the reference never answers", outcome="timeout", message="python timed out: no answer within 2 s"))])
'''


def test_a_reference_that_times_out_is_never_golden_missing(sample):
    """A timeout is never recorded, so no golden can exist: the recorded timeout is the verdict, not 'golden missing'."""
    sample.write_case_file("hangs.py", HANGS)
    result = sample.run("-k", "hangs")
    assert sample.verdicts()["cases/hangs.py::hangs[deadlock]"] == ("expected divergence", "timeout")
    assert result.ret == 0, result.stdout.str()
    assert not list(sample.golden().rglob("hangs.json"))
