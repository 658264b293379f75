"""Parity reports: one JSON document for machines, one Markdown page for people.

Both are built from the per-case records (see :mod:`records`) gathered on the
controller, so a run with ``-n 2`` reports exactly what a serial run does.
"""

from __future__ import annotations

import collections
import datetime as _dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .files import atomic_write
from .outcomes import Outcome

REPORT_FORMAT = 1
JSON_NAME = "parity-report.json"
MARKDOWN_NAME = "parity-report.md"

#: The summary line lists these always, then any other class that occurred.
ALWAYS_SHOWN = (Outcome.MATCH, Outcome.MISMATCH, Outcome.EXPECTED_DIVERGENCE, Outcome.UNEXPECTED_PASS,
                Outcome.REFERENCE_UNAVAILABLE)


def count_outcomes(records: Iterable[Mapping[str, Any]]) -> collections.Counter:
    return collections.Counter(record["outcome"] for record in records)


def summary_line(records: Sequence[Mapping[str, Any]]) -> str:
    """``PARITY: 41 match, 2 mismatch, 3 expected divergence, 1 unexpected pass, 5 reference unavailable``."""
    counts = count_outcomes(records)
    parts = []
    for outcome in Outcome:
        if outcome in ALWAYS_SHOWN or counts.get(outcome.value):
            parts.append(f"{counts.get(outcome.value, 0)} {outcome.value}")
    return "PARITY: " + ", ".join(parts)


def _max_metric(records: Iterable[Mapping[str, Any]], key: str) -> float | None:
    observed = [r["metrics"][key] for r in records if isinstance(r.get("metrics", {}).get(key), (int, float))]
    return max(observed) if observed else None


def group_by_module(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Mapping[str, Any]]] = collections.defaultdict(list)
    for record in records:
        groups[record["covers"]].append(record)
    modules = {}
    for covers in sorted(groups):
        items = groups[covers]
        counts = count_outcomes(items)
        modules[covers] = {
            "cases": len({r["case_id"] for r in items}),
            "items": len(items),
            "outcomes": dict(sorted(counts.items())),
            "passed": sum(1 for r in items if Outcome(r["outcome"]).passed),
            "max_abs": _max_metric(items, "max_abs"),
            "max_rel": _max_metric(items, "max_rel"),
            "max_ulp": _max_metric(items, "max_ulp"),
        }
    return modules


def build_report(records: Sequence[Mapping[str, Any]], *, revision: str | None = None,
                 extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    ordered = sorted(records, key=lambda r: r["nodeid"])
    return {
        "format": REPORT_FORMAT,
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "revision": revision,
        "summary": summary_line(ordered),
        "totals": dict(sorted(count_outcomes(ordered).items())),
        "modules": group_by_module(ordered),
        "cases": list(ordered),
        **(dict(extra) if extra else {}),
    }


def load_probe(path: Path) -> dict[str, Any] | None:
    """The probe's summary and per-file classes, if a probe JSON exists (see reference/probe.py)."""
    if not path.is_file():
        return None
    try:
        probe = json.loads(path.read_text("utf-8"))
        return {
            "source": str(path),
            "checkout": probe.get("checkout"),
            "revision": probe.get("revision"),
            "files": probe["files"],
            "importable": probe["importable"],
            "counts": probe["counts"],
            "rows": [{"path": r["path"], "class": r["class"], "detail": r.get("detail", "")} for r in probe["rows"]],
        }
    except (ValueError, KeyError, TypeError) as error:
        return {"source": str(path), "error": f"not a probe JSON ({error}); re-run the probe with --format json"}


def _format_metric(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


def render_markdown(report: Mapping[str, Any]) -> str:
    lines = ["# Parity report", "", f"`{report['summary']}`", ""]
    if report.get("revision"):
        lines += [f"Rust revision: `{report['revision']}`", ""]
    lines += ["## Per module", "", "| monolith file | cases | passed | outcomes | max abs | max rel | max ulp |",
              "|---|---:|---:|---|---:|---:|---:|"]
    for covers, module in report["modules"].items():
        outcomes = ", ".join(f"{n} {name}" for name, n in module["outcomes"].items())
        lines.append(f"| `{covers}` | {module['cases']} | {module['passed']}/{module['items']} | {outcomes} | "
                     f"{_format_metric(module['max_abs'])} | {_format_metric(module['max_rel'])} | "
                     f"{_format_metric(module['max_ulp'])} |")
    probe = report.get("probe")
    if probe and "error" not in probe:
        lines += ["", "## Reference probe", "",
                  f"{probe['importable']} of {probe['files']} Python files of the checkout import "
                  f"(`{probe['source']}`).", "", "| class | files |", "|---|---:|"]
        lines += [f"| {name} | {count} |" for name, count in probe["counts"].items() if count]
    elif probe:
        lines += ["", f"Reference probe: {probe['error']}"]
    failing = [c for c in report["cases"] if not Outcome(c["outcome"]).passed and not Outcome(c["outcome"]).not_run]
    expected = [c for c in report["cases"] if c["outcome"] == Outcome.EXPECTED_DIVERGENCE.value]
    unavailable = [c for c in report["cases"] if Outcome(c["outcome"]).not_run]
    for title, cases in (("Needs attention", failing), ("Expected divergences", expected),
                         ("Rust unavailable (not in this checkout)", unavailable)):
        if not cases:
            continue
        lines += ["", f"## {title}", ""]
        for case in cases:
            lines.append(f"### `{case['nodeid']}` — {case['outcome']}")
            lines.append("")
            lines.append(f"- covers `{case['covers']}`; python `{case['python_call']}`; rust `{case['rust_call']}`")
            if case.get("inputs"):
                lines.append(f"- inputs: `{case['inputs']}`")
            if case.get("message"):
                lines.append(f"- {case['message']}")
            if case.get("expected_divergence"):
                lines.append(f"- known divergence: {case['expected_divergence']['reason']}")
            for note in case.get("notes", []):
                lines.append(f"- {note}")
            if case.get("diff"):
                lines += ["", "```", case["diff"], "```"]
            if case.get("replay"):
                lines.append(f"- replay: `{case['replay']}`")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_reports(report_dir: Path, report: Mapping[str, Any]) -> dict[str, Path]:
    """Write the JSON and Markdown reports atomically; return their paths."""
    json_path = report_dir / JSON_NAME
    markdown_path = report_dir / MARKDOWN_NAME
    atomic_write(json_path, (json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8"))
    atomic_write(markdown_path, render_markdown(report).encode("utf-8"))
    return {"json": json_path, "markdown": markdown_path}
