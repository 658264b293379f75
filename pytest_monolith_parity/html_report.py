"""The HTML parity report: the self-contained page a porting engineer opens first.

:func:`render_html` turns the JSON report of :mod:`report` into one HTML
page with inline CSS and JS (kept as files in ``html_assets/``, inlined when
the page is written): no network, no external fonts or scripts (a
Content-Security-Policy forbids them), readable with JavaScript off (only
sorting, filtering, searching and copying need it).  It answers, top to
bottom: how close to parity (the headline: parity %, known gaps, failing,
unavailable; the gate stated apart), what changed against the baseline,
where the worst gaps are (the module table, sortable by gap), which
divergences are known (the catalogue), how fast each side is, which items
are slow, how each case and the whole port moved over time, and what ran
it.  Then every case item.

A run of more than :data:`SPLIT_ITEMS` items is split by :func:`write_html`:
the main page keeps every section and a searchable index of all items, and
each monolith file's case items get a page of their own under
``parity-report-files/`` (:func:`render_pages`), so the main page stays fast.

Every piece of report text goes through :func:`html.escape`; the script
carries no data (it reads ``data-*`` attributes), so no report text can end
up inside it.  Every figure on the page is a field of the JSON report.
Pytest-free.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import case_history
from .case_modules import readable
from .changes import GROUPS as CHANGE_GROUPS
from .figures import figures, headline, passed
from .files import atomic_write
from .html_parts import (
    FAMILY_COLOURS, OUTCOME_STYLE, SIDE_KIND_TONE, asset, badge, case_anchor, css_class,
    divergence_anchor, e, file_page_name, fmt_count, fmt_number, fmt_pct, fmt_ratio, fmt_seconds, module_anchor, number,
    outcome_order, outcome_rules, pre, ratio_words, short_date, short_revision, sort_value, style, tag, verdict_bar)
from .report import (
    METRICS, attach_mapping, coverage_from_inventory, file_label, gap_order, gate_sentence, group_by_module, group_by_package,
    package_label, package_of)

__all__ = ["HTML_NAME", "FILES_DIR", "SPLIT_ITEMS", "OUTCOME_STYLE", "case_anchor", "module_anchor",
           "divergence_anchor", "file_page_name", "fmt_number", "fmt_seconds", "coverage_from_inventory", "complete_report", "trend_svg",
           "render_pages", "render_html", "write_html"]

HTML_NAME = "parity-report.html"
FILES_DIR = "parity-report-files"
#: Above this many items, write_html puts each file's case items on a page of its own.
SPLIT_ITEMS = 1000
#: Rows shown per list (changes, attention, timed items, flaky items); the rest are counted and are in the JSON report
#: (long HTML tables are what slows a page down most).
LIST_LIMIT = 200
#: Items named per catalogue entry on the page.
CATALOGUE_ITEMS = 20

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


class _Links:
    """Where a case item lives: on this page, or (split report) on its file's page."""

    def __init__(self, split: bool, here: str | None = None, prefix: str = ""):
        self.split, self.here, self.prefix = split, here, prefix

    def page(self, covers: str) -> str:
        return f"{self.prefix}{FILES_DIR}/{file_page_name(covers)}"

    def case(self, nodeid: str, covers: str) -> str:
        if not self.split or covers == self.here:
            return f"#{case_anchor(nodeid)}"
        return f"{self.page(covers)}#{case_anchor(nodeid)}"

    def module(self, covers: str) -> str:
        if not self.split or covers == self.here:
            return f"#{module_anchor(covers)}"
        return self.page(covers)


def _nodeid_link(links: _Links, nodeid: Any, covers: Any) -> str:
    return f'<a class="mono" href="{e(links.case(str(nodeid), str(covers)))}">{e(nodeid)}</a>'


# -- filling in what an older or partial report lacks --------------------------------

def complete_report(report: Mapping[str, Any], *, history: Sequence[Mapping[str, Any]] | None = None,
                    coverage: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """``report`` with the figures the page needs, computed from its cases where it lacks them.

    A report of format 1 (or one built without history or coverage) still renders: the per-file
    and per-package figures are derived from its cases; ``history`` (entries that include this run)
    adds the trend and every case's history; ``coverage`` the inventory columns.
    """
    data = dict(report)
    cases = list(data.get("cases") or [])
    modules = data.get("modules") or {}
    if not modules or any("parity" not in m for m in modules.values()):
        data["modules"] = modules = group_by_module(cases)
    if coverage is not None or "packages" not in data:
        data["modules"] = modules = attach_mapping(modules, coverage)
        data["packages"] = group_by_package(modules, cases, coverage)
    if "parity" not in data:
        data["parity"] = figures(data.get("totals") or collections.Counter(str(c.get("outcome")) for c in cases))
    if history and not data.get("history"):
        data["history"] = case_history.build(list(history), cases)
    return data


# -- header and navigation ---------------------------------------------------------

def _figure(key: str, value: Any, label: str, tone: str, tip: str) -> str:
    return (f'<div class="figure {tone}" data-figure="{key}" data-value="{e(value)}" title="{e(tip)}">'
            f'<span class="v">{e(value)}</span><span class="l">{e(label)}</span></div>')


def _worst(report: Mapping[str, Any], links: _Links, count: int = 3) -> str:
    modules = report.get("modules") or {}
    worst = [c for c in gap_order(modules) if (modules[c].get("parity") or {}).get("gap")][:count]
    if not worst:
        return ""
    parts = []
    for covers in worst:
        data = modules[covers]["parity"]
        parts.append(f'<a href="{e(links.module(covers))}" data-worst="{e(covers)}">{e(covers)}</a> '
                     f'<span class="muted">{fmt_pct(data.get("parity_pct"))}, {_plural(data["gap"], "gap")}</span>')
    return f'<p class="worst" id="worst">Furthest from parity: {" · ".join(parts)}</p>'


def _gate(report: Mapping[str, Any]) -> str:
    gate = report.get("gate")
    sentence = gate_sentence(report)
    if not gate or not sentence:
        return ""
    state = ("incomplete" if report.get("complete") is False else "error" if gate.get("error")
             else "pass" if gate.get("passed") else "fail")
    line = gate.get("line") or ""
    return (f'<div class="gate-line" id="gate" data-gate="{state}"><span class="gate {"ok" if state == "pass" else "bad"}">'
            f'Gate</span> {e(sentence)}' + (f' <code class="muted">{e(line)}</code>' if line else "") + "</div>")


def _header(report: Mapping[str, Any], links: _Links, *, title: str = "Parity report",
            scope: Mapping[str, Any] | None = None, back: str = "") -> str:
    """The headline: parity %, then known gaps, failing, unavailable; the gate apart; badges per outcome."""
    data = (scope or report).get("parity") or {}
    totals = {str(k): int(v) for k, v in ((scope or report).get("outcomes" if scope else "totals") or {}).items()}
    pct = data.get("parity_pct")
    tone = "none" if pct is None else ("good" if pct >= 99.95 else "mid" if pct >= 80 else "low")
    figures_html = "".join([
        _figure("agree", data.get("agree", 0), "agree", "agree",
                f"{data.get('match', 0)} match + {data.get('error_agreement', 0)} error agreement"),
        _figure("executed", data.get("executed", 0), "executed", "plain",
                "items that ran on both sides (all but the unavailable ones)"),
        _figure("known_gaps", data.get("known_gaps", 0), "known gaps", "gap",
                "expected divergences: recorded, reviewed differences of the port (not parity)"),
        _figure("failing", data.get("failing", 0), "failing", "fail", "items whose outcome fails the run"),
        _figure("unavailable", data.get("unavailable", 0), "unavailable", "unavail",
                "a side could not run here (reference or Rust function unavailable): not in the percentage"),
        _figure("items", data.get("items", 0), "items", "plain", "every item of the run"),
    ])
    badges = "".join(badge(outcome, totals[outcome]) for outcome in sorted(totals, key=outcome_order))
    checkout = ((report.get("environment") or {}).get("checkout") or {})
    if report.get("revision") or not checkout.get("git"):
        meta = [f"<span>Rust revision <code title=\"{e(report.get('revision') or '')}\">"
                f"{e(short_revision(report.get('revision')) or 'unknown')}</code></span>"]
    else:  # no --parity-revision label: the checkout's own revision says what was tested
        meta = [f"<span>checkout revision <code title=\"{e(checkout.get('revision'))}\">"
                f"{e(short_revision(checkout.get('revision')))}</code></span>"]
    if report.get("reference_revision"):
        meta.append(f"<span>reference revision <code title=\"{e(report['reference_revision'])}\">"
                    f"{e(short_revision(report['reference_revision']))}</code></span>")
    if report.get("selection") and report.get("selection") != "whole":
        meta.append(f'<span>selection <b data-selection="{e(report["selection"])}">{e(report["selection"])}</b></span>')
    meta.append(f"<span>created <b>{e(short_date(report.get('created'), seconds=True) or 'unknown')}</b></span>")
    summary = "" if scope else f'<div class="summary" id="summary">{e(report.get("summary", ""))}</div>'
    return (f'<header class="top"><div class="inner">{back}<h1>{e(title)}'
            f'<span class="sub">Python reference vs Rust port</span></h1>'
            f'<div class="headline" id="headline"><div class="parity {tone}" data-parity-pct="{e(pct)}">'
            f'<span class="pct">{e(fmt_pct(pct))}</span><span class="l">parity: match + error agreement over executed '
            f'items</span></div><div class="figures" id="figures">{figures_html}</div></div>'
            f'{"" if scope else _gate(report)}{"" if scope else _worst(report, links)}{summary}'
            f'<div class="meta">{"".join(meta)}</div><div class="badges" id="totals">{badges}</div></div></header>')


def _nav(sections: Sequence[tuple[str, str]], placeholder: str = "Search node id or text") -> str:
    links = "".join(f'<a href="#{e(anchor_id)}">{e(name)}</a>' for anchor_id, name in sections)
    return (f'<nav class="bar-nav" id="nav"><div class="inner"><span class="links">{links}</span>'
            f'<label class="search"><input type="search" id="search" placeholder="{e(placeholder)}" '
            f'aria-label="{e(placeholder)}" autocomplete="off"><span id="search-count" class="muted"></span></label>'
            '</div></nav>')


# -- changes against the baseline ----------------------------------------------------

CHANGE_TITLES = {"regressions": "Regressions (passed on the baseline, fail now)",
                 "unexpected_passes": "Unexpected passes (a recorded divergence no longer happens)",
                 "new": "New items", "fixes": "Fixes (failed on the baseline, pass now)",
                 "removed": "Removed items (in the baseline, not in this run)",
                 "changed": "Other verdict changes"}


def _verdict_cell(verdict: Mapping[str, Any] | None) -> str:
    if not verdict:
        return '<td class="muted">—</td>'
    message = str(verdict.get("message") or "")
    return (f'<td>{badge(str(verdict.get("outcome")), small=True)}'
            + (f'<div class="msg">{e(message.splitlines()[0] if message.strip() else message)}</div>' if message else "")
            + "</td>")


def _changes(report: Mapping[str, Any], links: _Links) -> str:
    found = report.get("changes")
    if not found:
        return ""
    base = found.get("baseline") or {}
    counts = found.get("counts") or {}
    label = base.get("revision") or base.get("checkout_revision") or "unknown revision"
    before, after = base.get("parity") or {}, report.get("parity") or {}
    delta = ""
    if number(before.get("parity_pct")) and number(after.get("parity_pct")):
        change = after["parity_pct"] - before["parity_pct"]
        delta = f' <span class="{"up" if change > 0 else "down" if change < 0 else ""}">({change:+.1f} points)</span>'
    chips = "".join(f'<a class="chip{" hot" if name in ("regressions", "unexpected_passes") and counts.get(name) else ""}" '
                    f'href="#changes-{name}" data-change-count="{name}" data-count="{counts.get(name, 0)}">'
                    f'<b>{counts.get(name, 0)}</b> {e(name.replace("_", " "))}</a>' for name in (*CHANGE_GROUPS, "slower"))
    parts = [f'<section class="card" id="changes"><h2>Changed against the baseline</h2>'
             f'<p>Baseline <code title="{e(label)}">{e(short_revision(label))}</code> '
             f'({e(short_date(base.get("created")) or "date unknown")}): parity {e(fmt_pct(before.get("parity_pct")))} '
             f'→ {e(fmt_pct(after.get("parity_pct")))}{delta}.</p><div class="chips">{chips}</div>']
    for name in CHANGE_GROUPS:
        entries = found.get(name) or []
        if not entries:
            continue
        rows = []
        for entry in entries[:LIST_LIMIT]:
            present = entry.get("after") is not None
            link = _nodeid_link(links, entry["nodeid"], entry["covers"]) if present else f'<span class="mono">{e(entry["nodeid"])}</span>'
            rows.append(f'<tr data-searchable data-change="{name}" data-nodeid="{e(entry["nodeid"])}"><td>{link}</td>'
                        f'{_verdict_cell(entry.get("before"))}{_verdict_cell(entry.get("after"))}</tr>')
        more = (f'<p class="muted">… and {len(entries) - LIST_LIMIT} more (all are in the JSON report\'s '
                f'<code>changes.{name}</code>).</p>') if len(entries) > LIST_LIMIT else ""
        parts.append(f'<h3 id="changes-{name}">{e(CHANGE_TITLES[name])} <span class="count">{len(entries)}</span></h3>'
                     f'<div class="table-wrap"><table class="grid changes fixed"><colgroup><col class="c-item">'
                     f'<col class="c-verdict"><col class="c-verdict"></colgroup><thead><tr><th>item</th><th>before</th>'
                     f'<th>after</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>{more}')
    slower = found.get("slower") or []
    parts.append(f'<h3 id="changes-slower">Slower Rust (timed items, beyond their noise) <span class="count">'
                 f'{len(slower)}</span></h3>')
    if slower:
        rows = "".join(f'<tr data-searchable data-slower="{e(s["nodeid"])}"><td>{_nodeid_link(links, s["nodeid"], s["covers"])}</td>'
                       f'<td class="num">{fmt_seconds(s["before"])}</td><td class="num">{fmt_seconds(s["after"])}</td>'
                       f'<td class="num">{s["factor"]:.2g}×</td><td class="num">±{fmt_seconds(s["noise"])}</td></tr>'
                       for s in slower)
        gated = (report.get("perf") or {}).get("gate")
        parts.append(f'<p class="muted">{"These fail the run (--parity-perf-gate)." if gated else "Reported, not gating (--parity-perf-gate makes them fail the run)."}</p>'
                     f'<div class="table-wrap"><table class="grid"><thead><tr><th>item</th><th class="num">Rust before</th>'
                     f'<th class="num">Rust now</th><th class="num">factor</th><th class="num">noise</th></tr></thead>'
                     f'<tbody>{rows}</tbody></table></div>')
    else:
        parts.append('<p class="empty-note">No timed item got slower beyond its noise.</p>')
    files = found.get("files") or []
    if files:
        rows = []
        for item in files:
            old, new = item.get("before") or {}, item.get("after") or {}
            rows.append(f'<tr data-file-change="{e(item["covers"])}"><td class="mono">{e(item["covers"])}</td>'
                        f'<td class="num">{fmt_pct(old.get("parity_pct"))}</td><td class="num">{fmt_pct(new.get("parity_pct"))}</td>'
                        f'<td class="num">{fmt_count(old.get("known_gaps"))} → {fmt_count(new.get("known_gaps"))}</td>'
                        f'<td class="num">{fmt_count(old.get("failing"))} → {fmt_count(new.get("failing"))}</td></tr>')
        parts.append(f'<h3>Files whose figures changed <span class="count">{len(files)}</span></h3>'
                     f'<div class="table-wrap"><table class="grid"><thead><tr><th>file</th><th class="num">parity before</th>'
                     f'<th class="num">parity now</th><th class="num">known gaps</th><th class="num">failing</th></tr></thead>'
                     f'<tbody>{"".join(rows)}</tbody></table></div>')
    return "".join(parts) + "</section>"


# -- the module table ----------------------------------------------------------------

MODULE_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("module", "File", "text", "the monolith file a case covers, grouped by package"),
    ("items", "Items", "num", "parity items (cases x inputs)"),
    ("match", "Match", "num", "items whose outputs are equal"),
    ("error_agreement", "Error agr.", "num", "items where both sides raised equivalent errors"),
    ("known_gaps", "Known gaps", "num", "expected divergences: recorded, reviewed differences"),
    ("failing", "Failing", "num", "items whose outcome fails the run"),
    ("unavailable", "Unavail.", "num", "a side could not run here; not in the percentage"),
    ("parity", "Parity", "num", "match + error agreement over executed items (the bar: every outcome)"),
    ("gap", "Gap", "num", "executed items not at parity: known gaps + failing (sort to find the worst files)"),
    ("with_cases", "Files with cases", "num", "inventoried Python files of the package that have a case"),
    ("mapped", "Mapped", "num", "inventoried files with an established Rust counterpart"),
    ("mutation", "Mutation", "num", "mutation score of the Rust counterpart (mutants the cases kill); filled by the "
                                    "mutation run (JSON modules.<file>.mutation)"),
    ("rust_coverage", "Rust cov.", "num", "lines of the Rust counterpart the cases execute; filled by the coverage run "
                                          "(JSON modules.<file>.rust_coverage)"),
    ("max_abs", "Max abs", "num", "largest absolute error over the MATCHING items"),
    ("max_rel", "Max rel", "num", "largest relative error over the matching items"),
    ("max_ulp", "Max ULP", "num", "largest ULP distance over the matching items"),
    ("divergent", "Divergent", "num", "worst error of the items that did NOT match (expected divergences included), "
                                      "kept out of the max-error columns"),
)


def _quality_cell(value: Mapping[str, Any] | None, key: str, unit: str) -> str:
    if not isinstance(value, Mapping) or not number(value.get("score")):
        return f'<td class="num" data-sort="" data-{key}="">—</td>'
    score = value["score"]
    part = value.get("killed", value.get("covered"))
    tip = f"{part} of {value.get('total')} {unit}" + (f" ({value['tool']})" if value.get("tool") else "")
    return (f'<td class="num" data-sort="{sort_value(score)}" data-{key}="{sort_value(score)}" title="{e(tip)}">'
            f'{100 * score:.0f} %</td>')


def _divergent_cell(divergent: Mapping[str, Any] | None) -> str:
    divergent = divergent or {}
    if not divergent.get("items"):
        return '<td class="num" data-sort="">—</td>'
    for key, unit in (("max_ulp", "ulp"), ("max_abs", "abs"), ("max_rel", "rel")):
        if number(divergent.get(key)):
            tip = ", ".join(f"{k[4:]} {fmt_number(divergent.get(k))}" for k in METRICS if number(divergent.get(k)))
            return (f'<td class="num divergent" data-sort="{sort_value(divergent[key])}" data-divergent-{unit}="'
                    f'{sort_value(divergent[key])}" title="{e(tip)} over {_plural(divergent["items"], "divergent item")}">'
                    f'<span class="lbl">{unit}</span> {fmt_number(divergent[key])}</td>')
    return '<td class="num" data-sort="">—</td>'


def _module_cells(name_html: str, sort_name: str, data: Mapping[str, Any], *, group: bool,
                  cov: Mapping[str, Any] | None, mapping: Mapping[str, Any] | None) -> str:
    fig = data.get("parity") or figures(data.get("outcomes") or {})
    outcomes = {str(k): int(v) for k, v in (data.get("outcomes") or {}).items()}
    cell = "th" if group else "td"
    scope = ' scope="rowgroup"' if group else ""
    title = f' title="{_plural(int(data.get("cases") or 0), "case")}, {_plural(int(data.get("items") or 0), "item")}"'
    row = [f'<{cell} class="{"pkg" if group else "module"}"{scope} data-sort="{e(sort_name)}">{name_html}</{cell}>',
           f'<td class="num" data-sort="{fig["items"]}" data-count="{fig["items"]}"{title}>{fig["items"]}</td>']
    for key in ("match", "error_agreement", "known_gaps", "failing", "unavailable"):
        value = fig[key]
        row.append(f'<td class="num{" zero" if not value else ""}{" hot" if key == "failing" and value else ""}" '
                   f'data-sort="{value}" data-{key.replace("_", "-")}="{value}">{value}</td>')
    pct = fig.get("parity_pct")
    row.append(f'<td class="num parity-cell" data-sort="{sort_value(pct)}" data-parity-pct="{e(pct)}">'
               f'<span class="pct">{fmt_pct(pct)}</span>{verdict_bar(outcomes)}</td>')
    row.append(f'<td class="num" data-sort="{fig["gap"]}" data-gap="{fig["gap"]}">{fig["gap"]}</td>')
    if group and cov:
        files, with_cases, mapped = int(cov.get("files") or 0), int(cov.get("with_cases") or 0), int(cov.get("mapped") or 0)
        missing = list(cov.get("missing") or [])
        tip = f"{with_cases} of {files} Python files have cases"
        if cov.get("not_applicable"):
            tip += f"; {int(cov['not_applicable'])} N/A not counted"
        if missing:
            tip += "; without cases: " + ", ".join(missing[:40]) + (" …" if len(missing) > 40 else "")
        fraction = with_cases / files if files else None
        row.append(f'<td class="num" data-sort="{sort_value(fraction)}" title="{e(tip)}"><span class="cov">'
                   f'<span class="track"><span class="fill" style="width:{100.0 * (fraction or 0):.1f}%"></span></span>'
                   f'<span data-files="{files}" data-with-cases="{with_cases}">{with_cases}/{files}</span></span></td>')
        row.append(f'<td class="num" data-sort="{sort_value(mapped / files if files else None)}" '
                   f'title="{mapped} of {files} files have an established Rust counterpart">'
                   f'<span data-mapped="{mapped}">{mapped}/{files}</span></td>')
    elif not group and mapping:
        status = str(mapping.get("status"))
        tip = mapping.get("target") or mapping.get("reason") or status
        row.append('<td class="num muted" data-sort="">—</td>')
        row.append(f'<td class="num" data-sort="{1 if status == "mapped" else 0}" data-rust-status="{e(status)}" '
                   f'title="{e(tip)}">{"yes" if status == "mapped" else e(status)}</td>')
    else:
        row += ['<td class="num muted" data-sort="">—</td>', '<td class="num muted" data-sort="">—</td>']
    row.append(_quality_cell(data.get("mutation"), "mutation", "mutants killed"))
    row.append(_quality_cell(data.get("rust_coverage"), "rust-coverage", "lines executed"))
    for key in METRICS:
        value = data.get(key)
        row.append(f'<td class="num" data-sort="{sort_value(value)}" data-{key.replace("_", "-")}="{sort_value(value)}" '
                   f'title="{e(value)}">{fmt_number(value)}</td>')
    row.append(_divergent_cell(data.get("divergent")))
    return "".join(row)


def _modules(report: Mapping[str, Any], links: _Links) -> str:
    modules: Mapping[str, Mapping[str, Any]] = report.get("modules") or {}
    packages: Mapping[str, Mapping[str, Any]] = report.get("packages") or {}
    totals = {str(k): int(v) for k, v in (report.get("totals") or {}).items()}
    if not modules and not packages:
        return ('<section class="card" id="modules-section"><h2>Modules</h2>'
                '<p class="empty-note">No parity items ran: nothing to report per module.</p></section>')
    head = "".join(f'<th class="{"num" if kind == "num" and key != "module" else ""}" data-key="{key}" data-type="{kind}" '
                   f'title="{e(tip)}"><button class="sort" type="button">{e(title)}</button></th>'
                   for key, title, kind, tip in MODULE_COLUMNS)
    cols = "".join(f'<col class="m-{key}">' for key, _title, _kind, _tip in MODULE_COLUMNS)
    bodies = []
    for package in sorted(packages):
        group = packages[package]
        cov = group.get("coverage")
        rows = []
        for covers in group.get("files") or []:
            data = modules.get(covers)
            if data is None:
                continue
            name = data.get("label") or file_label(covers, package)
            link = f'<a href="{e(links.module(covers))}" title="{e(covers)}">{e(name)}</a>'
            outcome_list = "|".join(sorted(str(o) for o in (data.get("outcomes") or {})))
            rows.append(f'<tr class="row" data-covers="{e(covers)}" data-outcomes="{e(outcome_list)}">'
                        f'{_module_cells(link, covers, data, group=False, cov=None, mapping=data.get("rust_mapping"))}</tr>')
        count = len(group.get("files") or [])
        label = f'{e(group.get("label") or package_label(package))} <span class="muted">· {_plural(count, "file")} with cases</span>'
        group_outcomes = "|".join(sorted(group.get("outcomes") or {}))
        head_row = (f'<tr class="group" data-package="{e(package)}" data-outcomes="{e(group_outcomes)}">'
                    f'{_module_cells(label, package, group, group=True, cov=cov, mapping=None)}</tr>')
        bodies.append(f'<tbody class="package" data-package="{e(package)}">{head_row}{"".join(rows)}</tbody>')
    filters = "".join(
        f'<label><input type="checkbox" class="outcome-filter" value="{e(o)}" '
        f'data-passed="{1 if passed(o) else 0}" checked><span class="dot {css_class(o)}"></span>{e(o)} '
        f'<span class="muted">({totals[o]})</span></label>'
        for o in sorted(totals, key=outcome_order))
    toolbar = (f'<div class="toolbar" id="filters"><span>Filter by outcome:</span>{filters}'
               '<button type="button" data-select="all">all</button>'
               '<button type="button" data-select="attention">needs attention</button>'
               '<button type="button" data-select="none">none</button>'
               f'<span class="filter-count muted">showing all {len(report.get("cases") or [])} items</span></div>'
               ) if totals else ""
    return (f'<section class="card" id="modules-section"><h2>Modules<span class="count">{_plural(len(modules), "monolith file")}'
            f' with cases, grouped by package</span></h2>{toolbar}'
            '<p class="hint muted">Click a column to sort: <b>Gap</b> or <b>Parity</b> finds the files furthest from '
            'parity. Max abs / rel / ULP are over the matching items only; <b>Divergent</b> is the worst error of the '
            'items that did not match, shown apart.</p>'
            f'<div class="table-wrap"><table class="grid sortable fixed" id="modules"><colgroup>{cols}</colgroup>'
            f'<thead><tr>{head}</tr></thead>{"".join(bodies)}</table></div></section>')


# -- needs attention, the divergence catalogue ----------------------------------------

def _headline(case: Mapping[str, Any]) -> str:
    message = str(case.get("message") or "")
    if message:
        return message.splitlines()[0] if message.strip() else message
    expected = case.get("expected_divergence")
    if expected:
        return str(expected.get("reason", ""))
    return ""


def _attention(cases: Sequence[Mapping[str, Any]], links: _Links) -> str:
    failing = sorted((c for c in cases if not passed(str(c.get("outcome")))),
                     key=lambda c: (outcome_order(str(c.get("outcome"))), str(c.get("nodeid"))))
    if not failing:
        return ""
    rows = "".join(
        f'<tr data-outcome="{e(c.get("outcome"))}" data-searchable><td>{badge(str(c.get("outcome")), small=True)}</td>'
        f'<td>{_nodeid_link(links, c.get("nodeid"), c.get("covers"))}</td>'
        f'<td class="msg">{e(readable(_headline(c))[:240])}</td></tr>' for c in failing[:LIST_LIMIT])
    more = (f'<p class="muted">… and {len(failing) - LIST_LIMIT} more: filter the items below by outcome '
            '(<b>needs attention</b>) or search them.</p>' if len(failing) > LIST_LIMIT else "")
    return (f'<section class="card" id="attention"><h2>Needs attention<span class="count">{_plural(len(failing), "item")}'
            f'</span></h2><div class="table-wrap"><table class="list fixed"><colgroup><col class="c-badge"><col class="c-item">'
            f'<col></colgroup>{rows}</table></div>{more}</section>')


def _catalogue(report: Mapping[str, Any], links: _Links) -> str:
    entries = report.get("divergences") or []
    if not entries:
        return ""
    by_file: dict[str, list[Mapping[str, Any]]] = collections.defaultdict(list)
    for entry in entries:
        by_file[str(entry["covers"])].append(entry)
    blocks = []
    for covers in sorted(by_file):
        rows = []
        for entry in by_file[covers]:
            verdicts = " ".join(badge(o, n, small=True) for o, n in sorted(entry["verdicts"].items(),
                                                                          key=lambda kv: outcome_order(kv[0])))
            items = entry["nodeids"]
            shown = "".join(f"<li>{_nodeid_link(links, n, covers)}</li>" for n in items[:CATALOGUE_ITEMS])
            more = (f"<li class=\"muted\">… {len(items) - CATALOGUE_ITEMS} more (the JSON report's "
                    "<code>divergences[].nodeids</code>)</li>" if len(items) > CATALOGUE_ITEMS else "")
            item_list = (f'<details class="items"><summary>{_plural(len(items), "item")}</summary><ul>{shown}{more}</ul>'
                         f'</details>' if len(items) > 1 else f'<ul class="one">{shown}</ul>')
            prefix = f' · message <code>{e(entry["message"])}</code>' if entry.get("message") else ""
            rows.append(f'<div id="{divergence_anchor(entry["id"])}" class="entry" data-catalogue data-items="{entry["items"]}" '
                        f'data-held="{entry["held"]}"><div class="what"><a class="self" href="#{divergence_anchor(entry["id"])}" '
                        f'title="link to this entry">#</a> <b class="reason">{e(entry["reason"])}</b><div class="muted">'
                        f'recorded as {tag(entry["outcome"])}{prefix}</div><div class="evidence" title="observed in '
                        f'{e(entry.get("evidence_nodeid"))}">{e(readable(entry.get("evidence") or ""))}</div></div>'
                        f'<div class="n" title="items carrying it">{entry["items"]}</div><div class="verdicts">{verdicts}</div>'
                        f'<div class="where">{item_list}</div></div>')
        held = sum(x["held"] for x in by_file[covers])
        height = 90 * len(by_file[covers]) + 40
        blocks.append(f'<div class="cat-file" data-catalogue-file="{e(covers)}" style="contain-intrinsic-size:auto {height}px">'
                      f'<h3><a href="{e(links.module(covers))}">{e(covers)}</a> <span class="muted">· '
                      f'{_plural(len(by_file[covers]), "recorded divergence")}, {_plural(held, "item")} held</span></h3>'
                      + "".join(rows) + "</div>")
    return (f'<section class="card" id="divergences"><h2>Divergence catalogue<span class="count">'
            f'{_plural(len(entries), "distinct recorded divergence")} in {_plural(len(by_file), "file")}</span></h2>'
            '<p class="hint muted">Every recorded divergence (<code>divergence(reason, outcome=..., message=...)</code>) '
            'of the run, grouped by file: its reason, what it was recorded as, how many items carry it and what '
            'became of them, and one line of evidence from an item where it held. Each entry links to itself.</p>'
            '<div class="toolbar"><input type="search" id="catalogue-filter" placeholder="Filter the catalogue: '
            'file, reason, evidence" aria-label="Filter the divergence catalogue"><span id="catalogue-count" '
            'class="muted"></span></div><div class="cat-head"><span>reason · recorded as · evidence</span>'
            '<span class="n">items</span><span>verdicts now</span><span>items</span></div>'
            f'<div id="catalogue">{"".join(blocks)}</div></section>')


# -- performance and durations ----------------------------------------------------------

def _timing(summary: Mapping[str, Any] | None) -> str:
    if not summary:
        return "—"
    return (f'<span title="{summary.get("calls")} calls, min {fmt_seconds(summary.get("min"))}, max '
            f'{fmt_seconds(summary.get("max"))}">{fmt_seconds(summary.get("median"))} '
            f'<span class="muted">±{fmt_seconds(summary.get("noise"))}</span></span>')


def _perf(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]], links: _Links) -> str:
    summary = report.get("perf")
    if not summary:
        return ""
    modules = report.get("modules") or {}
    module_rows = []
    for covers in sorted(c for c in modules if modules[c].get("perf")):
        perf = modules[covers]["perf"]
        module_rows.append(f'<tr data-perf-module="{e(covers)}" data-ratio="{sort_value(perf.get("ratio"))}">'
                           f'<td><a href="{e(links.module(covers))}">{e(covers)}</a></td>'
                           f'<td class="num">{perf["items"]}</td><td class="num">{fmt_seconds(perf["python_seconds"])}</td>'
                           f'<td class="num">{fmt_seconds(perf["rust_seconds"])}</td>'
                           f'<td class="num" data-sort="{sort_value(perf.get("ratio"))}" title="{e(ratio_words(perf.get("ratio")))}">'
                           f'{fmt_ratio(perf.get("ratio"))}</td></tr>')
    asked = [c for c in cases if c.get("perf")]
    ranked = sorted(asked, key=lambda c: (-(c["perf"].get("ratio") or 0.0), str(c.get("nodeid"))))  # slowest Rust first
    item_rows = []
    for case in ranked[:LIST_LIMIT]:
        perf = case["perf"]
        if "skipped" in perf:
            item_rows.append(f'<tr data-searchable data-perf-item="{e(case["nodeid"])}"><td>'
                             f'{_nodeid_link(links, case["nodeid"], case["covers"])}</td>'
                             f'<td colspan="3" class="muted">not timed: {e(perf["skipped"])}</td></tr>')
            continue
        item_rows.append(f'<tr data-searchable data-perf-item="{e(case["nodeid"])}" data-ratio="{sort_value(perf.get("ratio"))}">'
                         f'<td>{_nodeid_link(links, case["nodeid"], case["covers"])}</td>'
                         f'<td class="num">{_timing(perf.get("python"))}</td><td class="num">{_timing(perf.get("rust"))}</td>'
                         f'<td class="num" data-sort="{sort_value(perf.get("ratio"))}" title="{e(ratio_words(perf.get("ratio")))}">'
                         f'{fmt_ratio(perf.get("ratio"))}</td></tr>')
    if len(ranked) > LIST_LIMIT:
        item_rows.append(f'<tr><td colspan="4" class="muted">… and {len(ranked) - LIST_LIMIT} more timed items (each '
                         'item shows its timings; all are in the JSON report)</td></tr>')
    ratio = summary.get("ratio")
    return (f'<section class="card" id="perf"><h2>Performance<span class="count">{_plural(summary.get("items", 0), "timed item")}'
            f'</span></h2><p>Cases with <code>perf=True</code>: each side called repeatedly, alternately; the median of '
            f'its calls with a noise estimate (±1.4826 × median absolute deviation). The call alone, as the runner '
            f'times it (for a worker or a command line, the round trip). Rust / Python: below 1 the port is faster. '
            f'Overall <b data-perf-ratio="{sort_value(ratio)}">{fmt_ratio(ratio)}</b> ({e(ratio_words(ratio))}, '
            f'geometric mean); Python {fmt_seconds(summary.get("python_seconds"))}, Rust '
            f'{fmt_seconds(summary.get("rust_seconds"))} (sums of medians).</p>'
            + (f'<h3>Per file</h3><div class="table-wrap"><table class="grid sortable" id="perf-modules"><thead><tr>'
               '<th data-type="text"><button class="sort" type="button">file</button></th>'
               '<th class="num" data-type="num"><button class="sort" type="button">timed</button></th>'
               '<th class="num" data-type="num"><button class="sort" type="button">Python</button></th>'
               '<th class="num" data-type="num"><button class="sort" type="button">Rust</button></th>'
               '<th class="num" data-type="num"><button class="sort" type="button">Rust / Python</button></th>'
               f'</tr></thead><tbody>{"".join(module_rows)}</tbody></table></div>' if module_rows else "")
            + f'<h3>Per item, slowest Rust relative to Python first</h3><div class="table-wrap"><table class="grid" id="perf-items"><thead><tr><th>item</th>'
              '<th class="num">Python (median ± noise)</th><th class="num">Rust (median ± noise)</th>'
              f'<th class="num">Rust / Python</th></tr></thead><tbody>{"".join(item_rows)}</tbody></table></div></section>')


def _durations(report: Mapping[str, Any], links: _Links) -> str:
    found = report.get("durations") or {}
    slowest = found.get("slowest") or []
    if not slowest:
        return ""
    rows = "".join(
        f'<tr data-searchable data-slow="{e(s["nodeid"])}"><td>{badge(str(s.get("outcome")), small=True)}</td>'
        f'<td>{_nodeid_link(links, s["nodeid"], s["covers"])}</td><td class="num" data-seconds="{sort_value(s["seconds"])}">'
        f'{fmt_seconds(s["seconds"])}</td><td class="num">{fmt_seconds(s.get("python_seconds"))}</td>'
        f'<td class="num">{fmt_seconds(s.get("rust_seconds"))}</td><td class="num">{fmt_seconds(s.get("perf_seconds"))}</td></tr>'
        for s in slowest)
    return (f'<section class="card" id="durations"><h2>Durations<span class="count">items took '
            f'{fmt_seconds(found.get("total_seconds"))} in all</span></h2>'
            f'<h3>The {len(slowest)} slowest items</h3><div class="table-wrap"><table class="grid fixed" id="slowest"><colgroup>'
            '<col class="c-badge"><col><col class="c-t"><col class="c-t"><col class="c-t"><col class="c-t"></colgroup>'
            '<thead><tr><th>outcome</th><th>item</th><th class="num">total</th><th class="num">Python call</th>'
            f'<th class="num">Rust call</th><th class="num">timing (perf)</th></tr></thead><tbody>{rows}</tbody></table></div>'
            '</section>')


# -- history ---------------------------------------------------------------------------

def trend_svg(trend: Sequence[Mapping[str, Any]], *, width: int = 1160, height: int = 240) -> str:
    """An inline SVG: parity % per whole run (solid) and parity + known gaps (dashed), 0 to 100 %."""
    runs = list(trend)
    if not runs:
        return ""
    left, right, top, bottom = 46, 24, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w / 2 if len(runs) == 1 else plot_w * i / (len(runs) - 1))

    def y(value: float) -> float:
        return top + plot_h * (1 - value / 100.0)

    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="parity % over {len(runs)} whole runs" '
           'id="trend-chart">']
    for step in range(5):
        value = 25 * step
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#e3e7ec"/>'
                   f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="#5b6470">{value} %</text>')
    series = []
    for run in runs:
        fig = run.get("figures") or figures(run.get("counts") or {})
        executed = fig.get("executed") or 0
        pct = fig.get("parity_pct")
        known = 100.0 * fig.get("known_gaps", 0) / executed if executed else None
        series.append((pct, None if pct is None or known is None else min(100.0, pct + known), fig))
    points = [(x(i), y(p)) for i, (p, _k, _f) in enumerate(series) if p is not None]
    upper = [(x(i), y(k)) for i, (_p, k, _f) in enumerate(series) if k is not None]
    if points:
        area = points + [(points[-1][0], y(0)), (points[0][0], y(0))]
        if len(points) == 1:
            half = min(40.0, plot_w / 4)
            area = [(points[0][0] - half, points[0][1]), (points[0][0] + half, points[0][1]),
                    (points[0][0] + half, y(0)), (points[0][0] - half, y(0))]
        out.append(f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in area)}" fill="{FAMILY_COLOURS["agree"]}" '
                   'fill-opacity="0.18" stroke="none" data-band="parity"/>')
        out.append(f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in points)}" fill="none" '
                   f'stroke="{FAMILY_COLOURS["agree"]}" stroke-width="2" data-line="parity"/>')
    if upper:
        out.append(f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in upper)}" fill="none" '
                   f'stroke="{FAMILY_COLOURS["known gap"]}" stroke-width="1.5" stroke-dasharray="5 4" data-line="with-gaps"/>')
    for i, (run, (pct, _known, fig)) in enumerate(zip(runs, series)):
        if pct is None:
            continue
        tip = (f"{short_date(run.get('date'))} · {run.get('revision') or 'unknown revision'}\n{headline(fig)}")
        out.append(f'<circle cx="{x(i):.1f}" cy="{y(pct):.1f}" r="3.5" fill="#1d2733" data-run="{i}" '
                   f'data-parity-pct="{e(pct)}"><title>{e(tip)}</title></circle>')
    ticks = sorted({0, len(runs) - 1, (len(runs) - 1) // 2}) if len(runs) > 2 else list(range(len(runs)))
    for i in ticks:
        anchor_at = "start" if i == 0 and len(runs) > 1 else ("end" if i == len(runs) - 1 and len(runs) > 1 else "middle")
        out.append(f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="{anchor_at}" font-size="11" fill="#5b6470">'
                   f'{e(short_date(runs[i].get("date")))}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#9aa3ad"/></svg>')
    return "".join(out)


def _history(report: Mapping[str, Any], links: _Links) -> str:
    found = report.get("history")
    if not found or not found.get("trend"):
        return ""
    trend = found["trend"]
    rows, previous = [], None
    for run in trend:
        fig = run.get("figures") or figures(run.get("counts") or {})
        pct = fig.get("parity_pct")
        delta = "" if previous is None or pct is None else f"{pct - previous:+.1f}"
        change = (f'<span class="{"up-good" if delta.startswith("+") and delta != "+0.0" else "down-bad" if delta.startswith("-") else ""}">'
                  f'{delta}</span>')
        previous = pct if pct is not None else previous
        full = ", ".join(f"{n} {o}" for o, n in sorted((run.get("counts") or {}).items(), key=lambda kv: outcome_order(kv[0])))
        rows.append(f'<tr title="{e(full)}" data-run-parity="{e(pct)}"><td>{e(short_date(run.get("date")))}</td>'
                    f'<td><code>{e(short_revision(run.get("revision")) or "—")}</code></td><td class="num">{fig["items"]}</td>'
                    f'<td class="num">{fmt_pct(pct)}</td><td class="num">{fig["agree"]}</td><td class="num">{fig["known_gaps"]}</td>'
                    f'<td class="num">{fig["failing"]}</td><td class="num">{fig["unavailable"]}</td><td class="num">{change}</td></tr>')
    flaky = found.get("flaky") or []
    cases_history = found.get("cases") or {}
    by_nodeid = {str(c.get("nodeid")): c for c in report.get("cases") or []}
    flaky_rows = "".join(
        f'<tr data-searchable data-flaky="{e(n)}"><td>{_nodeid_link(links, n, (by_nodeid.get(n) or {}).get("covers"))}</td>'
        f'<td class="num">{cases_history[n]["flips"]}</td><td>{e(cases_history[n]["flaky_why"])}</td></tr>'
        for n in flaky[:LIST_LIMIT])
    if len(flaky) > LIST_LIMIT:
        flaky_rows += (f'<tr><td colspan="3" class="muted">… and {len(flaky) - LIST_LIMIT} more (the JSON report\'s '
                       '<code>history.flaky</code>)</td></tr>')
    legend = (f'<div class="legend"><span><i style="background:{FAMILY_COLOURS["agree"]}"></i>parity % (match + error '
              f'agreement over executed items)</span><span><i class="dash" style="border-color:{FAMILY_COLOURS["known gap"]}">'
              '</i>parity + known gaps</span></div>')
    skipped = found.get("runs", 0) - found.get("whole_runs", 0)
    note = (f' <span class="muted">({_plural(skipped, "subset or replay run")} not drawn: they would read as a collapse of '
            f'the port)</span>' if skipped > 0 else "")
    verdicts = found.get("with_verdicts", 0)
    return (f'<section class="card trend" id="history"><h2>History<span class="count">{_plural(len(trend), "whole run")}'
            f'</span></h2><p>Parity % of every whole run in the history file{note}.</p>{trend_svg(trend)}{legend}'
            f'<div class="scroll"><table class="grid" id="trend-table"><thead><tr><th>date</th><th>revision</th>'
            '<th class="num">items</th><th class="num">parity</th><th class="num">agree</th><th class="num">known gaps</th>'
            '<th class="num">failing</th><th class="num">unavailable</th><th class="num">Δ parity</th></tr></thead>'
            f'<tbody>{"".join(reversed(rows))}</tbody></table></div>'
            f'<h3>Flaky items <span class="count">{len(flaky)}</span></h3>'
            + (f'<div class="table-wrap"><table class="grid" id="flaky"><thead><tr><th>item</th><th class="num">flips</th>'
               f'<th>why flaky</th></tr></thead><tbody>{flaky_rows}</tbody></table></div>' if flaky else
               f'<p class="empty-note">No item flipped back and forth across the {_plural(verdicts, "run")} that record '
               'verdicts per item.</p>')
            + '<p class="muted">Each case item below says since when it has had its verdict and how often it flipped.</p>'
            '</section>')


# -- environment and goldens --------------------------------------------------------

def _environment(report: Mapping[str, Any]) -> str:
    env = report.get("environment")
    if not env:
        return ""
    libraries = env.get("libraries") or {}
    checkout = env.get("checkout") or {}
    revision = checkout.get("revision") or "unknown"
    state = ""
    if checkout.get("git"):
        state = (f' on branch <code>{e(checkout["branch"])}</code>' if checkout.get("branch") else " (detached)")
        state += " <b>with local changes</b>" if checkout.get("dirty") else ""
    goldens = env.get("golden_revisions") or {}
    golden_text = ", ".join(f'<code title="{e(rev)}">{e(short_revision(rev))}</code> ({_plural(n, "file")})'
                            for rev, n in goldens.items()) or '<span class="muted">no golden manifest</span>'
    rows = [("harness", f"pytest-monolith-parity {e(env.get('harness'))}"),
            ("Python", f"{e(env.get('python'))} <span class=\"muted\">on {e(env.get('platform'))}</span>"),
            ("TensorFlow", e(libraries.get("tensorflow") or "not installed")),
            ("NumPy", e(libraries.get("numpy") or "not installed")),
            ("protobuf", e(libraries.get("protobuf") or "not installed")),
            ("pytest · Hypothesis", f"{e(libraries.get('pytest') or '—')} · {e(libraries.get('hypothesis') or '—')}"),
            ("rustc", e(env.get("rustc") or "not found")), ("cargo", e(env.get("cargo") or "not found")),
            (e(checkout.get("kind") or "checkout"), f"<code>{e(checkout.get('path') or 'unknown')}</code>"),
            ("checkout revision", f'<code data-checkout-revision="{e(revision)}">{e(revision)}</code>{state}'),
            ("Rust revision (label)", e(env.get("rust_revision") or "not given (--parity-revision)")),
            ("reference revision (this run)", f"<code>{e(env.get('reference_revision') or 'unknown')}</code>"),
            ("goldens recorded at", golden_text)]
    items = "".join(f'<dt>{k}</dt><dd data-env="{e(k)}">{v}</dd>' for k, v in rows)
    return f'<section class="card" id="environment"><h2>Environment</h2><dl class="kv env">{items}</dl></section>'


def _goldens(report: Mapping[str, Any]) -> str:
    golden = report.get("golden") or {}
    changed, unused = list(golden.get("changed") or []), list(golden.get("unused") or [])
    if not changed and not unused:
        return ""
    parts = ['<section class="card" id="goldens"><h2>Goldens</h2>']
    for title, paths in (("Recorded or changed this run", changed), ("Unused (no collected case uses them)", unused)):
        if paths:
            parts.append(f"<h4>{e(title)} ({len(paths)})</h4><ul class=\"notes\">"
                         + "".join(f"<li><code>{e(p)}</code></li>" for p in paths) + "</ul>")
    return "".join(parts) + "</section>"


# -- case items ---------------------------------------------------------------------

def _side(result: Mapping[str, Any] | None, title: str) -> str:
    if not result:
        return (f'<div class="side"><div class="head">{e(title)}</div>'
                f'<p class="muted">no single call recorded for this item</p></div>')
    kind = str(result.get("kind") or "")
    tone = SIDE_KIND_TONE.get(kind, "fail")
    head = (f'<div class="head">{e(title)}<span class="kind t-{tone}">{e(kind)}</span>'
            f'<span class="secs">{fmt_seconds(result.get("seconds"))}</span></div>')
    body = []
    if kind == "value":
        body.append(pre(result.get("preview")) or '<p class="muted">(empty preview)</p>')
    else:
        error = ": ".join(str(x) for x in (result.get("error_type"), result.get("message")) if x)
        if error:
            body.append(f'<p class="err">{e(error)}</p>')
    if result.get("detail"):
        detail_open = " open" if kind in {"crashed", "panicked", "timeout"} and len(str(result["detail"])) < 400 else ""
        body.append(f'<details{detail_open}><summary>detail (traceback, stderr, signal)</summary>'
                    f'{pre(result["detail"])}</details>')
    return f'<div class="side" data-side="{e(result.get("side") or title.lower())}">{head}{"".join(body)}</div>'


def _history_text(data: Mapping[str, Any] | None) -> str:
    if not data:
        return '<span class="muted">no history with per-item verdicts yet</span>'
    since = short_date(data.get("since")) or "unknown date"
    text = (f'{e(data["verdict"])} since {e(since)}'
            + (f' (<code>{e(short_revision(data["since_revision"]))}</code>)' if data.get("since_revision") else "")
            + f' · {_plural(int(data.get("runs") or 0), "run")} in a row, seen in {int(data.get("seen") or 0)}')
    if data.get("previous"):
        text += f' · before: {e(data["previous"])}'
    if data.get("flips"):
        text += f' · {_plural(int(data["flips"]), "flip")}'
    if data.get("flaky"):
        text += f' · <b class="flaky">flaky</b> ({e(data.get("flaky_why"))})'
    return text


def _perf_text(perf: Mapping[str, Any] | None) -> str:
    if not perf:
        return ""
    if "skipped" in perf:
        return f'<span class="muted">not timed: {e(perf["skipped"])}</span>'
    return (f'Python {_timing(perf.get("python"))} · Rust {_timing(perf.get("rust"))} · '
            f'<b>{fmt_ratio(perf.get("ratio"))}</b> <span class="muted">({e(ratio_words(perf.get("ratio")))})</span>')


def _case(case: Mapping[str, Any], history: Mapping[str, Any] | None) -> str:
    nodeid = str(case.get("nodeid"))
    outcome = str(case.get("outcome"))
    raw = str(case.get("raw") or "")
    colour, _family = style(outcome)
    ok = passed(outcome)
    opened = "" if ok else " open"
    kv = [("raw class", tag(raw) if raw else "—"),
          ("case", f'<code>{e(case.get("case_id"))}</code>'
                   + (f' example <code>{e(case.get("example_id"))}</code>' if case.get("example_id") else "")),
          ("covers", f'<code>{e(case.get("covers"))}</code>'),
          ("case file", f'<code>{e(case.get("case_file"))}</code>'
                        + (f'<span class="muted">:{e(case.get("case_line"))}</span>' if case.get("case_line") else "")),
          ("python", f'<code>{e(readable(str(case.get("python_call") or "")))}</code>'),
          ("rust", f'<code>{e(readable(str(case.get("rust_call") or "")))}</code>'),
          ("comparator", f'<code>{e(case.get("comparator"))}</code>'),
          ("compared against", e(case.get("against") or "python")),
          ("examples run", fmt_count(case.get("examples_run"))),
          ("time", fmt_seconds(case.get("seconds"))),
          ("history", _history_text(history))]
    if case.get("perf"):
        kv.append(("performance", _perf_text(case.get("perf"))))
    parts = ['<dl class="kv">' + "".join(f'<dt>{k}</dt><dd data-kv="{e(k)}">{v}</dd>' for k, v in kv) + "</dl>"]
    if case.get("message"):
        parts.append(f'<div class="message{" ok" if ok else ""}" data-field="message">{e(case["message"])}</div>')
    expected = case.get("expected_divergence")
    if expected:
        prefix = expected.get("message")
        parts.append(f'<div class="expect" data-field="expected"><b>Expected divergence:</b> {e(expected.get("reason"))}'
                     f'<br><span class="muted">recorded as {e(expected.get("outcome"))}'
                     + (f', message starting <code>{e(prefix)}</code>' if prefix else "") + "</span></div>")
    if case.get("inputs") not in (None, ""):
        parts.append(f'<h4>Inputs</h4>{pre(case["inputs"])}')
    parts.append(f'<h4>Outputs</h4><div class="sides">{_side(case.get("python"), "Python")}'
                 f'{_side(case.get("rust"), "Rust")}</div>')
    if case.get("diff"):
        parts.append(f'<h4>Diff ({e(case.get("comparator") or "comparator")})</h4>{pre(case["diff"], "diff")}')
    metrics = case.get("metrics") or {}
    if metrics:
        rows = "".join(f'<tr><td>{e(k)}</td><td title="{e(v)}">{fmt_number(v) if number(v) else e(v)}</td></tr>'
                       for k, v in metrics.items())
        parts.append(f'<h4>Metrics</h4><table class="metrics">{rows}</table>')
    if case.get("notes"):
        parts.append('<h4>Notes</h4><ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in case["notes"]) + "</ul>")
    if case.get("replay"):
        code_id = case_anchor(nodeid) + "-replay"
        parts.append(f'<h4>Replay</h4><div class="replay"><code id="{code_id}">{e(case["replay"])}</code>'
                     f'<button type="button" class="btn copy" data-target="{code_id}">Copy</button></div>')
    flaky = ' <span class="flaky-mark" title="flaky across the history file">flaky</span>' if (history or {}).get("flaky") else ""
    summary = (f'{badge(outcome, small=True)}<span class="nodeid">{e(nodeid)}</span>{flaky}'
               f'<span class="headline" title="{e(readable(_headline(case)))}">{e(readable(_headline(case)))}</span>'
               f'<span class="secs">{fmt_seconds(case.get("seconds"))}</span>')
    return (f'<details class="case" id="{case_anchor(nodeid)}" data-outcome="{e(outcome)}" data-nodeid="{e(nodeid)}"'
            f' data-searchable style="--case-colour:{colour}"{opened}><summary>{summary}</summary>'
            f'<div class="case-body">{"".join(parts)}</div></details>')


def _module_block(covers: str, items: Sequence[Mapping[str, Any]], history: Mapping[str, Any]) -> str:
    fig = figures(collections.Counter(str(c.get("outcome")) for c in items))
    return (f'<div class="module-block" id="{module_anchor(covers)}"><h3>{e(covers)}'
            f'<span class="muted">parity {fmt_pct(fig["parity_pct"])} · {fig["agree"]}/{fig["executed"]} agree · '
            f'{_plural(fig["known_gaps"], "known gap")} · {fig["failing"]} failing</span></h3>'
            + "".join(_case(c, history.get(str(c.get("nodeid")))) for c in items) + "</div>")


def _by_module(cases: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = collections.defaultdict(list)
    for case in cases:
        grouped[str(case.get("covers"))].append(case)
    return {covers: sorted(grouped[covers], key=lambda c: str(c.get("nodeid")))
            for covers in sorted(grouped, key=lambda c: (package_of(c), c))}


def _toolbar_cases() -> str:
    return ('<div class="toolbar"><button type="button" data-expand="open">expand all</button>'
            '<button type="button" data-expand="close">collapse all</button>'
            '<span class="filter-count muted"></span></div>')


def _cases(cases: Sequence[Mapping[str, Any]], history: Mapping[str, Any]) -> str:
    if not cases:
        return ""
    blocks = "".join(_module_block(covers, items, history) for covers, items in _by_module(cases).items())
    return (f'<section class="card" id="cases"><h2>Case items<span class="count">{len(cases)}</span></h2>'
            f'{_toolbar_cases()}{blocks}</section>')


def _item_index(cases: Sequence[Mapping[str, Any]], links: _Links) -> str:
    """The split report's list of every item, one block per file: its outcome (colour and tooltip), node id
    (linking to the item on its file's page; within the block, after the block's case file) and headline, in as
    little markup as will do -- the parser's time grows with it -- and blocks off screen are neither laid out nor
    painted (``content-visibility``).  Search reads a row as its block's case file plus its text."""
    blocks = []
    for covers, items in _by_module(cases).items():
        case_file = collections.Counter(str(c.get("case_file") or "") for c in items).most_common(1)[0][0]
        prefix = f"{case_file}::"
        rows = "".join(
            f'<div class="item" data-outcome="{e(c.get("outcome"))}"><i class="dot {css_class(str(c.get("outcome")))}" '
            f'title="{e(c.get("outcome"))}"></i><a href="{e(links.case(str(c.get("nodeid")), covers))}">'
            f'{e(str(c.get("nodeid"))[len(prefix):] if str(c.get("nodeid")).startswith(prefix) else c.get("nodeid"))}</a>'
            f'<span>{e(readable(_headline(c))[:100])}</span></div>' for c in items)
        blocks.append(f'<div class="index-block module-block" data-covers="{e(covers)}" data-case-file="{e(case_file)}" '
                      f'style="contain-intrinsic-size:auto {22 * len(items) + 40}px"><h3><a href="{e(links.page(covers))}">'
                      f'{e(covers)}</a><span class="muted">{_plural(len(items), "item")} · case file '
                      f'<code>{e(case_file)}</code></span></h3>{rows}</div>')
    return (f'<section class="card" id="cases"><h2>All items<span class="count">{len(cases)} — each file\'s items have a '
            f'page of their own under {FILES_DIR}/</span></h2><div class="toolbar"><span class="filter-count muted"></span>'
            f'</div><div id="item-index">{"".join(blocks)}</div></section>')


# -- pages -----------------------------------------------------------------------------

def _page(title: str, body: str, outcomes: Sequence[str]) -> str:
    unknown = tuple(o for o in outcomes if o not in OUTCOME_STYLE)
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="color-scheme" content="light">'
            '<link rel="icon" href="data:,">'
            f"<title>{e(title)}</title><style>{asset('report.css')}{outcome_rules(unknown)}</style></head>"
            f"<body>{body}<script>{asset('report.js')}</script></body></html>\n")


def _main_page(report: Mapping[str, Any], split: bool) -> str:
    cases = list(report.get("cases") or [])
    links = _Links(split)
    history = (report.get("history") or {}).get("cases") or {}
    sections = [("changes", "Changed", _changes(report, links)), ("modules-section", "Modules", _modules(report, links)),
                ("attention", "Attention", _attention(cases, links)), ("divergences", "Catalogue", _catalogue(report, links)),
                ("perf", "Performance", _perf(report, cases, links)), ("durations", "Durations", _durations(report, links)),
                ("history", "History", _history(report, links)), ("environment", "Environment", _environment(report)),
                ("goldens", "Goldens", _goldens(report)),
                ("cases", "Items", _item_index(cases, links) if split else _cases(cases, history))]
    nav = _nav([(anchor_id, name) for anchor_id, name, html_text in sections if html_text])
    body = (_header(report, links) + nav + "<main>" + "".join(html_text for _a, _n, html_text in sections)
            + f'<footer>pytest-monolith-parity · report format {e(report.get("format"))} · generated from parity-report.json'
              + (f' · each file\'s items on its own page under {FILES_DIR}/' if split else "") + '</footer></main>')
    return _page(f"Parity report — {headline(report.get('parity') or {})}", body, list(report.get("totals") or {}))


def _file_page(report: Mapping[str, Any], covers: str, items: Sequence[Mapping[str, Any]]) -> str:
    module = (report.get("modules") or {}).get(covers) or {}
    history = (report.get("history") or {}).get("cases") or {}
    back = f'<a class="back" href="../{HTML_NAME}">← the whole report</a>'
    links = _Links(True, here=covers, prefix="../")
    body = (_header(report, links, title=covers, scope=module, back=back)
            + _nav([("cases", "Items")], "Search this file's items")
            + f'<main><section class="card" id="cases"><h2>Case items<span class="count">{len(items)}</span></h2>'
              f'{_toolbar_cases()}{_module_block(covers, items, history)}</section>'
              f'<footer>pytest-monolith-parity · one file of the report · <a href="../{HTML_NAME}">the whole report</a>'
              '</footer></main>')
    return _page(f"{covers} — parity {fmt_pct((module.get('parity') or {}).get('parity_pct'))}", body,
                 sorted({str(c.get("outcome")) for c in items}))


def render_pages(report: Mapping[str, Any], *, history: Sequence[Mapping[str, Any]] | None = None,
                 coverage: Mapping[str, Mapping[str, Any]] | None = None, split: bool | None = None) -> dict[str, str]:
    """Every page of the report, by path relative to the report directory.

    ``split=None`` splits when the run has more than :data:`SPLIT_ITEMS` items: then the main page
    lists the items and each covered file's items are on ``parity-report-files/<module anchor>.html``.
    """
    data = complete_report(report, history=history, coverage=coverage)
    cases = list(data.get("cases") or [])
    if split is None:
        split = len(cases) > SPLIT_ITEMS
    pages = {HTML_NAME: _main_page(data, split)}
    if split:
        for covers, items in _by_module(cases).items():
            pages[f"{FILES_DIR}/{file_page_name(covers)}"] = _file_page(data, covers, items)
    return pages


def render_html(report: Mapping[str, Any], *, history: Sequence[Mapping[str, Any]] | None = None,
                coverage: Mapping[str, Mapping[str, Any]] | None = None, split: bool = False) -> str:
    """The main page for a JSON parity ``report`` (see :func:`report.build_report`): one page, unless ``split``.

    ``history`` (trend entries, oldest first, including this run) and ``coverage`` (per package, see
    :func:`report.coverage_from_inventory`) are only needed for a report that does not carry its
    ``history`` and ``packages`` already (build_report puts them in).
    """
    return render_pages(report, history=history, coverage=coverage, split=split)[HTML_NAME]


def write_html(report_dir: Path, report: Mapping[str, Any], *, history: Sequence[Mapping[str, Any]] | None = None,
               coverage: Mapping[str, Mapping[str, Any]] | None = None, split: bool | None = None) -> Path:
    """Write ``<report_dir>/parity-report.html`` (and, for a large run, the per-file pages) atomically.

    The per-file pages directory is generated: pages of files this run no longer has are removed.
    """
    report_dir = Path(report_dir)
    pages = render_pages(report, history=history, coverage=coverage, split=split)
    for relpath, text in pages.items():
        atomic_write(report_dir / relpath, text.encode("utf-8"))
    files_dir = report_dir / FILES_DIR
    if files_dir.is_dir():
        for stale in files_dir.glob("*.html"):
            if f"{FILES_DIR}/{stale.name}" not in pages:
                stale.unlink()
    return report_dir / HTML_NAME
