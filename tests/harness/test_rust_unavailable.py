"""*rust unavailable* and the gate, on the sample pair's two pyo3 builds (the API facts of the real bindings).

The baseline build of ``sample_rust`` has no ``word_count`` (its build script
finds no ``sample_core::word_count``), the "pr" build has it; ``clamp`` returns
``i64`` in one and ``Result<i64>`` in the other, and each build compiles the
wrapper variant of its signature.
"""

import shutil
import textwrap
import xml.etree.ElementTree as ET

CASES = textwrap.dedent('''
    from pytest_monolith_parity import Case, example, pyo3, python_call

    R = "sample_reference/__init__.py"
    Case(id="word_count", covers=R, python=python_call("sample_reference:word_count"), rust=pyo3("word_count"),
         golden=False, examples=[example("a b  c", id="three"), example("", id="empty")])
    Case(id="clamp", covers=R, python=python_call("sample_reference:clamp"), rust=pyo3("clamp"),
         golden=False, examples=[example(5, 0, 3, id="above"), example(-1, 0, 3, id="below")])
''')


def baseline_report(sample):
    path = sample.root / "base-report.json"
    shutil.copy(sample.root / "parity-report" / "parity-report.json", path)
    return path


def test_baseline_build_says_rust_unavailable_and_still_passes(sample):
    sample.write_case_file("api.py", CASES)
    result = sample.run("-k", "api", "-rs", "--junitxml", "junit.xml")
    assert result.ret == 0, result.stdout.str()
    verdicts = sample.verdicts()
    assert verdicts["cases/api.py::word_count[three]"] == ("rust unavailable", "rust unavailable")
    assert verdicts["cases/api.py::clamp[above]"] == ("match", "match")  # the i64 variant compiled
    record = next(c for c in sample.report()["cases"] if c["nodeid"] == "cases/api.py::word_count[empty]")
    assert record["message"] == "sample_core::word_count not in this checkout"
    assert record["python"] is None and record["rust"] is None  # neither side ran
    result.stdout.fnmatch_lines(["SKIPPED*rust unavailable: sample_core::word_count not in this checkout*"])
    result.stdout.fnmatch_lines([
        "PARITY: 2 match, 0 error agreement, 0 mismatch, 0 different errors, 0 python raised, 0 rust raised, "
        "0 rust panicked, 0 process crashed, 0 timeout, 0 reference drifted, 0 golden missing, 0 expected divergence, "
        "0 unexpected pass, 0 divergence changed, 0 reference unavailable, 2 rust unavailable, 0 harness error",
        "GATE: PASS (0 failing, 0 unexpected pass, 0 harness error, 2 rust unavailable)",
    ])
    junit = ET.parse(sample.root / "junit.xml")
    outcomes = {p.get("value") for p in junit.iter("property") if p.get("name") == "parity_outcome"}
    assert "rust unavailable" in outcomes
    markdown = (sample.root / "parity-report" / "parity-report.md").read_text()
    assert "## Rust unavailable (not in this checkout)" in markdown
    assert "## Needs attention" not in markdown


def test_the_pull_request_that_adds_the_function_shows_new_items(sample, monkeypatch):
    sample.write_case_file("api.py", CASES)
    assert sample.run("-k", "api").ret == 0
    base = baseline_report(sample)
    sample.use_pr_pyo3(monkeypatch)
    result = sample.run("-k", "api", "--parity-baseline", str(base))
    assert result.ret == 0, result.stdout.str()
    verdicts = sample.verdicts()
    assert verdicts["cases/api.py::word_count[three]"] == ("match", "match")
    assert verdicts["cases/api.py::clamp[below]"] == ("match", "match")  # the Result variant compiled
    result.stdout.fnmatch_lines(["GATE: PASS vs baseline: 0 regression, 0 fixed, 2 new (0 failing), 0 still failing, "
                                 "0 removed, 0 unexpected pass, 0 harness error"])
    assert sample.report()["gate"]["new_passing"] == ["cases/api.py::word_count[empty]",
                                                      "cases/api.py::word_count[three]"]


def test_a_new_function_that_disagrees_is_new_failing(sample, monkeypatch):
    sample.write_case_file("api.py", CASES.replace('example("a b  c", id="three")',
                                                   'example("a\\x1fb", id="unit_separator")'))
    sample.run("-k", "api")
    base = baseline_report(sample)
    sample.use_pr_pyo3(monkeypatch)
    result = sample.run("-k", "api", "--parity-baseline", str(base))
    assert result.ret == 1
    # Python's str.split() splits on \\x1f, Rust's split_whitespace does not
    assert sample.verdicts()["cases/api.py::word_count[unit_separator]"] == ("mismatch", "mismatch")
    result.stdout.fnmatch_lines(["GATE: FAIL vs baseline: 0 regression, 0 fixed, 2 new (1 failing)*"])


def test_a_pull_request_that_removes_the_function_is_a_regression(sample, monkeypatch):
    sample.write_case_file("api.py", CASES)
    with monkeypatch.context() as pr:
        sample.use_pr_pyo3(pr)
        assert sample.run("-k", "api").ret == 0
    base = baseline_report(sample)
    result = sample.run("-k", "api", "--parity-baseline", str(base))  # the baseline build: word_count is gone
    assert result.ret == 1
    result.stdout.fnmatch_lines(["GATE: FAIL vs baseline: 2 regression, 0 fixed, 0 new (0 failing)*"])
    assert sample.report()["gate"]["regressions"] == ["cases/api.py::word_count[empty]",
                                                      "cases/api.py::word_count[three]"]


def test_a_misspelt_function_still_fails_collection(sample):
    sample.write_case_file("api.py", CASES.replace('pyo3("word_count")', 'pyo3("word_cuont")'))
    result = sample.run("-k", "api")
    assert result.ret == 2
    output = result.stdout.str()
    for needle in ("parity case 'word_count' in cases/api.py", "has no function 'word_cuont'", "Available:",
                   "clamp", "in the bindings but not in this build: word_count"):
        assert needle in output, f"{needle!r} not in:\n{output}"


def test_the_changed_signature_keeps_its_behaviour_on_each_build(sample, monkeypatch):
    cases = CASES + textwrap.dedent('''
        Case(id="clamp_inverted", covers=R, python=python_call("sample_reference:clamp"), rust=pyo3("clamp"),
             golden=False, errors={"ValueError": "ValueError"}, examples=[example(1, 3, 0, id="lo_above_hi")])
    ''')
    sample.write_case_file("api.py", cases)
    sample.run("-k", "clamp_inverted")
    assert sample.verdicts()["cases/api.py::clamp_inverted[lo_above_hi]"][0] == "rust panicked"  # i64::clamp asserts
    base = baseline_report(sample)
    sample.use_pr_pyo3(monkeypatch)
    result = sample.run("-k", "clamp_inverted", "--parity-baseline", str(base))
    assert sample.verdicts()["cases/api.py::clamp_inverted[lo_above_hi]"][0] == "error agreement"
    result.stdout.fnmatch_lines(["GATE: PASS vs baseline: 0 regression, 1 fixed, 0 new (0 failing)*"])
