"""The divergence catalogue: every distinct recorded divergence of a run, grouped by the monolith file it is about.

A porting engineer closing a file lists its known gaps by hand today; the
catalogue is that list, generated: one entry per distinct recorded
divergence (the file it covers, its reason, its recorded raw class and
message prefix), how many items carry it and what became of them in this
run (held as recorded, changed, no longer happening), and one line of
evidence -- the first line of what the sides actually did, from an item
where it held.  Pytest-free; plain JSON.
"""

from __future__ import annotations

import collections
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from .outcomes import Outcome

EVIDENCE_LIMIT = 300


def entry_id(covers: str, reason: str, outcome: str, message: str) -> str:
    """A stable id for one catalogue entry (the HTML anchors it as ``divergence-<id>``)."""
    return hashlib.sha1("\x00".join((covers, reason, outcome, message)).encode("utf-8")).hexdigest()[:12]


def _first_line(text: Any) -> str:
    lines = [line for line in str(text or "").splitlines() if line.strip()]
    line = lines[0].strip() if lines else ""
    return line if len(line) <= EVIDENCE_LIMIT else line[: EVIDENCE_LIMIT - 1] + "…"


def build(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The catalogue of ``records``: entries sorted by file, then most items first, then reason."""
    groups: dict[tuple[str, str, str, str], list[Mapping[str, Any]]] = collections.defaultdict(list)
    for record in records:
        expected = record.get("expected_divergence")
        if not isinstance(expected, Mapping) or not expected.get("reason"):
            continue
        key = (str(record.get("covers")), str(expected.get("reason")), str(expected.get("outcome") or ""),
               str(expected.get("message") or ""))
        groups[key].append(record)
    entries = []
    for (covers, reason, outcome, message), items in groups.items():
        items = sorted(items, key=lambda r: str(r.get("nodeid")))
        verdicts = collections.Counter(str(r.get("outcome")) for r in items)
        held = [r for r in items if r.get("outcome") == Outcome.EXPECTED_DIVERGENCE.value]
        witness = held[0] if held else items[0]
        entries.append({
            "id": entry_id(covers, reason, outcome, message),
            "covers": covers,
            "package": str(witness.get("package") or ""),
            "reason": reason,
            "outcome": outcome,
            "message": message,
            "items": len(items),
            "held": len(held),
            "verdicts": dict(sorted(verdicts.items())),
            "evidence": _first_line(witness.get("raw_message") or witness.get("message")),
            "evidence_nodeid": str(witness.get("nodeid")),
            "nodeids": [str(r.get("nodeid")) for r in items],
            "case_files": sorted({str(r.get("case_file")) for r in items if r.get("case_file")}),
        })
    entries.sort(key=lambda e: (e["covers"], -e["items"], e["reason"]))
    return entries
