"""A generated report of 10,000 items (100 files x 100 items), with history and a baseline, for the load-time test."""

from __future__ import annotations

import random
from typing import Any

from report_fixtures import perf, record, side

FILES = 100
ITEMS_PER_FILE = 100
OUTCOMES = (["match"] * 70 + ["error agreement"] * 5 + ["expected divergence"] * 15 + ["reference unavailable"] * 4
            + ["mismatch", "rust raised", "python raised", "rust panicked", "timeout", "divergence changed"])


def covers_of(index: int) -> str:
    package = ("agent_service", "native_training", "core", "training", "utils")[index % 5]
    return f"monolith/{package}/generated/module_{index:03d}_with_a_rather_long_name.py"


def big_records(seed: int = 17, flip: float = 0.0) -> list[dict[str, Any]]:
    """10,000 records; ``flip`` is the share of items whose outcome is drawn again (a later revision)."""
    rng = random.Random(seed)
    again = random.Random(seed + 1)
    records = []
    for f in range(FILES):
        covers = covers_of(f)
        for i in range(ITEMS_PER_FILE):
            outcome = rng.choice(OUTCOMES)
            draws = [rng.random() for _ in range(5)]  # the same stream whatever the outcome, so runs stay comparable
            if flip and again.random() < flip:
                outcome = again.choice(OUTCOMES)
            expected = None
            raw = outcome
            if outcome in ("expected divergence", "divergence changed"):
                reason = f"generated divergence {f % 7}-{i % 5}: Rust rounds the {i % 5}th field differently (issue #{f})"
                expected = {"reason": reason, "outcome": "mismatch", "message": f"[{i % 5}]"}
                raw = "mismatch"
            metrics = {"max_abs": draws[0] * (1e-7 if outcome == "match" else 10.0),
                       "max_ulp": float(int(draws[1] * 3) if outcome == "match" else int(draws[1] * 10**9) + 1)}
            message = "" if outcome == "match" else f"[{i % 5}]: expected {draws[2]:.6f} != actual {draws[3]:.6f}"
            timed = perf(1e-5 + draws[4] * 1e-2, 1e-6 + draws[2] * 1e-2) if i % 20 == 0 else None
            item = record(covers, f"case_{i // 4}", f"example_{i}", outcome, raw=raw, message=message,
                          metrics=metrics, expected=expected, seconds=1e-4 + draws[3] * 0.5, perf=timed,
                          diff=message, inputs=f"np.array([{i}.0, {f}.5], dtype=float32)",
                          python=side("python", preview=f"array([{i}.0], dtype=float32)"),
                          rust=side("rust", preview=f"array([{i}.0], dtype=float32)"))
            records.append(item)
    return records


def big_history(records: list[dict[str, Any]], runs: int = 30) -> list[dict[str, Any]]:
    """Earlier whole runs of the same items, most verdicts stable, a few flipping."""
    rng = random.Random(5)
    entries = []
    for run in range(runs):
        verdicts: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        for item in records:
            outcome = item["outcome"] if rng.random() > 0.02 else rng.choice(OUTCOMES)
            verdicts.setdefault(outcome, []).append(item["nodeid"])
            counts[outcome] = counts.get(outcome, 0) + 1
        entries.append({"date": f"2026-10-{run % 28 + 1:02d}T10:00:00+00:00", "revision": f"rev{run:03d}",
                        "counts": counts, "verdicts": verdicts})
    return entries
