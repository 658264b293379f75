"""Run a benchmark script from two checkouts in alternation and print both sets of figures side by side.

A change's cost is judged on the same machine in the same run: each round
runs the script once from ``--before`` and once from ``--after`` (the order
alternates per round so neither side always runs on a warmer machine), and
the best time of each row over all rounds is kept.  Each checkout's script
imports that checkout's package (the scripts put their own repository first
on ``sys.path``).

    python bench/side_by_side.py --before ../main-checkout --after . bench_tensor.py --sizes 1e3,1e6
    python bench/side_by_side.py --before ../main-checkout --after . --rounds 3 bench_proto.py

Rows are matched by their leading label columns; the ratio columns are the
scripts' own (reference tool time / comparator time); ``after/before`` is the
change of that ratio (1.00 = unchanged, < 1 = the comparator got slower).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

#: Trailing numeric columns of each script, and which of them are (reference s, comparator s, ratio).
LAYOUTS = {"bench_tensor.py": (5, 0, 1, 2), "bench_proto.py": (3, 0, 1, 2)}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?(e[+-]?\d+)?$")


def run(root: Path, script: str, args: list[str]) -> dict[str, list[float]]:
    out = subprocess.run([sys.executable, str(root / "bench" / script), *args], cwd=root, capture_output=True,
                         text=True, check=True).stdout
    columns = LAYOUTS[script][0]
    rows: dict[str, list[float]] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) <= columns or not all(_NUMBER.match(p) for p in parts[-columns:]):
            continue
        rows[" ".join(parts[:-columns])] = [float(p) for p in parts[-columns:]]
    if not rows:
        raise SystemExit(f"no result rows from {root}/bench/{script}:\n{out}")
    return rows


def best(acc: dict[str, list[float]], rows: dict[str, list[float]], ref: int, cmp_: int, ratio: int) -> None:
    for key, values in rows.items():
        old = acc.get(key)
        if old is None:
            acc[key] = values
            continue
        merged = list(old)
        merged[ref] = min(old[ref], values[ref])
        merged[cmp_] = min(old[cmp_], values[cmp_])
        merged[ratio] = merged[ref] / merged[cmp_] if merged[cmp_] else float("inf")
        acc[key] = merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="checkout with the old code")
    parser.add_argument("--after", type=Path, required=True, help="checkout with the new code")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (best of them is kept)")
    parser.add_argument("script", choices=sorted(LAYOUTS))
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    options = parser.parse_args()
    _, ref, cmp_, ratio = LAYOUTS[options.script]
    results: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    for round_ in range(options.rounds):
        order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
        for side in order:
            best(results[side], run(getattr(options, side).resolve(), options.script, options.args), ref, cmp_, ratio)
    print(f"{options.script}: best of {options.rounds} alternating round(s); ratio = reference tool s / comparator s")
    print(f"{'row':>28} {'ref s':>9} {'before s':>9} {'after s':>9} {'ratio before':>13} {'ratio after':>12} {'after/before':>13}")
    for key, before in results["before"].items():
        after = results["after"].get(key)
        if after is None:
            continue
        ref_s = min(before[ref], after[ref])
        rb, ra = ref_s / before[cmp_], ref_s / after[cmp_]
        print(f"{key:>28} {ref_s:>9.4f} {before[cmp_]:>9.4f} {after[cmp_]:>9.4f} {rb:>13.2f} {ra:>12.2f} {ra / rb:>13.2f}", flush=True)


if __name__ == "__main__":
    main()
