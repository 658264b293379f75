"""A mutants run as a person reads it: ``mutants.json``, ``mutants.md``, ``mutants.html``.

The kill score is ``caught / viable``: a mutant is *caught* when the parity
cases killed it (a verdict or message changed) or it made them time out;
*viable* counts every mutant that compiled.  Survivors are listed whole:
their diff, the cases that ran, and -- when an explanation file names them
-- why they survive (unreachable from Python, equivalent, or a gap).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..files import atomic_write


def _pct(score: float | None) -> str:
    return "—" if score is None else f"{100 * score:.1f} %"


def headline(doc: Mapping[str, Any]) -> str:
    t = doc["totals"]
    line = (f"MUTANTS: {t['caught']} of {t['viable']} viable mutants caught ({_pct(t['score'])}): "
            f"{t['killed']} killed, {t['timeout']} timeout, {t['survived']} survived, {t['unviable']} unviable "
            f"(seed {doc['seed']}, {doc['tried']} tried of {doc['listed']} listed)")
    if not doc["complete"]:
        line += f"; INCOMPLETE: {doc['viable']} of {doc['sample']} viable mutants ({doc['stopped'] or 'stopped'})"
    return line


def markdown(doc: Mapping[str, Any]) -> str:
    out = ["# Mutation score of the parity cases", "", headline(doc), "",
           f"Cases: `{' '.join(doc['cases'])}`{' (all cases judge every mutant)' if doc['all_cases'] else ''}; "
           f"baseline: {doc['baseline']['items']} items, {len(doc['baseline']['unstable'])} unstable "
           "(excluded from judging).", "",
           "## Per Rust file", "", "| file | viable | killed | timeout | survived | unviable | score |",
           "|---|---|---|---|---|---|---|"]
    for name, s in doc["files"].items():
        out.append(f"| `{name}` | {s['viable']} | {s['killed']} | {s['timeout']} | {s['survived']} | "
                   f"{s['unviable']} | {_pct(s['score'])} |")
    if doc["modules"]:
        out += ["", "## Per monolith module", "", "| module | Rust files | viable | caught | score |",
                "|---|---|---|---|---|"]
        for name, s in doc["modules"].items():
            out.append(f"| `{name}` | {', '.join(f'`{f}`' for f in s['rust_files'])} | {s['viable']} | "
                       f"{s['caught']} | {_pct(s['score'])} |")
    out += ["", f"## Surviving mutants ({len(doc['survivors'])})", ""]
    for r in doc["survivors"]:
        why = r.get("explanation")
        out += [f"### `{r['file']}:{r['line']}` {r['name']}", "",
                f"function `{r['function']}`, key `{r['key']}`; "
                + (f"{len(r['cases_run'])} items ran ({', '.join(r['case_files'])})" if r["cases_run"]
                   else r.get("detail", "no case ran")),
                ""]
        if why:
            out += [f"**{why.get('kind', 'explained')}**: {why.get('reason', '')}", ""]
        out += ["```diff", r["diff"].rstrip(), "```", ""]
    return "\n".join(out) + "\n"


def html_page(doc: Mapping[str, Any]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td><code>{e(name)}</code></td><td>{s['viable']}</td><td>{s['killed']}</td><td>{s['timeout']}</td>"
        f"<td>{s['survived']}</td><td>{s['unviable']}</td><td data-mutation=\"{s['score'] if s['score'] is not None else ''}\">"
        f"{_pct(s['score'])}</td></tr>" for name, s in doc["files"].items())
    modules = "".join(
        f"<tr><td><code>{e(name)}</code></td><td>{s['viable']}</td><td>{s['caught']}</td><td>{_pct(s['score'])}</td></tr>"
        for name, s in doc["modules"].items())
    survivors = "".join(
        f"<section class=survivor id=\"m-{e(r['key'])}\"><h3><code>{e(r['file'])}:{r['line']}</code> {e(r['name'])}</h3>"
        f"<p>function <code>{e(r['function'])}</code>; "
        + (f"{len(r['cases_run'])} items ran: {e(', '.join(r['case_files']))}" if r["cases_run"]
           else e(r.get("detail", "no case ran")))
        + "</p>"
        + (f"<p><b>{e(r['explanation'].get('kind', 'explained'))}</b>: {e(r['explanation'].get('reason', ''))}</p>"
           if r.get("explanation") else "")
        + f"<pre>{e(r['diff'])}</pre></section>" for r in doc["survivors"])
    return ("<!doctype html><html><head><meta charset=utf-8><title>Mutation score</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:.2em .5em}pre{background:#f6f6f6;padding:.5em;overflow:auto}</style></head><body>"
            f"<h1>Mutation score of the parity cases</h1><p id=headline>{e(headline(doc))}</p>"
            "<h2>Per Rust file</h2><table><tr><th>file<th>viable<th>killed<th>timeout<th>survived<th>unviable"
            f"<th>score</tr>{rows}</table>"
            + (f"<h2>Per monolith module</h2><table><tr><th>module<th>viable<th>caught<th>score</tr>{modules}</table>"
               if modules else "")
            + f"<h2>Surviving mutants ({len(doc['survivors'])})</h2>{survivors}</body></html>\n")


def write(out: Path, doc: Mapping[str, Any]) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "mutants.json", "md": out / "mutants.md", "html": out / "mutants.html"}
    atomic_write(paths["json"], (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())
    atomic_write(paths["md"], markdown(doc).encode())
    atomic_write(paths["html"], html_page(doc).encode())
    return paths


def quality_fields(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``modules[covers].mutation`` for :func:`report.attach_quality`: caught mutants of all viable ones."""
    return {covers: {"killed": s["caught"], "total": s["viable"], "tool": doc["tool"]}
            for covers, s in doc.get("modules", {}).items() if s["viable"]}
