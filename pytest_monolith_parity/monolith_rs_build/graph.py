"""What one bindings build compiles, from ``cargo metadata``: the checkout crates with their features, and how many units.

The API facts (``build.rs`` of the bindings, :mod:`parity_api_scan`) need each
checkout crate's *enabled features* -- an item behind ``#[cfg(feature =
"zookeeper")]`` exists only when cargo enables that feature -- and only cargo's
resolver knows them.  The same graph gives the progress line its total: one
unit per package the bindings depend on (normal and build dependencies), one
more for each build script.  Cargo may compile a few packages twice (for the
host and the target), so the total is an estimate and shown as ``~N``.
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
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes.get(pid, {}).get("deps", []):
            kinds = [k.get("kind") for k in dep.get("dep_kinds", [{"kind": None}])]
            if any(kind != "dev" for kind in kinds):
                pending.append(dep["pkg"])
    root = checkout_rs.resolve()
    crates = []
    units = 0
    for pid in sorted(seen):
        info = packages[pid]
        units += 1 + any("custom-build" in t["kind"] for t in info.get("targets", []))
        manifest = Path(info["manifest_path"]).resolve()
        lib = _lib_name(info)
        if lib and manifest.is_relative_to(root):
            crates.append(CheckoutCrate(lib, manifest.parent, tuple(sorted(nodes.get(pid, {}).get("features", [])))))
    return BuildGraph(crates=tuple(sorted(crates, key=lambda c: c.lib)), units=units)
