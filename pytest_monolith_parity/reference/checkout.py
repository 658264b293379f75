"""The monolith checkout the reference runs from: located, validated, described.

The location is always configuration (``settings.monolith_root``); this
module only checks that it looks like a checkout -- ``monolith/`` (the
Python reference), ``idl/`` (protos it imports) and ``monolith-rs/`` (the
port) -- so a wrong path fails once, early, with the fix, instead of as a
confusing ImportError in the middle of a run.  Pytest-free.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

REQUIRED = {
    "monolith": "the Python reference package (monolith/__init__.py, monolith/native_training/...)",
    "idl": "the shared protos (idl/matrix/proto/*.proto)",
    "monolith-rs": "the Rust port (monolith-rs/Cargo.toml, monolith-rs/crates/...)",
}


class CheckoutError(ValueError):
    """The configured monolith root is not a usable checkout; the message says what is missing and the fix."""


@dataclasses.dataclass(frozen=True)
class Checkout:
    """A validated checkout root and its revision."""

    root: Path
    revision: str

    @property
    def monolith_dir(self) -> Path:
        return self.root / "monolith"

    @property
    def idl_dir(self) -> Path:
        return self.root / "idl"

    @property
    def rust_dir(self) -> Path:
        return self.root / "monolith-rs"

    @classmethod
    def open(cls, root: str | Path | None) -> "Checkout":
        """Validate ``root``; raise :class:`CheckoutError` naming each missing piece."""
        if root is None or str(root).strip() == "":
            raise CheckoutError(
                "no monolith checkout configured: set MONOLITH_ROOT, pass --monolith-root, or add "
                "monolith_root = \"/path/to/checkout\" under [tool.monolith_parity] in pyproject.toml")
        path = Path(root).expanduser()
        if not path.is_dir():
            raise CheckoutError(f"monolith root {path} does not exist or is not a directory; "
                                "point MONOLITH_ROOT / --monolith-root at the checkout that holds monolith/, idl/ "
                                "and monolith-rs/")
        path = path.resolve()
        missing = [name for name in REQUIRED if not (path / name).is_dir()]
        if missing:
            details = "; ".join(f"{path / name}/ is missing (expected {REQUIRED[name]})" for name in missing)
            hint = ""
            for candidate in (path.parent, *[p for p in path.iterdir() if p.is_dir()][:50]):
                if all((candidate / name).is_dir() for name in REQUIRED):
                    hint = f"; {candidate} looks like a checkout, did you mean it?"
                    break
            raise CheckoutError(f"{path} is not a monolith checkout: {details}. Point MONOLITH_ROOT / "
                                f"--monolith-root at the directory that holds all of monolith/, idl/ and monolith-rs/"
                                f"{hint}")
        return cls(root=path, revision=git_revision(path))

    def python_files(self) -> list[str]:
        """Every ``*.py`` under ``monolith/``, as sorted checkout-relative POSIX paths."""
        return sorted(p.relative_to(self.root).as_posix() for p in self.monolith_dir.rglob("*.py") if p.is_file())

    def proto_files(self) -> list[str]:
        """Every ``.proto`` of the reference (``idl/**`` and ``monolith/**``), checkout-relative."""
        found = [p for base in (self.idl_dir, self.monolith_dir) for p in base.rglob("*.proto") if p.is_file()]
        return sorted(p.relative_to(self.root).as_posix() for p in found)

    def describe(self) -> str:
        return f"{self.root} (revision {self.revision})"


def git_revision(path: Path) -> str:
    """``git rev-parse HEAD`` when ``path`` is the top of a git work tree, else ``"unknown"``.

    A checkout copied into some other repository's tree is not that
    repository's revision, hence the top-level check.
    """
    try:
        result = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel", "HEAD"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2:
        return "unknown"
    try:
        if Path(lines[0]).resolve() != path.resolve():
            return "unknown"
    except OSError:
        return "unknown"
    return lines[1]
