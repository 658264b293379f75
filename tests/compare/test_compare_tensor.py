"""Tensor comparator: the trap corpus, configuration errors, diagnostics, and an oracle check."""

from __future__ import annotations

import math
from fractions import Fraction

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pytest_monolith_parity.compare import ComparatorConfigError, ComparatorInputError, TensorComparator, tensor

f32, f64 = np.float32, np.float64
TINY32 = np.float32(1e-45)  # smallest float32 subnormal
BF16 = ml_dtypes.bfloat16


def f32bits(*bits: int) -> np.ndarray:
    return np.array(bits, dtype=np.uint32).view(np.float32)


def nudge(x, n: int = 1):
    """x moved ``n`` representable values up."""
    x = np.asarray(x)
    for _ in range(n):
        x = np.nextafter(x, np.asarray(np.inf, dtype=x.dtype))
    return x


# (id, comparator options, expected, actual, equal?, path that must be reported)
TRAPS = [
    # --- NaN
    ("nan-vs-nan", {}, f32([1, np.nan]), f32([1, np.nan]), True, None),
    ("nan-vs-number", {}, f32([1, np.nan]), f32([1, 0]), False, "[1]"),
    ("number-vs-nan", {}, f32([1, 2]), f32([1, np.nan]), False, "[1]"),
    ("nan-vs-number-huge-tol", {"rtol": 1.0, "atol": 1e30}, f64([np.nan]), f64([1.0]), False, "[0]"),
    ("nan-moved", {}, f32([np.nan, 1]), f32([1, np.nan]), False, "[0]"),
    ("nan-payload-default-equal", {}, f32bits(0x7FC00001), f32bits(0x7FC00002), True, None),
    ("nan-payload-policy", {"nan": "payload"}, f32bits(0x7FC00001), f32bits(0x7FC00002), False, "[0]"),
    ("nan-payload-policy-same", {"nan": "payload"}, f32bits(0x7FC00001), f32bits(0x7FC00001), True, None),
    ("nan-sign-bit-default", {"mode": "exact"}, f32bits(0x7FC00000), f32bits(0xFFC00000), True, None),
    ("nan-vs-inf", {}, f64([np.nan]), f64([np.inf]), False, "[0]"),
    # --- infinities: never within any tolerance
    ("inf-vs-inf", {"rtol": 1e-3}, f64([np.inf, -np.inf]), f64([np.inf, -np.inf]), True, None),
    ("inf-vs-neg-inf", {"rtol": 1.0, "atol": 1e300}, f64([1, np.inf]), f64([1, -np.inf]), False, "[1]"),
    ("inf-vs-big-finite", {"rtol": 1.0, "atol": 1e300}, f64([np.inf]), f64([1e308]), False, "[0]"),
    ("big-finite-vs-inf", {"rtol": 1.0, "atol": 1e300}, f64([1e308]), f64([np.inf]), False, "[0]"),
    ("inf-vs-max-f32-default", {}, f32([np.inf]), f32([np.finfo(np.float32).max]), False, "[0]"),
    ("inf-vs-max-ulp", {"max_ulp": 1000}, f32([np.inf]), f32([np.finfo(np.float32).max]), False, "[0]"),
    ("neg-inf-vs-min-ulp", {"max_ulp": 5}, f64([-np.inf]), f64([-np.finfo(np.float64).max]), False, "[0]"),
    ("inf-exact", {"mode": "exact"}, f32([np.inf]), f32([np.inf]), True, None),
    # --- signed zero
    ("neg-zero-default-equal", {}, f64([0.0]), f64([-0.0]), True, None),
    ("neg-zero-exact-differs", {"mode": "exact"}, f64([0.0]), f64([-0.0]), False, "[0]"),
    ("neg-zero-exact-relaxed", {"mode": "exact", "signed_zero": False}, f64([0.0]), f64([-0.0]), True, None),
    ("neg-zero-tolerance-strict", {"rtol": 1e-3, "signed_zero": True}, f32([1, -0.0]), f32([1, 0.0]), False, "[1]"),
    ("neg-zero-ulp", {"max_ulp": 0}, f32([-0.0]), f32([0.0]), True, None),
    # --- denormals and ULP across zero
    ("ulp-across-zero-2", {"max_ulp": 2}, f32([-TINY32]), f32([TINY32]), True, None),
    ("ulp-across-zero-1", {"max_ulp": 1}, f32([-TINY32]), f32([TINY32]), False, "[0]"),
    ("ulp-normal-subnormal-boundary", {"max_ulp": 1}, f32([np.finfo(np.float32).tiny]), np.nextafter(f32([np.finfo(np.float32).tiny]), f32(0)), True, None),
    ("ulp-exact-count", {"max_ulp": 3}, f64([1.0]), nudge(f64([1.0]), 4), False, "[0]"),
    ("ulp-exact-count-ok", {"max_ulp": 4}, f64([1.0]), nudge(f64([1.0]), 4), True, None),
    ("denormal-rtol-boundary", {"rtol": 0.5, "atol": 0.0}, f32([2 * TINY32]), f32([3 * TINY32]), True, None),
    ("denormal-rtol-over", {"rtol": 0.5, "atol": 0.0}, f32([2 * TINY32]), f32([4 * TINY32]), False, "[0]"),
    ("denormal-exact", {"mode": "exact"}, f32([TINY32]), f32([2 * TINY32]), False, "[0]"),
    ("denormal-default-atol", {}, f32([TINY32]), f32([0.0]), True, None),
    # --- tolerance semantics
    ("asymmetric-reference-large", {"rtol": 0.19}, f64([12.0]), f64([10.0]), True, None),
    ("asymmetric-reference-small", {"rtol": 0.19}, f64([10.0]), f64([12.0]), False, "[0]"),
    ("atol-only", {"atol": 0.5}, f64([0.0, 10]), f64([0.5, 10.6]), False, "[1]"),
    ("default-f32-within", {}, f32([1.0]), f32([1.000001]), True, None),
    ("default-f32-outside", {}, f32([1.0]), f32([1.0001]), False, "[0]"),
    ("default-f64-outside", {}, f64([1.0]), f64([1.000001]), False, "[0]"),
    ("default-f16", {}, np.float16([1.0]), np.float16([1.0009765]), True, None),
    ("default-f16-outside", {}, np.float16([1.0]), np.float16([1.00293]), False, "[0]"),
    ("bf16-default-within", {}, np.array([1.0], BF16), np.array([1.0078125], BF16), True, None),
    ("bf16-default-outside", {}, np.array([1.0], BF16), np.array([1.03125], BF16), False, "[0]"),
    ("bf16-exact", {"mode": "exact"}, np.array([1.0], BF16), np.array([1.0078125], BF16), False, "[0]"),
    ("exact-one-ulp", {"mode": "exact"}, f32([1.0, 2.0]), np.concatenate([f32([1.0]), nudge(f32([2.0]))]), False, "[1]"),
    ("huge-values-rtol", {"rtol": 1e-6}, f64([1e308]), f64([-1e308]), False, "[0]"),
    ("overflowing-bound", {"rtol": 1.9}, f64([1e308]), f64([-1e308]), False, "[0]"),
    ("overflowing-bound-ok", {"rtol": 2.1}, f64([1e308]), f64([-1e308]), True, None),
    # --- dtypes
    ("f32-vs-f64-strict", {}, f32([0.5]), f64([0.5]), False, ""),
    ("f32-vs-f64-kind", {"dtype": "kind"}, f32([0.1]), f64([0.1]), True, None),
    ("f32-vs-f64-kind-exact", {"dtype": "kind", "mode": "exact"}, f32([0.1]), f64([0.1]), False, "[0]"),
    ("f64-vs-f32-kind-looser-tol", {"dtype": "kind"}, f64([1.0]), f32([1.000001]), True, None),
    ("required-dtype", {"dtype": "float32"}, f64([1.0]), f64([1.0]), False, ""),
    ("kind-ulp-overflow", {"dtype": "kind", "max_ulp": 1}, f64([1e39]), f32([np.finfo(np.float32).max]), False, "[0]"),
    ("kind-ulp-rounding", {"dtype": "kind", "max_ulp": 0}, f64([0.1]), f32([0.1]), True, None),
    ("kind-f16-vs-bf16", {"dtype": "kind"}, np.float16([1.0]), np.array([1.0078125], BF16), True, None),
    ("int-vs-float", {}, np.int64([1]), f64([1.0]), False, ""),
    ("bool-vs-int", {}, np.array([True]), np.int64([1]), False, ""),
    ("bool-vs-int-kind", {"dtype": "kind"}, np.array([True]), np.int64([1]), False, ""),
    ("big-endian-same-values", {}, np.array([1.5, 2.5], ">f4"), np.array([1.5, 2.5], "<f4"), True, None),
    # --- integers: never through float64
    ("u64-above-2-63", {}, np.array([2**63 + 1], np.uint64), np.array([2**63 + 2], np.uint64), False, "[0]"),
    ("u64-max", {}, np.array([2**64 - 1], np.uint64), np.array([2**64 - 2], np.uint64), False, "[0]"),
    ("i64-vs-u64-same-bits", {}, np.array([-1], np.int64), np.array([2**64 - 1], np.uint64), False, ""),
    ("i64-vs-u64-kind-same-bits", {"dtype": "kind"}, np.array([-1], np.int64), np.array([2**64 - 1], np.uint64), False, "[0]"),
    ("i64-vs-u64-kind-equal", {"dtype": "kind"}, np.array([5, 2**62], np.int64), np.array([5, 2**62], np.uint64), True, None),
    ("i64-vs-u64-2-53", {"dtype": "kind"}, np.array([2**53], np.int64), np.array([2**53 + 1], np.uint64), False, "[0]"),
    ("i32-vs-i64-kind", {"dtype": "kind"}, np.array([7], np.int32), np.array([7], np.int64), True, None),
    ("int-ignores-tolerance", {"rtol": 0.5, "atol": 10}, np.int64([100]), np.int64([101]), False, "[0]"),
    ("list-above-2-63", {}, [1, 2**63 + 1], [1, 2**63 + 2], False, "[1]"),
    ("list-above-2-64", {}, [2**64 + 1], [2**64 + 2], False, "[0]"),
    ("list-int-vs-bool", {}, [1, 2], [True, 2], False, ""),
    ("list-mixed-bool", {}, [True, 2], [1, 2], False, ""),
    ("list-mixed-bool-same", {}, [True, 2], [True, 2], True, None),
    ("list-of-bools", {}, [True, False], [True, True], False, "[1]"),
    ("python-int-vs-float", {}, 1, 1.0, False, ""),
    ("bool-arrays", {}, np.array([True, False]), np.array([True, True]), False, "[1]"),
    # --- shapes: never broadcast
    ("shape-3-vs-3x1", {}, np.zeros(3), np.zeros((3, 1)), False, ""),
    ("shape-3-vs-1x3", {}, np.zeros(3), np.zeros((1, 3)), False, ""),
    ("shape-3x1-vs-1x3", {}, np.zeros((3, 1)), np.zeros((1, 3)), False, ""),
    ("shape-scalar-vs-1", {}, np.float64(1.0), f64([1.0]), False, ""),
    ("shape-broadcastable-scalar", {}, f64([1.0, 1.0]), f64(1.0), False, ""),
    ("shape-squeeze", {"shape": "squeeze"}, np.zeros(3), np.zeros((3, 1)), True, None),
    ("shape-squeeze-real-mismatch", {"shape": "squeeze"}, np.zeros(3), np.zeros((1, 4)), False, ""),
    ("shape-required", {"shape": (2,)}, np.zeros(3), np.zeros(3), False, ""),
    # --- empty and 0-d
    ("empty-equal", {}, np.zeros(0, f32), np.zeros(0, f32), True, None),
    ("empty-shape", {}, np.zeros((0,), f32), np.zeros((0, 3), f32), False, ""),
    ("empty-dtype", {}, np.zeros(0, f32), np.zeros(0, f64), False, ""),
    ("zero-d-differs", {}, np.array(1.0), np.array(2.0), False, ""),
    ("zero-d-equal", {}, np.array(5, np.uint64), np.array(5, np.uint64), True, None),
    # --- object arrays and strings
    ("object-equal", {}, np.array([1, "a", None], dtype=object), np.array([1, "a", None], dtype=object), True, None),
    ("object-int-vs-bool", {}, np.array([1, 2], dtype=object), np.array([True, 2], dtype=object), False, "[0]"),
    ("object-int-vs-float", {}, np.array([[1]], dtype=object), np.array([[1.0]], dtype=object), False, "[0, 0]"),
    ("object-nan", {}, np.array([float("nan")], dtype=object), np.array([float("nan")], dtype=object), True, None),
    ("object-bytes", {}, np.array([b"ab"], dtype=object), np.array([b"ac"], dtype=object), False, "[0]"),
    ("strings", {}, np.array(["ab", "c"]), np.array(["ab", "cd"]), False, "[1]"),
    ("strings-width-is-storage", {}, np.array(["ab"], "<U2"), np.array(["ab"], "<U8"), True, None),
    # --- layout
    ("transposed-index", {}, np.arange(6.0).reshape(2, 3).T.copy(), np.arange(6.0).reshape(2, 3).T, True, None),
]


@pytest.mark.parametrize("case_id,options,expected,actual,equal,path", TRAPS, ids=[t[0] for t in TRAPS])
def test_trap(case_id, options, expected, actual, equal, path):
    result = TensorComparator(**options).compare(expected, actual)
    assert result.equal is equal, result.render()
    if not equal:
        assert path in [d.path for d in result.differences], result.render()
        assert result.summary


def test_transposed_index_reports_logical_position():
    e = np.arange(6.0).reshape(2, 3)
    a = e.copy()
    a[1, 2] = 99.0
    result = tensor().compare(e.T, a.T)  # non-contiguous views
    assert [d.path for d in result.differences] == ["[2, 1]"]


# --------------------------------------------------------------------------- diagnostics


def test_message_format_location_and_magnitude():
    e = f32([[0.0, 1.0], [2.0, 3.0]])
    a = e.copy()
    a[0, 1] = nudge(f32(1.0))
    result = tensor(mode="exact").compare(e, a)
    assert not result.equal
    (d,) = result.differences
    assert d.path == "[0, 1]"
    assert d.message == "expected 1.0 != actual 1.0000001 (abs 1.2e-07, rel 1.2e-07, 1 ulp)"
    assert result.summary.startswith("mismatched 1 / 4 (25%)")
    assert "max abs 1.2e-07" in result.summary and "max rel 1.2e-07" in result.summary and "max ulp 1" in result.summary
    assert result.metrics["mismatched"] == 1 and result.metrics["total"] == 4
    assert result.metrics["max_ulp"] == 1 and result.metrics["max_abs"] == pytest.approx(1.1920929e-07)


def test_a_passing_comparison_still_reports_the_observed_ulp_distance():
    """What a tolerance accepted is in the metrics, so the tolerance can be tightened later."""
    e = f32([0.0, 1.0, 2.0, 3.0] * 40000)  # more than one chunk
    a = e.copy()
    a[1] = nudge(f32(1.0), 3)
    a[150002] = nudge(f32(2.0), 2)
    for comparator in (tensor(), tensor(rtol=1e-5, atol=0.0)):
        result = comparator.compare(e, a)
        assert result.equal
        assert result.metrics["max_ulp"] == 3 and result.metrics["mismatched"] == 0
        assert result.metrics["max_abs"] == 2 * 2.0**-22  # 2 ulp at 2.0 is further than 3 ulp at 1.0
    assert tensor().compare(e, e.copy()).metrics["max_ulp"] == 0
    across_zero = e.copy()
    e2 = e.copy()
    e2[7], across_zero[7] = f32(1e-30), f32(-1e-30)  # within atol; the ULP count goes through zero
    expected_ulp = 2 * int(f32(1e-30).view(np.uint32))
    assert tensor().compare(e2, across_zero).metrics["max_ulp"] == expected_ulp
    assert tensor().compare(f32([-0.0]), f32([0.0])).metrics["max_ulp"] == 0
    assert tensor(dtype="kind").compare(f64([1.0]), f32([1.0])).equal  # mixed widths: no same-dtype ULP count


def test_worst_elements_ranked_and_limited():
    e = np.zeros(100)
    a = e.copy()
    for i, delta in [(3, 1.0), (10, 5.0), (50, 3.0), (70, 2.0), (80, 4.0), (90, 0.5), (99, 6.0)]:
        a[i] = delta
    result = tensor(worst=5).compare(e, a)
    assert [d.path for d in result.differences] == ["[99]", "[10]", "[80]", "[50]", "[70]"]
    assert result.metrics["mismatched"] == 7
    assert result.metrics["max_abs"] == 6.0
    assert "mismatched 7 / 100 (7%)" in result.summary


def test_nan_and_inf_rank_first_and_say_so():
    e = f64([1.0, 2.0, np.inf])
    a = f64([1.5, np.nan, 1e308])
    result = tensor().compare(e, a)
    messages = {d.path: d.message for d in result.differences}
    assert "NaN vs number" in messages["[1]"]
    assert "infinity mismatch" in messages["[2]"] and "abs inf" in messages["[2]"]
    assert "abs 0.5" in messages["[0]"]
    assert [d.path for d in result.differences][:2] in (["[1]", "[2]"], ["[2]", "[1]"])


def test_integer_message_is_exact():
    e = np.array([2**63 + 1], np.uint64)
    a = np.array([2**63 + 2], np.uint64)
    (d,) = tensor().compare(e, a).differences
    assert d.message == "expected 9223372036854775809 != actual 9223372036854775810 (abs 1, rel 1.1e-19)"


def test_payload_shown_in_payload_mode():
    (d,) = tensor(nan="payload").compare(f32bits(0x7FC00001), f32bits(0x7FC00002)).differences
    assert "nan(0x7fc00001)" in d.message and "nan(0x7fc00002)" in d.message


def test_passing_metrics():
    result = tensor(rtol=1e-3).compare(f32([1.0, 2.0]), f32([1.0005, 2.0]))
    assert result.equal
    assert result.metrics["mismatched"] == 0 and result.metrics["total"] == 2
    assert result.metrics["max_abs"] == pytest.approx(5e-4, rel=1e-3)
    assert result.metrics["max_rel"] == pytest.approx(5e-4, rel=1e-3)


def test_dtype_and_shape_both_reported():
    result = tensor().compare(np.zeros(3, f32), np.zeros((3, 1), f64))
    assert [d.message for d in result.differences] == ["dtype float32 != float64", "shape (3,) != (3, 1)"]


# --------------------------------------------------------------------------- chunking


@pytest.mark.parametrize("where", [0, 63, 64, 65, 1000, 4095])
@pytest.mark.parametrize("kind", ["tiny", "nan", "inf", "neg-zero"])
def test_single_defect_found_in_any_chunk(where, kind):
    e = np.linspace(-3, 3, 4096, dtype=np.float32)
    a = e.copy()
    if kind == "tiny":
        a[where] = nudge(a[where], 100)
        cmp = TensorComparator(rtol=1e-6, atol=0.0, chunk_size=64)
    elif kind == "nan":
        a[where] = np.nan
        cmp = TensorComparator(rtol=1.0, atol=1.0, chunk_size=64)
    elif kind == "inf":
        e[where] = np.inf
        cmp = TensorComparator(rtol=1.0, atol=1.0, chunk_size=64)
    else:
        e[where], a[where] = 0.0, -0.0
        cmp = TensorComparator(mode="exact", chunk_size=64)
    result = cmp.compare(e, a)
    assert not result.equal
    assert [d.path for d in result.differences] == [f"[{where}]"]
    assert result.metrics["mismatched"] == 1


def test_dense_mismatches_all_counted_across_chunks():
    e = np.ones(10_000, f32)
    a = e * f32(1.01)
    result = TensorComparator(chunk_size=333).compare(e, a)
    assert result.metrics["mismatched"] == 10_000
    assert len(result.differences) == 5


def test_cheap_pass_margin_never_accepts_boundary_failure():
    # just above the bound in float64, but float32 rounding of the bound could hide it
    e = np.full(1000, 1.0, f32)
    a = e.copy()
    a[500] = nudge(f32(1.0), 11)  # 11 ulp = 1.31e-6 > 1e-6 * 1 + 0
    result = tensor(rtol=1e-6, atol=0.0).compare(e, a)
    assert [d.path for d in result.differences] == ["[500]"]


# --------------------------------------------------------------------------- oracle property test


def _oracle(e: float, a: float, mode: str, rtol: float, atol: float, max_ulp: int, ebits: int, abits: int, nbits: int) -> bool:
    if math.isnan(e) or math.isnan(a):
        return math.isnan(e) and math.isnan(a)
    if math.isinf(e) or math.isinf(a):
        return e == a
    if mode == "exact":
        return ebits == abits  # signed_zero=True in the exact runs below
    if mode == "ulp":
        def ordered(b: int) -> int:
            sign = 1 << (nbits - 1)
            return -(b & (sign - 1)) if b & sign else b

        return abs(ordered(abits) - ordered(ebits)) <= max_ulp
    return abs(Fraction(a) - Fraction(e)) <= Fraction(atol) + Fraction(rtol) * abs(Fraction(e))


def _near_boundary(e: float, a: float, rtol: float, atol: float) -> bool:
    if not (math.isfinite(e) and math.isfinite(a)):
        return False
    bound = atol + rtol * abs(e)
    return abs(abs(a - e) - bound) <= 1e-12 * max(bound, 1e-300)


_TINY, _NORMAL, _MAX = (float(np.float32(x)) for x in (1e-45, np.finfo(np.float32).tiny, np.finfo(np.float32).max))
special32 = st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, _TINY, -_TINY, _NORMAL, _MAX, -_MAX, 1.0, -1.0])


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    mode=st.sampled_from(["exact", "tolerance", "ulp"]),
    dtype=st.sampled_from([np.float32, np.float64]),
    chunk=st.integers(1, 9),
)
def test_matches_scalar_oracle(data, mode, dtype, chunk):
    n = data.draw(st.integers(0, 24))
    elems = st.one_of(special32, st.floats(width=32 if dtype is np.float32 else 64, allow_nan=True))
    e = data.draw(hnp.arrays(dtype, n, elements=elems))
    how = data.draw(st.sampled_from(["copy", "nudge", "random"]))
    if how == "copy":
        a = e.copy()
    elif how == "nudge":
        steps = data.draw(hnp.arrays(np.int64, n, elements=st.integers(-3, 3)))
        a = e.copy()
        with np.errstate(over="ignore"):  # max -> inf is a fine test value
            for i, s in enumerate(steps):
                for _ in range(abs(int(s))):
                    a[i] = np.nextafter(a[i], dtype(np.inf if s > 0 else -np.inf))
    else:
        a = data.draw(hnp.arrays(dtype, n, elements=elems))
    rtol = data.draw(st.sampled_from([0.0, 1e-7, 1e-3, 0.5, 1.0, 2.0]))
    atol = data.draw(st.sampled_from([0.0, 1e-45, 1e-30, 1e-6, 1.0]))
    max_ulp = data.draw(st.integers(0, 4))
    options = {"exact": {"mode": "exact", "signed_zero": True}, "tolerance": {"rtol": rtol, "atol": atol}, "ulp": {"max_ulp": max_ulp}}[mode]
    result = TensorComparator(chunk_size=chunk, **options).compare(e, a)
    ub = np.uint32 if dtype is np.float32 else np.uint64
    nbits = 32 if dtype is np.float32 else 64
    verdicts = []
    for x, y, bx, by in zip(e.tolist(), a.tolist(), e.view(ub).tolist(), a.view(ub).tolist()):
        if mode == "tolerance" and _near_boundary(x, y, rtol, atol):
            verdicts.append(None)
            continue
        ok = _oracle(x, y, mode, rtol, atol, max_ulp, bx, by, nbits)
        if mode == "exact" and math.isnan(x) and math.isnan(y):
            ok = True
        verdicts.append(ok)
    bad = {f"[{i}]" for i, v in enumerate(verdicts) if v is False}
    unsure = {f"[{i}]" for i, v in enumerate(verdicts) if v is None}
    assert result.metrics["mismatched"] >= len(bad)
    assert result.metrics["mismatched"] <= len(bad) + len(unsure)
    if bad and len(bad) <= 5 and not unsure:
        assert {d.path for d in result.differences} == bad
    assert result.equal is (result.metrics["mismatched"] == 0)


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "options",
    [
        {"rtol": -1e-3},
        {"atol": float("nan")},
        {"atol": float("inf")},
        {"rtol": "1e-3"},
        {"max_ulp": -1},
        {"max_ulp": 1.5},
        {"rtol": 1e-3, "max_ulp": 2},
        {"mode": "approx"},
        {"mode": "exact", "rtol": 1e-3},
        {"mode": "ulp"},
        {"mode": "tolerance", "max_ulp": 3},
        {"nan": "ignore"},
        {"signed_zero": "yes"},
        {"dtype": "floaty"},
        {"shape": "broadcast"},
        {"worst": -1},
    ],
)
def test_bad_configuration(options):
    with pytest.raises(ComparatorConfigError):
        TensorComparator(**options)


def test_describe_states_the_contract():
    assert "|a-e| <= 1e-06 + 0.001*|e|" in tensor(rtol=1e-3, atol=1e-6).describe()
    assert "<= 4 ulp" in tensor(max_ulp=4).describe()
    assert "per-dtype default" in tensor().describe()


# --------------------------------------------------------------------------- inputs


def test_uninterpretable_inputs_raise():
    with pytest.raises(ComparatorInputError):
        tensor().compare({"a": 1}, {"a": 1})
    with pytest.raises(ComparatorInputError):
        tensor().compare([[1, 2], [3]], [[1, 2], [3]])
    with pytest.raises(ComparatorInputError):
        tensor().compare(np.array([1j]), np.array([1j]))
    with pytest.raises(ComparatorInputError, match="2\\*\\*53"):
        tensor().compare([2**60 + 1, 0.5], [2**60 + 1, 0.5])


def test_tensorflow_tensors():
    import tensorflow as tf

    assert tensor().compare(tf.constant([1.0, 2.0]), np.float32([1.0, 2.0])).equal
    assert tensor().compare(tf.Variable([1.0, 2.0]), tf.constant([1.0, 2.0])).equal
    result = tensor().compare(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.5]))
    assert [d.path for d in result.differences] == ["[1]"]
    assert not tensor().compare(tf.constant([1], dtype=tf.int64), np.array([1], np.uint64)).equal
    bf = tf.constant([1.0, 2.0], dtype=tf.bfloat16)
    assert tensor().compare(bf, np.array([1.0, 2.0], BF16)).equal
    assert tensor().compare(tf.constant([b"a", b"b"]), tf.constant([b"a", b"b"])).equal
    assert not tensor().compare(tf.constant([b"a", b"b"]), tf.constant([b"a", b"c"])).equal
    with pytest.raises(ComparatorInputError):
        tensor().compare(tf.ragged.constant([[1], [2, 3]]), tf.ragged.constant([[1], [2, 3]]))
