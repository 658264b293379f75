"""Self-test of ``tensor()``: one changed element, dtype or shape is found where it is; layout, byte order
and (per the options) NaN payloads, signed zeros and in-tolerance nudges are not differences."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import selftest_arrays as A
from selftest_settings import examples
from pytest_monolith_parity.compare import TensorComparator

OPTIONS = [{}, {"mode": "exact"}, {"rtol": 1e-3, "atol": 1e-6}, {"max_ulp": 4}, {"mode": "exact", "nan": "payload"},
           {"dtype": "kind"}]


@examples(300)
@given(data=st.data())
def test_one_changed_element_is_reported_at_its_index(data):
    e = data.draw(A.arrays(), label="expected")
    options = data.draw(st.sampled_from(OPTIONS), label="options")
    exact = options.get("mode") == "exact"
    flat = data.draw(st.integers(0, e.size - 1), label="flat index")
    a = e.copy()
    index = np.unravel_index(flat, e.shape) if e.ndim else ()
    if e.dtype.kind == "U":
        a = a.astype("<U4")
    a[index] = A.element_change(e[index], e.dtype, exact)
    place = A.index_path(e.shape, flat)
    layout = data.draw(st.sampled_from(["c", "fortran", "strided", "reversed"]), label="layout")
    if A.has_byte_order(a.dtype) and data.draw(st.booleans(), label="swap byte order"):
        a = A.byte_swapped(a)
    result = TensorComparator(**options).compare(A.relaid(e, layout), a)
    assert result.equal is False, (e, a, result.render())
    assert result.differences[0].path == place, (place, result.render())


@examples(150)
@given(data=st.data())
def test_dtype_shape_sign_payload_and_position_changes_are_found(data):
    e = data.draw(A.arrays(), label="expected")
    change = data.draw(st.sampled_from(["dtype", "shape", "sign of zero", "nan payload", "swap"]), label="change")
    options: dict = {}
    a = e.copy()
    place = ""
    if change == "dtype":
        assume(e.dtype.kind in "iuf" and e.dtype != A.BF16)
        wider = {1: 2, 2: 4, 4: 8, 8: 4}[e.dtype.itemsize]
        with np.errstate(over="ignore"):
            a = e.astype(np.dtype(f"{e.dtype.kind}{wider}"))
    elif change == "shape":
        assume(e.ndim >= 1)
        a = e.reshape(e.shape + (1,)) if data.draw(st.booleans()) else e.reshape(-1)[None, ...]
        assume(a.shape != e.shape)
    elif change in ("sign of zero", "nan payload"):
        assume(e.dtype.kind == "f")
        flat = data.draw(st.integers(0, e.size - 1))
        index = np.unravel_index(flat, e.shape) if e.ndim else ()
        bits = {2: np.uint16, 4: np.uint32, 8: np.uint64}[e.dtype.itemsize]
        if change == "sign of zero":
            e[index] = 0.0
            a = e.copy()
            a[index] = -0.0
            options = {"mode": "exact"}
        else:
            e[index] = np.nan
            a = e.copy()
            a.view(bits)[index] = e.view(bits)[index] ^ bits(1)
            options = {"nan": "payload"}
        place = A.index_path(e.shape, flat)
    else:
        assume(e.size >= 2)
        flat = data.draw(st.integers(0, e.size - 2))
        x, y = e.reshape(-1)[flat], e.reshape(-1)[flat + 1]
        assume(_clearly_different(x, y, e.dtype))
        a = e.copy().reshape(-1)
        a[flat], a[flat + 1] = y, x
        a = a.reshape(e.shape)
        options = {"mode": "exact"}
        place = A.index_path(e.shape, flat)
    result = TensorComparator(**options).compare(e, a)
    assert result.equal is False, (change, result.render())
    assert result.differences[0].path == place, (change, place, result.render())


def _clearly_different(x, y, dtype) -> bool:
    if dtype.kind == "O":
        return type(x) is not type(y) or not (x == y or (isinstance(x, float) and x != x and y != y))
    if A.is_float(dtype):
        fx, fy = float(x), float(y)
        return not (fx == fy or (math.isnan(fx) and math.isnan(fy)))
    return bool(x != y)


TRANSFORMS = ["byte order", "layout", "nan payload", "signed zero", "nudge", "string width", "list input", "kind"]


@examples(200)
@given(data=st.data())
def test_declared_irrelevant_changes_compare_equal(data):
    transform = data.draw(st.sampled_from(TRANSFORMS), label="transform")
    e = data.draw(A.arrays(), label="expected")
    options: dict = {}
    a = e.copy()
    if transform == "byte order":
        assume(A.has_byte_order(e.dtype))
        a = A.byte_swapped(e)
        options = data.draw(st.sampled_from([{}, {"mode": "exact"}]))
    elif transform == "layout":
        a = A.relaid(e, data.draw(st.sampled_from(["fortran", "strided", "reversed"])))
        options = data.draw(st.sampled_from([{}, {"mode": "exact"}]))
    elif transform in ("nan payload", "signed zero", "nudge"):
        assume(e.dtype.kind == "f")
        bits = {2: np.uint16, 4: np.uint32, 8: np.uint64}[e.dtype.itemsize]
        flat = data.draw(st.integers(0, e.size - 1))
        index = np.unravel_index(flat, e.shape) if e.ndim else ()
        if transform == "nan payload":
            e[index] = np.nan
            a = e.copy()
            a.view(bits)[index] = e.view(bits)[index] ^ bits(1)
            options = data.draw(st.sampled_from([{}, {"mode": "exact"}, {"max_ulp": 0}]))
        elif transform == "signed zero":
            e[index] = 0.0
            a = e.copy()
            a[index] = -0.0
            options = data.draw(st.sampled_from([{}, {"rtol": 0.0, "atol": 0.0}, {"max_ulp": 0}, {"mode": "exact", "signed_zero": False}]))
        else:
            finite = np.isfinite(e) & (np.abs(e.astype(np.float64)) < float(np.finfo(e.dtype).max) / 4)
            with np.errstate(over="ignore", invalid="ignore"):
                a = np.where(finite, (e.astype(np.float64) * (1 + 1e-5)).astype(e.dtype), e)
            options = {"rtol": 1e-3, "atol": float(np.finfo(e.dtype).tiny)}
    elif transform == "string width":
        assume(e.dtype.kind in "US")
        a = e.astype(f"{e.dtype.kind}{e.dtype.itemsize // (4 if e.dtype.kind == 'U' else 1) + 5}")
    elif transform == "list input":
        assume(e.dtype in (np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.bool_)) and e.ndim)
        a = e.tolist()
    else:
        assume(e.dtype.kind in "iu" or e.dtype in (np.dtype(np.float32), np.dtype(np.float16)))
        wider = {"i": np.int64, "u": np.uint64, "f": np.float64}[e.dtype.kind]
        a = e.astype(wider)
        options = {"dtype": "kind", "mode": "exact"}
    result = TensorComparator(**options).compare(e, a)
    assert result.equal is True, (transform, options, result.render())
