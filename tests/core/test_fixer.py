"""--parity-fix rewrites expectations in case files and keeps everything else, comments included."""

import textwrap

from pytest_monolith_parity.fixer import apply_fixes, message_prefix, plan

SOURCE = textwrap.dedent('''\
    """Cases."""
    from pytest_monolith_parity import Case, divergence, example, pyo3, python_call

    # a comment that must survive
    Case(
        id="alpha",
        covers="m/a.py",
        python=python_call("m:a"),
        rust=pyo3("a"),
        examples=[
            example(1, id="fixed", expect=divergence("was off by one", outcome="mismatch")),  # keep me
            example(2, id="changed", expect=divergence("raises", outcome="rust raised", message="ValueError:")),
            example(3),
        ],
    )
''')


def record(example_id, outcome, raw, message="", expected=None, on_example=True, case_id="alpha"):
    return {"case_file": "cases/a.py", "case_id": case_id, "example_id": example_id, "outcome": outcome,
            "raw": raw, "message": message, "raw_message": message, "expected_divergence": expected,
            "expectation_on_example": on_example}


def test_fixes_are_applied_in_place_keeping_comments(tmp_path):
    path = tmp_path / "cases" / "a.py"
    path.parent.mkdir()
    path.write_text(SOURCE)
    records = [
        record("fixed", "unexpected pass", "match"),
        record("changed", "divergence changed", "rust panicked", "rust panicked: index out of bounds",
               {"reason": "raises", "outcome": "rust raised", "message": "ValueError:"}),
        record("ex2", "mismatch", "mismatch", "[0]: expected 1 != actual 2"),
    ]
    report = apply_fixes(tmp_path, plan(records))
    assert report.changed_files == ["cases/a.py"] and not report.manual
    text = path.read_text()
    assert "# a comment that must survive" in text and "# keep me" in text
    assert 'example(1, id="fixed")' in text
    assert "divergence(\"raises\", outcome='rust panicked', message='rust panicked:')" in text
    assert "example(3, expect=divergence('recorded by --parity-fix on" in text
    assert "outcome='mismatch', message='[0]:')" in text
    compile(text, "a.py", "exec")


def test_unlocatable_cases_are_reported_for_a_hand_edit(tmp_path):
    path = tmp_path / "cases" / "a.py"
    path.parent.mkdir()
    path.write_text(SOURCE)
    report = apply_fixes(tmp_path, plan([record("x", "unexpected pass", "match", case_id="generated")]))
    assert not report.changed_files and len(report.manual) == 1
    assert path.read_text() == SOURCE


def test_shared_case_expectation_is_not_dropped_while_other_inputs_need_it():
    records = [record("a", "unexpected pass", "match", on_example=False),
               record("b", "expected divergence", "mismatch", on_example=False)]
    assert [f.action for f in plan(records)] == ["manual"]


def test_new_divergence_import_is_added_when_missing(tmp_path):
    source = SOURCE.replace("Case, divergence, example", "Case, example").replace(
        ', expect=divergence("was off by one", outcome="mismatch")', "").replace(
        ', expect=divergence("raises", outcome="rust raised", message="ValueError:")', "")
    path = tmp_path / "cases" / "a.py"
    path.parent.mkdir()
    path.write_text(source)
    apply_fixes(tmp_path, plan([record("ex2", "rust panicked", "rust panicked", "rust panicked: boom")]))
    text = path.read_text()
    assert "from pytest_monolith_parity import Case, example, pyo3, python_call, divergence" in text
    compile(text, "a.py", "exec")


def test_message_prefix_keeps_the_location_or_error_type():
    assert message_prefix("[1]: expected 0.9 != actual 0.9000001") == "[1]:"
    assert message_prefix("ValueError: empty name") == "ValueError:"
    assert message_prefix("count: 0 != unset (presence)") == "count:"


def test_expectations_built_by_helpers_are_left_for_a_person(tmp_path):
    source = SOURCE.replace('expect=divergence("raises", outcome="rust raised", message="ValueError:")',
                            "expect=known_issue()")
    path = tmp_path / "cases" / "a.py"
    path.parent.mkdir()
    path.write_text(source)
    records = [record("changed", "divergence changed", "rust panicked", "rust panicked: boom",
                      {"reason": "r", "outcome": "rust raised", "message": "ValueError:"})]
    report = apply_fixes(tmp_path, plan(records))
    assert not report.changed_files and len(report.manual) == 1
    assert path.read_text() == source


def test_every_expectation_the_fixer_writes_carries_a_prefix_that_survives_changing_values():
    # live values (measured memory, CPU) and shrunk inputs change from run to run; the prefix does not
    assert message_prefix("root: 16389005312 != 16782341439488") == "root:"
    assert message_prefix("[0]: expected 101.5 != actual 0.0 (abs 1e+02)") == "[0]:"
    assert message_prefix("rust timed out: no answer within 2 s; the worker was killed") == "rust timed out:"
    assert message_prefix("both raised, but python raised KeyError: 'x' and rust raised ValueError: y") == \
        "both raised, but python raised KeyError:"
    assert message_prefix("bytes differ") == "bytes differ"
    assert message_prefix("16 != 17") == "16 != 17"  # never empty


def test_a_matching_record_without_a_prefix_gets_one(tmp_path):
    path = tmp_path / "cases" / "a.py"
    path.parent.mkdir()
    path.write_text(SOURCE)
    loose = record("fixed", "expected divergence", "mismatch", "[0]: expected 1 != actual 2",
                   {"reason": "was off by one", "outcome": "mismatch", "message": ""})
    report = apply_fixes(tmp_path, plan([loose]))
    assert report.changed_files == ["cases/a.py"] and not report.manual
    text = path.read_text()
    assert 'example(1, id="fixed", expect=divergence("was off by one", outcome="mismatch", message=\'[0]:\')),' in text


def test_a_shared_record_gets_the_common_head_of_its_inputs_prefixes():
    shared = {"reason": "r", "outcome": "mismatch", "message": ""}
    fixes = plan([record("a", "expected divergence", "mismatch", "root['tree'][1]: x", shared, on_example=False),
                  record("b", "expected divergence", "mismatch", "root['tree'][2]: y", shared, on_example=False)])
    assert {(f.action, f.message) for f in fixes} == {("update", "root['tree'][")}
