"""What a run tells GitHub: a Markdown summary and at most ten annotations.

The Markdown goes to ``$GITHUB_STEP_SUMMARY`` (and to
``<report dir>/summary.md`` for a pull-request comment); annotations are
``::error file=...,line=...::`` workflow commands pointing at the case files,
printed only when ``GITHUB_ACTIONS`` is set.  GitHub shows at most ten error
annotations per step, so the worst ten are chosen and the rest counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .outcomes import Outcome

MAX_ANNOTATIONS = 10
_SEVERITY = [Outcome.HARNESS_ERROR, Outcome.RUST_PANICKED, Outcome.CRASHED, Outcome.TIMEOUT, Outcome.MISMATCH,
             Outcome.RUST_RAISED, Outcome.PYTHON_RAISED, Outcome.DIVERGENCE_CHANGED, Outcome.UNEXPECTED_PASS,
             Outcome.REFERENCE_DRIFTED, Outcome.GOLDEN_MISSING]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(records: Sequence[Mapping[str, Any]], limit: int = MAX_ANNOTATIONS) -> list[str]:
    failing = [r for r in records if not Outcome(r["outcome"]).passed and not Outcome(r["outcome"]).not_run]
    rank = {outcome.value: index for index, outcome in enumerate(_SEVERITY)}
    failing.sort(key=lambda r: (rank.get(r["outcome"], len(rank)), r["nodeid"]))
    lines = []
    for record in failing[:limit]:
        location = f"file={_escape_property(record['case_file'])}"
        if record.get("case_line"):
            location += f",line={record['case_line']}"
        title = _escape_property(f"parity {record['outcome']}: {record['case_id']}")
        lines.append(f"::error {location},title={title}::{_escape_data(record['message'][:500])}")
    if len(failing) > limit:
        lines.append(f"::warning title=parity::{len(failing) - limit} more failing case(s) not annotated; "
                     "see the parity report")
    unavailable = [r for r in records if Outcome(r["outcome"]).not_run]
    if unavailable:  # one notice, not one per item: the checkout lacks these functions (the gate judges that)
        symbols = sorted({r["message"] for r in unavailable})
        lines.append(f"::notice title=parity rust unavailable::{len(unavailable)} item(s) call Rust functions this "
                     f"checkout does not have: {_escape_data('; '.join(symbols)[:500])}")
    return lines


def markdown_summary(report: Mapping[str, Any], gate_line: str = "", report_url: str = "") -> str:
    lines = ["## Parity", "", f"**{gate_line or report['summary']}**", "", f"`{report['summary']}`", ""]
    lines += ["| monolith file | passed | outcomes |", "|---|---:|---|"]
    for covers, module in report["modules"].items():
        outcomes = ", ".join(f"{n} {name}" for name, n in module["outcomes"].items())
        mark = "✅" if module["passed"] == module["items"] else "❌"
        lines.append(f"| {mark} `{covers}` | {module['passed']}/{module['items']} | {outcomes} |")
    failing = [c for c in report["cases"] if not Outcome(c["outcome"]).passed]
    if failing:
        lines += ["", "<details><summary>Failing cases</summary>", ""]
        lines += [f"- `{c['nodeid']}` — **{c['outcome']}**: {c['message'][:200]}" for c in failing[:50]]
        if len(failing) > 50:
            lines.append(f"- ... and {len(failing) - 50} more")
        lines += ["", "</details>"]
    if report_url:
        lines += ["", f"Full report: {report_url}"]
    return "\n".join(lines) + "\n"
