"""Parity reports: one JSON document for machines, one Markdown page for people.

Both are built from the per-case records (see :mod:`records`) gathered on the
controller, so a run with ``-n 2`` reports exactly what a serial run does.
The JSON report carries every figure the HTML page and the Markdown show
(docs/reports.md lists its fields): the run's parity figures
(:mod:`figures`), per file and per package (with the inventory's coverage,
and the mutation score and Rust coverage fields another tool fills), the
divergence catalogue (:mod:`catalogue`), durations and the slowest items,
performance timings (:mod:`perf`), what changed against a baseline
(:mod:`changes`), the history of every case and the trend
(:mod:`case_history`), and the environment (:mod:`environment`).
"""

from __future__ import annotations

import collections
import datetime as _dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import case_history, catalogue, changes
from .figures import FAILING, UNAVAILABLE, family, figures, format_pct, headline, passed, perf_figures
from .figures import format_ratio as ratio_text
from .figures import format_seconds
from .files import atomic_write
from .history import history_entry
from .outcomes import Outcome

REPORT_FORMAT = 2
JSON_NAME = "parity-report.json"
MARKDOWN_NAME = "parity-report.md"
METRICS = ("max_abs", "max_rel", "max_ulp")
SLOWEST = 20
ROOT_PACKAGE_KEY = "_root"  # Case.package of a file directly under monolith/
ROOT_PACKAGE_LABEL = "monolith/ (top level)"



def count_outcomes(records: Iterable[Mapping[str, Any]]) -> collections.Counter:
    return collections.Counter(record["outcome"] for record in records)


def summary_line(records: Sequence[Mapping[str, Any]]) -> str:
    """``PARITY: 41 match, 0 error agreement, 2 mismatch, ..., 0 harness error``.

    A fixed format, so scripts can parse it and two runs can be compared by eye:
    every class of :class:`~pytest_monolith_parity.outcomes.Outcome`, in its
    order, each with its count (zero included), separated by ``", "``.
    """
    counts = count_outcomes(records)
    return "PARITY: " + ", ".join(f"{counts.get(outcome.value, 0)} {outcome.value}" for outcome in Outcome)


# -- names ---------------------------------------------------------------------

def package_of(covers: str) -> str:
    """Same rule as ``Case.package``: the first directory under ``monolith/`` (``_root`` for files right in it)."""
    path = covers[: -len(".py")] if covers.endswith(".py") else covers
    path = path[len("monolith/"):] if path.startswith("monolith/") else path
    return path.split("/", 1)[0] if "/" in path else ROOT_PACKAGE_KEY


def package_label(package: str) -> str:
    """How a package is shown: its directory, or ``monolith/ (top level)`` for the files directly under monolith/."""
    return ROOT_PACKAGE_LABEL if package == ROOT_PACKAGE_KEY else package


def file_label(covers: str, package: str) -> str:
    """A file's name within its package (``monolith/agent_service/utils.py`` -> ``utils.py``)."""
    path = covers[len("monolith/"):] if covers.startswith("monolith/") else covers
    return path[len(package) + 1:] if package != ROOT_PACKAGE_KEY and path.startswith(package + "/") else path


# -- per file and per package --------------------------------------------------

def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _max_metric(records: Iterable[Mapping[str, Any]], key: str) -> float | None:
    observed = [r["metrics"][key] for r in records if _number((r.get("metrics") or {}).get(key))]
    return max(observed) if observed else None


def _metrics(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {key: _max_metric(records, key) for key in METRICS}


def _divergent(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The worst errors of the items that did not match (expected divergences included), kept apart."""
    measured = [r for r in records if r.get("outcome") != Outcome.MATCH.value
                and any(_number((r.get("metrics") or {}).get(k)) for k in METRICS)]
    return {"items": len(measured), **_metrics(measured)}


def _seconds(record: Mapping[str, Any]) -> float:
    """An item's wall time: its verdict plus any timing of a ``perf=True`` case."""
    perf = record.get("perf") or {}
    extra = perf.get("seconds") if _number(perf.get("seconds")) else 0.0
    return float(record.get("seconds") or 0.0) + float(extra)


def _group_figures(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    counts = count_outcomes(items)
    matching = [r for r in items if r.get("outcome") == Outcome.MATCH.value]
    return {
        "cases": len({(r.get("case_file"), r.get("case_id")) for r in items}),
        "items": len(items),
        "outcomes": dict(sorted(counts.items())),
        "passed": sum(1 for r in items if passed(str(r["outcome"]))),
        "parity": figures(counts),
        **_metrics(matching),  # max abs / rel / ULP error over the MATCHING items only
        "divergent": _divergent(items),
        "seconds": round(sum(_seconds(r) for r in items), 6),
        "perf": perf_figures(r.get("perf") for r in items),
    }


def group_by_module(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per covered file: its figures, outcome counts, max errors (matching items) and divergent errors."""
    groups: dict[str, list[Mapping[str, Any]]] = collections.defaultdict(list)
    for record in records:
        groups[record["covers"]].append(record)
    modules = {}
    for covers in sorted(groups):
        items = groups[covers]
        package = str(items[0].get("package") or package_of(covers))
        modules[covers] = {"package": package, "label": file_label(covers, package), **_group_figures(items),
                           "mutation": None, "rust_coverage": None}
    return modules


def coverage_from_inventory(inventory: Mapping[str, Any], cases: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per-package coverage of the inventory's Python files by the report's cases.

    ``inventory`` is what :func:`pytest_monolith_parity.inventory.store.load` returns. Counted are
    its Python files (``kind = "python"``); a file whose Rust mapping is ``N/A`` and that no case
    covers is not counted in ``files`` but in ``not_applicable``.  ``mapped`` counts the files of
    ``files`` whose Rust counterpart is established (``rust.status = "mapped"``); ``rust`` gives
    each file's mapping status and target.
    """
    covered = {str(case.get("covers")) for case in cases}
    result: dict[str, dict[str, Any]] = {}
    for path, entry in sorted((inventory.get("files") or {}).items()):
        if entry.get("kind", "python") != "python":
            continue
        rust = entry.get("rust") or {}
        bucket = result.setdefault(package_of(path), {"files": 0, "with_cases": 0, "not_applicable": 0, "mapped": 0,
                                                      "missing": [], "rust": {}})
        status = str(rust.get("status") or "unmapped")
        bucket["rust"][path] = {"status": status, "target": rust.get("module") or rust.get("file") or rust.get("crate")
                                or "", "reason": rust.get("reason") or ""}
        if path not in covered and status == "N/A":
            bucket["not_applicable"] += 1
            continue
        bucket["files"] += 1
        bucket["mapped"] += status == "mapped"
        if path in covered:
            bucket["with_cases"] += 1
        else:
            bucket["missing"].append(path)
    return result


def attach_mapping(modules: Mapping[str, Mapping[str, Any]],
                   coverage: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """The modules with each file's Rust mapping from the inventory (``rust_mapping``: status, target, reason)."""
    result = {}
    for covers, module in modules.items():
        package = str(module.get("package") or package_of(covers))
        mapping = (((coverage or {}).get(package) or {}).get("rust") or {}).get(covers)
        result[covers] = {**module, "rust_mapping": mapping}
    return result


def _combine(parts: Sequence[Mapping[str, Any] | None], count_keys: tuple[str, str]) -> dict[str, Any] | None:
    """Sum ``(part, total)`` counts of file-level quality figures into a package's (None when no file has them)."""
    present = [p for p in parts if isinstance(p, Mapping) and _number(p.get(count_keys[1]))]
    if not present:
        return None
    part = sum(int(p.get(count_keys[0]) or 0) for p in present)
    total = sum(int(p[count_keys[1]]) for p in present)
    return {count_keys[0]: part, count_keys[1]: total, "score": part / total if total else None,
            "files": len(present)}


def group_by_package(modules: Mapping[str, Mapping[str, Any]], records: Sequence[Mapping[str, Any]],
                     coverage: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Per package: the same figures over its files, its inventory coverage, and packages without cases."""
    files: dict[str, list[str]] = collections.defaultdict(list)
    for covers, module in modules.items():
        files[str(module.get("package") or package_of(covers))].append(covers)
    for package in coverage or {}:
        files.setdefault(package, [])
    by_package: dict[str, list[Mapping[str, Any]]] = collections.defaultdict(list)
    for record in records:
        by_package[str(record.get("package") or package_of(str(record.get("covers"))))].append(record)
    packages = {}
    for package in sorted(files):
        members = sorted(files[package])
        figures_ = _group_figures(by_package.get(package, []))
        for key in METRICS:  # the worst matching error of any of its files
            values = [modules[c][key] for c in members if _number(modules[c].get(key))]
            figures_[key] = max(values) if values else None
        cov = (coverage or {}).get(package)
        packages[package] = {
            "label": package_label(package), "files": members, **figures_,
            "coverage": None if cov is None else {k: cov.get(k) for k in ("files", "with_cases", "mapped",
                                                                           "not_applicable", "missing")},
            "mutation": _combine([modules[c].get("mutation") for c in members], ("killed", "total")),
            "rust_coverage": _combine([modules[c].get("rust_coverage") for c in members], ("covered", "total")),
        }
    return packages


def attach_quality(report: dict[str, Any], *, mutation: Mapping[str, Mapping[str, Any]] | None = None,
                   rust_coverage: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Fill the per-file ``mutation`` / ``rust_coverage`` fields (keyed by covered file) and the package sums.

    ``mutation[covers] = {"killed": int, "total": int, "tool": "cargo-mutants"}`` (mutants of the file's
    Rust counterpart that the parity cases kill, of all mutants); ``rust_coverage[covers] = {"covered": int,
    "total": int, "tool": "cargo-llvm-cov"}`` (lines of the Rust counterpart the cases execute).  Each gets
    ``score = killed / total`` (or ``covered / total``).  Files not in the report are ignored.
    """
    modules = report.get("modules") or {}
    for field, given, keys in (("mutation", mutation, ("killed", "total")),
                               ("rust_coverage", rust_coverage, ("covered", "total"))):
        for covers, data in (given or {}).items():
            if covers in modules and isinstance(data, Mapping) and _number(data.get(keys[1])):
                total = int(data[keys[1]])
                modules[covers][field] = {**data, "score": int(data.get(keys[0]) or 0) / total if total else None}
    for package, entry in (report.get("packages") or {}).items():
        entry["mutation"] = _combine([modules[c].get("mutation") for c in entry.get("files", []) if c in modules],
                                     ("killed", "total"))
        entry["rust_coverage"] = _combine([modules[c].get("rust_coverage") for c in entry.get("files", [])
                                           if c in modules], ("covered", "total"))
    return report


# -- the run -------------------------------------------------------------------

def durations(records: Sequence[Mapping[str, Any]], limit: int = SLOWEST) -> dict[str, Any]:
    """The items' total wall time and the ``limit`` slowest items (verdict plus any perf timing)."""
    ranked = sorted(records, key=lambda r: (-_seconds(r), str(r.get("nodeid"))))[:limit]
    return {"total_seconds": round(sum(_seconds(r) for r in records), 6), "slowest": [
        {"nodeid": r.get("nodeid"), "covers": r.get("covers"), "outcome": r.get("outcome"),
         "seconds": round(_seconds(r), 6), "verdict_seconds": r.get("seconds"),
         "perf_seconds": (r.get("perf") or {}).get("seconds"),
         "python_seconds": (r.get("python") or {}).get("seconds"), "rust_seconds": (r.get("rust") or {}).get("seconds")}
        for r in ranked]}


def perf_summary(records: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The run's performance figures: timed items, summed medians, the geometric mean ratio, skipped items."""
    asked = [r for r in records if r.get("perf") is not None]
    if not asked:
        return None
    summary = perf_figures(r.get("perf") for r in asked) or {"items": 0, "python_seconds": 0.0, "rust_seconds": 0.0,
                                                          "ratio": None}
    skipped = [{"nodeid": r.get("nodeid"), "reason": r["perf"].get("skipped")} for r in asked if "skipped" in r["perf"]]
    return {**summary, "skipped": skipped}


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def gate_sentence(report: Mapping[str, Any]) -> str:
    """The gate in words, apart from the parity figures: ``PASS: no regression against baseline abc123``."""
    gate = report.get("gate") or {}
    if report.get("complete") is False:  # a run that did not finish never reads as a pass (completeness.py)
        why = "; ".join((report.get("completeness") or {}).get("reasons") or [])
        return (f"{gate.get('line') or 'GATE: INCOMPLETE'}: the run did not finish ({why}); "
                "its verdicts cover only the items that ran")
    if not gate:
        return ""
    if gate.get("error"):
        return f"ERROR: the gate could not be judged: {gate['error']}"
    also = [_plural(len(gate[key]), word, plural) for key, word, plural in (
        ("unexpected_passes", "unexpected pass", "unexpected passes"), ("harness_errors", "harness error", None),
        ("rust_unavailable", "rust unavailable item", None))
        if gate.get(key)]
    if gate.get("baseline"):
        base = (report.get("changes") or {}).get("baseline") or {}
        label = str(base.get("revision") or base.get("checkout_revision") or base.get("created") or "")
        label = label[:12] if len(label) == 40 else label
        regressions = len(gate.get("regressions") or [])
        text = ("no regression" if not regressions else _plural(regressions, "regression"))
        text += f" against baseline {label}" if label else " against the baseline"
        if gate.get("new_failing"):
            also.insert(0, _plural(len(gate["new_failing"]), "new failing item"))
    else:
        failing = len(gate.get("still_failing") or []) + len(gate.get("new_failing") or [])
        text = "no failing item" if not failing else _plural(failing, "failing item")
        if gate.get("reference_unavailable"):  # the headline counts these as unavailable, not failing: say so
            text += f", {len(gate['reference_unavailable'])} of them reference unavailable"
    return ("PASS: " if gate.get("passed") else "FAIL: ") + text + (f" ({', '.join(also)})" if also else "")


def build_report(records: Sequence[Mapping[str, Any]], *, revision: str | None = None,
                 extra: Mapping[str, Any] | None = None, baseline: Mapping[str, Any] | None = None,
                 history: Sequence[Mapping[str, Any]] | None = None,
                 coverage: Mapping[str, Mapping[str, Any]] | None = None,
                 environment: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON report document of a run.

    ``baseline``: the base run's JSON report (adds ``changes``); ``history``: the trend file's earlier
    entries, oldest first (this run's own entry is added; adds ``history``); ``coverage``: per-package
    coverage from the inventory (:func:`coverage_from_inventory`); ``environment``: what
    :func:`environment.collect` returns.
    """
    ordered = sorted(records, key=lambda r: r["nodeid"])
    totals = dict(sorted(count_outcomes(ordered).items()))
    modules = attach_mapping(group_by_module(ordered), coverage)
    report: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "revision": revision,
        "summary": summary_line(ordered),
        "totals": totals,
        "parity": figures(totals),
        "modules": modules,
        "packages": group_by_package(modules, ordered, coverage),
        "divergences": catalogue.build(ordered),
        "durations": durations(ordered),
        "perf": perf_summary(ordered),
        "cases": list(ordered),
        **(dict(extra) if extra else {}),
    }
    if environment is not None:
        report["environment"] = dict(environment)
    if baseline is not None:
        report["changes"] = changes.build(ordered, baseline)
        if report["perf"] is not None:
            report["perf"]["slower"] = report["changes"]["slower"]
    if history is not None:
        entries = list(history) + [history_entry(report, revision)]
        report["history"] = case_history.build(entries, ordered)
    return report


def load_probe(path: Path) -> dict[str, Any] | None:
    """The probe's summary and per-file classes, if a probe JSON exists (see reference/probe.py)."""
    if not path.is_file():
        return None
    try:
        probe = json.loads(path.read_text("utf-8"))
        return {
            "source": str(path),
            "checkout": probe.get("checkout"),
            "revision": probe.get("revision"),
            "files": probe["files"],
            "importable": probe["importable"],
            "counts": probe["counts"],
            "rows": [{"path": r["path"], "class": r["class"], "detail": r.get("detail", "")} for r in probe["rows"]],
        }
    except (ValueError, KeyError, TypeError) as error:
        return {"source": str(path), "error": f"not a probe JSON ({error}); re-run the probe with --format json"}


# -- Markdown ------------------------------------------------------------------

def format_metric(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}"


def format_ratio(value: Any) -> str:
    """Rust time / Python time: ``0.12× (8.3× faster)``, ``2.5× (slower)``."""
    if not _number(value) or value <= 0:
        return "—"
    if value < 1:
        return f"{ratio_text(value)} ({ratio_text(1 / value)} faster)"
    return f"{ratio_text(value)} (slower)" if value > 1 else "1×"


def gap_order(modules: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Files, furthest from parity first: most items at a gap, then lowest parity %, then name."""
    def key(covers: str) -> tuple:
        data = modules[covers].get("parity") or {}
        pct = data.get("parity_pct")
        return (-int(data.get("gap") or 0), 101.0 if pct is None else pct, covers)
    return sorted(modules, key=key)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _change_lines(report: Mapping[str, Any], limit: int = 50) -> list[str]:
    found = report.get("changes")
    if not found:
        return []
    base = found.get("baseline") or {}
    counts = found.get("counts") or {}
    lines = ["## Changed against the baseline", "",
             f"Baseline: `{base.get('revision') or base.get('checkout_revision') or 'unknown revision'}` "
             f"({base.get('created') or 'date unknown'}), {headline(base.get('parity') or {})}.", "",
             ", ".join(f"{counts.get(name, 0)} {name.replace('_', ' ')}" for name in (*changes.GROUPS, "slower")), ""]
    rows = [(name, entry) for name in changes.GROUPS for entry in found.get(name) or []]
    if rows:
        lines += ["| change | item | before | after |", "|---|---|---|---|"]
        for name, entry in rows[:limit]:
            before, after = entry.get("before"), entry.get("after")
            lines.append(f"| {name.replace('_', ' ')} | `{_cell(entry['nodeid'])}` | "
                         + (f"{before['outcome']}: {_cell(before['message'][:120])}" if before else "—") + " | "
                         + (f"{after['outcome']}: {_cell(after['message'][:120])}" if after else "—") + " |")
        if len(rows) > limit:
            lines.append(f"| … | {len(rows) - limit} more in the HTML and JSON reports | | |")
        lines.append("")
    for item in found.get("slower") or []:
        lines.append(f"- slower: `{item['nodeid']}` Rust {format_seconds(item['before'])} → "
                     f"{format_seconds(item['after'])} ({item['factor']:.2g}×, noise {format_seconds(item['noise'])})")
    if found.get("slower"):
        lines.append("")
    return lines


def module_table(report: Mapping[str, Any], limit: int | None = None) -> list[str]:
    """The per-file table, furthest from parity first (Markdown)."""
    modules = report.get("modules") or {}
    lines = ["| monolith file | parity | match | error agreement | known gaps | failing | unavailable | "
             "max abs | max rel | max ulp | divergent max ulp | Rust/Python time |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    order = gap_order(modules)
    for covers in order[:limit]:
        module = modules[covers]
        data = module.get("parity") or figures(module.get("outcomes") or {})
        divergent = module.get("divergent") or {}
        lines.append(f"| `{covers}` | {format_pct(data.get('parity_pct'))} | {data['match']} | {data['error_agreement']} | "
                     f"{data['known_gaps']} | {data['failing']} | {data['unavailable']} | "
                     f"{format_metric(module.get('max_abs'))} | {format_metric(module.get('max_rel'))} | "
                     f"{format_metric(module.get('max_ulp'))} | {format_metric(divergent.get('max_ulp'))} | "
                     f"{format_ratio((module.get('perf') or {}).get('ratio'))} |")
    if limit is not None and len(order) > limit:
        lines.append(f"| … {len(order) - limit} more files | | | | | | | | | | | |")
    return lines


def render_markdown(report: Mapping[str, Any]) -> str:
    data = report.get("parity") or figures(report.get("totals") or {})
    lines = ["# Parity report", "", f"**{headline(data)}**", ""]
    sentence = gate_sentence(report)
    if sentence:
        lines += [f"**{sentence}**" if sentence.startswith("GATE:") else f"Gate: {sentence}", ""]
    lines += [f"`{report['summary']}`", ""]
    if report.get("revision"):
        lines += [f"Rust revision: `{report['revision']}`", ""]
    lines += _change_lines(report)
    lines += ["## Per module (furthest from parity first)", "",
              "Max abs / rel / ulp: over the matching items only; divergent max ulp: over the items that did not "
              "match (expected divergences included). Rust/Python time: geometric mean over the `perf=True` items.",
              ""]
    lines += module_table(report)
    entries = report.get("divergences") or []
    if entries:
        lines += ["", "## Divergence catalogue", ""]
        current = None
        for entry in entries:
            if entry["covers"] != current:
                current = entry["covers"]
                lines += ["", f"### `{current}`", ""]
            verdicts = ", ".join(f"{n} {o}" for o, n in entry["verdicts"].items())
            lines.append(f"- **{entry['reason']}** ({entry['outcome']}"
                         + (f", message `{entry['message']}`" if entry["message"] else "")
                         + f"): {entry['items']} item{'s' if entry['items'] != 1 else ''} ({verdicts}); "
                         f"evidence: `{entry['evidence']}`")
    probe = report.get("probe")
    if probe and "error" not in probe:
        lines += ["", "## Reference probe", "",
                  f"{probe['importable']} of {probe['files']} Python files of the checkout import "
                  f"(`{probe['source']}`).", "", "| class | files |", "|---|---:|"]
        lines += [f"| {name} | {count} |" for name, count in probe["counts"].items() if count]
    elif probe:
        lines += ["", f"Reference probe: {probe['error']}"]
    slowest = (report.get("durations") or {}).get("slowest") or []
    if slowest:
        lines += ["", "## Slowest items", "", "| item | time |", "|---|---:|"]
        lines += [f"| `{_cell(s['nodeid'])}` | {format_seconds(s['seconds'])} |" for s in slowest]
    failing = [c for c in report["cases"] if family(str(c["outcome"])) == FAILING]
    if failing:
        lines += ["", "## Needs attention", ""]
        for case in failing[:200]:
            lines.append(f"### `{case['nodeid']}` — {case['outcome']}")
            lines.append("")
            lines.append(f"- covers `{case['covers']}`; python `{case['python_call']}`; rust `{case['rust_call']}`")
            if case.get("inputs"):
                lines.append(f"- inputs: `{case['inputs']}`")
            if case.get("message"):
                lines.append(f"- {case['message']}")
            if case.get("expected_divergence"):
                lines.append(f"- known divergence: {case['expected_divergence']['reason']}")
            for note in case.get("notes", []):
                lines.append(f"- {note}")
            if case.get("diff"):
                lines += ["", "```", case["diff"], "```"]
            if case.get("replay"):
                lines.append(f"- replay: `{case['replay']}`")
            lines.append("")
        if len(failing) > 200:
            lines.append(f"... and {len(failing) - 200} more failing items (see the JSON and HTML reports)")
    unavailable: dict[str, list[Mapping[str, Any]]] = {}
    for case in report["cases"]:  # a side that could not run here is neither a pass nor a failure: one line each
        if family(str(case["outcome"])) == UNAVAILABLE:
            unavailable.setdefault(str(case["outcome"]), []).append(case)
    for outcome, cases in unavailable.items():
        title = ("Rust unavailable (not in this checkout)" if outcome == Outcome.RUST_UNAVAILABLE.value
                 else outcome[:1].upper() + outcome[1:] + " (not executed here)")
        lines += ["", f"## {title}", ""]
        lines += [f"- `{c['nodeid']}` — {c['outcome']}: {c.get('message') or ''}".rstrip() for c in cases[:200]]
        if len(cases) > 200:
            lines.append(f"- … and {len(cases) - 200} more (see the JSON and HTML reports)")
    return "\n".join(lines).rstrip() + "\n"


def write_reports(report_dir: Path, report: Mapping[str, Any]) -> dict[str, Path]:
    """Write the JSON and Markdown reports atomically; return their paths."""
    json_path = report_dir / JSON_NAME
    markdown_path = report_dir / MARKDOWN_NAME
    atomic_write(json_path, (json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8"))
    atomic_write(markdown_path, render_markdown(report).encode("utf-8"))
    return {"json": json_path, "markdown": markdown_path}
