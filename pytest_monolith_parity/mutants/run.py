"""One mutants run: baseline, then each sampled mutant applied, rebuilt, judged by the cases that cover it.

The order of events, and why:

1. the private copy is synced with the source (:mod:`.workcopy`);
2. the unmutated copy is built and the selected cases run on it -- twice,
   so an item whose verdict or message is not stable between two runs of
   the same tree cannot kill a mutant (listed as *unstable*);
3. the mutants are listed (cargo-mutants) and ordered by the seeded,
   file-stratified sample; mutants are taken in that order until ``sample``
   *viable* ones have a result (an unviable one is replaced by the next);
4. each mutant: applied, built (unviable if it does not compile), the cases
   covering its file run (the inventory's mapping, or all with
   ``all_cases``), judged against the baseline (:mod:`.judge`), restored.

Every result is cached under the work directory by the mutant's diff, the
cases' hash and the baseline's, so a rerun -- after ``--budget-minutes``
stopped one, or Ctrl-C -- resumes where it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..files import atomic_write
from ..progress import Progress, format_duration
from . import judge as _judge
from .listing import CARGO_MUTANTS_VERSION, Mutant, MutantsError, list_mutants, sample
from .targets import BuildFailed, BuildTimedOut, Target, kill_group
from .workcopy import applied, tree_digest

RESULTS_FORMAT = 1


@dataclasses.dataclass
class Options:
    project: Path  # where the cases run (the user's project directory)
    cases: list[str]  # pytest paths of the selected cases (relative to project)
    work: Path  # the private copy, the run's Rust cache, the results cache
    out: Path  # the reports
    sample: int | None = None  # viable mutants wanted (None: all)
    seed: int = 0
    files: list[str] = dataclasses.field(default_factory=list)  # tree-relative files to mutate
    packages: list[str] = dataclasses.field(default_factory=list)  # crates to mutate
    all_cases: bool = False
    budget_minutes: float | None = None
    jobs: int = 1  # pytest -n for each case run
    build_timeout: float = 3600.0
    case_timeout: float | None = None  # default: 3 x the baseline's run + 60 s
    stability_runs: int = 2
    covers_of_file: Callable[[str], list[str]] | None = None  # tree file -> Python files (inventory/config)
    files_of_covers: Callable[[str], list[str]] | None = None  # Python file -> tree files (the inverse)
    extra_pytest_args: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CaseRun:
    records: list[dict[str, Any]]
    seconds: float
    timed_out: bool = False
    complete: bool = True
    exit_status: int = 0


def _digest_paths(root: Path, paths: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(paths):
        path = (root / rel)
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts) if path.exists() else []
        for file in files:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def cases_hash(options: Options) -> str:
    """What decides the cases' verdicts besides the Rust side: the case files, goldens, config, harness version."""
    from ..version import __version__

    paths = list(options.cases) + [p for p in ("golden", "pyproject.toml") if (options.project / p).exists()]
    text = json.dumps({"cases": _digest_paths(options.project, paths), "all_cases": options.all_cases,
                       "extra": options.extra_pytest_args, "harness": __version__})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_cases(options: Options, target: Target, paths: Sequence[str], report_dir: Path,
              timeout: float | None) -> CaseRun:
    """The parity cases ``paths`` in a pytest subprocess against the copy's Rust artifacts."""
    report_dir.mkdir(parents=True, exist_ok=True)
    report = report_dir / "parity-report.json"
    if report.exists():
        report.unlink()
    argv = [sys.executable, "-m", "pytest", "-m", "parity", *paths, "-p", "no:cacheprovider", "-q", "--tb=no",
            "-rN", "--parity-report-dir", str(report_dir), "--parity-history", str(report_dir / "history.jsonl"),
            *(["-n", str(options.jobs)] if options.jobs > 1 else ["-p", "no:xdist"]), *options.extra_pytest_args]
    env = {**os.environ, **target.case_env(), "MONOLITH_PARITY_PROGRESS": "off"}
    started = time.monotonic()
    with (report_dir / "pytest.log").open("w") as log:
        process = subprocess.Popen(argv, cwd=options.project, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            return CaseRun([], time.monotonic() - started, timed_out=True, complete=False, exit_status=-1)
    seconds = time.monotonic() - started
    if not report.is_file():
        return CaseRun([], seconds, complete=False, exit_status=status)
    data = json.loads(report.read_text("utf-8"))
    return CaseRun(list(data.get("cases", [])), seconds, complete=bool(data.get("complete", True)),
                   exit_status=status)


class Runner:
    """Drives one run; ``say`` receives the lines a person reads (the progress line goes to ``stream``)."""

    def __init__(self, options: Options, target: Target, *, stream: TextIO | None = None,
                 say: Callable[[str], None] = print):
        self.options, self.target, self.stream, self.say = options, target, stream or sys.stderr, say
        self.results_dir = options.work / "results"
        self.started = time.monotonic()

    # -- the baseline --------------------------------------------------------
    def baseline(self) -> dict[str, Any]:
        """Build the unmutated copy and run every selected case on it (cached by the copy's digest and the cases)."""
        options, target = self.options, self.target
        changed = target.prepare()
        if changed:
            self.say(f"private copy {target.copy}: {changed} file(s) synced from {target.source}")
        key = hashlib.sha256(f"{tree_digest(target.copy)}\0{cases_hash(options)}".encode()).hexdigest()[:16]
        path = options.work / "baseline" / f"{key}.json"
        if path.is_file():
            data = json.loads(path.read_text("utf-8"))
            self.say(f"baseline {key}: cached ({len(data['records'])} items, {len(data['unstable'])} unstable)")
            return data
        self.say("baseline: building the unmutated copy")
        try:
            build_seconds = target.build(options.build_timeout, options.work / "logs" / "baseline-build.log")
        except (BuildFailed, BuildTimedOut) as failure:
            raise MutantsError(f"the unmutated copy {target.copy} does not build, so no mutant can be judged; see "
                               f"{options.work / 'logs' / 'baseline-build.log'}:\n{getattr(failure, 'tail', '')}") from None
        runs = []
        for index in range(max(1, options.stability_runs)):
            self.say(f"baseline: running the cases ({index + 1} of {max(1, options.stability_runs)})")
            run = run_cases(options, target, options.cases, options.work / "runs" / f"baseline-{index}", None)
            if not run.complete or not run.records:
                raise MutantsError(f"the baseline run of {' '.join(options.cases)} did not finish (exit status "
                                   f"{run.exit_status}); see {options.work / 'runs' / f'baseline-{index}' / 'pytest.log'}")
            runs.append(run)
        unstable = sorted({n for other in runs[1:] for n in _judge.unstable_items(runs[0].records, other.records)})
        data = {"key": key, "records": runs[0].records, "unstable": unstable, "build_seconds": build_seconds,
                "case_seconds": max(r.seconds for r in runs)}
        atomic_write(path, json.dumps(data).encode())
        self.say(f"baseline {key}: {len(runs[0].records)} items in {format_duration(data['case_seconds'])}, "
                 f"{len(unstable)} unstable, build {format_duration(build_seconds)}")
        return data

    # -- which cases judge a file --------------------------------------------
    def judged_items(self, baseline: dict[str, Any], file: str) -> tuple[list[str], list[str]]:
        """(node ids, case files) of the baseline items that judge mutants of ``file`` (tree-relative)."""
        unstable = set(baseline["unstable"])
        records = [r for r in baseline["records"] if r["nodeid"] not in unstable]
        if not self.options.all_cases and self.options.covers_of_file is not None:
            covers = set(self.options.covers_of_file(self.target.tree_file(file)))
            records = [r for r in records if r.get("covers") in covers]
        nodeids = sorted(r["nodeid"] for r in records)
        case_files = sorted({r["nodeid"].split("::", 1)[0] for r in records})
        return nodeids, case_files

    # -- the mutants ---------------------------------------------------------
    def mutants(self, baseline: dict[str, Any]) -> list[Mutant]:
        files = self.options.files or list(self.target.default_files)
        if not files and not self.options.packages and self.options.files_of_covers is not None:
            # the Rust files the inventory maps to the collected cases
            prefix = Path(self.target.tree.relative_to(self.target.copy))
            mapped = {f for r in baseline["records"] for f in self.options.files_of_covers(r.get("covers") or "")}
            files = sorted(str(Path(f).relative_to(prefix)) for f in mapped
                           if prefix == Path(".") or Path(f).is_relative_to(prefix))
            if not files:
                raise MutantsError("the inventory maps no Rust file to the collected cases: pass --file or --crate")
        listed = list_mutants(self.target.tree, files=files, packages=self.options.packages)
        if not listed:
            raise MutantsError(f"cargo-mutants lists no mutant in {self.target.tree} for files {files or 'all'} "
                               f"crates {self.options.packages or 'all'}")
        return listed

    def result_path(self, mutant: Mutant, baseline: dict[str, Any]) -> Path:
        key = hashlib.sha256(f"{mutant.diff}\0{cases_hash(self.options)}\0{baseline['key']}\0"
                             f"{self.options.all_cases}".encode()).hexdigest()[:24]
        return self.results_dir / f"{key}.json"

    def run_one(self, mutant: Mutant, baseline: dict[str, Any], index: int) -> dict[str, Any]:
        options, target = self.options, self.target
        nodeids, case_files = self.judged_items(baseline, mutant.file)
        result: dict[str, Any] = {**mutant.to_json(), "cases_run": nodeids, "case_files": case_files}
        log_dir = options.work / "logs"
        started = time.monotonic()
        with applied(target.copy, mutant):
            try:
                result["build_seconds"] = round(target.build(options.build_timeout, log_dir / "mutant-build.log"), 3)
            except BuildFailed as failure:
                result.update(status=_judge.UNVIABLE, detail=failure.tail[-2000:])
            except BuildTimedOut:
                result.update(status=_judge.TIMEOUT, detail=f"the build outlived {options.build_timeout:.0f}s")
            else:
                if not nodeids:
                    result.update(status=_judge.SURVIVED, detail="no case covers this file", changed=[])
                else:
                    timeout = options.case_timeout or 3 * baseline["case_seconds"] + 60
                    run = run_cases(options, target, case_files, options.work / "runs" / "mutant", timeout)
                    result["case_seconds"] = round(run.seconds, 3)
                    if run.timed_out:
                        result.update(status=_judge.TIMEOUT, detail=f"the cases outlived {timeout:.0f}s")
                    else:
                        verdict = _judge.judge(baseline["records"], run.records, nodeids)
                        result.update(status=verdict.status, changed=verdict.changed[:20],
                                      changed_count=len(verdict.changed))
                        if not run.complete:
                            result["detail"] = f"the case run did not finish (exit status {run.exit_status})"
        result["seconds"] = round(time.monotonic() - started, 3)
        return result

    def run(self) -> dict[str, Any]:
        options = self.options
        baseline = self.baseline()
        listed = self.mutants(baseline)
        order = sample(listed, None, options.seed)
        wanted = options.sample if options.sample is not None else len(order)
        self.say(f"{len(listed)} mutants listed by cargo-mutants {CARGO_MUTANTS_VERSION}; want {wanted} viable "
                 f"(seed {options.seed}, stratified over {len({m.file for m in listed})} files)")
        results: list[dict[str, Any]] = []
        viable = 0
        stopped = ""
        budget = options.budget_minutes * 60 if options.budget_minutes else None
        durations: list[float] = []
        progress = Progress("mutants", total=wanted, unit="viable mutants", stream=self.stream)
        try:
            for index, mutant in enumerate(order):
                if viable >= wanted:
                    break
                path = self.result_path(mutant, baseline)
                if path.is_file():
                    result = json.loads(path.read_text("utf-8"))
                    result["cached"] = True
                else:
                    elapsed = time.monotonic() - self.started
                    estimate = sum(durations) / len(durations) if durations else 0
                    if budget is not None and elapsed + estimate > budget:
                        stopped = f"budget of {options.budget_minutes:g} minutes reached"
                        break
                    progress.note(f"{mutant.file}:{mutant.line}: {mutant.name}")
                    result = self.run_one(mutant, baseline, index)
                    durations.append(result["seconds"])
                    atomic_write(path, json.dumps(result, indent=1).encode())
                results.append(result)
                if result["status"] != _judge.UNVIABLE:
                    viable += 1
                    progress.advance(f"{result['status']}: {mutant.file}:{mutant.line}")
        except KeyboardInterrupt:
            stopped = "interrupted"
            raise
        finally:
            progress.finish("stopped: " + stopped if stopped else "done")
        if not stopped and viable < wanted:
            stopped = f"only {viable} viable mutants in the list"
        return summarise(results, listed=len(listed), wanted=wanted, seed=options.seed, baseline=baseline,
                         stopped=stopped, options=options, target=self.target)


def summarise(results: list[dict[str, Any]], *, listed: int, wanted: int, seed: int, baseline: dict[str, Any],
              stopped: str, options: Options, target: Target) -> dict[str, Any]:
    """The run's JSON document: totals, per Rust file, per monolith module, survivors."""
    def score(group: list[dict[str, Any]]) -> dict[str, Any]:
        counts = {s: sum(1 for r in group if r["status"] == s) for s in _judge.STATUSES}
        viable = counts["killed"] + counts["survived"] + counts["timeout"]
        caught = counts["killed"] + counts["timeout"]
        return {**counts, "viable": viable, "caught": caught,
                "score": round(caught / viable, 4) if viable else None}

    by_file: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_file.setdefault(target.tree_file(result["file"]), []).append(result)
    modules: dict[str, list[dict[str, Any]]] = {}
    if options.covers_of_file is not None:
        for rust_file, group in by_file.items():
            for covers in options.covers_of_file(rust_file):
                modules.setdefault(covers, []).extend(group)
    viable_results = [r for r in results if r["status"] != _judge.UNVIABLE]
    return {
        "format": RESULTS_FORMAT,
        "tool": f"cargo-mutants {CARGO_MUTANTS_VERSION}",
        "target": {"kind": target.kind, "tree": str(Path(target.tree.relative_to(target.copy)))},
        "cases": list(options.cases), "all_cases": options.all_cases, "cases_hash": cases_hash(options),
        "seed": seed, "sample": wanted, "listed": listed, "tried": len(results), "viable": len(viable_results),
        "complete": len(viable_results) >= wanted, "stopped": stopped,
        "baseline": {"key": baseline["key"], "items": len(baseline["records"]), "unstable": baseline["unstable"],
                     "case_seconds": round(baseline["case_seconds"], 3)},
        "totals": score(results),
        "files": {name: score(group) for name, group in sorted(by_file.items())},
        "modules": {name: {**score(group), "rust_files": sorted({target.tree_file(r["file"]) for r in group})}
                    for name, group in sorted(modules.items())},
        "mutants": results,
        "survivors": [r for r in results if r["status"] == _judge.SURVIVED],
    }
