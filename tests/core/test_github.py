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


def test_markdown_summary_lists_modules_and_failures():
    report = {"summary": "PARITY: 1 match, 1 mismatch", "modules": {
        "m/a.py": {"passed": 1, "items": 2, "outcomes": {"match": 1, "mismatch": 1}}},
        "cases": [rec(1)]}
    text = markdown_summary(report, "GATE: FAIL (1 failing, 0 unexpected pass, 0 harness error)")
    assert "**GATE: FAIL" in text and "| ❌ `m/a.py` | 1/2 | 1 match, 1 mismatch |" in text
    assert "`cases/x.py::c1[e]` — **mismatch**: a: 1 != 2" in text
