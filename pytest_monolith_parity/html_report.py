"""The HTML parity report: one self-contained page a person opens first.

:func:`render_html` turns the JSON report of :mod:`report` (plus, optionally,
the trend file of :mod:`history` and per-package coverage from the
inventory) into one HTML file with inline CSS and JS (kept as files in
``html_assets/``, inlined when the page is written): no network, no external
fonts or scripts (a Content-Security-Policy forbids them), readable with
JavaScript off (only sorting, filtering and copying need it).

The page, top to bottom:

* **header** -- the summary line, Rust and reference revisions, creation time,
  the gate (every item passes, or how many need attention) and one coloured
  badge per outcome with its count (``data-outcome`` / ``data-count``);
* **modules** -- one row per monolith file (``covers``), grouped by package
  (a subtotal row per package, with coverage when given): cases, items, a
  stacked verdict bar, passed/items, max abs / rel / ULP error.  Column
  headers sort (numbers numerically, empty cells last); outcome checkboxes
  filter modules and case items;
* **needs attention** and **expected divergences** -- short tables linking to
  the items;
* **trend** (with ``history``) -- an inline SVG stacked area chart of agreeing,
  expected, unavailable and failing items per run, and a table;
* **goldens** -- changed and unused golden files, when there are any;
* **cases** -- one collapsible section per case item (``id`` from the node
  id, see :func:`case_anchor`): outcome, raw class, message, inputs, both
  sides (preview, or error type and message, and detail), the comparator's
  diff, metrics, the expected divergence, notes, and the replay command.

Every piece of report text goes through :func:`html.escape`; the script
carries no data (it reads ``data-*`` attributes), so no report text can end
up inside it.  Pytest-free.
"""

from __future__ import annotations

import collections
import hashlib
import html
import math
import re
from importlib import resources
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .files import atomic_write
from .outcomes import Outcome

HTML_NAME = "parity-report.html"

#: Outcome -> (colour, family).  Families: pass (green), expected (grey), unavailable (blue),
#: warn (orange: timeouts and stale expectations), fail (red), reference (purple: goldens, harness).
OUTCOME_STYLE: dict[str, tuple[str, str]] = {
    Outcome.MATCH.value: ("#1e7b34", "pass"),
    Outcome.ERROR_AGREEMENT.value: ("#4c9a5f", "pass"),
    Outcome.EXPECTED_DIVERGENCE.value: ("#7c8490", "expected"),
    Outcome.REFERENCE_UNAVAILABLE.value: ("#2f6bd0", "unavailable"),
    Outcome.RUST_UNAVAILABLE.value: ("#5b8fd9", "unavailable"),
    Outcome.UNEXPECTED_PASS.value: ("#f0a020", "warn"),
    Outcome.DIVERGENCE_CHANGED.value: ("#d9822b", "warn"),
    Outcome.TIMEOUT.value: ("#e2660f", "warn"),
    Outcome.REFERENCE_DRIFTED.value: ("#8e44ad", "reference"),
    Outcome.GOLDEN_MISSING.value: ("#a779c4", "reference"),
    Outcome.HARNESS_ERROR.value: ("#5b2a6e", "reference"),
    Outcome.MISMATCH.value: ("#c62828", "fail"),
    Outcome.PYTHON_RAISED.value: ("#e05650", "fail"),
    Outcome.RUST_RAISED.value: ("#d9423b", "fail"),
    Outcome.RUST_PANICKED.value: ("#a51d1d", "fail"),
    Outcome.CRASHED.value: ("#7a1212", "fail"),
}
UNKNOWN_STYLE = ("#3d4450", "fail")

#: Order of the segments of a verdict bar: agreement first, failures last.
BAR_ORDER = tuple(OUTCOME_STYLE)

#: The bands of the trend chart (bottom to top) and the outcomes each holds; anything else is failing.
TREND_BANDS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("agree", "#1e7b34", frozenset({Outcome.MATCH.value, Outcome.ERROR_AGREEMENT.value})),
    ("expected divergence", "#7c8490", frozenset({Outcome.EXPECTED_DIVERGENCE.value})),
    ("reference unavailable", "#2f6bd0", frozenset({Outcome.REFERENCE_UNAVAILABLE.value})),
    ("failing", "#c62828", frozenset()),
)

SIDE_KIND_TONE = {"value": "pass", "raised": "fail", "panicked": "fail", "crashed": "fail", "timeout": "warn",
                  "unavailable": "unavailable"}


# -- small helpers -------------------------------------------------------------

def _e(value: Any) -> str:
    """Escape for HTML text and double- or single-quoted attributes."""
    return "" if value is None else html.escape(str(value), quote=True)


def _outcome_order(outcome: str) -> int:
    try:
        return list(Outcome).index(Outcome(outcome))
    except ValueError:
        return len(Outcome)


def _passed(outcome: str) -> bool:
    try:
        return Outcome(outcome).passed
    except ValueError:
        return False


def _style(outcome: str) -> tuple[str, str]:
    return OUTCOME_STYLE.get(outcome, UNKNOWN_STYLE)


def _css_class(outcome: str) -> str:
    return "o-" + re.sub(r"[^a-z0-9]+", "-", outcome.lower()).strip("-")


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (#rrggbb)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lum = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2]
    return "#ffffff" if 1.05 / (luminance + 0.05) >= 3.0 else "#1b1f24"


def anchor(prefix: str, text: str) -> str:
    """A stable, unique, URL-safe ``id``: readable slug plus a short hash of the exact text."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80]
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}-{slug}-{digest}"


def case_anchor(nodeid: str) -> str:
    """The ``id`` of a case item's section (link to ``parity-report.html#<id>``)."""
    return anchor("case", nodeid)


def module_anchor(covers: str) -> str:
    return anchor("module", covers)


def fmt_count(value: Any) -> str:
    return str(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"


def fmt_number(value: Any) -> str:
    """Compact: ``0``, ``1``, ``0.5``, ``5.96e-08``, ``1.23e+06``; ``—`` for none."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
    if isinstance(value, int) and abs(value) < 10**6:
        return str(value)
    return f"{value:.3g}"


def fmt_seconds(value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "—"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.3g} s"


def _sort_value(value: Any) -> str:
    """``data-sort`` for a numeric cell: the number as text, empty for none (sorted last)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)


def _short_revision(revision: Any) -> str:
    text = "" if revision is None else str(revision)
    return text[:12] if re.fullmatch(r"[0-9a-f]{13,64}", text) else text


def _package_of(covers: str) -> str:
    """Same rule as ``Case.package``: the first directory under ``monolith/``."""
    path = covers[: -len(".py")] if covers.endswith(".py") else covers
    path = path[len("monolith/"):] if path.startswith("monolith/") else path
    return path.split("/", 1)[0] if "/" in path else "_root"


# -- coverage ------------------------------------------------------------------

def coverage_from_inventory(inventory: Mapping[str, Any], cases: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per-package coverage for :func:`render_html` from an inventory document and the report's cases.

    ``inventory`` is what :func:`pytest_monolith_parity.inventory.store.load` returns. Counted are
    the inventory's Python files (``kind = "python"``); a file whose Rust mapping is ``N/A`` and that
    no case covers is not counted in ``files`` but in ``not_applicable``.
    """
    covered = {str(case.get("covers")) for case in cases}
    result: dict[str, dict[str, Any]] = {}
    for path, entry in sorted((inventory.get("files") or {}).items()):
        if entry.get("kind", "python") != "python":
            continue
        bucket = result.setdefault(_package_of(path), {"files": 0, "with_cases": 0, "not_applicable": 0,
                                                       "missing": []})
        if path in covered:
            bucket["files"] += 1
            bucket["with_cases"] += 1
        elif (entry.get("rust") or {}).get("status") == "N/A":
            bucket["not_applicable"] += 1
        else:
            bucket["files"] += 1
            bucket["missing"].append(path)
    return result


# -- pieces of the page --------------------------------------------------------

def badge(outcome: str, count: int | None = None, *, small: bool = False, attrs: str = "") -> str:
    """An outcome badge; with ``count`` it carries ``data-outcome`` / ``data-count``."""
    classes = f"badge {_css_class(outcome)}" + (" small" if small else "")
    data = f' data-outcome="{_e(outcome)}"'
    if count is not None:
        data += f' data-count="{int(count)}"'
        body = f'<span class="n">{int(count)}</span> {_e(outcome)}'
    else:
        body = _e(outcome)
    return f'<span class="{classes}"{data}{attrs}>{body}</span>'


def _tag(outcome: str) -> str:
    """A quiet outlined label for a raw class (what the sides did), as opposed to a verdict badge."""
    colour, _family = _style(outcome)
    return f'<span class="tag" style="border-color:{colour}" data-raw="{_e(outcome)}">{_e(outcome)}</span>'


def verdict_bar(outcomes: Mapping[str, int]) -> str:
    """A stacked bar: one segment per outcome, width proportional to its count, with a tooltip."""
    total = sum(int(n) for n in outcomes.values())
    if not total:
        return '<div class="bar empty" title="no items"></div>'
    ordered = sorted(outcomes, key=lambda o: (BAR_ORDER.index(o) if o in BAR_ORDER else len(BAR_ORDER), o))
    segments = []
    for outcome in ordered:
        count = int(outcomes[outcome])
        if count <= 0:
            continue
        width = 100.0 * count / total
        segments.append(f'<span class="seg {_css_class(outcome)}" style="width:{width:.4f}%" '
                        f'title="{count} {_e(outcome)}" data-outcome="{_e(outcome)}" data-count="{count}"></span>')
    label = ", ".join(f"{int(outcomes[o])} {o}" for o in ordered if int(outcomes[o]) > 0)
    return f'<div class="bar" role="img" aria-label="{_e(label)}">{"".join(segments)}</div>'


def _pre(text: Any, cls: str = "") -> str:
    return f'<pre class="{cls}">{_e(text)}</pre>' if text not in (None, "") else ""


def asset(name: str) -> str:
    """The text of a file of ``html_assets/`` (the page's stylesheet and script), inlined into the page."""
    return resources.files(__package__).joinpath("html_assets", name).read_text("utf-8")


def _style_sheet() -> str:
    rules = []
    for outcome, (colour, _family) in {**OUTCOME_STYLE, "unknown": UNKNOWN_STYLE}.items():
        rules.append(f".{_css_class(outcome)}{{background:{colour};color:{_ink(colour)}}}")
    return asset("report.css") + "\n".join(rules)





def _header(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> str:
    totals = {str(k): int(v) for k, v in (report.get("totals") or {}).items()}
    items = sum(totals.values())
    failing = sum(n for o, n in totals.items() if not _passed(o))
    if not items:
        gate = '<span class="gate bad" data-gate="empty">no parity items ran</span>'
    elif failing:
        gate = (f'<span class="gate bad" data-gate="fail">{failing} of {items} item{"s" if items != 1 else ""} '
                f'need{"s" if failing == 1 else ""} attention</span>')
    else:
        gate = f'<span class="gate ok" data-gate="pass">all {items} items pass</span>'
    badges = "".join(badge(outcome, totals[outcome]) for outcome in sorted(totals, key=_outcome_order))
    meta = [f"<span>{gate}</span>",
            f'<span>items <b data-total="{items}">{items}</b></span>',
            f"<span>Rust revision <code title=\"{_e(report.get('revision') or '')}\">"
            f"{_e(_short_revision(report.get('revision')) or 'unknown')}</code></span>"]
    if report.get("reference_revision"):
        meta.append(f"<span>reference revision <code title=\"{_e(report['reference_revision'])}\">"
                    f"{_e(_short_revision(report['reference_revision']))}</code></span>")
    meta.append(f"<span>created <b>{_e(_short_date(report.get('created'), seconds=True) or 'unknown')}</b></span>")
    return (f'<header class="top"><div class="inner"><h1>Parity report'
            f'<span class="sub">Python reference vs Rust port</span></h1>'
            f'<div class="summary" id="summary">{_e(report.get("summary", ""))}</div>'
            f'<div class="meta">{"".join(meta)}</div>'
            f'<div class="badges" id="totals">{badges}</div></div></header>')


def _module_rows(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]],
                 coverage: Mapping[str, Mapping[str, Any]] | None) -> str:
    modules: Mapping[str, Mapping[str, Any]] = report.get("modules") or {}
    package_of: dict[str, str] = {}
    for case in cases:
        package_of.setdefault(str(case.get("covers")), str(case.get("package") or _package_of(str(case.get("covers")))))
    packages: dict[str, list[str]] = collections.defaultdict(list)
    for covers in modules:
        packages[package_of.get(covers) or _package_of(covers)].append(covers)
    for package in coverage or {}:
        packages.setdefault(package, [])
    has_cov = coverage is not None

    def cells(name_html: str, sort_name: str, data: Mapping[str, Any], cov: Mapping[str, Any] | None,
              is_group: bool) -> str:
        outcomes = {str(k): int(v) for k, v in (data.get("outcomes") or {}).items()}
        items = int(data.get("items") or 0)
        passed = int(data.get("passed") or 0)
        failing = items - passed
        ratio = passed / items if items else None
        passed_class = "" if not items else ("all" if passed == items else "some")
        tag = "th" if is_group else "td"
        scope = ' scope="rowgroup"' if is_group else ""
        row = [f'<{tag} class="{"pkg" if is_group else "module"}"{scope} data-sort="{_e(sort_name)}">{name_html}</{tag}>',
               f'<td class="num" data-sort="{_sort_value(data.get("cases"))}">{fmt_count(data.get("cases"))}</td>',
               f'<td class="num" data-sort="{items}" data-count="{items}">{items}</td>',
               f'<td data-sort="{failing}">{verdict_bar(outcomes)}</td>',
               f'<td class="num" data-sort="{_sort_value(ratio)}"><span class="passed {passed_class}" '
               f'data-passed="{passed}">{f"{passed}/{items}" if items else "—"}</span></td>']
        for key in ("max_abs", "max_rel", "max_ulp"):
            value = data.get(key)
            row.append(f'<td class="num" data-sort="{_sort_value(value)}" title="{_e(value)}">{fmt_number(value)}</td>')
        if has_cov:
            if cov:
                files, with_cases = int(cov.get("files") or 0), int(cov.get("with_cases") or 0)
                fraction = with_cases / files if files else None
                width = 100.0 * (fraction or 0)
                tip = f"{with_cases} of {files} Python files have cases"
                if cov.get("not_applicable"):
                    tip += f"; {int(cov['not_applicable'])} N/A not counted"
                missing = list(cov.get("missing") or [])
                if missing:
                    tip += "; without cases: " + ", ".join(missing[:40]) + (" …" if len(missing) > 40 else "")
                row.append(f'<td class="num" data-sort="{_sort_value(fraction)}" title="{_e(tip)}">'
                           f'<span class="cov"><span class="track"><span class="fill" style="width:{width:.1f}%">'
                           f'</span></span><span data-files="{files}" data-with-cases="{with_cases}">'
                           f'{with_cases}/{files}</span></span></td>')
            else:
                row.append('<td class="num" data-sort=""></td>')
        return "".join(row)

    bodies = []
    for package in sorted(packages):
        files = sorted(packages[package])
        group: dict[str, Any] = {"cases": 0, "items": 0, "passed": 0, "outcomes": collections.Counter()}
        metric: dict[str, list[float]] = collections.defaultdict(list)
        rows = []
        for covers in files:
            data = modules[covers]
            group["cases"] += int(data.get("cases") or 0)
            group["items"] += int(data.get("items") or 0)
            group["passed"] += int(data.get("passed") or 0)
            group["outcomes"].update({str(k): int(v) for k, v in (data.get("outcomes") or {}).items()})
            for key in ("max_abs", "max_rel", "max_ulp"):
                if isinstance(data.get(key), (int, float)) and not isinstance(data.get(key), bool):
                    metric[key].append(data[key])
            link = f'<a href="#{module_anchor(covers)}">{_e(covers)}</a>'
            outcome_list = "|".join(sorted(str(o) for o in (data.get("outcomes") or {})))
            rows.append(f'<tr class="row" data-covers="{_e(covers)}" data-outcomes="{_e(outcome_list)}">'
                        f'{cells(link, covers, data, None, False)}</tr>')
        for key, values in metric.items():
            group[key] = max(values)
        cov = (coverage or {}).get(package)
        label = (f'{_e(package)} <span class="muted">· {len(files)} file{"s" if len(files) != 1 else ""} '
                 f'with cases</span>')
        group_outcomes = "|".join(sorted(group["outcomes"]))
        head = (f'<tr class="group" data-package="{_e(package)}" data-outcomes="{_e(group_outcomes)}">'
                f'{cells(label, package, group, cov, True)}</tr>')
        bodies.append(f'<tbody class="package" data-package="{_e(package)}">{head}{"".join(rows)}</tbody>')
    return "".join(bodies)


def _overview(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]],
              coverage: Mapping[str, Mapping[str, Any]] | None) -> str:
    totals = {str(k): int(v) for k, v in (report.get("totals") or {}).items()}
    columns = [("module", "Monolith file", "text"), ("cases", "Cases", "num"), ("items", "Items", "num"),
               ("verdicts", "Verdicts", "num"), ("passed", "Passed", "num"), ("max_abs", "Max abs", "num"),
               ("max_rel", "Max rel", "num"), ("max_ulp", "Max ULP", "num")]
    if coverage is not None:
        columns.append(("coverage", "Files with cases", "num"))
    tips = {"verdicts": "sorts by failing items", "passed": "sorts by the fraction passed",
            "coverage": "inventoried Python files of the package that have at least one case"}
    head = ""
    for key, title, kind in columns:
        align = "num" if kind == "num" and key != "verdicts" else ""
        tip = f' title="{_e(tips[key])}"' if key in tips else ""
        head += (f'<th class="{align}" data-key="{key}" data-type="{kind}"{tip}>'
                 f'<button class="sort" type="button">{_e(title)}</button></th>')
    filters = "".join(
        f'<label><input type="checkbox" class="outcome-filter" value="{_e(o)}" '
        f'data-passed="{1 if _passed(o) else 0}" checked><span class="dot {_css_class(o)}"></span>{_e(o)} '
        f'<span class="muted">({totals[o]})</span></label>'
        for o in sorted(totals, key=_outcome_order))
    toolbar = (f'<div class="toolbar" id="filters"><span>Filter by outcome:</span>{filters}'
               '<button type="button" data-select="all">all</button>'
               '<button type="button" data-select="attention">needs attention</button>'
               '<button type="button" data-select="none">none</button>'
               f'<span class="filter-count muted">showing all {len(cases)} items</span></div>') if totals else ""
    body = _module_rows(report, cases, coverage)
    if not body:
        return ('<section class="card" id="modules-section"><h2>Modules</h2>'
                '<p class="empty-note">No parity items ran: nothing to report per module.</p></section>')
    count = len(report.get("modules") or {})
    return (f'<section class="card" id="modules-section"><h2>Modules<span class="count">{count} monolith '
            f'file{"s" if count != 1 else ""}, grouped by package</span></h2>{toolbar}'
            f'<div class="table-wrap"><table class="grid sortable" id="modules"><thead><tr>{head}</tr></thead>'
            f'{body}</table></div></section>')


def _headline(case: Mapping[str, Any]) -> str:
    message = str(case.get("message") or "")
    if message:
        return message.splitlines()[0] if message.strip() else message
    expected = case.get("expected_divergence")
    if expected:
        return str(expected.get("reason", ""))
    return ""


def _attention(cases: Sequence[Mapping[str, Any]]) -> str:
    failing = [c for c in cases if not _passed(str(c.get("outcome")))]
    expected = [c for c in cases if c.get("outcome") == Outcome.EXPECTED_DIVERGENCE.value]
    parts = []
    if failing:
        rows = "".join(
            f'<tr data-outcome="{_e(c.get("outcome"))}"><td>{badge(str(c.get("outcome")), small=True)}</td>'
            f'<td><a class="mono" href="#{case_anchor(str(c.get("nodeid")))}">{_e(c.get("nodeid"))}</a></td>'
            f'<td class="msg">{_e(_headline(c)[:240])}</td></tr>'
            for c in sorted(failing, key=lambda c: (_outcome_order(str(c.get("outcome"))), str(c.get("nodeid")))))
        parts.append(f'<section class="card" id="attention"><h2>Needs attention<span class="count">{len(failing)} '
                     f'item{"s" if len(failing) != 1 else ""}</span></h2><table class="list">{rows}</table></section>')
    if expected:
        rows = "".join(
            f'<tr data-outcome="{_e(c.get("outcome"))}"><td><a class="mono" '
            f'href="#{case_anchor(str(c.get("nodeid")))}">{_e(c.get("nodeid"))}</a></td>'
            f'<td>{_e((c.get("expected_divergence") or {}).get("reason", ""))}</td>'
            f'<td>{_tag(str((c.get("expected_divergence") or {}).get("outcome") or c.get("raw")))}</td></tr>'
            for c in expected)
        parts.append(f'<section class="card" id="expected"><h2>Expected divergences<span class="count">{len(expected)} '
                     f'recorded</span></h2><table class="list">{rows}</table></section>')
    return "".join(parts)


def _side(result: Mapping[str, Any] | None, title: str) -> str:
    if not result:
        return (f'<div class="side"><div class="head">{_e(title)}</div>'
                f'<p class="muted">no single call recorded for this item</p></div>')
    kind = str(result.get("kind") or "")
    tone = SIDE_KIND_TONE.get(kind, "fail")
    head = (f'<div class="head">{_e(title)}<span class="kind t-{tone}">{_e(kind)}</span>'
            f'<span class="secs">{fmt_seconds(result.get("seconds"))}</span></div>')
    body = []
    if kind == "value":
        body.append(_pre(result.get("preview")) or '<p class="muted">(empty preview)</p>')
    else:
        error = ": ".join(str(x) for x in (result.get("error_type"), result.get("message")) if x)
        if error:
            body.append(f'<p class="err">{_e(error)}</p>')
    if result.get("detail"):
        detail_open = " open" if kind in {"crashed", "panicked", "timeout"} and len(str(result["detail"])) < 400 else ""
        body.append(f'<details{detail_open}><summary>detail (traceback, stderr, signal)</summary>'
                    f'{_pre(result["detail"])}</details>')
    return f'<div class="side" data-side="{_e(result.get("side") or title.lower())}">{head}{"".join(body)}</div>'


def _case(case: Mapping[str, Any]) -> str:
    nodeid = str(case.get("nodeid"))
    outcome = str(case.get("outcome"))
    raw = str(case.get("raw") or "")
    colour, _family = _style(outcome)
    passed = _passed(outcome)
    opened = "" if passed else " open"
    kv = [("raw class", _tag(raw) if raw else "—"),
          ("case", f'<code>{_e(case.get("case_id"))}</code>'
                   + (f' example <code>{_e(case.get("example_id"))}</code>' if case.get("example_id") else "")),
          ("covers", f'<code>{_e(case.get("covers"))}</code>'),
          ("case file", f'<code>{_e(case.get("case_file"))}</code>'),
          ("python", f'<code>{_e(case.get("python_call"))}</code>'),
          ("rust", f'<code>{_e(case.get("rust_call"))}</code>'),
          ("comparator", f'<code>{_e(case.get("comparator"))}</code>'),
          ("compared against", _e(case.get("against") or "python")),
          ("examples run", fmt_count(case.get("examples_run"))),
          ("time", fmt_seconds(case.get("seconds")))]
    parts = ['<dl class="kv">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in kv) + "</dl>"]
    if case.get("message"):
        parts.append(f'<div class="message{" ok" if passed else ""}" data-field="message">{_e(case["message"])}</div>')
    expected = case.get("expected_divergence")
    if expected:
        prefix = expected.get("message")
        parts.append(f'<div class="expect" data-field="expected"><b>Expected divergence:</b> {_e(expected.get("reason"))}'
                     f'<br><span class="muted">recorded as {_e(expected.get("outcome"))}'
                     + (f', message starting <code>{_e(prefix)}</code>' if prefix else "") + "</span></div>")
    if case.get("inputs") not in (None, ""):
        parts.append(f'<h4>Inputs</h4>{_pre(case["inputs"])}')
    parts.append(f'<h4>Outputs</h4><div class="sides">{_side(case.get("python"), "Python")}'
                 f'{_side(case.get("rust"), "Rust")}</div>')
    if case.get("diff"):
        parts.append(f'<h4>Diff ({_e(case.get("comparator") or "comparator")})</h4>{_pre(case["diff"], "diff")}')
    metrics = case.get("metrics") or {}
    if metrics:
        rows = "".join(f'<tr><td>{_e(k)}</td><td title="{_e(v)}">{fmt_number(v) if isinstance(v, (int, float)) else _e(v)}'
                       f'</td></tr>' for k, v in metrics.items())
        parts.append(f'<h4>Metrics</h4><table class="metrics">{rows}</table>')
    if case.get("notes"):
        parts.append('<h4>Notes</h4><ul class="notes">' + "".join(f"<li>{_e(n)}</li>" for n in case["notes"]) + "</ul>")
    if case.get("replay"):
        code_id = case_anchor(nodeid) + "-replay"
        parts.append(f'<h4>Replay</h4><div class="replay"><code id="{code_id}">{_e(case["replay"])}</code>'
                     f'<button type="button" class="btn copy" data-target="{code_id}">Copy</button></div>')
    summary = (f'{badge(outcome, small=True)}<span class="nodeid">{_e(nodeid)}</span>'
               f'<span class="headline" title="{_e(_headline(case))}">{_e(_headline(case))}</span>')
    return (f'<details class="case" id="{case_anchor(nodeid)}" data-outcome="{_e(outcome)}" data-nodeid="{_e(nodeid)}"'
            f' style="--case-colour:{colour}"{opened}><summary>{summary}</summary>'
            f'<div class="case-body">{"".join(parts)}</div></details>')


def _cases(cases: Sequence[Mapping[str, Any]]) -> str:
    if not cases:
        return ""
    by_module: dict[str, list[Mapping[str, Any]]] = collections.defaultdict(list)
    for case in cases:
        by_module[str(case.get("covers"))].append(case)
    blocks = []
    for covers in sorted(by_module, key=lambda c: (_package_of(c), c)):
        items = sorted(by_module[covers], key=lambda c: str(c.get("nodeid")))
        passed = sum(1 for c in items if _passed(str(c.get("outcome"))))
        blocks.append(f'<div class="module-block" id="{module_anchor(covers)}"><h3>{_e(covers)}'
                      f'<span class="muted">{passed}/{len(items)} passed</span></h3>'
                      + "".join(_case(c) for c in items) + "</div>")
    return (f'<section class="card" id="cases"><h2>Case items<span class="count">{len(cases)}</span></h2>'
            '<div class="toolbar"><button type="button" data-expand="open">expand all</button>'
            '<button type="button" data-expand="close">collapse all</button>'
            '<span class="filter-count muted"></span></div>' + "".join(blocks) + "</section>")


def _goldens(report: Mapping[str, Any]) -> str:
    golden = report.get("golden") or {}
    changed, unused = list(golden.get("changed") or []), list(golden.get("unused") or [])
    if not changed and not unused:
        return ""
    parts = ['<section class="card" id="goldens"><h2>Goldens</h2>']
    for title, paths in (("Recorded or changed this run", changed), ("Unused (no collected case uses them)", unused)):
        if paths:
            parts.append(f"<h4>{_e(title)} ({len(paths)})</h4><ul class=\"notes\">"
                         + "".join(f"<li><code>{_e(p)}</code></li>" for p in paths) + "</ul>")
    return "".join(parts) + "</section>"


# -- trend ---------------------------------------------------------------------

def _band_counts(counts: Mapping[str, Any]) -> list[int]:
    values = [0] * len(TREND_BANDS)
    for outcome, count in counts.items():
        if not isinstance(count, int) or isinstance(count, bool):
            continue
        for index, (_name, _colour, members) in enumerate(TREND_BANDS[:-1]):
            if outcome in members:
                values[index] += count
                break
        else:
            values[-1] += count
    return values


def _nice_ceiling(value: int) -> int:
    """The top of the y axis: four whole, round ticks at or above ``value``."""
    quarter = max(value, 1) / 4
    magnitude = 10 ** int(math.floor(math.log10(quarter))) if quarter >= 1 else 1
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        tick = step * magnitude
        if tick >= quarter and float(tick).is_integer():
            return int(4 * tick)
    return int(4 * math.ceil(quarter))


def trend_svg(history: Sequence[Mapping[str, Any]], *, width: int = 1160, height: int = 250, limit: int = 200) -> str:
    """An inline SVG: stacked areas of agreeing / expected / unavailable / failing items per run."""
    runs = list(history)[-limit:]
    if not runs:
        return ""
    bands = [_band_counts(run.get("counts") or {}) for run in runs]
    left, right, top, bottom = 46, 70, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_ceiling(max(sum(b) for b in bands) or 1)

    def x(i: int) -> float:
        return left + (plot_w / 2 if len(runs) == 1 else plot_w * i / (len(runs) - 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    out = [f'<svg viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="items per outcome group over {len(runs)} runs" id="trend-chart">']
    for step in range(5):
        value = peak * step / 4
        yy = y(value)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e3e7ec"/>'
                   f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" fill="#5b6470">'
                   f'{fmt_number(round(value, 2))}</text>')
    below = [0] * len(runs)
    for band_index, (name, colour, _members) in enumerate(TREND_BANDS):
        above = [below[i] + bands[i][band_index] for i in range(len(runs))]
        if len(runs) == 1:
            half = min(40.0, plot_w / 4)
            points = [(x(0) - half, y(above[0])), (x(0) + half, y(above[0])),
                      (x(0) + half, y(below[0])), (x(0) - half, y(below[0]))]
        else:
            points = [(x(i), y(above[i])) for i in range(len(runs))]
            points += [(x(i), y(below[i])) for i in reversed(range(len(runs)))]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        out.append(f'<polygon points="{path}" fill="{colour}" fill-opacity="0.85" stroke="{colour}" '
                   f'stroke-width="1" data-band="{_e(name)}"><title>{_e(name)}</title></polygon>')
        below = above
    for i, run in enumerate(runs):
        tip = (f"{run.get('date')} · {run.get('revision') or 'unknown revision'}\n"
               + "\n".join(f"{n} {name}" for (name, _c, _m), n in zip(TREND_BANDS, bands[i])))
        out.append(f'<circle cx="{x(i):.1f}" cy="{y(below[i]):.1f}" r="3" fill="#1d2733" data-run="{i}">'
                   f'<title>{_e(tip)}</title></circle>')
    ticks = sorted({0, len(runs) - 1, (len(runs) - 1) // 2}) if len(runs) > 2 else list(range(len(runs)))
    for i in ticks:
        anchor_at = "start" if i == 0 and len(runs) > 1 else ("end" if i == len(runs) - 1 and len(runs) > 1 else "middle")
        out.append(f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="{anchor_at}" font-size="11" fill="#5b6470">'
                   f'{_e(_short_date(runs[i].get("date")))}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#9aa3ad"/></svg>')
    return "".join(out)


def _short_date(value: Any, *, seconds: bool = False) -> str:
    """``2026-11-29T09:49:54+00:00`` -> ``2026-11-29 09:49`` (``... 09:49:54 UTC`` with seconds)."""
    text = "" if value is None else str(value)
    match = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)?(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$", text)
    if not match:
        return text
    day, minute, second, zone = match.groups()
    shown = f"{day} {minute}{(second or '') if seconds else ''}"
    if zone in ("Z", "+00:00", "+0000"):
        return shown + " UTC"
    return shown + (f" {zone}" if zone else "")


def _trend(history: Sequence[Mapping[str, Any]] | None) -> str:
    if not history:
        return ""
    legend = "".join(f'<span><i style="background:{colour}"></i>{_e(name)}</span>' for name, colour, _m in TREND_BANDS)
    rows = []
    previous_failing = None
    for run in list(history)[-200:]:
        counts = run.get("counts") or {}
        values = _band_counts(counts)
        total = sum(values)
        delta = None if previous_failing is None else values[-1] - previous_failing
        change = "" if delta is None else (f'<span class="{"up" if delta > 0 else "down" if delta < 0 else ""}">'
                                           f'{delta:+d}</span>' if delta else "0")
        previous_failing = values[-1]
        full = ", ".join(f"{n} {o}" for o, n in sorted(counts.items(), key=lambda kv: _outcome_order(kv[0])))
        rows.append(f'<tr title="{_e(full)}"><td>{_e(_short_date(run.get("date")))}</td>'
                    f'<td><code>{_e(_short_revision(run.get("revision")) or "—")}</code></td>'
                    + "".join(f'<td class="num">{v}</td>' for v in values)
                    + f'<td class="num">{total}</td><td class="num">{change}</td></tr>')
    head = ("<tr><th>date</th><th>revision</th>" + "".join(f'<th class="num">{_e(n)}</th>' for n, _c, _m in TREND_BANDS)
            + '<th class="num">total</th><th class="num">Δ failing</th></tr>')
    return (f'<section class="card trend" id="trend"><h2>Trend<span class="count">{len(history)} '
            f'run{"s" if len(history) != 1 else ""}</span></h2>{trend_svg(history)}<div class="legend">{legend}</div>'
            f'<div class="scroll"><table class="grid" id="trend-table"><thead>{head}</thead>'
            f'<tbody>{"".join(reversed(rows))}</tbody></table></div></section>')


# -- the page ------------------------------------------------------------------

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")


def render_html(report: Mapping[str, Any], *, history: Sequence[Mapping[str, Any]] | None = None,
                coverage: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The self-contained HTML page for a JSON parity ``report`` (see :func:`report.build_report`).

    ``history``: the trend, oldest first, as :func:`history.read_history` returns it -- a list of
    ``{"date": str, "revision": str | None, "counts": {outcome: int}}``; adds the trend section.

    ``coverage``: per-package coverage from the inventory, keyed by package (the first directory
    under ``monolith/``, as in the records' ``package``)::

        {"agent_service": {"files": 17,          # Python files of the package that need a port (required)
                           "with_cases": 3,      # how many of them some case covers (required)
                           "not_applicable": 2,  # N/A files, not counted in ``files`` (optional)
                           "missing": ["monolith/agent_service/x.py", ...]}}  # files without cases (optional)

    :func:`coverage_from_inventory` builds it from ``inventory/monolith.toml``. With it the module
    table gains a "files with cases" column (on each package's row), and packages that have no
    case at all appear as rows of their own.
    """
    cases = list(report.get("cases") or [])
    title = f"Parity report — {report.get('summary', '')}"
    body = (_header(report, cases) + "<main>" + _overview(report, cases, coverage) + _attention(cases)
            + _trend(history) + _goldens(report) + _cases(cases)
            + f'<footer>pytest-monolith-parity · report format {_e(report.get("format"))} · '
              f'generated from parity-report.json</footer></main>')
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="color-scheme" content="light">'
            '<link rel="icon" href="data:,">'
            f"<title>{_e(title)}</title><style>{_style_sheet()}</style></head>"
            f"<body>{body}<script>{asset('report.js')}</script></body></html>\n")


def write_html(report_dir: Path, report: Mapping[str, Any], *, history: Sequence[Mapping[str, Any]] | None = None,
               coverage: Mapping[str, Mapping[str, Any]] | None = None) -> Path:
    """Write ``<report_dir>/parity-report.html`` atomically; return its path."""
    path = Path(report_dir) / HTML_NAME
    atomic_write(path, render_html(report, history=history, coverage=coverage).encode("utf-8"))
    return path
