"""The probe's table goes into the reports when a probe JSON is present."""

import json

from pytest_monolith_parity.report import build_report, load_probe, render_markdown


def test_probe_table_in_markdown(tmp_path):
    path = tmp_path / "probe.json"
    path.write_text(json.dumps({"checkout": "/c", "revision": "r", "files": 3, "importable": 1,
                                "counts": {"importable": 1, "needs custom op": 2, "needs package": 0},
                                "rows": [{"path": "monolith/a.py", "class": "importable", "detail": ""}]}))
    report = build_report([], extra={"probe": load_probe(path)})
    text = render_markdown(report)
    assert "1 of 3 Python files of the checkout import" in text
    assert "| needs custom op | 2 |" in text and "needs package" not in text


def test_missing_or_broken_probe(tmp_path):
    assert load_probe(tmp_path / "nope.json") is None
    (tmp_path / "bad.json").write_text("{}")
    assert "not a probe JSON" in load_probe(tmp_path / "bad.json")["error"]
