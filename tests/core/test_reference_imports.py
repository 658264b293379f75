"""A python_call target that does not import: the case is broken, unless the reason is static and named."""

import sys

import pytest

from pytest_monolith_parity.outcomes import ReferenceUnavailable
from pytest_monolith_parity.runners.base import RunnerConfigError
from pytest_monolith_parity.runners.python_side import resolve_target


@pytest.fixture()
def modules(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "parity_needs_pkg.py").write_text("import parity_not_installed_xyz\ndef f(): return 1\n")
    (tmp_path / "parity_raises.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "parity_fine.py").write_text("def f(): return 1\n")
    yield
    for name in ("parity_needs_pkg", "parity_raises", "parity_fine"):
        sys.modules.pop(name, None)


def test_a_misspelled_module_is_a_harness_error_naming_it(modules):
    with pytest.raises(RunnerConfigError, match="module parity_fien does not import: ModuleNotFoundError"):
        resolve_target("parity_fien:f")
    with pytest.raises(RunnerConfigError, match="module parity_fine.sub does not import"):
        resolve_target("parity_fine.sub:f")


def test_a_module_that_raises_at_import_is_a_harness_error_with_the_error(modules):
    with pytest.raises(RunnerConfigError, match="parity_raises does not import: RuntimeError: boom at import"):
        resolve_target("parity_raises:f")


def test_a_package_that_is_not_installed_is_a_named_static_reason(modules):
    with pytest.raises(ReferenceUnavailable, match="cannot import parity_needs_pkg: needs package: "
                                                   "parity_not_installed_xyz"):
        resolve_target("parity_needs_pkg:f")


def test_a_stand_in_saying_unavailable_at_import_keeps_its_reason(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "parity_standin.py").write_text(
        "from pytest_monolith_parity import ReferenceUnavailable\nraise ReferenceUnavailable('custom op x is not built')\n")
    try:
        with pytest.raises(ReferenceUnavailable, match="custom op x is not built"):
            resolve_target("parity_standin:f")
    finally:
        sys.modules.pop("parity_standin", None)


def test_a_missing_attribute_is_a_harness_error(modules):
    with pytest.raises(RunnerConfigError, match="has no attribute path 'g'"):
        resolve_target("parity_fine:g")
