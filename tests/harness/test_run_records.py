"""What a run records about itself: its selection in the trend, the Hypothesis profile a gate uses."""

import json
import shutil


def test_history_records_the_selection_and_the_trend_shows_whole_runs(sample):
    assert sample.run().ret == 0
    assert sample.run("-k", "add").ret == 0
    assert sample.pytester.runpytest_subprocess("-m", "parity", "cases/numeric.py", "--parity-hypothesis-profile",
                                                "ci").ret == 0
    replay = sample.root / "parity-report" / "replays" / "add_i64.json"
    assert sample.run("--parity-replay", str(replay)).ret == 0
    lines = (sample.root / "parity-report" / "history.jsonl").read_text().splitlines()
    assert [json.loads(line)["selection"] for line in lines] == ["whole", "subset", "subset", "replay"]
    assert sample.report()["selection"] == "replay"
    assert sample.report()["history"]["whole_runs"] == 1  # the trend: whole runs only
    assert [run["counts"] for run in sample.report()["history"]["trend"]] == [json.loads(lines[0])["counts"]]


def test_a_gate_against_a_baseline_uses_the_derandomized_profile_unless_one_is_named(sample):
    assert sample.run("-k", "add").ret == 0
    baseline = sample.root / "base.json"
    shutil.copy(sample.root / "parity-report" / "parity-report.json", baseline)
    plain = sample.pytester.runpytest_subprocess("-m", "parity", "cases", "-k", "add")  # no profile named: dev
    assert plain.ret == 0 and sample.report()["hypothesis_profile"] == "dev"
    gated = sample.pytester.runpytest_subprocess("-m", "parity", "cases", "-k", "add", "--parity-baseline", str(baseline))
    assert gated.ret == 0 and sample.report()["hypothesis_profile"] == "ci"
    named = sample.pytester.runpytest_subprocess("-m", "parity", "cases", "-k", "add", "--parity-baseline",
                                                 str(baseline), "--parity-hypothesis-profile", "dev")
    assert named.ret == 0 and sample.report()["hypothesis_profile"] == "dev"


def test_strict_records_fail_the_gate_on_a_record_without_a_message_prefix(sample):
    path = sample.root / "cases" / "messages.py"
    path.write_text(path.read_text().replace(', message="count"', ""))
    warned = sample.run("-k", "record")
    assert warned.ret == 0
    warned.stdout.fnmatch_lines(["warning: cases/messages.py::record?zero_count?: its recorded divergence has no "
                                 "message prefix*", "GATE: PASS (*); 1 recorded divergence(s) without a message "
                                 "prefix (a warning; --parity-strict-records fails)"])
    strict = sample.run("-k", "record", "--parity-strict-records")
    assert strict.ret == 1
    strict.stdout.fnmatch_lines(["ERROR: cases/messages.py::record?zero_count?: *", "GATE: FAIL (*"])
    fixed = sample.run("-k", "record", "--parity-fix")
    assert 'message=\'count:\'' in path.read_text() or 'message="count:"' in path.read_text(), fixed.stdout.str()
    assert sample.run("-k", "record", "--parity-strict-records").ret == 0


def test_a_case_file_named_on_the_command_line_is_collected_once_with_its_support_imports(sample):
    """pytest also imports a file named as an argument as a test module; a case file's ``from ._support import``
    then failed collection ("attempted relative import with no known parent package")."""
    support = sample.root / "cases" / "_support"
    support.mkdir()
    (support / "__init__.py").write_text("")
    (support / "sides.py").write_text("def add(a, b):\n    return a + b\n")
    sample.write_case_file("relative.py", "from pytest_monolith_parity import Case, example, pyo3\n"
                           "from ._support import sides\n"
                           'Case(id="relative", covers="sample_reference/__init__.py", python=sides.add, '
                           'rust=pyo3("add"), golden=False, examples=[example(1, 2, id="one")])\n')
    result = sample.pytester.runpytest_subprocess("-m", "parity", "cases/relative.py", "--parity-hypothesis-profile",
                                                  "ci")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=1)
    assert sample.report()["selection"] == "subset"
