"""The HTML parity report and the trend file: unit tests, and a real headless Chromium loading the page."""

from __future__ import annotations

import collections
import html.parser
import json
import math
import multiprocessing
import re
import struct
import time
import warnings
from typing import Any

import pytest

from pytest_monolith_parity.history import HistoryWarning, append_history, history_entry, read_history
from pytest_monolith_parity.html_report import (
    case_anchor,
    coverage_from_inventory,
    fmt_number,
    fmt_seconds,
    module_anchor,
    render_html,
    write_html,
)
from pytest_monolith_parity.outcomes import Outcome
from pytest_monolith_parity.report import build_report

NASTY = """<script>alert("x")</script> & 'single' "double" </pre></details><b>bold</b> &amp; &lt;"""


# -- a realistic synthetic report ----------------------------------------------

def _side(side: str, kind: str = "value", preview: str = "", error_type: str = "", message: str = "",
          detail: str = "", seconds: float = 2e-5) -> dict[str, Any]:
    return {"side": side, "kind": kind, "error_type": error_type, "message": message, "detail": detail,
            "seconds": seconds, "preview": preview if kind == "value" else ""}


def _record(covers: str, case_id: str, example_id: str, outcome: str, *, raw: str | None = None, message: str = "",
            diff: str = "", metrics: dict | None = None, expected: dict | None = None, notes: list | None = None,
            python: Any = "default", rust: Any = "default", inputs: str = "1, 2") -> dict[str, Any]:
    module = covers[len("monolith/"):-len(".py")]
    case_file = "cases/" + module + ".py"
    nodeid = f"{case_file}::{case_id}[{example_id}]"
    return {
        "nodeid": nodeid, "case_id": case_id, "example_id": example_id, "covers": covers, "module": module,
        "package": module.split("/", 1)[0], "case_file": case_file,
        "python_call": f"python monolith.{module.replace('/', '.')}:{case_id}",
        "rust_call": f"pyo3 <rust_module>.{case_id}", "comparator": "tensor(max_ulp=0)", "inputs": inputs,
        "examples_run": 1, "expected_divergence": expected, "outcome": outcome, "raw": raw or outcome,
        "message": message, "diff": diff, "metrics": metrics or {}, "against": "python", "notes": notes or [],
        "python": _side("python", preview="array([1., 2.], dtype=float32)") if python == "default" else python,
        "rust": _side("rust", preview="array([1., 2.], dtype=float32)") if rust == "default" else rust,
        "seconds": 0.0123, "replay": f"pytest '{nodeid}'",
    }


def synthetic_records() -> list[dict[str, Any]]:
    feature = "monolith/native_training/feature.py"
    hash_table = "monolith/native_training/hash_table.py"
    data_def = "monolith/agent_service/data_def.py"
    utils = "monolith/agent_service/utils.py"
    ops = "monolith/core/ops.py"
    text = "monolith/utils/text.py"
    traceback = 'Traceback (most recent call last):\n  File "x.py", line 3, in <module>\nValueError: bad <input> & "quote"'
    records = [
        _record(feature, "tenth", "exact", "match", metrics={"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0}),
        _record(feature, "tenth", "zero", "match", metrics={"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0}),
        _record(feature, "tenth", "one_ulp", "expected divergence", raw="mismatch",
                message="[1]: expected 0.90000004 != actual 0.9 (abs 6e-08, rel 6.6e-08, 1 ulp)",
                diff="mismatched 1 / 2 (50%), max abs 6e-08\n[1]: expected 0.90000004 != actual 0.9",
                metrics={"max_abs": 5.960464477539063e-08, "max_rel": 6.62273804521277e-08, "max_ulp": 1.0,
                         "mismatched": 1, "total": 2},
                expected={"reason": "x*0.1f vs x/10 differ by 1 ULP <issue #12>", "outcome": "mismatch",
                          "message": "[1]"},
                notes=["expected: x*0.1f vs x/10 differ by 1 ULP <issue #12>", "rust vs golden: mismatch"]),
        _record(feature, "scale", "big", "mismatch", message=NASTY, diff="value <1.0> != <2.0> & more\n" + NASTY,
                metrics={"max_abs": 1234.5, "max_rel": 0.25, "max_ulp": 3.0e7, "mismatched": 4, "total": 10}),
        _record(hash_table, "lookup", "missing", "rust panicked", message="rust panicked: index out of bounds: <0>",
                rust=_side("rust", "panicked", error_type="PanicException", message="index out of bounds: <0>",
                           detail="thread 'main' panicked at src/lib.rs:3:5")),
        _record(hash_table, "lookup", "hit", "match"),
        _record(hash_table, "insert", "overflow", "process crashed",
                message="rust process crashed: worker killed by SIGABRT (signal 6) before answering",
                rust=_side("rust", "crashed", message="worker killed by SIGABRT", detail="stderr tail: abort()")),
        _record(hash_table, "insert", "slow", "timeout", message="rust timed out: no answer within 2 s",
                rust=_side("rust", "timeout", message="no answer within 2 s")),
        _record(data_def, "parse", "bad", "error agreement", message="both raised: ValueError ~ InvalidPort",
                python=_side("python", "raised", error_type="ValueError", message="bad", detail=traceback),
                rust=_side("rust", "raised", error_type="InvalidPort", message="bad")),
        _record(data_def, "parse", "good", "match"),
        _record(data_def, "parse", "empty", "python raised", message="ValueError: empty <name>",
                python=_side("python", "raised", error_type="ValueError", message="empty <name>", detail=traceback)),
        _record(data_def, "render", "quote", "rust raised", message="rust raised KeyError: 'a\"b'",
                rust=_side("rust", "raised", error_type="KeyError", message="'a\"b'")),
        _record(utils, "port", "fixed", "unexpected pass", raw="match",
                message="the recorded divergence no longer happens: remove the record",
                expected={"reason": "Rust used to wrap", "outcome": "mismatch", "message": ""}),
        _record(utils, "port", "changed", "divergence changed", raw="rust raised",
                message="expected mismatch, got rust raised",
                expected={"reason": "Rust wraps", "outcome": "mismatch", "message": ""}),
        _record(ops, "add", "hypothesis", "reference drifted", message="python no longer produces its golden",
                python=None, rust=None),
        _record(ops, "add", "new", "golden missing",
                message="no golden yet: run pytest -m parity --update-golden -k 'add'"),
        _record(ops, "sub", "tf", "reference unavailable", message="tensorflow custom op not built",
                python=_side("python", "unavailable", message="custom op <libhash.so> not built")),
        _record(ops, "sub", "branch_only", "rust unavailable", message="monolith_core::ops::sub not in this checkout",
                python=None, rust=None),
        _record(text, "escape", "<b>&\"'", "harness error", message="comparator raised " + NASTY,
                inputs="'<b>&\"\\''"),
        _record(text, "escape", "plain", "match", metrics={"max_abs": float("nan")}),
    ]
    assert {r["outcome"] for r in records} == {o.value for o in Outcome}, "every outcome kind is represented"
    return records


@pytest.fixture
def report() -> dict[str, Any]:
    built = build_report(synthetic_records(), revision="3f2c9e1d0a5b4c6d7e8f90123456789abcdef012",
                         extra={"reference_revision": "<ref & rev>",
                                "golden": {"changed": ["golden/core/ops/add.json"], "unused": ["golden/x <y>.json"]}})
    return json.loads(json.dumps(built, default=str))  # exactly what parity-report.json holds


def history_rows() -> list[dict[str, Any]]:
    return [
        {"date": "2026-11-20T10:00:00+00:00", "revision": "aaa111", "counts": {"match": 3, "mismatch": 6}},
        {"date": "2026-11-22T10:00:00+00:00", "revision": "bbb222",
         "counts": {"match": 6, "mismatch": 3, "expected divergence": 1}},
        {"date": "2026-11-25T10:00:00+00:00", "revision": None,
         "counts": {"match": 8, "expected divergence": 1, "reference unavailable": 1, "timeout": 1}},
        {"date": "2026-11-29T10:00:00+00:00", "revision": "ddd444",
         "counts": {"match": 9, "error agreement": 1, "expected divergence": 1, "reference unavailable": 1}},
    ]


# -- a small DOM for assertions ------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        def hit(node: Node) -> bool:
            if tag and node.tag != tag:
                return False
            for key, value in attrs.items():
                key = key.replace("_", "-").rstrip("-")
                have = node.attrs.get(key)
                if have is None or (key == "class" and value not in have.split()) or (key != "class" and have != value):
                    return False
            return True
        return [n for n in self.iter() if hit(n)]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]


class Tree(html.parser.HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root
        self.feed(text)
        self.close()
        assert self.current is self.root, f"unclosed <{self.current.tag}>"

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        assert tag not in VOID
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(text: str) -> Node:
    return Tree(text).root


# -- unit tests of render_html -------------------------------------------------

def test_page_is_well_formed_and_self_contained(report):
    page = render_html(report, history=history_rows())
    root = parse(page)  # every element closes where it opened: no report text broke the structure
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://", page), "no network address anywhere"
    assert not re.search(r"\s(src|srcset)=", page), "nothing loaded from elsewhere"
    assert [n.attrs.get("href") for n in root.find_all("link")] == ["data:,"]
    assert len(root.find_all("script")) == 1 and not root.find("script").attrs
    csp = root.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in csp


def test_everything_is_escaped(report):
    page = render_html(report)
    assert page.count("<script") == 1, "only the page's own script"
    assert '<b>bold</b>' not in page and "</pre></details><b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&amp;amp;" in page, "a literal &amp; in a message shows as &amp;"
    root = parse(page)
    mismatch = root.find("details", data_nodeid="cases/native_training/feature.py::scale[big]")
    assert mismatch.find(data_field="message").text() == NASTY
    assert NASTY in mismatch.find("pre", class_="diff").text()
    harness = root.find("details", data_outcome="harness error")
    assert harness.attrs["data-nodeid"] == "cases/utils/text.py::escape[<b>&\"']"
    assert harness.find("span", class_="nodeid").text() == "cases/utils/text.py::escape[<b>&\"']"
    assert harness.find("code", id=case_anchor("cases/utils/text.py::escape[<b>&\"']") + "-replay").text() == \
        "pytest 'cases/utils/text.py::escape[<b>&\"']'"
    header = root.find("header")
    assert "<ref & rev>" in header.text()
    assert root.find(id="goldens").find("code").text() == "golden/core/ops/add.json"
    assert "golden/x <y>.json" in root.find(id="goldens").text()


def test_counts_equal_the_json(report):
    root = parse(render_html(report))
    shown = {n.attrs["data-outcome"]: int(n.attrs["data-count"]) for n in root.find(id="totals").find_all("span", class_="badge")}
    assert shown == report["totals"]
    assert int(root.find("b", data_total=str(sum(report["totals"].values()))).text()) == len(report["cases"])
    assert root.find("div", id="summary").text() == report["summary"]
    for covers, module in report["modules"].items():
        row = root.find("tr", data_covers=covers)
        bar = {s.attrs["data-outcome"]: int(s.attrs["data-count"]) for s in row.find_all("span", class_="seg")}
        assert bar == module["outcomes"]
        cells = row.find_all("td")
        assert int(cells[1].text()) == module["cases"] and int(cells[2].text()) == module["items"]
        assert row.find("span", class_="passed").text() == f"{module['passed']}/{module['items']}"
    cases = root.find_all("details", class_="case")
    assert [c.attrs["data-nodeid"] for c in cases] != []
    assert collections.Counter(c.attrs["data-outcome"] for c in cases) == report["totals"]


def test_module_table_groups_by_package_and_sorts(report):
    root = parse(render_html(report))
    table = root.find("table", id="modules")
    assert "sortable" in table.attrs["class"].split()
    packages = [b.attrs["data-package"] for b in table.find_all("tbody", class_="package")]
    assert packages == ["agent_service", "core", "native_training", "utils"]
    rows = table.find("tbody", data_package="native_training").find_all("tr", class_="row")
    assert [r.attrs["data-covers"] for r in rows] == ["monolith/native_training/feature.py",
                                                       "monolith/native_training/hash_table.py"]
    heads = table.find("thead").find_all("th")
    assert all(th.find("button", class_="sort") for th in heads)
    types = {th.attrs["data-key"]: th.attrs["data-type"] for th in heads}
    assert types == {"module": "text", "cases": "num", "items": "num", "verdicts": "num", "passed": "num",
                     "max_abs": "num", "max_rel": "num", "max_ulp": "num"}
    for row in table.find_all("tr", class_="row"):
        for cell in row.find_all("td")[1:]:
            value = cell.attrs["data-sort"]
            assert value == "" or not math.isnan(float(value)), "numeric columns sort by numbers"
    feature = table.find("tr", data_covers="monolith/native_training/feature.py").find_all("td")
    assert feature[5].text() == "1.23e+03" and feature[5].attrs["data-sort"] == "1234.5"
    assert feature[7].text() == "3e+07"
    assert table.find("tr", data_covers="monolith/utils/text.py").find_all("td")[5].attrs["data-sort"] == ""
    group = table.find("tr", data_package="native_training").find_all("td")
    assert group[0].text() == "4" and group[1].text() == "8", "the package row sums its files (its name is a <th>)"
    links = {a.attrs["href"] for a in table.find_all("a")}
    assert f"#{module_anchor('monolith/core/ops.py')}" in links


def test_verdict_bar_widths_are_proportional(report):
    root = parse(render_html(report))
    segments = root.find("tr", data_covers="monolith/native_training/hash_table.py").find_all("span", class_="seg")
    widths = {s.attrs["data-outcome"]: float(re.search(r"width:([\d.]+)%", s.attrs["style"]).group(1)) for s in segments}
    assert sum(widths.values()) == pytest.approx(100, abs=0.01)
    assert widths == {"match": 25.0, "rust panicked": 25.0, "process crashed": 25.0, "timeout": 25.0}
    assert {s.attrs["title"] for s in segments} == {"1 match", "1 rust panicked", "1 process crashed", "1 timeout"}


def test_every_link_has_a_target_and_ids_are_unique(report):
    root = parse(render_html(report, history=history_rows()))
    ids = [n.attrs["id"] for n in root.iter() if n.attrs.get("id")]
    assert len(ids) == len(set(ids))
    for link in root.find_all("a"):
        assert link.attrs["href"].startswith("#") and link.attrs["href"][1:] in ids
    for case in report["cases"]:
        assert case_anchor(case["nodeid"]) in ids
    for button in root.find_all("button", class_="copy"):
        assert button.attrs["data-target"] in ids


def test_case_sections_carry_the_details(report):
    root = parse(render_html(report))
    one_ulp = root.find("details", data_nodeid="cases/native_training/feature.py::tenth[one_ulp]")
    assert "open" not in one_ulp.attrs, "passing items start collapsed"
    assert one_ulp.find(data_field="expected").text().startswith("Expected divergence: x*0.1f vs x/10 differ by 1 ULP <issue #12>")
    assert one_ulp.find("span", data_raw="mismatch")
    assert "max_ulp" in one_ulp.find("table", class_="metrics").text()
    panicked = root.find("details", data_outcome="rust panicked")
    assert "open" in panicked.attrs, "failing items start open"
    rust = panicked.find("div", data_side="rust")
    assert "PanicException: index out of bounds: <0>" in rust.text()
    assert "thread 'main' panicked" in rust.find("pre").text()
    drifted = root.find("details", data_outcome="reference drifted")
    assert "no single call recorded" in drifted.text()
    error = root.find("details", data_outcome="error agreement").find("div", data_side="python")
    assert 'ValueError: bad <input> & "quote"' in error.find("pre").text()
    notes = [li.text() for li in one_ulp.find("ul", class_="notes").find_all("li")]
    assert notes == ["expected: x*0.1f vs x/10 differ by 1 ULP <issue #12>", "rust vs golden: mismatch"]


def test_attention_lists_every_failing_item(report):
    root = parse(render_html(report))
    listed = [a.text() for a in root.find(id="attention").find_all("a")]
    failing = [c["nodeid"] for c in report["cases"] if not Outcome(c["outcome"]).passed]
    assert sorted(listed) == sorted(failing)
    assert root.find(id="expected").find("a").text() == "cases/native_training/feature.py::tenth[one_ulp]"
    assert root.find("span", class_="gate").text() == f"{len(failing)} of {len(report['cases'])} items need attention"


def test_trend_only_with_history(report):
    assert "<svg" not in render_html(report) and 'id="trend"' not in render_html(report)
    assert "<svg" not in render_html(report, history=[])
    root = parse(render_html(report, history=history_rows()))
    svg = root.find("svg", id="trend-chart")
    assert len(svg.find_all("polygon")) == 4 and len(svg.find_all("circle")) == 4
    rows = root.find("table", id="trend-table").find("tbody").find_all("tr")
    assert len(rows) == 4
    newest = [td.text() for td in rows[0].find_all("td")]
    assert newest == ["2026-11-29 10:00 UTC", "ddd444", "10", "1", "1", "0", "12", "-1"]
    oldest = [td.text() for td in rows[-1].find_all("td")]
    assert oldest[2:] == ["3", "0", "0", "6", "9", ""]
    single = parse(render_html(report, history=history_rows()[:1]))
    assert len(single.find("svg").find_all("polygon")) == 4


def test_coverage_column_and_packages_without_cases(report):
    coverage = {"native_training": {"files": 10, "with_cases": 2}, "training": {"files": 7, "with_cases": 0},
                "agent_service": {"files": 2, "with_cases": 2, "not_applicable": 1, "missing": []}}
    root = parse(render_html(report, coverage=coverage))
    table = root.find("table", id="modules")
    assert table.find("th", data_key="coverage")
    cell = table.find("tr", data_package="native_training").find("span", data_files="10")
    assert cell.attrs["data-with-cases"] == "2" and cell.text() == "2/10"
    training = table.find("tbody", data_package="training")
    assert not training.find_all("tr", class_="row") and training.find("span", data_files="7").text() == "0/7"
    assert "th" not in [n.tag for n in parse(render_html(report)).find("table", id="modules").find_all(data_key="coverage")]


def test_coverage_from_inventory(report):
    inventory = {"meta": {}, "files": {
        "monolith/native_training/feature.py": {"kind": "python", "lines": 10, "rust": {"status": "mapped"}},
        "monolith/native_training/other.py": {"kind": "python", "lines": 10, "rust": {"status": "unmapped"}},
        "monolith/native_training/BUILD.bzl": {"kind": "bzl", "lines": 3},
        "monolith/native_training/gone.py": {"kind": "python", "rust": {"status": "N/A", "reason": "TF only"}},
        "monolith/__init__.py": {"kind": "python"},
    }}
    coverage = coverage_from_inventory(inventory, report["cases"])
    assert coverage == {
        "native_training": {"files": 2, "with_cases": 1, "not_applicable": 1,
                            "missing": ["monolith/native_training/other.py"]},
        "_root": {"files": 1, "with_cases": 0, "not_applicable": 0, "missing": ["monolith/__init__.py"]},
    }


def test_empty_and_odd_reports_render():
    empty = build_report([])
    root = parse(render_html(empty))
    assert root.find("span", data_gate="empty") and not root.find_all("details")
    odd = build_report([_record("monolith/x/y.py", "c", "e", "match")])
    odd["cases"][0]["outcome"] = "some future outcome <x>"
    odd["totals"] = {"some future outcome <x>": 1}
    odd["modules"]["monolith/x/y.py"]["outcomes"] = {"some future outcome <x>": 1}
    root = parse(render_html(odd))
    assert root.find(id="totals").find("span", data_outcome="some future outcome <x>").attrs["data-count"] == "1"


def test_number_formats():
    assert [fmt_number(v) for v in (None, 0, 0.0, 1.0, 3, 0.5, 5.960464477539063e-08, 1234.5, 12345678.0,
                                     float("nan"), float("inf"), -float("inf"), True)] == \
        ["—", "0", "0", "1", "3", "0.5", "5.96e-08", "1.23e+03", "1.23e+07", "NaN", "∞", "-∞", "—"]
    assert [fmt_seconds(v) for v in (5e-6, 0.0123, 2.5, None)] == ["5 µs", "12.3 ms", "2.5 s", "—"]


def test_write_html_writes_the_file(report, tmp_path):
    path = write_html(tmp_path / "out", report)
    assert path.name == "parity-report.html" and path.read_text("utf-8") == render_html(report)


# -- the trend file ------------------------------------------------------------

def test_history_round_trip(report, tmp_path):
    path = tmp_path / "reports" / "history.jsonl"
    assert read_history(path) == []
    first = append_history(path, report, "rev1")
    assert first == {"date": report["created"], "revision": "rev1", "counts": report["totals"]}
    append_history(path, {**report, "totals": {"match": 5}}, None)
    entries = read_history(path)
    assert entries == [first, {"date": report["created"], "revision": report["revision"], "counts": {"match": 5}}]
    assert path.read_text("utf-8").count("\n") == 2
    assert history_entry({"totals": {}})["date"], "a report without created still gets a date"


def test_history_skips_a_torn_last_line_and_says_so(report, tmp_path):
    path = tmp_path / "history.jsonl"
    append_history(path, report, "rev1")
    with path.open("ab") as stream:
        stream.write(b'{"date": "2026-11-29", "revision": "rev2", "cou')  # killed mid-append
    with pytest.warns(HistoryWarning, match=r"history.jsonl:2: skipped a torn last line"):
        entries = read_history(path)
    assert [e["revision"] for e in entries] == ["rev1"]
    append_history(path, report, "rev3")  # starts on a line of its own
    with pytest.warns(HistoryWarning, match=r":2: skipped a malformed line"):
        entries = read_history(path)
    assert [e["revision"] for e in entries] == ["rev1", "rev3"]
    path.write_text('{"date": "d", "revision": null, "counts": {"match": "x"}}\n[1]\n\n', "utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert read_history(path) == []
    assert len(caught) == 2


def _append_many(path: str, worker: int) -> None:
    for index in range(20):
        append_history(path, {"created": f"w{worker}", "totals": {"match": index, "mismatch": worker}}, f"r{worker}")


def test_history_concurrent_appends_never_interleave(tmp_path):
    path = tmp_path / "history.jsonl"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_append_many, args=(str(path), w)) for w in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        entries = read_history(path)
    assert len(entries) == 60
    assert collections.Counter(e["revision"] for e in entries) == {"r0": 20, "r1": 20, "r2": 20}


# -- a real browser --------------------------------------------------------------

def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "a PNG"
    return struct.unpack(">II", data[16:24])


def test_browser_renders_report_without_errors(browser, report, tmp_path):
    started = time.monotonic()
    page_path = tmp_path / "parity-report.html"
    page_path.write_text(render_html(report, history=history_rows(),
                                     coverage={"native_training": {"files": 4, "with_cases": 2}}), "utf-8")
    page = browser.page()
    try:
        page.navigate(page_path.as_uri())
        assert page.evaluate("document.title").startswith("Parity report")

        shown = page.evaluate("Object.fromEntries([...document.querySelectorAll('#totals [data-outcome]')]"
                              ".map(e => [e.dataset.outcome, Number(e.dataset.count)]))")
        assert shown == report["totals"]
        texts = page.evaluate("[...document.querySelectorAll('#totals .badge')].map(e => e.textContent)")
        assert sorted(texts) == sorted(f"{n} {o}" for o, n in report["totals"].items())
        assert page.evaluate("document.querySelector('#summary').textContent") == report["summary"]
        message = page.evaluate("document.querySelector('details[data-outcome=mismatch] [data-field=message]')"
                                ".textContent")
        assert message == NASTY, "special characters reach the reader exactly"
        assert page.evaluate("typeof window.alert === 'function' && document.querySelectorAll('script').length") == 1

        order = "[...document.querySelectorAll('#modules tr.row')].map(r => r.dataset.covers)"
        before = page.evaluate(order)
        page.click('#modules th[data-key="items"] button')
        after = page.evaluate(order)
        assert after != before and sorted(after) == sorted(before)
        assert page.evaluate("document.querySelector('#modules th[data-key=\"items\"]').getAttribute('aria-sort')") \
            == "descending"
        groups = page.evaluate("[...document.querySelectorAll('#modules tbody')].map(b => "
                               "Number(b.rows[0].cells[2].dataset.sort))")
        assert groups == sorted(groups, reverse=True), "packages sorted by their item totals, largest first"
        page.click('#modules th[data-key="module"] button')
        assert page.evaluate(order) == sorted(before, key=lambda c: (c.split("/")[1], c))

        page.click('#filters input[value="match"]')
        visible = page.evaluate("[...document.querySelectorAll('details.case')].filter(d => !d.hidden)"
                                ".map(d => d.dataset.outcome)")
        assert "match" not in visible and len(visible) == len(report["cases"]) - report["totals"]["match"]
        page.click('#filters button[data-select="attention"]')
        visible = page.evaluate("[...document.querySelectorAll('details.case')].filter(d => !d.hidden)"
                                ".map(d => d.dataset.outcome)")
        assert sorted(visible) == sorted(c["outcome"] for c in report["cases"] if not Outcome(c["outcome"]).passed)
        page.click('#filters button[data-select="all"]')
        target = case_anchor("cases/native_training/feature.py::tenth[one_ulp]")
        assert page.evaluate(f"document.getElementById('{target}').open") is False
        page.click("#expected a")
        page.evaluate("new Promise(r => setTimeout(r, 50))", await_promise=True)
        assert page.evaluate("location.hash") == f"#{target}"
        assert page.evaluate(f"document.getElementById('{target}').open") is True, "a link opens its item"
        page.click(f'details[data-nodeid="{report["cases"][0]["nodeid"]}"] button.copy')

        assert page.evaluate("document.querySelectorAll('#trend-chart polygon').length") == 4
        shot = tmp_path / "report.png"
        data = page.screenshot(shot)
        width, height = _png_size(shot.read_bytes())
        assert (width, height) == (1280, 900) and len(data) > 20_000

        page.evaluate("new Promise(r => setTimeout(r, 100))", await_promise=True)
        assert page.problems() == []
    finally:
        page.close()
    assert time.monotonic() - started < 30


def test_browser_check_sees_console_errors(browser, tmp_path):
    """The error collection the test above relies on does catch a broken page."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><head><link rel='icon' href='data:,'></head><body>"
                      "<script>console.error('boom <1>'); undefinedFunction();</script></body></html>", "utf-8")
    page = browser.page()
    try:
        page.navigate(broken.as_uri())
        problems = page.problems()
    finally:
        page.close()
    assert any("console.error: boom <1>" in p for p in problems)
    assert any("undefinedFunction" in p for p in problems)
