"""Checkout-relative paths and per-call scratch directories for the top-level modules' cases."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from pytest_monolith_parity.helpers import checkout_root

CHECKOUT = "<checkout>"


def portable(path: str) -> str:
    """``path`` with the checkout root written as ``<checkout>``: a lossless rewrite (the root is known), so
    goldens do not depend on where the checkout lives; any other path is returned unchanged."""
    root = str(checkout_root())
    if path == root or path.startswith(root + os.sep):
        return CHECKOUT + path[len(root):]
    return path


def scratch(prefix: str) -> Path:
    """A new empty directory for one call, removed when the process exits."""
    directory = tempfile.mkdtemp(prefix=f"parity-{prefix}-")
    atexit.register(shutil.rmtree, directory, True)
    return Path(directory)


def write_tree(root: Path, tree: dict) -> None:
    """Create ``{relative path: bytes | str | None}`` under ``root``; ``None`` is an empty directory."""
    for relpath, content in tree.items():
        path = root / relpath
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


_MAIN_DIRS: dict[bool, Path] = {}


def fake_main_dir(with_monolith: bool) -> Path:
    """A directory that is not the checkout, with or without a ``monolith/`` subdirectory (one per process)."""
    if with_monolith not in _MAIN_DIRS:
        directory = scratch("main-dir")
        if with_monolith:
            (directory / "monolith").mkdir()
        _MAIN_DIRS[with_monolith] = directory
    return _MAIN_DIRS[with_monolith]


def main_dir_env(mode: str | None) -> dict[str, str | None]:
    """``MONOLITH_MAIN_DIR`` for a case: ``None`` unset, ``"checkout"`` the checkout root, ``"fake"`` /
    ``"fake_without_monolith"`` a directory of :func:`fake_main_dir`, anything else that literal text."""
    if mode is None:
        return {"MONOLITH_MAIN_DIR": None}
    if mode == "checkout":
        return {"MONOLITH_MAIN_DIR": str(checkout_root())}
    if mode in ("fake", "fake_without_monolith"):
        return {"MONOLITH_MAIN_DIR": str(fake_main_dir(mode == "fake"))}
    return {"MONOLITH_MAIN_DIR": mode}


def portable_main(path: str) -> str:
    """:func:`portable`, also writing the fake main directories as ``<fake main dir>``."""
    for directory in _MAIN_DIRS.values():
        if path == str(directory) or path.startswith(str(directory) + os.sep):
            return "<fake main dir>" + path[len(str(directory)):]
    return portable(path)
