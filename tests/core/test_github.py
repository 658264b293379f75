"""GitHub outputs: at most ten annotations, escaped, pointing at case files."""

from pytest_monolith_parity.github import annotations, markdown_summary


def rec(i, outcome="mismatch", message="a: 1 != 2"):
    return {"nodeid": f"cases/x.py::c{i}[e]", "case_id": f"c{i}", "case_file": "cases/x.py", "case_line": 10 + i,
            "outcome": outcome, "message": message}


def test_at_most_ten_annotations_worst_first():
    records = [rec(i) for i in range(12)] + [rec(99, "rust panicked", "boom,\nnext line: 100%")]
    lines = annotations(records)
    assert len(lines) == 11 and lines[-1].startswith("::warning") and "3 more" in lines[-1]
    assert lines[0] == ("::error file=cases/x.py,line=109,title=parity rust panicked%3A c99::"
                        "boom,%0Anext line: 100%25")
    assert all(line.startswith("::error file=cases/x.py,line=") for line in lines[:10])


def test_passing_cases_are_not_annotated():
    assert annotations([rec(1, "match"), rec(2, "expected divergence")]) == []


def test_markdown_summary_leads_with_parity_then_the_gate_then_the_worst_files():
    report = {"summary": "PARITY: 1 match, 1 mismatch", "totals": {"match": 1, "mismatch": 1}, "modules": {
        "m/a.py": {"passed": 1, "items": 2, "outcomes": {"match": 1, "mismatch": 1}}},
        "cases": [rec(1)]}
    text = markdown_summary(report, "GATE: FAIL (1 failing, 0 unexpected pass, 0 harness error)")
    lines = text.splitlines()
    assert lines[2] == "**parity 50.0 % (1 of 2 executed items agree) · 0 known gaps · 1 failing · 0 unavailable**"
    assert lines[4] == "Gate: GATE: FAIL (1 failing, 0 unexpected pass, 0 harness error)"
    assert "| `m/a.py` | 50.0 % | 1 | 0 | 0 | 1 | 0 |" in text
    assert "`cases/x.py::c1[e]` — **mismatch**: a: 1 != 2" in text
