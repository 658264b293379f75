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
