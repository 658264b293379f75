"""What the reports say: parity figures, per-file errors, the catalogue, changes, history, durations, quality fields."""

from __future__ import annotations

import json

import pytest

from pytest_monolith_parity import case_history, catalogue, changes, gate
from pytest_monolith_parity.figures import family, figures, figures_of, headline, parity_pct, passed
from pytest_monolith_parity.github import markdown_summary
from pytest_monolith_parity.html_report import render_html
from pytest_monolith_parity.outcomes import Outcome
from pytest_monolith_parity.report import attach_quality, build_report, durations, gate_sentence, render_markdown
from report_fixtures import parse, perf, record, synthetic_records

R = "monolith/agent_service/resource_utils.py"


def as_json(document):
    return json.loads(json.dumps(document, default=str))


# -- figures -------------------------------------------------------------------------

def test_families_and_unknown_outcomes():
    assert [family(o) for o in ("match", "error agreement", "expected divergence", "reference unavailable",
                                "rust unavailable", "mismatch", "different errors", "some future outcome")] == \
        ["agree", "agree", "known gap", "unavailable", "unavailable", "failing", "failing", "failing"]
    assert passed("expected divergence") and not passed("some future outcome") and not passed("mismatch")
    for outcome in Outcome:  # derived from outcomes.py: an outcome added there lands in the family its properties say
        assert (family(outcome.value) in ("agree", "known gap")) == outcome.passed, outcome


def test_parity_is_agreement_over_executed_items_not_passes():
    data = figures({"match": 260, "error agreement": 8, "expected divergence": 213, "reference unavailable": 5,
                    "mismatch": 2})
    assert data == {"items": 488, "executed": 483, "match": 260, "error_agreement": 8, "agree": 268,
                    "known_gaps": 213, "failing": 2, "unavailable": 5, "gap": 215, "parity_pct": 55.5}
    assert headline(data) == ("parity 55.5 % (268 of 483 executed items agree) · 213 known gaps · 2 failing · "
                              "5 unavailable")
    assert figures({})["parity_pct"] is None and figures({"reference unavailable": 3})["parity_pct"] is None


def test_parity_pct_never_rounds_to_a_claim_it_cannot_make():
    assert parity_pct(9999, 10000) == 99.9, "not 100.0 while one item is off"
    assert parity_pct(1, 10000) == 0.1, "not 0.0 while one item agrees"
    assert parity_pct(10, 10) == 100.0 and parity_pct(0, 10) == 0.0


# -- per file ------------------------------------------------------------------------

def test_max_errors_are_over_matching_items_only():
    """The issue's resource_utils.py: 4/4 passed with max ULP 4.64e+18 -- all of it from expected divergences."""
    records = [record(R, "cpu", "a", "match", metrics={"max_abs": 0.0, "max_ulp": 0.0}),
               record(R, "cpu", "b", "match", metrics={"max_abs": 1e-7, "max_ulp": 2.0}),
               record(R, "mem", "huge", "expected divergence", raw="mismatch",
                      metrics={"max_abs": 3.0, "max_ulp": 4.64e18}, expected={"reason": "r", "outcome": "mismatch"}),
               record(R, "mem", "bad", "mismatch", metrics={"max_abs": 9.0, "max_rel": 0.5, "max_ulp": 7.0})]
    module = build_report(records)["modules"][R]
    assert (module["max_abs"], module["max_ulp"], module["max_rel"]) == (1e-7, 2.0, None)
    assert module["divergent"] == {"items": 2, "max_abs": 9.0, "max_rel": 0.5, "max_ulp": 4.64e18}
    assert module["parity"]["parity_pct"] == 50.0 and module["passed"] == 3
    row = parse(render_html(as_json(build_report(records)))).find("tr", data_covers=R)
    assert row.find("td", data_max_ulp="2.0").text() == "2"
    assert row.find("td", class_="divergent").text() == "ulp 4.64e+18"


def test_packages_sum_their_files_and_name_the_top_level_readably():
    records = [record("monolith/utils.py", "a", "x", "match"), record("monolith/utils.py", "a", "y", "mismatch"),
               record("monolith/core/ops.py", "b", "x", "expected divergence")]
    records[0]["package"] = records[1]["package"] = "_root"
    report = build_report(records, coverage={"core": {"files": 3, "with_cases": 1, "mapped": 2, "missing": [],
                                                      "not_applicable": 0, "rust": {}},
                                             "training": {"files": 4, "with_cases": 0, "mapped": 0, "missing": [],
                                                          "not_applicable": 0, "rust": {}}})
    assert report["packages"]["_root"]["label"] == "monolith/ (top level)"
    assert report["packages"]["_root"]["parity"]["parity_pct"] == 50.0
    assert report["packages"]["core"]["coverage"] == {"files": 3, "with_cases": 1, "mapped": 2, "not_applicable": 0,
                                                      "missing": []}
    assert report["packages"]["training"]["files"] == [] and report["packages"]["training"]["items"] == 0
    page = render_html(as_json(report))
    assert "_root" not in parse(page).find("table", id="modules").find("tbody", data_package="_root").find("th").text()


def test_quality_fields_are_empty_until_filled_then_shown_and_summed():
    records = [record("monolith/core/ops.py", "a", "x", "match"), record("monolith/core/hyper.py", "b", "x", "match")]
    report = as_json(build_report(records))
    assert {m["mutation"] for m in report["modules"].values()} == {None}
    assert report["packages"]["core"]["rust_coverage"] is None
    row = parse(render_html(report)).find("tr", data_covers="monolith/core/ops.py")
    assert row.find("td", data_mutation="").text() == "—"
    attach_quality(report, mutation={"monolith/core/ops.py": {"killed": 5, "total": 8, "tool": "cargo-mutants"},
                                     "monolith/elsewhere.py": {"killed": 1, "total": 1}},
                   rust_coverage={"monolith/core/ops.py": {"covered": 30, "total": 40},
                                  "monolith/core/hyper.py": {"covered": 10, "total": 60}})
    assert report["modules"]["monolith/core/ops.py"]["mutation"]["score"] == 0.625
    assert report["packages"]["core"]["mutation"] == {"killed": 5, "total": 8, "score": 0.625, "files": 1}
    assert report["packages"]["core"]["rust_coverage"] == {"covered": 40, "total": 100, "score": 0.4, "files": 2}
    root = parse(render_html(report))
    assert root.find("tr", data_covers="monolith/core/ops.py").find("td", data_mutation="0.625").text() == "62 %"
    assert root.find("tr", data_package="core").find("td", data_rust_coverage="0.4").text() == "40 %"


# -- the divergence catalogue -----------------------------------------------------------

def test_catalogue_groups_distinct_reasons_per_file_with_counts_and_evidence():
    why = {"reason": "Rust sorts keys (BTreeMap)", "outcome": "mismatch", "message": "root"}
    records = [record(R, "j", "a", "expected divergence", raw="mismatch", expected=why,
                      message="root: key order ['b', 'a'] != ['a', 'b']\nsecond line"),
               record(R, "j", "b", "expected divergence", raw="mismatch", expected=why, message="root: other"),
               record(R, "j", "c", "unexpected pass", raw="match", expected=why, message="no longer happens"),
               record(R, "k", "a", "expected divergence", raw="rust panicked",
                      expected={"reason": "Rust unwraps", "outcome": "rust panicked", "message": ""}),
               record("monolith/core/ops.py", "x", "a", "expected divergence", expected=why, message="root: z"),
               record(R, "m", "a", "match")]
    records[1]["raw_message"] = "root: the sides' own words"
    entries = catalogue.build(records)
    assert [(e["covers"], e["reason"], e["items"], e["held"]) for e in entries] == [
        ("monolith/agent_service/resource_utils.py", "Rust sorts keys (BTreeMap)", 3, 2),
        ("monolith/agent_service/resource_utils.py", "Rust unwraps", 1, 1),
        ("monolith/core/ops.py", "Rust sorts keys (BTreeMap)", 1, 1)]
    first = entries[0]
    assert first["verdicts"] == {"expected divergence": 2, "unexpected pass": 1}
    assert first["evidence"] == "root: key order ['b', 'a'] != ['a', 'b']", "one line, from an item where it held"
    assert first["nodeids"] == [f"cases/agent_service/resource_utils.py::j[{x}]" for x in "abc"]
    assert first["id"] == catalogue.entry_id(R, "Rust sorts keys (BTreeMap)", "mismatch", "root")
    root = parse(render_html(as_json(build_report(records))))
    rows = root.find(id="divergences").find_all("div", class_="entry")
    assert [r.attrs["id"] for r in rows] == [f"divergence-{e['id']}" for e in entries]
    assert rows[0].find("a", class_="self").attrs["href"] == f"#divergence-{first['id']}"
    assert rows[0].find("div", class_="evidence").text() == first["evidence"]


# -- against a baseline ---------------------------------------------------------------------

def test_changes_list_every_kind_with_before_and_after():
    base = [record(R, "a", "reg", "match"), record(R, "a", "fix", "mismatch", message="1 != 2"),
            record(R, "a", "gone", "match"), record(R, "a", "same", "match"),
            record(R, "a", "odd", "mismatch", message="1 != 2"), record(R, "a", "up", "expected divergence")]
    now = [record(R, "a", "reg", "rust panicked", message="rust panicked: boom"), record(R, "a", "fix", "match"),
           record(R, "a", "new", "timeout"), record(R, "a", "same", "match"),
           record(R, "a", "odd", "rust raised", message="rust raised KeyError"),
           record(R, "a", "up", "unexpected pass", raw="match")]
    found = changes.build(now, as_json(build_report(base, revision="base-rev")))
    ids = {name: [e["nodeid"].split("::")[1] for e in found[name]] for name in changes.GROUPS}
    assert ids == {"regressions": ["a[reg]"], "unexpected_passes": ["a[up]"], "new": ["a[new]"], "fixes": ["a[fix]"],
                   "removed": ["a[gone]"], "changed": ["a[odd]"]}
    regression = found["regressions"][0]
    assert regression["before"] == {"outcome": "match", "raw": "match", "message": ""}
    assert regression["after"] == {"outcome": "rust panicked", "raw": "rust panicked", "message": "rust panicked: boom"}
    assert found["removed"][0]["after"] is None and found["new"][0]["before"] is None
    assert found["baseline"]["revision"] == "base-rev" and found["baseline"]["parity"]["parity_pct"] == 50.0
    assert found["files"][0]["covers"] == R and found["files"][0]["after"]["failing"] == 4
    report = as_json(build_report(now, baseline=as_json(build_report(base, revision="base-rev"))))
    section = parse(render_html(report)).find(id="changes")
    rows = section.find_all("tr", data_change="regressions")
    assert len(rows) == 1 and "rust panicked: boom" in rows[0].text()
    page = render_html(report)
    assert page.index('id="changes"') < page.index('id="modules-section"'), "the changed section comes first"


def test_changes_count_rust_unavailable_as_the_gate_does():
    """A function the base lacked makes its items new; one the pull request removed makes them regressions."""
    base = [record(R, "b", "added", "rust unavailable"), record(R, "b", "removed_fn", "match"),
            record(R, "b", "removed_failing", "mismatch"), record(R, "b", "still_lacking", "rust unavailable")]
    now = [record(R, "b", "added", "match"), record(R, "b", "removed_fn", "rust unavailable"),
           record(R, "b", "removed_failing", "rust unavailable"), record(R, "b", "still_lacking", "rust unavailable")]
    found = changes.build(now, as_json(build_report(base)))
    ids = {name: sorted(e["nodeid"].split("::")[1] for e in found[name]) for name in changes.GROUPS}
    assert ids == {"regressions": ["b[removed_failing]", "b[removed_fn]"], "unexpected_passes": [], "new": ["b[added]"],
                   "fixes": [], "removed": [], "changed": []}
    assert found["new"][0]["before"]["outcome"] == "rust unavailable", "the base's verdict is kept"
    result = gate.evaluate(now, base)
    assert sorted(n.split("::")[1] for n in result.regressions) == ids["regressions"]
    assert [n.split("::")[1] for n in result.new_passing] == ids["new"]


def test_slower_needs_the_factor_the_margin_and_to_exceed_the_noise():
    def with_rust(seconds: float, noise: float = 1e-5):
        return perf(0.010, seconds, noise=noise)
    base = [record(R, "t", x, "match", perf=with_rust(0.010)) for x in ("grew", "small", "noisy", "faster")]
    now = [record(R, "t", "grew", "match", perf=with_rust(0.030)),   # 3x and +20 ms: slower
           record(R, "t", "small", "match", perf=perf(1e-4, 1e-3)),  # 10x, but +1 ms only (base 1e-4 below)
           record(R, "t", "noisy", "match", perf=with_rust(0.016, noise=0.004)),  # 1.6x, +6 ms, noise 3 x 5.7 ms
           record(R, "t", "faster", "match", perf=with_rust(0.002))]
    base[1] = record(R, "t", "small", "match", perf=perf(1e-4, 1e-4))
    found = changes.build(now, as_json(build_report(base)))
    assert [s["nodeid"] for s in found["slower"]] == ["cases/agent_service/resource_utils.py::t[grew]"]
    grew = found["slower"][0]
    assert grew["before"] == 0.010 and grew["after"] == 0.030 and grew["factor"] == pytest.approx(3.0)


# -- history -------------------------------------------------------------------------------

def entry(date, revision, verdicts, selection=None):
    counts = {}
    for outcome in verdicts.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    grouped = {}
    for nodeid, outcome in verdicts.items():
        grouped.setdefault(outcome, []).append(nodeid)
    data = {"date": date, "revision": revision, "counts": counts, "verdicts": grouped}
    if selection:
        data["selection"] = selection
    return data


def test_case_history_since_flips_and_flaky():
    entries = [
        {"date": "d0", "revision": "r0", "counts": {"match": 3}},  # an old line: no verdicts per item
        entry("d1", "r1", {"a": "match", "b": "match", "c": "mismatch"}),
        entry("d2", "r2", {"a": "match", "b": "mismatch", "c": "mismatch"}),
        entry("d3", "r2", {"a": "match", "b": "match", "c": "mismatch"}, selection="subset"),
        entry("d4", "r3", {"a": "match", "b": "match", "c": "match", "d": "timeout"}),
    ]
    cases = case_history.per_case(entries, ["a", "b", "c", "d", "e"])
    assert cases["a"] == {"verdict": "match", "since": "d1", "since_revision": "r1", "runs": 4, "seen": 4, "flips": 0,
                          "previous": None, "flaky": False, "flaky_why": ""}
    assert cases["b"]["flaky"] and cases["b"]["flips"] == 2 and cases["b"]["since"] == "d3"
    assert cases["b"]["flaky_why"] == "mismatch -> match on the same revision r2"
    assert cases["c"] == {"verdict": "match", "since": "d4", "since_revision": "r3", "runs": 1, "seen": 4, "flips": 1,
                          "previous": "mismatch", "flaky": False, "flaky_why": ""}, "a fix is not flaky"
    assert cases["d"]["seen"] == 1 and "e" not in cases
    back = case_history.per_case([entry("d1", "r1", {"x": "match"}), entry("d2", "r2", {"x": "mismatch"}),
                                  entry("d3", "r3", {"x": "match"})], ["x"])
    assert back["x"]["flaky"] and back["x"]["flaky_why"] == "came back to match after mismatch"
    built = case_history.build(entries, [{"nodeid": n} for n in "abcd"])
    assert [run["date"] for run in built["trend"]] == ["d0", "d1", "d2", "d4"], "whole runs only in the trend"
    assert built["flaky"] == ["b"] and built["runs"] == 5 and built["whole_runs"] == 4 and built["with_verdicts"] == 4


def test_report_history_includes_this_run_and_the_page_shows_it():
    records = [record(R, "a", "x", "match"), record(R, "a", "y", "mismatch")]
    earlier = [entry("2026-11-01T00:00:00+00:00", "r1", {records[0]["nodeid"]: "mismatch",
                                                        records[1]["nodeid"]: "mismatch"})]
    report = as_json(build_report(records, revision="r2", history=earlier))
    assert len(report["history"]["trend"]) == 2 and report["history"]["trend"][-1]["revision"] == "r2"
    fixed = report["history"]["cases"][records[0]["nodeid"]]
    assert fixed["since"] == report["created"] and fixed["previous"] == "mismatch"
    stuck = report["history"]["cases"][records[1]["nodeid"]]
    assert stuck["since"] == "2026-11-01T00:00:00+00:00" and stuck["runs"] == 2
    item = parse(render_html(report)).find("details", data_nodeid=records[1]["nodeid"])
    assert item.find("dd", data_kv="history").text().startswith("mismatch since 2026-11-01 00:00 UTC (r1) · 2 runs in a row")


# -- durations --------------------------------------------------------------------------

def test_durations_and_the_twenty_slowest_items():
    records = [record(R, "c", f"e{i:02d}", "match", seconds=i / 100) for i in range(30)]
    records[3]["perf"] = perf(0.001, 0.002) | {"seconds": 5.0}  # timing a perf=True case counts in its item's time
    found = durations(records)
    assert len(found["slowest"]) == 20
    assert found["slowest"][0]["nodeid"].endswith("c[e03]") and found["slowest"][0]["seconds"] == 5.03
    assert [s["seconds"] for s in found["slowest"][1:4]] == [0.29, 0.28, 0.27]
    assert found["total_seconds"] == pytest.approx(sum(i / 100 for i in range(30)) + 5.0)
    rows = parse(render_html(as_json(build_report(records)))).find("table", id="slowest").find_all("tr")
    assert [r.attrs["data-slow"] for r in rows if "data-slow" in r.attrs][:2] == [records[3]["nodeid"], records[29]["nodeid"]]


# -- the Markdown summary ---------------------------------------------------------------

def test_markdown_and_step_summary_lead_with_parity_and_state_the_gate_apart():
    records = synthetic_records()
    report = as_json(build_report(records))
    report["gate"] = {"baseline": False, "passed": False, "still_failing": ["x"] * 11, "new_failing": [],
                      "unexpected_passes": ["u"], "harness_errors": ["h"], "line": "GATE: FAIL (11 failing, ...)"}
    markdown = render_markdown(report)
    lines = markdown.splitlines()
    assert lines[2] == "**parity 31.6 % (6 of 19 executed items agree) · 1 known gap · 12 failing · 2 unavailable**"
    assert lines[4] == "Gate: FAIL: 11 failing items (1 unexpected pass, 1 harness error)"
    table = [line for line in lines if line.startswith("| `monolith/")]
    assert table[0].startswith("| `monolith/native_training/hash_table.py` | 25.0 %"), "furthest from parity first"
    summary = markdown_summary(report, report["gate"]["line"])
    assert summary.splitlines()[2] == lines[2]
    assert summary.splitlines()[4] == "Gate: FAIL: 11 failing items (1 unexpected pass, 1 harness error) — " \
                                      "`GATE: FAIL (11 failing, ...)`"
    assert "### Furthest from parity" in summary
    assert gate_sentence({}) == ""
    assert gate_sentence({"gate": {"baseline": False, "passed": True, "rust_unavailable": ["a", "b"]}}) == \
        "PASS: no failing item (2 rust unavailable items)"
    assert gate_sentence({"gate": {"baseline": False, "passed": False, "still_failing": ["a", "u"],
                                   "reference_unavailable": ["u"]}}) == \
        "FAIL: 2 failing items, 1 of them reference unavailable"
    apart = min(markdown.index("## Reference unavailable (not executed here)"),
                markdown.index("## Rust unavailable (not in this checkout)"))
    attention, unavailable = markdown[markdown.index("## Needs attention"):apart], markdown[apart:]
    assert "ops.py::mul[lacking]` — rust unavailable" not in attention, "unavailable is not failing"
    assert "## Rust unavailable (not in this checkout)" in unavailable
    assert "- `cases/core/ops.py::mul[lacking]` — rust unavailable: rust unavailable: monolith_parity_rs.mul" in unavailable
    assert "- `cases/core/ops.py::sub[tf]` — reference unavailable" in unavailable
    assert "rust unavailable" not in summary[summary.index("Failing cases"):]


def test_figures_of_counts_names():
    assert figures_of(["match", "match", "mismatch"])["parity_pct"] == 66.7
