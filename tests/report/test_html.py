"""The HTML parity report and the trend file: unit tests, and a real headless Chromium loading the page."""

from __future__ import annotations

import collections
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
from pytest_monolith_parity.figures import passed
from pytest_monolith_parity.report import build_report
from report_fixtures import NASTY, history_rows, parse, record, synthetic_records

@pytest.fixture
def report() -> dict[str, Any]:
    built = build_report(synthetic_records(), revision="3f2c9e1d0a5b4c6d7e8f90123456789abcdef012",
                         extra={"reference_revision": "<ref & rev>",
                                "golden": {"changed": ["golden/core/ops/add.json"], "unused": ["golden/x <y>.json"]}})
    return json.loads(json.dumps(built, default=str))  # exactly what parity-report.json holds


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
    figures = {n.attrs["data-figure"]: int(n.attrs["data-value"]) for n in root.find(id="figures").find_all("div", class_="figure")}
    parity = report["parity"]
    assert figures == {key: parity[key] for key in ("agree", "executed", "known_gaps", "failing", "unavailable", "items")}
    assert parity["items"] == len(report["cases"]) and parity["unavailable"] == 2  # reference + rust unavailable
    headline = root.find("div", class_="parity")
    assert headline.attrs["data-parity-pct"] == str(parity["parity_pct"]) and headline.find("span", class_="pct").text() == \
        f"{parity['parity_pct']:.1f} %"
    assert root.find("div", id="summary").text() == report["summary"]
    for covers, module in report["modules"].items():
        row = root.find("tr", data_covers=covers)
        bar = {s.attrs["data-outcome"]: int(s.attrs["data-count"]) for s in row.find_all("span", class_="seg")}
        assert bar == module["outcomes"]
        cells = {cell.attrs.get("data-sort") for cell in row.find_all("td")}
        for key in ("match", "error_agreement", "known_gaps", "failing", "unavailable", "gap"):
            assert row.find("td", **{f"data_{key}": str(module["parity"][key])}), (covers, key)
        assert str(module["parity"]["items"]) in cells
    cases = root.find_all("details", class_="case")
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
    keys = [th.attrs["data-key"] for th in heads]
    assert keys == ["module", "items", "match", "error_agreement", "known_gaps", "failing", "unavailable", "parity",
                    "gap", "with_cases", "mapped", "mutation", "rust_coverage", "max_abs", "max_rel", "max_ulp",
                    "divergent"]
    for row in table.find_all("tr", class_="row"):
        for cell in row.find_all("td")[1:]:
            value = cell.attrs["data-sort"]
            assert value == "" or not math.isnan(float(value)), "numeric columns sort by numbers"
    feature = table.find("tr", data_covers="monolith/native_training/feature.py")
    # the max-error columns are over the MATCHING items (all 0); the mismatch's errors are shown apart, labelled
    assert feature.find("td", data_max_abs="0.0").text() == "0" and feature.find("td", data_max_ulp="0.0").text() == "0"
    divergent = feature.find("td", class_="divergent")
    assert divergent.attrs["data-divergent-ulp"] == "30000000.0" and divergent.text() == "ulp 3e+07"
    assert "over 2 divergent items" in divergent.attrs["title"]
    assert feature.find("td", data_parity_pct="50.0").find("span", class_="pct").text() == "50.0 %"
    nan = table.find("tr", data_covers="monolith/utils/text.py").find("td", data_max_abs="")
    assert nan.text() == "NaN" and nan.attrs["data-sort"] == "", "a NaN error is shown, and sorts last"
    group = table.find("tr", data_package="native_training")
    assert group.find("td", data_count="8") and group.find("td", data_gap="5"), "the package row sums its files"
    links = {a.attrs["href"] for a in table.find_all("a")}
    assert f"#{module_anchor('monolith/core/ops.py')}" in links
    assert feature.find("a").text() == "feature.py", "files are named within their package"


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
    failing = [c["nodeid"] for c in report["cases"] if not passed(c["outcome"])]
    assert sorted(listed) == sorted(failing)
    gate_free = root.find("header")
    assert not gate_free.find_all(id="gate"), "no gate in a report without one"


def test_trend_only_with_history(report):
    assert "<svg" not in render_html(report) and 'id="history"' not in render_html(report)
    assert "<svg" not in render_html(report, history=[])
    root = parse(render_html(report, history=history_rows()))
    svg = root.find("svg", id="trend-chart")
    circles = svg.find_all("circle")
    assert [c.attrs["data-parity-pct"] for c in circles] == ["33.3", "60.0", "80.0", "90.9"]
    assert svg.find("polyline", data_line="parity")
    rows = root.find("table", id="trend-table").find("tbody").find_all("tr")
    assert len(rows) == 4
    newest = [td.text() for td in rows[0].find_all("td")]
    assert newest == ["2026-11-29 10:00 UTC", "ddd444", "12", "90.9 %", "10", "1", "0", "1", "+10.9"]
    oldest = [td.text() for td in rows[-1].find_all("td")]
    assert oldest[2:] == ["9", "33.3 %", "3", "0", "6", "0", ""]
    single = parse(render_html(report, history=history_rows()[:1]))
    assert len(single.find("svg").find_all("circle")) == 1


def test_coverage_column_and_packages_without_cases(report):
    coverage = {"native_training": {"files": 10, "with_cases": 2, "mapped": 7}, "training": {"files": 7, "with_cases": 0},
                "agent_service": {"files": 2, "with_cases": 2, "not_applicable": 1, "missing": []}}
    root = parse(render_html(report, coverage=coverage))
    table = root.find("table", id="modules")
    cell = table.find("tr", data_package="native_training").find("span", data_files="10")
    assert cell.attrs["data-with-cases"] == "2" and cell.text() == "2/10"
    assert table.find("tr", data_package="native_training").find("span", data_mapped="7").text() == "7/10"
    training = table.find("tbody", data_package="training")
    assert not training.find_all("tr", class_="row") and training.find("span", data_files="7").text() == "0/7"
    assert not parse(render_html(report)).find("table", id="modules").find_all("span", data_files="10")


def test_coverage_from_inventory(report):
    inventory = {"meta": {}, "files": {
        "monolith/native_training/feature.py": {"kind": "python", "lines": 10,
                                                "rust": {"status": "mapped", "module": "monolith_core::feature"}},
        "monolith/native_training/other.py": {"kind": "python", "lines": 10, "rust": {"status": "unmapped"}},
        "monolith/native_training/BUILD.bzl": {"kind": "bzl", "lines": 3},
        "monolith/native_training/gone.py": {"kind": "python", "rust": {"status": "N/A", "reason": "TF only"}},
        "monolith/__init__.py": {"kind": "python"},
    }}
    coverage = coverage_from_inventory(inventory, report["cases"])
    assert {k: {f: v for f, v in c.items() if f != "rust"} for k, c in coverage.items()} == {
        "native_training": {"files": 2, "with_cases": 1, "not_applicable": 1, "mapped": 1,
                            "missing": ["monolith/native_training/other.py"]},
        "_root": {"files": 1, "with_cases": 0, "not_applicable": 0, "mapped": 0, "missing": ["monolith/__init__.py"]},
    }
    assert coverage["native_training"]["rust"]["monolith/native_training/feature.py"] == {
        "status": "mapped", "target": "monolith_core::feature", "reason": ""}
    root = parse(render_html(report, coverage=coverage))
    mapped = root.find("tr", data_covers="monolith/native_training/feature.py").find("td", data_rust_status="mapped")
    assert mapped.text() == "yes" and mapped.attrs["title"] == "monolith_core::feature"
    # the package of the files directly under monolith/ is never shown by its internal key
    label = root.find("tr", data_package="_root").find("th").text()
    assert label.startswith("monolith/ (top level)") and "_root" not in label


def test_empty_and_odd_reports_render():
    empty = build_report([])
    root = parse(render_html(empty))
    assert not root.find_all("details") and "No parity items ran" in root.find(id="modules-section").text()
    assert root.find("div", class_="parity").find("span", class_="pct").text() == "—"
    odd = build_report([record("monolith/x/y.py", "c", "e", "match")])
    odd["cases"][0]["outcome"] = "some future outcome <x>"
    odd["totals"] = {"some future outcome <x>": 1}
    odd["modules"]["monolith/x/y.py"]["outcomes"] = {"some future outcome <x>": 1}
    root = parse(render_html(odd))
    assert root.find(id="totals").find("span", data_outcome="some future outcome <x>").attrs["data-count"] == "1"
    old = {key: value for key, value in build_report(synthetic_records()).items()
           if key in ("format", "created", "revision", "summary", "totals", "cases")}  # a format-1 report
    old["modules"] = {c: {k: v for k, v in m.items() if k in ("cases", "items", "outcomes", "passed")}
                      for c, m in build_report(synthetic_records())["modules"].items()}
    root = parse(render_html(old))
    assert root.find("div", class_="parity").attrs["data-parity-pct"] == "31.6", "figures derived from the cases (one record per outcome)"


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
    verdicts = {}
    for case in report["cases"]:
        verdicts.setdefault(case["outcome"], []).append(case["nodeid"])
    assert first == {"date": report["created"], "revision": "rev1", "counts": report["totals"], "selection": "whole",
                     "verdicts": {o: sorted(n) for o, n in sorted(verdicts.items())}}
    append_history(path, {**report, "totals": {"match": 5}, "cases": []}, None)
    entries = read_history(path)
    assert entries == [first, {"date": report["created"], "revision": report["revision"], "counts": {"match": 5},
                               "selection": "whole", "verdicts": {}}]
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
                               "Number(b.rows[0].cells[1].dataset.sort))")
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
        assert sorted(visible) == sorted(c["outcome"] for c in report["cases"] if not passed(c["outcome"]))
        page.click('#filters button[data-select="all"]')
        target = case_anchor("cases/native_training/feature.py::tenth[one_ulp]")
        assert page.evaluate(f"document.getElementById('{target}').open") is False
        page.click(f'#divergences a[href="#{target}"]')
        page.evaluate("new Promise(r => setTimeout(r, 50))", await_promise=True)
        assert page.evaluate("location.hash") == f"#{target}"
        assert page.evaluate(f"document.getElementById('{target}').open") is True, "a link opens its item"
        page.click(f'details[data-nodeid="{report["cases"][0]["nodeid"]}"] button.copy')

        assert page.evaluate("document.querySelectorAll('#trend-chart circle').length") == 4
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


def test_gate_is_stated_apart_from_the_figures(report):
    report["gate"] = {"baseline": True, "passed": False, "regressions": ["a", "b"], "new_failing": [],
                      "unexpected_passes": ["c"], "harness_errors": [], "line": "GATE: FAIL vs baseline: ..."}
    report["changes"] = {"baseline": {"revision": "0123456789abcdef0123456789abcdef01234567"}}
    gate = parse(render_html(report)).find(id="gate")
    assert gate.attrs["data-gate"] == "fail"
    assert gate.text().startswith("Gate FAIL: 2 regressions against baseline 0123456789ab (1 unexpected pass)")
    report["gate"] = {"baseline": False, "passed": True, "still_failing": [], "new_failing": [], "line": "GATE: PASS"}
    assert "PASS: no failing item" in parse(render_html(report)).find(id="gate").text()


def test_a_split_report_has_a_page_per_file_and_removes_stale_ones(report, tmp_path):
    from pytest_monolith_parity.html_report import FILES_DIR, file_page_name, render_pages

    pages = render_pages(report, split=True)
    expected = {f"{FILES_DIR}/{file_page_name(covers)}" for covers in report["modules"]}
    assert set(pages) == {"parity-report.html"} | expected
    main = parse(pages["parity-report.html"])
    assert not main.find_all("details", class_="case"), "the main page lists the items, each file's page shows them"
    link = main.find(id="attention").find("a").attrs["href"]
    assert link.split("#")[0] in expected and link.split("#")[1].startswith("case-")
    page = parse(pages[link.split("#")[0]])
    assert page.find(id=link.split("#")[1]).tag == "details"
    assert page.find("a", class_="back").attrs["href"] == "../parity-report.html"
    write_html(tmp_path, report, split=True)
    stale = tmp_path / FILES_DIR / "gone.py-00000000.html"
    stale.write_text("old")
    write_html(tmp_path, report, split=True)
    assert not stale.exists() and len(list((tmp_path / FILES_DIR).glob("*.html"))) == len(expected)
    assert render_pages(report).keys() == {"parity-report.html"}, "a small run is one page"


def test_an_outcome_without_a_colour_of_its_own_gets_its_familys(monkeypatch):
    """A verdict class added to outcomes.py (e.g. by another branch) renders in its family's colour, not as unknown."""
    from pytest_monolith_parity import html_parts

    monkeypatch.delitem(html_parts.OUTCOME_STYLE, "rust raised")
    monkeypatch.delitem(html_parts.OUTCOME_STYLE, "rust unavailable")
    assert html_parts.style("rust raised") == (html_parts.FAMILY_COLOURS["failing"], "fail")
    assert html_parts.style("rust unavailable") == (html_parts.FAMILY_COLOURS["unavailable"], "unavailable")
    assert html_parts.style("no such outcome") == html_parts.UNKNOWN_STYLE
    assert f"background:{html_parts.FAMILY_COLOURS['failing']}" in html_parts.outcome_rules(("rust raised",))
