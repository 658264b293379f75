"""What one bindings build compiles, from ``cargo metadata``: the checkout crates with their features, and how many units.

The API facts (``build.rs`` of the bindings, :mod:`parity_api_scan`) need each
checkout crate's *enabled features* -- an item behind ``#[cfg(feature =
"zookeeper")]`` exists only when cargo enables that feature -- and only cargo's
resolver knows them.  The same graph gives the progress line its total: one
unit per package compiled for the target (the bindings' normal dependencies),
one per package compiled for the host (build dependencies, proc macros and
what they depend on -- a package needed on both sides is compiled twice), and
one per build script.  Profiles can still merge or split a few units, so the
total is an estimate and shown as ``~N``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any


@dataclasses.dataclass(frozen=True)
class CheckoutCrate:
    lib: str  # the library name: monolith_training
    directory: Path
    features: tuple[str, ...]

    def line(self) -> str:
        return f"{self.lib}\t{self.directory}\t{','.join(self.features)}"


@dataclasses.dataclass(frozen=True)
class BuildGraph:
    crates: tuple[CheckoutCrate, ...]
    units: int

    def api_crates_text(self) -> str:
        """The file ``$MONOLITH_PARITY_API_CRATES`` names for the bindings' build script."""
        header = "# lib\tdirectory\tenabled features (written by pytest_monolith_parity.monolith_rs_build)\n"
        return header + "".join(crate.line() + "\n" for crate in self.crates)


def _lib_name(package: Mapping[str, Any]) -> str | None:
    for target in package.get("targets", []):
        if any(kind in ("lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro") for kind in target["kind"]):
            return target["name"].replace("-", "_")
    return None


def analyse(meta: Mapping[str, Any], package: str, checkout_rs: Path) -> BuildGraph:
    """The part of the resolved graph that ``cargo build -p package`` compiles."""
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in (meta.get("resolve") or {}).get("nodes", [])}
    roots = [pid for pid in meta.get("workspace_members", []) if packages[pid]["name"] == package]
    if not roots:
        raise KeyError(f"cargo metadata has no workspace member {package!r}")

    def is_proc_macro(pid: str) -> bool:
        return any("proc-macro" in t["kind"] for t in packages[pid].get("targets", []))

    # (package, compiled for the host?) -- build dependencies and proc macros, and all they need, are host units
    seen: set[tuple[str, bool]] = set()
    pending = [(pid, False) for pid in roots]
    while pending:
        pid, host = pending.pop()
        host = host or is_proc_macro(pid)
        if (pid, host) in seen:
            continue
        seen.add((pid, host))
        for dep in nodes.get(pid, {}).get("deps", []):
            kinds = {k.get("kind") for k in dep.get("dep_kinds", [{"kind": None}])}
            if None in kinds:
                pending.append((dep["pkg"], host))
            if "build" in kinds:
                pending.append((dep["pkg"], True))
    packages_built = {pid for pid, _ in seen}
    root = checkout_rs.resolve()
    crates = []
    units = len(seen) + sum(any("custom-build" in t["kind"] for t in packages[pid].get("targets", []))
                            for pid in packages_built)
    for pid in sorted(packages_built):
        info = packages[pid]
        manifest = Path(info["manifest_path"]).resolve()
        lib = _lib_name(info)
        if lib and manifest.is_relative_to(root):
            crates.append(CheckoutCrate(lib, manifest.parent, tuple(sorted(nodes.get(pid, {}).get("features", [])))))
    return BuildGraph(crates=tuple(sorted(crates, key=lambda c: c.lib)), units=units)
