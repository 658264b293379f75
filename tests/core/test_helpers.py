import os

import pytest

from pytest_monolith_parity.helpers import checkout_root, environ, reference_module
from pytest_monolith_parity.outcomes import ReferenceUnavailable


def test_environ_sets_removes_and_restores(monkeypatch):
    monkeypatch.setenv("PARITY_KEEP", "before")
    monkeypatch.delenv("PARITY_NEW", raising=False)
    with environ({"PARITY_KEEP": None, "PARITY_NEW": "x"}):
        assert "PARITY_KEEP" not in os.environ and os.environ["PARITY_NEW"] == "x"
    assert os.environ["PARITY_KEEP"] == "before" and "PARITY_NEW" not in os.environ


def test_environ_restores_after_an_error(monkeypatch):
    monkeypatch.delenv("PARITY_NEW", raising=False)
    with pytest.raises(ZeroDivisionError), environ({"PARITY_NEW": "x"}):
        1 / 0
    assert "PARITY_NEW" not in os.environ


def test_checkout_root_without_a_checkout_makes_the_reference_unavailable(monkeypatch):
    monkeypatch.delenv("MONOLITH_ROOT", raising=False)
    with pytest.raises(ReferenceUnavailable, match="no monolith checkout configured"):
        checkout_root()
    monkeypatch.setenv("MONOLITH_ROOT", "/some/checkout")
    assert str(checkout_root()) == "/some/checkout"


def test_reference_module_imports_or_makes_the_reference_unavailable(tmp_path, monkeypatch):
    assert reference_module("json").dumps([1]) == "[1]"
    (tmp_path / "parity_broken_module.py").write_text("import parity_no_such_package\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ReferenceUnavailable, match="cannot import parity_broken_module: ModuleNotFoundError: "
                                                   "No module named 'parity_no_such_package'"):
        reference_module("parity_broken_module")
