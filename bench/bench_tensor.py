"""Tensor comparator vs numpy.testing.assert_allclose, side by side in one run.

For float32 arrays of each size, three scenarios -- identical copies, every
element perturbed within tolerance (a passing comparison that is not bitwise
equal), and 1% of the elements off by 1.0 (a failing comparison, where both
sides also compute their diagnostics) -- report the time ratio (assert_allclose / comparator, > 1 means the
comparator is faster) and each one's peak extra memory (tracemalloc, which
traces numpy's allocations) relative to the inputs' size.

    python bench/bench_tensor.py                 # sizes 1e3, 1e6, 1e8
    python bench/bench_tensor.py --sizes 1e3,1e6
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_monolith_parity.compare import tensor  # noqa: E402

RTOL, ATOL = 1.3e-6, 1e-5  # the float32 defaults, passed explicitly to both sides


def best_time(fn, budget: float = 1.0, max_runs: int = 50) -> float:
    """Best of several runs, within roughly ``budget`` seconds (at least 2 runs)."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < 2 or (time.perf_counter() - start < budget and len(times) < max_runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_extra(fn) -> int:
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def make(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    expected = rng.standard_normal(n, dtype=np.float32)
    same = expected.copy()
    # within tolerance but not bitwise equal: a relative nudge of ~1e-7 (a few ulp)
    nudged = (expected * np.float32(1 + 2.0**-22)).astype(np.float32)
    broken = expected.copy()
    broken[::100] += np.float32(1.0)
    return expected, same, nudged, broken


def allclose(actual: np.ndarray, expected: np.ndarray) -> None:
    try:
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)
    except AssertionError as exc:  # the failing scenario: numpy's report is part of its cost
        str(exc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e3,1e6,1e8", help="comma-separated element counts (default 1e3,1e6,1e8)")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    comparator = tensor(rtol=RTOL, atol=ATOL)
    print(f"float32, rtol={RTOL}, atol={ATOL}; ratio = assert_allclose time / comparator time; memory = peak extra / input bytes (both arrays)")
    print(f"{'size':>12} {'case':>10} {'allclose s':>11} {'compare s':>10} {'ratio':>7} {'mem np':>7} {'mem cmp':>8}")
    for n in sizes:
        expected, same, nudged, broken = make(n)
        inputs = expected.nbytes * 2
        budget = 1.0 if n < 10**7 else 0.0
        for case, actual in (("identical", same), ("nudged", nudged), ("1% off", broken)):
            result = comparator.compare(expected, actual)
            assert result.equal is (case != "1% off"), result.render()
            np_fn = lambda: allclose(actual, expected)  # noqa: E731
            cmp_fn = lambda: comparator.compare(expected, actual)  # noqa: E731
            t_np = best_time(np_fn, budget)
            t_cmp = best_time(cmp_fn, budget)
            m_np = peak_extra(np_fn) / inputs
            m_cmp = peak_extra(cmp_fn) / inputs
            print(f"{n:>12.0e} {case:>10} {t_np:>11.4f} {t_cmp:>10.4f} {t_np / t_cmp:>7.2f} {m_np:>7.2f} {m_cmp:>8.3f}", flush=True)
        del expected, same, nudged, broken
        gc.collect()


if __name__ == "__main__":
    main()
