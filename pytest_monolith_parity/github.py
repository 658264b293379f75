"""What a run tells GitHub: a Markdown summary and at most ten annotations.

The Markdown leads with the parity figures (:mod:`figures`), states the
gate apart, then what changed against the baseline and the files furthest
from parity.  It goes to ``$GITHUB_STEP_SUMMARY`` (and to
``<report dir>/summary.md`` for a pull-request comment); annotations are
``::error file=...,line=...::`` workflow commands pointing at the case files,
printed only when ``GITHUB_ACTIONS`` is set.  GitHub shows at most ten error
annotations per step, so the worst ten are chosen and the rest counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .changes import GROUPS as CHANGE_GROUPS
from .figures import FAILING, family, figures, headline, passed
from .outcomes import Outcome
from .report import count_outcomes, format_seconds, gate_sentence, module_table

MAX_ANNOTATIONS = 10
_SEVERITY = [Outcome.HARNESS_ERROR, Outcome.RUST_PANICKED, Outcome.CRASHED, Outcome.TIMEOUT, Outcome.MISMATCH,
             Outcome.DIFFERENT_ERRORS,
             Outcome.RUST_RAISED, Outcome.PYTHON_RAISED, Outcome.DIVERGENCE_CHANGED, Outcome.UNEXPECTED_PASS,
             Outcome.REFERENCE_DRIFTED, Outcome.GOLDEN_MISSING]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(records: Sequence[Mapping[str, Any]], limit: int = MAX_ANNOTATIONS) -> list[str]:
    failing = [r for r in records if family(str(r["outcome"])) == FAILING]
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
    unavailable = [r for r in records if r["outcome"] == Outcome.RUST_UNAVAILABLE.value]
    if unavailable:  # one notice, not one per item: the checkout lacks these functions (the gate judges that)
        symbols = sorted({r["message"] for r in unavailable})
        lines.append(f"::notice title=parity rust unavailable::{len(unavailable)} item(s) call Rust functions this "
                     f"checkout does not have: {_escape_data('; '.join(symbols)[:500])}")
    return lines


def markdown_summary(report: Mapping[str, Any], gate_line: str = "", report_url: str = "") -> str:
    """The step summary: the parity figures first, the gate apart, then what changed and the worst files."""
    data = report.get("parity") or figures(report.get("totals") or count_outcomes(report.get("cases") or []))
    lines = ["## Parity", "", f"**{headline(data)}**", ""]
    sentence = gate_sentence(report)
    if sentence or gate_line:
        if sentence.startswith("GATE:"):  # incomplete: the sentence is the line, and why
            lines += [f"**{sentence}**", ""]
        else:
            lines += [f"Gate: {sentence or gate_line}" + (f" — `{gate_line}`" if sentence and gate_line else ""), ""]
    lines += [f"`{report['summary']}`", ""]
    found = report.get("changes")
    if found:
        counts = found.get("counts") or {}
        lines += ["### Changed against the baseline", "",
                  ", ".join(f"{counts.get(name, 0)} {name.replace('_', ' ')}" for name in (*CHANGE_GROUPS, "slower")), ""]
        rows = [(name, entry) for name in ("regressions", "unexpected_passes", "fixes", "new", "removed")
                for entry in found.get(name) or []]
        for name, entry in rows[:30]:
            before = (entry.get("before") or {}).get("outcome", "—")
            after = (entry.get("after") or {}).get("outcome", "—")
            lines.append(f"- {name.replace('_', ' ')}: `{entry['nodeid']}` {before} → {after}")
        if len(rows) > 30:
            lines.append(f"- ... and {len(rows) - 30} more")
        lines += [f"- slower: `{s['nodeid']}` Rust {format_seconds(s['before'])} → {format_seconds(s['after'])} "
                  f"({s['factor']:.2g}×)" for s in (found.get("slower") or [])[:10]]
        lines.append("")
    lines += ["### Furthest from parity", ""] + module_table(report, limit=30)
    failing = [c for c in report["cases"] if family(str(c["outcome"])) == FAILING]
    if failing:
        lines += ["", "<details><summary>Failing cases</summary>", ""]
        lines += [f"- `{c['nodeid']}` — **{c['outcome']}**: {c['message'][:200]}" for c in failing[:50]]
        if len(failing) > 50:
            lines.append(f"- ... and {len(failing) - 50} more")
        lines += ["", "</details>"]
    if report_url:
        lines += ["", f"Full report: {report_url}"]
    return "\n".join(lines) + "\n"
