"""Which Rust functions the parity cases reach: ``mutants --parity-coverage``.

The Rust side is built with ``-C instrument-coverage`` in a copy and a
cache of its own (never mixed with the normal or the mutants build); every
case file runs in its own pytest process with its own ``LLVM_PROFILE_FILE``
(the PyO3 extension and every worker or CLI process it starts write their
profiles there), so each function's *reaching cases* are the case files
whose profile counts it.  The profiles are merged with ``llvm-profdata``
and read with ``llvm-cov export`` from the rustup ``llvm-tools`` component
(whose LLVM is rustc's own).  A function is named by its source line: the
``fn`` definition at or just before its first coverage region, so no
demangler is needed; *public* means declared ``pub fn``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import atomic_write
from ..progress import Progress
from .listing import MutantsError
from .run import Options, run_cases
from .targets import Target

TOOL = "llvm-cov"
FN_DEF = re.compile(r"^\s*(?P<pub>pub(?:\([^)]*\))?\s+)?(?:(?:const|async|unsafe|extern\s+\"[^\"]*\")\s+)*fn\s+"
                    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)")
IMPL = re.compile(r"^\s*impl(?:<[^>]*>)?\s+(?:[A-Za-z0-9_:<>, ]+\s+for\s+)?(?P<type>[A-Za-z_][A-Za-z0-9_]*)")


def llvm_tool(name: str) -> str:
    """``llvm-profdata`` / ``llvm-cov`` of rustc's own LLVM (rustup's llvm-tools), or a clear error."""
    try:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True,
                                 check=True).stdout.strip()
        host = next(line.split(": ", 1)[1] for line in subprocess.run(
            ["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.splitlines()
            if line.startswith("host: "))
    except (OSError, subprocess.CalledProcessError, StopIteration) as error:
        raise MutantsError(f"cannot ask rustc for its sysroot ({error}); is the Rust toolchain installed?") from None
    path = Path(sysroot) / "lib" / "rustlib" / host / "bin" / name
    if not path.is_file():
        raise MutantsError(f"{name} is not installed for this toolchain ({path}): run `rustup component add "
                           "llvm-tools` (`make setup` does)")
    return str(path)


@dataclasses.dataclass
class RustFunction:
    file: str  # relative to the Cargo tree
    name: str  # `Type::name` inside an impl, else `name`
    line: int
    public: bool


def functions_of(source: str, file: str) -> list[RustFunction]:
    """The ``fn`` definitions of one Rust file, by line (``impl`` blocks give the type prefix)."""
    found, current_impl, impl_depth, depth = [], None, None, 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.split("//", 1)[0]
        impl = IMPL.match(stripped)
        if impl and impl_depth is None:
            current_impl, impl_depth = impl.group("type"), depth
        match = FN_DEF.match(stripped)
        if match:
            name = f"{current_impl}::{match.group('name')}" if current_impl else match.group("name")
            found.append(RustFunction(file, name, number, bool(match.group("pub"))))
        depth += stripped.count("{") - stripped.count("}")
        if impl_depth is not None and depth <= impl_depth and "}" in stripped:
            current_impl, impl_depth = None, None
    return found


def _owner(functions: Sequence[RustFunction], line: int) -> RustFunction | None:
    """The function whose definition is at or just before ``line`` (a region starts at the signature or body)."""
    best = None
    for function in functions:
        if function.line <= line and (best is None or function.line > best.line):
            best = function
    return best if best is not None and line - best.line <= 40 else None


def export(profdata: Path, objects: Sequence[Path]) -> dict[str, Any]:
    argv = [llvm_tool("llvm-cov"), "export", "-format=text", f"-instr-profile={profdata}", str(objects[0])]
    for extra in objects[1:]:
        argv += ["-object", str(extra)]
    process = subprocess.run(argv, capture_output=True, text=True)
    if process.returncode != 0:
        raise MutantsError(f"llvm-cov export failed: {process.stderr.strip()[:800]}")
    return json.loads(process.stdout)


def merge(profiles: Sequence[Path], out: Path) -> Path | None:
    if not profiles:
        return None
    process = subprocess.run([llvm_tool("llvm-profdata"), "merge", "-sparse", *map(str, profiles), "-o", str(out)],
                             capture_output=True, text=True)
    if process.returncode != 0:
        raise MutantsError(f"llvm-profdata merge failed: {process.stderr.strip()[:800]}")
    return out


def reached_lines(document: dict[str, Any], tree: Path) -> dict[str, set[int]]:
    """Per tree file, the start lines of the function regions that ran at least once."""
    reached: dict[str, set[int]] = {}
    for data in document.get("data", []):
        for function in data.get("functions", []):
            if not function.get("count") or not function.get("regions") or not function.get("filenames"):
                continue
            rel = _tree_relative(function["filenames"][0], tree)
            if rel is not None:
                reached.setdefault(rel, set()).add(int(function["regions"][0][0]))
    return reached


def _tree_relative(filename: str, tree: Path) -> str | None:
    try:
        return str(Path(filename).resolve().relative_to(tree.resolve()))
    except ValueError:
        return None


def case_files(project: Path, paths: Sequence[str]) -> list[str]:
    """The case files under the selected paths (``_support`` and private modules excluded)."""
    found = []
    for rel in paths:
        path = project / rel
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for candidate in candidates:
            parts = candidate.relative_to(project).parts
            if not any(part.startswith("_") for part in parts):
                found.append(str(candidate.relative_to(project)))
    return sorted(set(found))


def run_coverage(options: Options, target: Target, objects_for: "callable", say=print) -> dict[str, Any]:
    """Build instrumented, run each case file with its own profile, and say which functions each reaches."""
    changed = target.prepare()
    if changed:
        say(f"coverage copy {target.copy}: {changed} file(s) synced")
    say("coverage: building the instrumented copy (-C instrument-coverage)")
    target.build(options.build_timeout, options.work / "logs" / "coverage-build.log")
    objects = [p for p in objects_for() if p.is_file()]
    if not objects:
        raise MutantsError("the instrumented build produced no object to read coverage from")
    profiles_dir = options.work / "profiles"
    files = case_files(options.project, options.cases)
    per_case: dict[str, Path] = {}
    progress = Progress("coverage", total=len(files), unit="case files", stream=sys.stderr)
    for index, case_file in enumerate(files):
        directory = profiles_dir / f"{index:03d}"
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.profraw"):
            stale.unlink()
        target.extra_case_env = {"LLVM_PROFILE_FILE": str(directory / "%p-%m.profraw")}
        run_cases(options, target, [case_file], options.work / "runs" / f"coverage-{index:03d}", None)
        merged = merge(sorted(directory.glob("*.profraw")), directory / "case.profdata")
        if merged is not None:
            per_case[case_file] = merged
        progress.advance(case_file)
    progress.finish("done")
    target.extra_case_env = {}
    everything = merge(list(per_case.values()), profiles_dir / "all.profdata")
    if everything is None:
        raise MutantsError("no case file wrote a coverage profile: the cases never loaded the instrumented build")
    whole = export(everything, objects)
    reach: dict[str, dict[str, set[int]]] = {c: reached_lines(export(p, objects), target.tree)
                                             for c, p in per_case.items()}
    return summarise(whole, reach, target)


def summarise(whole: dict[str, Any], reach: dict[str, dict[str, set[int]]], target: Target) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for data in whole.get("data", []):
        for entry in data.get("files", []):
            rel = _tree_relative(entry["filename"], target.tree)
            if rel is None:
                continue
            lines = entry.get("summary", {}).get("lines", {})
            files[rel] = {"lines": {"covered": lines.get("covered", 0), "total": lines.get("count", 0),
                                    "percent": round(lines.get("percent", 0.0), 2)}, "functions": {}}
    for rel in sorted(files):
        source = target.tree / rel
        functions = functions_of(source.read_text("utf-8", errors="replace"), rel) if source.is_file() else []
        table = {}
        for function in functions:
            table.setdefault(function.name, {"line": function.line, "public": function.public, "reached_by": []})
        for case_file, reached in reach.items():
            for line in reached.get(rel, ()):
                owner = _owner(functions, line)
                if owner is not None and case_file not in table[owner.name]["reached_by"]:
                    table[owner.name]["reached_by"].append(case_file)
        files[rel]["functions"] = table
    unreached = sorted(f"{rel}::{name}" for rel, entry in files.items() for name, fn in entry["functions"].items()
                       if fn["public"] and not fn["reached_by"])
    return {"format": 1, "tool": TOOL, "files": files, "unreached_public": unreached}


def quality_fields(doc: dict[str, Any], covers_of_file, tree_file) -> dict[str, dict[str, Any]]:
    """``modules[covers].rust_coverage`` for :func:`report.attach_quality` (lines, and the unreached public fns)."""
    fields: dict[str, dict[str, Any]] = {}
    for rel, entry in doc["files"].items():
        for covers in covers_of_file(tree_file(rel)) if covers_of_file else []:
            field = fields.setdefault(covers, {"covered": 0, "total": 0, "tool": TOOL, "unreached": []})
            field["covered"] += entry["lines"]["covered"]
            field["total"] += entry["lines"]["total"]
            field["unreached"] += [f"{rel}::{n}" for n, fn in entry["functions"].items()
                                   if fn["public"] and not fn["reached_by"]]
    return fields


def markdown(doc: dict[str, Any]) -> str:
    out = ["# Rust coverage of the parity cases", "",
           f"{len(doc['unreached_public'])} public Rust functions no case reaches.", "",
           "| file | lines covered | public functions reached |", "|---|---:|---:|"]
    for rel, entry in sorted(doc["files"].items()):
        public = [fn for fn in entry["functions"].values() if fn["public"]]
        out.append(f"| `{rel}` | {entry['lines']['covered']}/{entry['lines']['total']} ({entry['lines']['percent']} %) "
                   f"| {sum(1 for fn in public if fn['reached_by'])}/{len(public)} |")
    out += ["", "## Rust functions no case reaches", ""] + [f"- `{name}`" for name in doc["unreached_public"]]
    out += ["", "## Public functions and the case files that reach them", ""]
    for rel, entry in sorted(doc["files"].items()):
        for name, fn in sorted(entry["functions"].items(), key=lambda item: item[1]["line"]):
            if fn["public"]:
                out.append(f"- `{rel}:{fn['line']}` `{name}`: {', '.join(fn['reached_by']) or '**none**'}")
    return "\n".join(out) + "\n"


def write(out: Path, doc: dict[str, Any]) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "coverage.json", "md": out / "coverage.md"}
    atomic_write(paths["json"], (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())
    atomic_write(paths["md"], markdown(doc).encode())
    return paths


def instrumented_env() -> dict[str, str]:
    """RUSTFLAGS for an instrumented build (the caller's own flags kept)."""
    flags = os.environ.get("RUSTFLAGS", "")
    return {"RUSTFLAGS": (flags + " -C instrument-coverage").strip()}
