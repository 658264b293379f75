"""Self-test of ``structured()``: one change anywhere is found where it is, under each option; what the
options declare irrelevant (signed zeros, dict and set order, numeric types, list order, tolerance) is equal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import selftest_walk as W
from selftest_settings import examples
from pytest_monolith_parity.compare import structured

OPTIONS = [{}, {"key_order": True}, {"math_epsilon": 1e-9}, {"significant_digits": 3},
           {"significant_digits": 3, "number_format_notation": "e"}, {"ignore_numeric_type_changes": True},
           {"ignore_order": True}]


@examples(300)
@given(data=st.data())
def test_one_change_is_reported_at_its_place(data):
    options = data.draw(st.sampled_from(OPTIONS), label="options")
    W.check_one_change(data, structured(**options), "structured", options, special="ignore_order" not in options)


@examples(200)
@given(data=st.data())
def test_declared_irrelevant_changes_compare_equal(data):
    W.check_irrelevant(data, structured, W.STRUCTURED_TRANSFORMS, W.OPTIONAL_TRANSFORMS)
