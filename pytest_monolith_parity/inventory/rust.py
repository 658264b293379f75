"""Where each Python file lives in monolith-rs, established from the checkout rather than guessed.

Two sources, both read from the checkout:

* ``monolith-rs/PYTHON_PARITY_MASTER_PLAN.md``: its line-level inventory
  table says where the port *plans* each file (a crate, a file, or ``N/A``);
* the crates themselves: their ``src/**.rs`` and ``tests/*.rs`` file names and
  ``pub`` items.

A mapping is recorded as ``mapped`` only when a Rust file exists whose module
name matches the Python module (preferring the plan's crate and a mirrored
directory), or the plan names a file that exists.  Symbols are matched by
name within that file (``class Foo`` -> ``pub struct/enum/trait Foo``,
``def foo`` -> ``pub fn foo``): a name match, not a proof of behaviour --
that is what parity cases are for.  Everything else is ``unmapped`` with
the reason, or ``N/A`` with the plan's justification.  Pytest-free.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import PurePosixPath
from typing import Any

from ..reference.checkout import Checkout
from .scan import SourceFacts

PLAN = "monolith-rs/PYTHON_PARITY_MASTER_PLAN.md"
_PLAN_ROW = re.compile(r"^\|\s*\[?`(?P<path>monolith/[^`]+?\.py)`\]?(?:\([^)]*\))?\s*\|\s*(?P<lines>\d+)\s*\|"
                       r"(?P<status>[^|]*)\|(?P<mapping>[^|]*)\|(?P<notes>.*)\|\s*$")
_PUB_TYPE = re.compile(r"^\s*pub(?:\([^)]*\))?\s+(?:struct|enum|trait|type|union)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
_PUB_FN = re.compile(r"^\s*pub(?:\([^)]*\))?\s+(?:async\s+)?(?:const\s+)?(?:unsafe\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
_PUB_CONST = re.compile(r"^\s*pub(?:\([^)]*\))?\s+(?:const|static)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
_CRATE = re.compile(r"crates/(monolith-[A-Za-z0-9_-]+)")
_RS_FILE = re.compile(r"(crates/monolith-[A-Za-z0-9_-]+/[A-Za-z0-9_./-]+\.rs)")
# Module names too common to map across crates without the plan's say-so.
GENERIC = {"utils", "util", "constants", "config", "error", "lib", "mod", "main", "types", "common", "test_utils",
           "testing_utils", "__init__", "data", "model", "feature", "input", "entry", "estimator", "layers", "ops",
           "dense", "hooks"}


@dataclasses.dataclass
class RustFile:
    crate: str
    rel: str  # checkout-relative path
    module: str  # crate_ident::a::b ("" for integration tests and binaries)
    stem: str
    is_test: bool
    types: set[str]
    functions: set[str]
    consts: set[str]


@dataclasses.dataclass
class RustWorkspace:
    crates: list[str]
    files: list[RustFile]
    plan: dict[str, dict[str, str]]  # python path -> {"mapping": ..., "status": ..., "notes": ...}
    plan_found: bool

    def by_stem(self, stem: str) -> list[RustFile]:
        return [f for f in self.files if f.stem == stem]

    def file(self, rel: str) -> RustFile | None:
        return next((f for f in self.files if f.rel == rel), None)


def _module_path(crate: str, rel_in_crate: PurePosixPath) -> str:
    ident = crate.replace("-", "_")
    parts = list(rel_in_crate.parts)
    if not parts or parts[0] != "src":
        return ""
    parts = parts[1:]
    if parts and parts[0] == "bin":
        return ""
    if parts[-1] in {"lib.rs", "main.rs", "mod.rs"}:
        parts = parts[:-1]
    else:
        parts[-1] = parts[-1][: -len(".rs")]
    return "::".join([ident, *parts])


def load_workspace(checkout: Checkout) -> RustWorkspace:
    crates_dir = checkout.rust_dir / "crates"
    crates = sorted(p.name for p in crates_dir.iterdir() if p.is_dir() and (p / "Cargo.toml").is_file()) \
        if crates_dir.is_dir() else []
    files: list[RustFile] = []
    for crate in crates:
        root = crates_dir / crate
        for path in sorted(root.rglob("*.rs")):
            rel_in_crate = PurePosixPath(path.relative_to(root).as_posix())
            if rel_in_crate.parts[0] not in {"src", "tests", "benches", "examples"}:
                continue
            text = path.read_text("utf-8", errors="replace")
            stem = path.stem if path.name != "mod.rs" else path.parent.name
            files.append(RustFile(
                crate=crate, rel=path.relative_to(checkout.root).as_posix(), module=_module_path(crate, rel_in_crate),
                stem=stem, is_test=rel_in_crate.parts[0] in {"tests", "benches"},
                types=set(_PUB_TYPE.findall(text)), functions=set(_PUB_FN.findall(text)),
                consts=set(_PUB_CONST.findall(text))))
    plan_path = checkout.root / PLAN
    plan: dict[str, dict[str, str]] = {}
    if plan_path.is_file():
        for line in plan_path.read_text("utf-8", errors="replace").splitlines():
            match = _PLAN_ROW.match(line)
            if match and match["path"] not in plan:
                plan[match["path"]] = {"mapping": match["mapping"].strip(), "status": match["status"].strip(),
                                       "notes": match["notes"].strip()}
    return RustWorkspace(crates=crates, files=files, plan=plan, plan_found=plan_path.is_file())


def _mirrors(python_path: str, rust: RustFile) -> float:
    """How many directory names the Python path and the Rust file share, plus half for the same parent (a tie-breaker)."""
    python_parts = PurePosixPath(python_path).parts
    rust_parts = PurePosixPath(rust.rel).parts
    rust_dirs = (set(rust_parts[3:-1]) - {"src", "tests"}) | {rust.crate.removeprefix("monolith-")}
    same_parent = len(python_parts) > 2 and len(rust_parts) > 4 and python_parts[-2] == rust_parts[-2]
    return len(set(python_parts[1:-1]) & rust_dirs) + (0.5 if same_parent else 0.0)


def _symbols(facts: SourceFacts, rust: RustFile) -> dict[str, str]:
    prefix = rust.module or rust.rel
    found: dict[str, str] = {}
    for name in facts.classes:
        if name in rust.types:
            found[name] = f"{prefix}::{name}"
    for name in facts.functions:
        if not name.startswith("_") and name in rust.functions:
            found[name] = f"{prefix}::{name}"
    for name in facts.constants:
        if name in rust.consts:
            found[name] = f"{prefix}::{name}"
    return dict(sorted(found.items()))


def derive(facts: SourceFacts, workspace: RustWorkspace) -> dict[str, Any]:
    """The derived ``rust`` table of one inventory entry (``source = "derived"``)."""
    if facts.kind == "bzl":
        return {"status": "N/A", "source": "derived",
                "reason": "Bazel workspace definitions (external repositories for the Bazel build); monolith-rs "
                          "builds with Cargo, whose Cargo.toml dependencies take their place"}
    if facts.kind == "patch":
        return {"status": "N/A", "source": "derived",
                "reason": "patches the C++/Bazel sources of a TensorFlow dependency; monolith-rs does not build or "
                          "link TensorFlow (PYTHON_PARITY_MASTER_PLAN.md: no vendoring of the TF runtime)"}
    plan = workspace.plan.get(facts.path, {})
    plan_text = plan.get("mapping", "")
    stem = PurePosixPath(facts.path).stem
    if stem == "__init__":
        if facts.code_statements == 0:
            return {"status": "N/A", "source": "derived",
                    "reason": "package marker: only imports / re-exports (Rust declares modules and re-exports in "
                              "each crate's lib.rs)" if facts.lines else "empty package marker"}
        return {"status": "unmapped", "source": "derived",
                "reason": "unmapped: package __init__ with side effects at import; no Rust counterpart found"}
    wanted = stem
    if facts.subject:  # a test: look for the Rust tests of its subject
        wanted = stem[: -len("_test")]
    plan_crates = set(_CRATE.findall(plan_text))
    named = [workspace.file(rel) for rel in (f"monolith-rs/{p}" for p in _RS_FILE.findall(plan_text))]
    named = [f for f in named if f is not None and (f.is_test == bool(facts.subject))]
    if facts.subject:
        candidates = [f for f in workspace.files if f.is_test and f.stem in
                      {wanted, f"{wanted}_test", f"{wanted}_parity", f"{wanted}_tests"}]
    else:
        candidates = [f for f in workspace.by_stem(wanted) if not f.is_test and f.module]
    in_plan = [f for f in candidates if f.crate in plan_crates]
    chosen: RustFile | None = None
    how = ""
    if len(named) == 1:
        chosen, how = named[0], f"file named by {PLAN}"
    elif in_plan:
        best = max(_mirrors(facts.path, f) for f in in_plan)
        top = [f for f in in_plan if _mirrors(facts.path, f) == best]
        if len(top) == 1:
            chosen, how = top[0], f"module name match in the crate {PLAN} assigns"
    elif candidates and wanted not in GENERIC:
        best = max(_mirrors(facts.path, f) for f in candidates)
        top = [f for f in candidates if _mirrors(facts.path, f) == best]
        if len(top) == 1:
            chosen, how = top[0], "module name match (the only Rust module of that name)"
    if chosen is not None:
        entry: dict[str, Any] = {"status": "mapped", "source": "derived", "crate": chosen.crate,
                                 "file": chosen.rel, "reason": how}
        if chosen.module:
            entry["module"] = chosen.module
        symbols = _symbols(facts, chosen)
        if symbols:
            entry["symbols"] = symbols
        public = [n for n in facts.symbols if not n.startswith("_") and n not in facts.constants]
        if not symbols and len(public) >= 3 and not facts.subject:
            entry["reason"] += f"; none of its {len(public)} public names has a same-named pub item there (verify)"
        return entry
    if plan_text.upper().startswith("N/A"):
        return {"status": "N/A", "source": "derived", "reason": f"{PLAN} says {plan_text}"}
    if not plan_text:
        reason = "unmapped: no Rust counterpart found" + ("" if workspace.plan_found else f" ({PLAN} is missing)")
    else:
        missing = sorted(c for c in plan_crates if c not in workspace.crates)
        if missing:
            reason = (f"unmapped: no Rust counterpart found; the plan assigns {', '.join(missing)}, which does not "
                      "exist in this checkout")
        elif len(candidates) > 1:
            reason = ("unmapped: ambiguous, several Rust modules are named like it: "
                      + ", ".join(f.rel.removeprefix("monolith-rs/") for f in candidates[:4]))
        else:
            kind = "test file" if facts.subject else f"module named `{wanted}`"
            reason = f"unmapped: no Rust counterpart found (the plan assigns `{plan_text}`; no {kind} there)"
    return {"status": "unmapped", "source": "derived", "reason": reason}


def plan_mapping(facts: SourceFacts, workspace: RustWorkspace) -> str:
    """What the plan says for this file, verbatim (empty when it says nothing)."""
    return workspace.plan.get(facts.path, {}).get("mapping", "")


def resolve_collisions(entries: dict[str, dict[str, Any]]) -> None:
    """Two Python files matched to one Rust file by name alone: keep the one whose directories it mirrors.

    ``entries`` maps a Python path to its derived ``rust`` table and is
    changed in place; mappings named by the plan are left alone.
    """
    groups: dict[str, list[str]] = {}
    for path, table in entries.items():
        if table.get("source") == "derived" and table.get("status") == "mapped" and \
                str(table.get("reason", "")).startswith("module name match"):
            groups.setdefault(table["file"], []).append(path)
    for rust_file, paths in groups.items():
        if len(paths) < 2:
            continue
        crate = PurePosixPath(rust_file).parts[2]
        probe = RustFile(crate=crate, rel=rust_file, module="", stem="", is_test=False, types=set(),
                         functions=set(), consts=set())
        scores = {path: _mirrors(path, probe) for path in paths}
        best = max(scores.values())
        winners = [path for path, score in scores.items() if score == best]
        for path in paths:
            if len(winners) == 1 and path == winners[0]:
                continue
            others = ", ".join(f"`{p}`" for p in paths if p != path)
            entries[path] = {"status": "unmapped", "source": "derived",
                             "reason": f"unmapped: ambiguous, `{rust_file.removeprefix('monolith-rs/')}` is named like "
                                       f"it but also like {others}" + (" (which mirrors its directories better)"
                                                                         if len(winners) == 1 else "")}
