"""Case files import the support code beside them; support code is never collected as cases."""

import sys

import pytest

from pytest_monolith_parity import case_modules
from pytest_monolith_parity.loader import load_cases


def write_package(root):
    (root / "pkg" / "_support").mkdir(parents=True)
    (root / "pkg" / "_support" / "driver.py").write_text("LOADS = []\nLOADS.append(1)\n\ndef double(x):\n    return 2 * x\n")
    (root / "pkg" / "flags.py").write_text(
        "from pytest_monolith_parity import Case, example, python_call, pyo3\n"
        "from ._support.driver import double\n"
        "from ._support import driver\n"
        "Case(id='c', covers='monolith/pkg/flags.py', python=double, rust=pyo3('scale'), examples=[example(2)])\n")
    return root / "pkg" / "flags.py"


def test_a_case_file_imports_its_support_module_relatively(tmp_path):
    case_file = write_package(tmp_path)
    cases = load_cases(case_file, "pkg/flags.py")
    assert [c.id for c in cases] == ["c"]
    module = sys.modules[case_modules.module_name_for(case_file)]
    assert module.double(3) == 6
    assert module.driver.__name__ == f"{case_modules.package_for(case_file.parent)}._support.driver"


def test_support_code_is_loaded_once_per_process(tmp_path):
    case_file = write_package(tmp_path)
    load_cases(case_file, "pkg/flags.py")
    load_cases(case_file, "pkg/flags.py")  # a case file re-executes; what it imports does not
    assert sys.modules[case_modules.module_name_for(case_file)].driver.LOADS == [1]


def test_module_names_depend_on_the_directory_so_same_named_files_never_collide(tmp_path):
    a, b = tmp_path / "a" / "utils.py", tmp_path / "b" / "utils.py"
    assert case_modules.module_name_for(a) != case_modules.module_name_for(b)
    assert case_modules.module_name_for(a) == case_modules.module_name_for(tmp_path / "a" / "." / "utils.py")
    assert case_modules.is_case_module(case_modules.module_name_for(a))


def test_support_directories_are_not_collected(pytester: pytest.Pytester):
    pytester.makepyprojecttoml('[tool.monolith_parity]\ncases_dirs = ["cases"]\nrust_module = "sample_rust"\n')
    write_package(pytester.path / "cases")
    (pytester.path / "cases" / "pkg" / "_support" / "extra.py").write_text(  # would collect, were it a case file
        "from pytest_monolith_parity import Case, example, pyo3\n"
        "Case(id='support_case', covers='monolith/pkg/x.py', python=len, rust=pyo3('scale'), examples=[example('a')])\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "-q", "cases")
    result.stdout.fnmatch_lines(["cases/pkg/flags.py::c[ex0]"])
    assert "support_case" not in result.stdout.str() and "_support" not in result.stdout.str()
