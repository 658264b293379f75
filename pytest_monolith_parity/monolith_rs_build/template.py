"""The bindings crate's manifest template (``rust_bindings/bindings.toml``).

The template is a Cargo manifest that names no checkout: ``workspace =
true`` dependencies are resolved against whichever checkout is built
(:mod:`.overlay`), and ``[lib] path`` is filled in with the template's own
``src/lib.rs``.  Keeping checkout paths out of the repository is the point.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from .workspace import RustSetupError, read_toml

TEMPLATE_NAME = "bindings.toml"
ENV_BINDINGS = "MONOLITH_PARITY_RUST_BINDINGS"


def default_bindings_dir() -> Path:
    """``$MONOLITH_PARITY_RUST_BINDINGS``, else ``rust_bindings/`` next to this package (a source checkout)."""
    if os.environ.get(ENV_BINDINGS):
        return Path(os.environ[ENV_BINDINGS]).expanduser()
    return Path(__file__).resolve().parents[2] / "rust_bindings"


@dataclasses.dataclass(frozen=True)
class BindingsTemplate:
    directory: Path
    manifest: dict[str, Any]

    @classmethod
    def load(cls, directory: str | Path | None = None) -> "BindingsTemplate":
        directory = Path(directory).expanduser().resolve() if directory else default_bindings_dir().resolve()
        template = directory / TEMPLATE_NAME
        if not template.is_file():
            raise RustSetupError(
                f"no bindings template at {template}: the PyO3 bindings crate lives in rust_bindings/ of a "
                f"pytest-monolith-parity source checkout; pass --bindings-dir or set {ENV_BINDINGS}")
        manifest = read_toml(template)
        if not (directory / "src" / "lib.rs").is_file():
            raise RustSetupError(f"{directory}/src/lib.rs does not exist; the bindings crate needs it")
        for table in ("package", "lib"):
            if table not in manifest:
                raise RustSetupError(f"{template} has no [{table}] table; see docs/rust-bindings.md")
        for name in ("name",):
            if name not in manifest["lib"] or name not in manifest["package"]:
                raise RustSetupError(f"{template}: [package] and [lib] both need a name")
        if "path" in manifest["lib"]:
            raise RustSetupError(f"{template}: remove [lib] path; the build sets it to {directory}/src/lib.rs")
        if "build" in manifest["package"]:
            raise RustSetupError(f"{template}: remove [package] build; the build uses {directory}/build.rs when "
                                 "it exists")
        return cls(directory=directory, manifest=manifest)

    @property
    def path(self) -> Path:
        return self.directory / TEMPLATE_NAME

    @property
    def package_name(self) -> str:
        return self.manifest["package"]["name"]

    @property
    def lib_name(self) -> str:
        return self.manifest["lib"]["name"]

    @property
    def abi3(self) -> bool:
        """Whether the extension uses the stable ABI (a pyo3 ``abi3*`` feature): decides its file name."""
        pyo3 = self.manifest.get("dependencies", {}).get("pyo3", {})
        return isinstance(pyo3, dict) and any(f.startswith("abi3") for f in pyo3.get("features", []))

    @property
    def build_script(self) -> Path | None:
        script = self.directory / "build.rs"
        return script if script.is_file() else None

    @property
    def features(self) -> dict[str, list[str]]:
        """``[features]``: one per monolith package (``agent_service``), naming the crates it enables."""
        return {name: list(items) for name, items in self.manifest.get("features", {}).items()}

    def sources(self) -> list[Path]:
        """Everything the bindings build reads from this directory: manifest, build script, sources, helpers."""
        return [self.directory]
