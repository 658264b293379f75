"""Self-test of ``exact()``: one change anywhere in a nested value is found where it is; dict and set
order, NaN payloads (``nan="equal"``), array layout and byte order, and a message's pool are not differences."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import selftest_walk as W
from selftest_settings import examples
from pytest_monolith_parity.compare import exact

OPTIONS = [{}, {"nan": "payload"}, {"key_order": True}]


@examples(300)
@given(data=st.data())
def test_one_change_is_reported_at_its_place(data):
    options = data.draw(st.sampled_from(OPTIONS), label="options")
    W.check_one_change(data, exact(**options), "exact", options)


@examples(200)
@given(data=st.data())
def test_declared_irrelevant_changes_compare_equal(data):
    W.check_irrelevant(data, exact, W.EXACT_TRANSFORMS, {})
