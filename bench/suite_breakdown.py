"""Where a parity run's time went: per monolith package and per runner kind, from its JSON report(s).

    python bench/suite_breakdown.py parity-report/parity-report.json
    python bench/suite_breakdown.py before.json after.json --labels before,after    # side by side

Each item's ``seconds`` is the time of its whole example (both sides, the
comparison, goldens); each side's ``seconds`` is its call alone.  Runner kinds
are read from the record's ``python_call`` / ``rust_call`` descriptions.  The
sums are per item as the run recorded them: under ``-n 2`` two items run at
once, so they add up to about twice the wall time.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path


#: (how a runner's description starts, the kind it is), first match wins
KINDS = [("python (isolated)", "isolated call"), ("cli python -m", "reference CLI"), ("cli {rust_cli}", "Rust CLI"),
         ("cli", "CLI"), ("pyo3", "pyo3"), ("worker", "framed worker"),
         ("rust driver", "driver"), ("python", "in-process python")]


def runner_kind(description: str) -> str:
    if description.startswith("pyo3") and description.endswith("(isolated)"):
        return "pyo3 (isolated)"
    for prefix, kind in KINDS:
        if description.startswith(prefix):
            return kind
    return description.split(" ", 1)[0]


def breakdown(report: dict) -> dict[str, dict[str, list[float]]]:
    groups: dict[str, dict[str, list[float]]] = {"package": collections.defaultdict(list),
                                                   "python side": collections.defaultdict(list),
                                                   "rust side": collections.defaultdict(list)}
    for case in report["cases"]:
        groups["package"][case.get("package") or "?"].append(case["seconds"])
        for side, key in (("python side", "python"), ("rust side", "rust")):
            data = case.get(key) or {}
            groups[side][runner_kind(case.get(f"{key}_call", ""))].append(data.get("seconds", 0.0))
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+")
    parser.add_argument("--labels", help="comma-separated column labels (default: the file names)")
    options = parser.parse_args(argv)
    reports = [json.loads(Path(p).read_text("utf-8")) for p in options.reports]
    labels = options.labels.split(",") if options.labels else [Path(p).parent.name or p for p in options.reports]
    tables = [breakdown(r) for r in reports]
    for report, label in zip(reports, labels):
        print(f"{label}: {report['summary']} ({len(report['cases'])} items)")
    for group in ("package", "python side", "rust side"):
        print(f"\n| {group} | " + " | ".join(f"{label}: items, sum s, max s" for label in labels) + " |")
        print("|---|" + "---|" * len(labels))
        for name in sorted({n for t in tables for n in t[group]}):
            cells = []
            for table in tables:
                values = table[group].get(name, [])
                cells.append(f"{len(values)}, {sum(values):.1f}, {max(values, default=0):.2f}")
            print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
