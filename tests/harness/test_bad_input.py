"""A broken case fails collection naming the case, the file and the fix."""

import textwrap

import pytest

HEADER = "from hypothesis import strategies as st\n" \
         "from pytest_monolith_parity import Case, compare, example, pyo3, python_call, worker\n"


@pytest.mark.parametrize("body,needles", [
    ('Case(id="x", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"), '
     'rust=pyo3("ad"), examples=[example(1, 2)])',
     ["parity case 'x' in cases/broken.py", "has no function 'ad'", "Available:", "add"]),
    ('Case(id="x", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"), '
     'rust=pyo3("add", module="not_built_ext"), examples=[example(1, 2)])',
     ["parity case 'x' in cases/broken.py", "'not_built_ext' is not importable", "Build it first"]),
    ('Case(id="x", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"), '
     'rust=pyo3("add"), strategy=[1, 2])',
     ["parity case 'x' in cases/broken.py", "must be a Hypothesis strategy"]),
    ('Case(id="x", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"), '
     'rust=pyo3("add"), examples=[example(1, 2)], compare=compare.tensor(rtol=-1))',
     ["cases/broken.py:3", "invalid parity case specification", "rtol"]),
    ('Case(id="x", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"), '
     'rust=pyo3("add"), examples=[example(1, 2, id="a"), example(3, 4, id="a")])',
     ["parity case 'x' in cases/broken.py", "duplicate example ids ['a']"]),
    ('Case(id="x", covers="/abs/path.py", python=python_call("sample_reference:add"), '
     'rust=pyo3("add"), examples=[example(1, 2)])',
     ["parity case 'x' in cases/broken.py", "relative to the checkout root"]),
    ('Case(id="x", covers="sample_reference/__init__.py", python=python_call("sample_reference:add"), '
     'rust=worker("add", command=["/no/such/worker"]), examples=[example(1, 2)])',
     ["parity case 'x' in cases/broken.py", "'/no/such/worker' does not exist", "Build it first"]),
], ids=["missing_function", "missing_extension", "bad_strategy", "bad_tolerance", "duplicate_ids",
        "absolute_covers", "missing_worker"])
def test_collection_error_names_case_file_and_fix(sample, body, needles):
    sample.write_case_file("broken.py", HEADER + body + "\n")
    result = sample.run("-k", "broken")
    assert result.ret == 2  # interrupted: collection error
    output = result.stdout.str()
    for needle in needles:
        assert needle in output, f"{needle!r} not in output:\n{output}"
    assert "cases/broken.py" in output


def test_bad_setting_is_a_usage_error(sample):
    result = sample.run("--parity-timeout", "-3")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*setting timeout = '-3' from option --parity-timeout: must be a positive*"])


def test_update_golden_refuses_under_ci(sample, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = sample.run("--update-golden")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--update-golden refuses to run with CI set*--allow-golden-update-in-ci*"])


def test_cases_that_need_a_checkout_say_so(sample):
    result = sample.run("--require-monolith-root")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*run against a monolith checkout: set MONOLITH_ROOT*"])


# -- malformed input: one clear error before anything runs, or a harness error naming the cause ---------

import json
import shutil


def test_baseline_of_the_wrong_shape_stops_the_run_before_collection(sample):
    baseline = sample.root / "base.json"
    baseline.write_text(json.dumps({"cases": [{"case_id": "add"}]}))  # valid JSON, not a report
    result = sample.run("--parity-baseline", str(baseline))
    assert result.ret == 4
    result.stderr.fnmatch_lines([f"*baseline report {baseline} is not a parity JSON report of format 1 or 2: "
                                 "its format is None*"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    assert not (sample.root / "parity-report").exists()  # nothing ran


def test_a_misspelled_module_in_python_call_is_a_harness_error_naming_it(sample):
    sample.write_case_file("typo.py", HEADER + 'Case(id="typo", covers="sample_reference/__init__.py", '
                           'python=python_call("sample_referense:add"), rust=pyo3("add"), golden=False, '
                           'examples=[example(1, 2)])\n')
    result = sample.run("-k", "typo")
    assert result.ret == 6
    [record] = sample.report()["cases"]
    assert record["outcome"] == "harness error"
    assert "module sample_referense does not import: ModuleNotFoundError: No module named 'sample_referense'" \
        in record["message"]


def test_a_module_needing_a_missing_package_is_reference_unavailable_with_the_reason(sample):
    (sample.root / "needs_pkg.py").write_text("import parity_package_not_installed\ndef add(a, b): return a + b\n")
    sample.write_case_file("needs.py", HEADER + 'Case(id="needs", covers="sample_reference/__init__.py", '
                           'python=python_call("needs_pkg:add"), rust=pyo3("add"), golden=False, '
                           'examples=[example(1, 2)])\n')
    result = sample.run("-k", "needs", "-p", "no:randomly")
    result.assert_outcomes(skipped=1)
    [record] = sample.report()["cases"]
    assert record["outcome"] == "reference unavailable"
    assert record["message"] == "cannot import needs_pkg: needs package: parity_package_not_installed"


def test_a_missing_manifest_is_one_clear_error_and_update_golden_rebuilds_it_byte_for_byte(sample):
    manifest = sample.golden() / "MANIFEST.json"
    original = manifest.read_bytes()
    manifest.unlink()
    result = sample.run()
    assert result.ret == 4
    result.stderr.fnmatch_lines([f"*{manifest} is missing: restore it, or run --update-golden to rebuild it from "
                                 "the golden files*"])
    rebuilt = sample.run("--update-golden")
    assert rebuilt.ret == 0, rebuilt.stdout.str()
    assert manifest.read_bytes() == original
    rebuilt.stdout.fnmatch_lines(["goldens: nothing changed"])


GATE_BREAKS = '''
import pytest_monolith_parity.session as session

def _broken_gate(*args, **kwargs):
    raise RuntimeError("the gate fell over")

session.evaluate = _broken_gate
'''


def test_a_gate_that_fails_internally_still_writes_the_reports_and_says_so(sample):
    (sample.root / "conftest.py").write_text(GATE_BREAKS)
    result = sample.run("-k", "add and not i64")
    assert result.ret == 6
    result.stdout.fnmatch_lines(["GATE: ERROR (the gate could not be judged: RuntimeError: the gate fell over)"])
    report = sample.report()
    assert report["gate"]["error"] == "RuntimeError: the gate fell over" and report["gate"]["passed"] is False
    for name in ("parity-report.md", "parity-report.html", "summary.md", "history.jsonl"):
        assert (sample.root / "parity-report" / name).is_file(), name


def test_a_replay_file_works_from_another_directory_and_a_misfit_one_is_a_harness_error(sample):
    first = sample.run("-k", "add_i64")
    assert first.ret == 0
    saved = sample.root / "parity-report" / "replays" / "add_i64.json"
    elsewhere = sample.root / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(saved, elsewhere / "copy.json")
    # from the case directory, with the path relative to the rootdir, and with a copy outside the report dir
    for cwd, path in ((sample.root / "cases", "parity-report/replays/add_i64.json"), (elsewhere, "copy.json")):
        result = _run_in(sample, cwd, "--parity-replay", path)
        assert result.ret == 0, result.stdout.str()
        assert sample.report()["cases"][0]["raw"] == "mismatch"
    document = json.loads(saved.read_text())
    document["args"] = document["args"][:1]  # one argument for a two-argument function
    saved.write_text(json.dumps(document))
    misfit = sample.run("--parity-replay", str(saved))
    assert misfit.ret == 6
    [record] = sample.report()["cases"]
    assert record["outcome"] == "harness error"
    assert "does not fit case 'add_i64': it has 1 positional argument(s), the strategy draws 2" in record["message"]


def _run_in(sample, cwd, *args):
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return sample.pytester.runpytest_subprocess("-m", "parity", str(sample.root / "cases"),
                                                    "--parity-hypothesis-profile", "ci", *args)
    finally:
        os.chdir(old)
