"""A checkout's monolith-rs Cargo workspace, read-only.

The overlay needs three things from it: where each crate lives, what a
``workspace = true`` dependency means there (the exact version spec, or the
path of a sibling crate), and which crate directories a build depends on
(their contents decide when a build is stale).  Nothing here writes into
the checkout.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..build_stamps import BuildError

DEPENDENCY_TABLES = ("dependencies", "build-dependencies")


class RustSetupError(BuildError):
    """The checkout or the bindings template cannot be turned into a build; the message says what to fix."""


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise RustSetupError(f"{path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise RustSetupError(f"{path} is not valid TOML ({error}); fix the file") from None


def normalize_spec(spec: Any) -> dict[str, Any]:
    """A dependency spec as a table: ``"1.0"`` -> ``{"version": "1.0"}``."""
    return {"version": spec} if isinstance(spec, str) else dict(spec)


def dependency_items(manifest: Mapping[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """``(table, name, spec)`` for every non-dev dependency, target-specific ones included."""
    for table in DEPENDENCY_TABLES:
        for name, spec in manifest.get(table, {}).items():
            yield table, name, normalize_spec(spec)
    for target in manifest.get("target", {}).values():
        for table in DEPENDENCY_TABLES:
            for name, spec in target.get(table, {}).items():
                yield table, name, normalize_spec(spec)


@dataclasses.dataclass(frozen=True)
class RustWorkspace:
    """``<monolith_root>/monolith-rs``: its root manifest and its crates."""

    root: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, monolith_root: str | Path) -> "RustWorkspace":
        root = Path(monolith_root).expanduser().resolve() / "monolith-rs"
        manifest_path = root / "Cargo.toml"
        if not manifest_path.is_file():
            raise RustSetupError(
                f"{manifest_path} does not exist: the monolith root must hold the Rust port in monolith-rs/ "
                "(a Cargo workspace). Point MONOLITH_ROOT / --monolith-root at the checkout that holds "
                "monolith/, idl/ and monolith-rs/")
        manifest = read_toml(manifest_path)
        if "workspace" not in manifest:
            raise RustSetupError(f"{manifest_path} has no [workspace] table; expected the monolith-rs workspace root")
        return cls(root=root, manifest=manifest)

    @property
    def monolith_root(self) -> Path:
        return self.root.parent

    @property
    def lockfile(self) -> Path | None:
        path = self.root / "Cargo.lock"
        return path if path.is_file() else None

    @property
    def workspace_dependencies(self) -> dict[str, Any]:
        return self.manifest["workspace"].get("dependencies", {})

    def inputs(self) -> list[Path]:
        """Workspace-level files a build reads besides the crates: manifest, lockfile, protos."""
        found = [self.root / "Cargo.toml"]
        if self.lockfile:
            found.append(self.lockfile)
        if (self.root / "proto").is_dir():  # monolith-proto's build.rs compiles ../../proto
            found.append(self.root / "proto")
        return found

    def crate_dir(self, name: str) -> Path:
        spec = self.workspace_dependencies.get(name)
        if isinstance(spec, Mapping) and "path" in spec:
            return (self.root / spec["path"]).resolve()
        candidate = self.root / "crates" / name
        if (candidate / "Cargo.toml").is_file():
            return candidate.resolve()
        raise RustSetupError(f"monolith-rs has no crate {name!r}: it is neither a path entry of "
                             f"[workspace.dependencies] in {self.root / 'Cargo.toml'} nor {candidate}/Cargo.toml. "
                             f"Fix the crate name in the bindings template; crates here: {', '.join(self.crate_names())}")

    def crate_names(self) -> list[str]:
        crates = self.root / "crates"
        return sorted(p.name for p in crates.iterdir() if (p / "Cargo.toml").is_file()) if crates.is_dir() else []

    def crate_manifest(self, name_or_dir: str | Path) -> dict[str, Any]:
        directory = Path(name_or_dir) if isinstance(name_or_dir, Path) else self.crate_dir(name_or_dir)
        return read_toml(directory / "Cargo.toml")

    def resolve(self, name: str, spec: Any, base_dir: Path, where: str) -> dict[str, Any]:
        """One dependency spec, made standalone: ``workspace = true`` expanded, paths absolute.

        ``base_dir`` is the directory relative paths in ``spec`` are relative to;
        ``where`` names the manifest in error messages.
        """
        spec = normalize_spec(spec)
        if spec.pop("workspace", False):
            if name not in self.workspace_dependencies:
                raise RustSetupError(
                    f"{where}: dependency {name!r} says `workspace = true`, but {self.root / 'Cargo.toml'} has no "
                    f"[workspace.dependencies] entry {name!r}; give it a version instead")
            inherited = normalize_spec(self.workspace_dependencies[name])
            if "path" in inherited:
                inherited["path"] = str((self.root / inherited["path"]).resolve())
            features = list(dict.fromkeys([*inherited.get("features", []), *spec.pop("features", [])]))
            inherited.update(spec)
            if features:
                inherited["features"] = features
            spec = inherited
        elif "path" in spec:
            spec["path"] = str((base_dir / spec["path"]).resolve())
        return spec

    def closure(self, crate_dirs: Iterable[Path]) -> list[Path]:
        """These crate directories and every path crate they depend on, transitively (sorted)."""
        pending = [Path(d).resolve() for d in crate_dirs]
        seen: set[Path] = set()
        while pending:
            directory = pending.pop()
            if directory in seen:
                continue
            seen.add(directory)
            where = str(directory / "Cargo.toml")
            for _table, name, spec in dependency_items(self.crate_manifest(directory)):
                resolved = self.resolve(name, spec, directory, where)
                if "path" in resolved:
                    pending.append(Path(resolved["path"]))
        return sorted(seen)

    def package_field(self, manifest: Mapping[str, Any], field: str, default: Any = None) -> Any:
        """``[package] field`` of a crate, ``{ workspace = true }`` taken from ``[workspace.package]``."""
        found = manifest.get("package", {}).get(field, default)
        if isinstance(found, Mapping) and found.get("workspace"):
            return self.manifest["workspace"].get("package", {}).get(field, default)
        return found
