"""``python -m pytest_monolith_parity mutants``: how many real bugs would the parity cases miss?

Reads the project's settings (``[tool.monolith_parity]``): a monolith
checkout (``MONOLITH_ROOT`` / ``--monolith-root``) is mutated in a private
copy and rebuilt through ``monolith_rs_build``; a project whose Rust side a
command builds names it in ``[tool.monolith_parity.mutants]`` (see
docs/mutation.md).  Exit status: 0 when the run finished, 3 when it stopped
before its sample was complete (budget, too few viable mutants), 2 on a
usage or set-up error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

from ..config import SettingsError, load_pyproject, resolve
from ..files import atomic_write
from ..inventory import store
from .listing import MutantsError
from .render import headline, quality_fields, write
from .run import Options, Runner
from .targets import command_target, monolith_target

EXIT_INCOMPLETE = 3


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("cases", nargs="*", help="case paths (default: the configured cases_dirs)")
    parser.add_argument("--crate", action="append", default=[], help="mutate this crate only (repeatable)")
    parser.add_argument("--file", action="append", default=[],
                        help="mutate this file only, relative to the Cargo tree (repeatable; default: the files "
                             "the inventory maps to the collected cases)")
    parser.add_argument("--sample", type=int, default=None, help="viable mutants to judge (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the stratified sample (default 0)")
    parser.add_argument("--all-cases", action="store_true",
                        help="judge every mutant with every selected case (default: the cases covering its file)")
    parser.add_argument("--budget-minutes", type=float, default=None,
                        help="start no mutant past this; a rerun resumes from the cached results")
    parser.add_argument("--jobs", "-n", type=int, default=1, help="pytest -n for each case run (default 1)")
    parser.add_argument("--features", help="bindings features for a checkout (default: the cases' packages)")
    parser.add_argument("--what", choices=("bindings", "cli", "all"), default="all",
                        help="checkout artifacts rebuilt per mutant (default all)")
    parser.add_argument("--build-timeout", type=float, default=3600.0, help="seconds per build (default 3600)")
    parser.add_argument("--case-timeout", type=float, default=None,
                        help="seconds per case run (default: 3 x the baseline's + 60)")
    parser.add_argument("--stability-runs", type=int, default=2,
                        help="baseline runs; items that differ between them judge nothing (default 2)")
    parser.add_argument("--explain", help="TOML of survivor explanations ([survivors.<key>] kind, reason)")
    parser.add_argument("--work-dir", help="private copy, its Rust cache and the results cache "
                                           "(default ~/.cache/monolith-parity/mutants/<tree>-<hash>)")
    parser.add_argument("--out", default=None, help="report directory (default <report_dir>/mutants)")
    parser.add_argument("--parity-coverage", action="store_true",
                        help="instead of mutants: build the Rust side with -C instrument-coverage (its own copy and "
                             "cache), run each case file, report per public function the case files that reach it")
    return parser


def _project_table(rootdir: Path) -> dict[str, Any]:
    path = rootdir / "pyproject.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle).get("tool", {}).get("monolith_parity", {}).get("mutants", {}) or {}


def _work_dir(explicit: str | None, source: Path) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    digest = hashlib.sha256(str(source).encode()).hexdigest()[:12]
    return Path.home() / ".cache" / "monolith-parity" / "mutants" / f"{source.name}-{digest}"


def _explanations(path: str | None) -> dict[str, dict[str, Any]]:
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            return dict(tomllib.load(handle).get("survivors", {}))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MutantsError(f"--explain {path}: {error}; it is TOML with [survivors.<key>] kind = ..., reason = ...")


def run(options: argparse.Namespace) -> int:
    rootdir = Path.cwd()
    try:
        table, where = load_pyproject(rootdir)
        settings = resolve(rootdir, {"monolith_root": getattr(options, "monolith_root", None)}, os.environ, table,
                           where)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    cases = options.cases or list(settings.cases_dirs)
    mutants_table = _project_table(rootdir)
    try:
        if settings.monolith_root:
            checkout = settings.path(settings.monolith_root)
            work = _work_dir(options.work_dir, checkout)
            features = ([f for f in options.features.split(",") if f] if options.features else
                        sorted({Path(c).parts[1] for c in cases if len(Path(c).parts) > 1 and Path(c).parts[0] == "cases"}))
            artifacts = ("bindings", "cli") if options.what == "all" else (options.what,)
            if options.parity_coverage:
                work = work / "coverage"
            target = monolith_target(checkout, work, features, artifacts)
            inventory = store.load(settings.path(settings.inventory_file))["files"]
            by_rust: dict[str, list[str]] = {}
            for python_path, entry in inventory.items():
                rust_file = (entry.get("rust") or {}).get("file")
                if rust_file:
                    by_rust.setdefault(rust_file, []).append(python_path)

            def covers_of_file(path: str) -> list[str]:
                return by_rust.get(path, [])

            def files_of_covers(covers: str) -> list[str]:
                rust_file = ((inventory.get(covers) or {}).get("rust") or {}).get("file")
                return [rust_file] if rust_file else []
        elif mutants_table:
            work = _work_dir(options.work_dir, (rootdir / str(mutants_table.get("tree", "."))).resolve())
            if options.parity_coverage:
                work = work / "coverage"
            target = command_target(rootdir, mutants_table, work, where or str(rootdir / "pyproject.toml"))
            covers_of_file = (lambda path: target.covers.get(path, [])) if target.covers else None
            files_of_covers = None
        else:
            print("error: nothing to mutate: set MONOLITH_ROOT (or --monolith-root) to a checkout, or describe the "
                  "project's Rust tree in [tool.monolith_parity.mutants] (docs/mutation.md)", file=sys.stderr)
            return 2
        run_options = Options(project=rootdir, cases=cases, work=work,
                              out=Path(options.out) if options.out else settings.path(settings.report_dir) / "mutants",
                              sample=options.sample, seed=options.seed, files=options.file, packages=options.crate,
                              all_cases=options.all_cases, budget_minutes=options.budget_minutes, jobs=options.jobs,
                              build_timeout=options.build_timeout, case_timeout=options.case_timeout,
                              stability_runs=options.stability_runs, covers_of_file=covers_of_file,
                              files_of_covers=files_of_covers)
        if options.parity_coverage:
            return _coverage(run_options, target, covers_of_file)
        explanations = _explanations(options.explain)
        doc = Runner(run_options, target).run()
    except MutantsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for result in doc["survivors"]:
        if result["key"] in explanations:
            result["explanation"] = explanations[result["key"]]
    doc["unexplained_survivors"] = sum(1 for r in doc["survivors"] if "explanation" not in r)
    paths = write(run_options.out, doc)
    _attach_to_baseline_report(run_options, doc)
    print(headline(doc))
    print(f"reports: {paths['json']} {paths['md']} {paths['html']}")
    return 0 if doc["complete"] else EXIT_INCOMPLETE


def _coverage(options: Options, target, covers_of_file) -> int:
    from . import coverage

    target.build_env = coverage.instrumented_env()
    doc = coverage.run_coverage(options, target, target.built_objects)
    paths = coverage.write(options.out, doc)
    report_path = options.out / "report" / "parity-report.json"
    if report_path.is_file():  # a mutants run's report: its module table gets the coverage column too
        from ..html_report import write_html
        from ..report import attach_quality

        report = attach_quality(json.loads(report_path.read_text("utf-8")),
                                rust_coverage=coverage.quality_fields(doc, covers_of_file, target.tree_file))
        atomic_write(report_path, (json.dumps(report, indent=1) + "\n").encode())
        write_html(report_path.parent, report)
    print(f"RUST COVERAGE: {len(doc['unreached_public'])} public functions no case reaches; "
          + ", ".join(f"{rel} {e['lines']['percent']} %" for rel, e in sorted(doc["files"].items())))
    print(f"reports: {paths['json']} {paths['md']}")
    return 0


def _attach_to_baseline_report(options: Options, doc: dict[str, Any]) -> None:
    """The baseline run's parity report with the ``mutation`` fields filled, beside the mutants reports."""
    from ..html_report import write_html
    from ..report import attach_quality

    source = options.work / "runs" / "baseline-0" / "parity-report.json"
    if not source.is_file():
        return
    report = attach_quality(json.loads(source.read_text("utf-8")), mutation=quality_fields(doc))
    directory = options.out / "report"
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write(directory / "parity-report.json", (json.dumps(report, indent=1) + "\n").encode())
    write_html(directory, report)
