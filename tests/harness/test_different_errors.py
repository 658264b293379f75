"""Both sides raised, but different errors: its own class, never absorbed by a record of another outcome."""

import textwrap

#: The reference raises TypeError (an argument that does not fit), the port ValueError: two different failures.
CASES = textwrap.dedent('''
    from pytest_monolith_parity import Case, divergence, driver, example

    def reference(text):
        return int.__add__(text, 1)  # TypeError: descriptor '__add__' requires an 'int' object

    def port(text):
        raise ValueError(f"invalid digit in {text!r}")

    Case(id="errors", covers="sample_reference/__init__.py", python=reference, rust=driver(port), golden=False,
         examples=[example("x", id="text")], expect=RECORD)
''')


def run_with(sample, record: str):
    sample.write_case_file("errors.py", CASES.replace("RECORD", record))
    return sample.run("-k", "errors")


def test_different_errors_do_not_satisfy_a_recorded_mismatch(sample):
    result = run_with(sample, 'divergence("a value differs on purpose: see the port\'s notes", outcome="mismatch")')
    assert result.ret == 1, result.stdout.str()  # before: the record absorbed it, exit 0 and GATE: PASS
    assert sample.verdicts()["cases/errors.py::errors[text]"] == ("divergence changed", "different errors")
    result.stdout.fnmatch_lines(["PARITY: 0 match, 0 error agreement, 0 mismatch, 0 different errors, * 1 divergence changed, *",
                                 "GATE: FAIL (1 failing, 0 unexpected pass, 0 harness error)*"])


def test_different_errors_are_accepted_only_by_a_record_of_their_class_and_message(sample):
    record = ('divergence("the port validates digits first: one line of evidence", outcome="different errors", '
              'message="both raised, but python raised TypeError:")')
    result = run_with(sample, record)
    assert result.ret == 0, result.stdout.str()
    assert sample.verdicts()["cases/errors.py::errors[text]"] == ("expected divergence", "different errors")
    wrong = record.replace("TypeError:", "KeyError:")
    result = run_with(sample, wrong)
    assert result.ret == 1 and sample.verdicts()["cases/errors.py::errors[text]"][0] == "divergence changed"
