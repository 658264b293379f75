"""[tool.monolith_parity.tolerances] replaces the per-dtype defaults of the tensor comparator."""

import numpy as np
import pytest

from pytest_monolith_parity import compare
from pytest_monolith_parity.compare.base import ComparatorConfigError
from pytest_monolith_parity.compare.tensor import DEFAULT_TOLERANCES, configure_default_tolerances

ONE_ULP_APART = (np.array([0.9], np.float32), np.array([np.nextafter(np.float32(0.9), np.float32(1))], np.float32))


@pytest.fixture(autouse=True)
def restore():
    yield
    configure_default_tolerances(None)


def test_defaults_come_from_configuration():
    assert compare.tensor().compare(*ONE_ULP_APART).equal
    configure_default_tolerances({"float32": {"rtol": 0.0, "atol": 0.0}})
    result = compare.tensor().compare(*ONE_ULP_APART)
    assert not result.equal and result.differences[0].path == "[0]"
    assert DEFAULT_TOLERANCES["float64"] == (1e-7, 1e-7)


def test_restoring_brings_back_the_documented_table():
    configure_default_tolerances({"float16": {"atol": 1.0}})
    assert DEFAULT_TOLERANCES["float16"] == (1e-3, 1.0)
    configure_default_tolerances(None)
    assert DEFAULT_TOLERANCES["float16"] == (1e-3, 1e-5)


@pytest.mark.parametrize("table,needle", [
    ({"float33": {"rtol": 1}}, "unknown dtype 'float33'"),
    ({"float32": {"rtl": 1}}, "unknown key"),
    ({"float32": {"rtol": -1}}, "finite and >= 0"),
    ({"float32": {"atol": float("nan")}}, "finite and >= 0"),
])
def test_bad_tables_are_rejected(table, needle):
    with pytest.raises(ComparatorConfigError, match=needle):
        configure_default_tolerances(table)
