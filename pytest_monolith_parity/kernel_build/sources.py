"""A library's files: its sources plus every header and proto they pull in from the tree, hashed and staged.

The cache key must change when any file that goes into the library
changes, so the quoted ``#include "..."`` (and proto ``import "..."``)
lines are followed transitively through the source tree.  Staging copies
exactly those files into the build directory, with :mod:`.patches`
applied, so the compiler never reads the checkout's unpatched files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from ..files import atomic_write
from . import patches as _patches

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
_PROTO_IMPORT = re.compile(r'^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;', re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class SourceFile:
    tree: str  # "checkout" or "own"
    rel: str
    path: Path


@dataclasses.dataclass
class SourceSet:
    files: list[SourceFile]
    missing: list[str]  # declared files that do not exist

    def digest(self) -> str:
        """Hash of what the compiler will read: every file as staged, i.e. after the patches."""
        digest = hashlib.sha256()
        for item in sorted(self.files, key=lambda f: (f.tree, f.rel)):
            digest.update(f"\0{item.tree}\0{item.rel}\0".encode() + _patched(item)[0])
        return digest.hexdigest()

    def stage(self, directory: Path) -> dict[str, dict[str, int]]:
        """Copy every file under ``directory/<tree>/<rel>``, patched; returns the patches applied per file."""
        applied: dict[str, dict[str, int]] = {}
        for item in self.files:
            data, counts = _patched(item)
            if counts:
                applied[f"{item.tree}:{item.rel}"] = counts
            atomic_write(directory / item.tree / item.rel, data)
        return applied


def _patched(item: SourceFile) -> tuple[bytes, dict[str, int]]:
    data = item.path.read_bytes()
    if item.path.suffix not in {".cc", ".h", ".cpp", ".hpp", ".inc"}:
        return data, {}
    text, counts = _patches.apply_all(data.decode("utf-8", errors="surrogateescape"))
    return (text.encode("utf-8", errors="surrogateescape") if counts else data), counts


def collect(checkout_root: Path, checkout_files: Iterable[str], own_root: Path | None = None,
            own_files: Iterable[str] = ()) -> SourceSet:
    """The declared files plus everything they include that exists in the checkout (or our own tree)."""
    found: dict[tuple[str, str], SourceFile] = {}
    missing: list[str] = []
    queue: list[tuple[str, str]] = [("checkout", rel) for rel in checkout_files]
    queue += [("own", rel) for rel in own_files]
    declared = set(queue)
    while queue:
        tree, rel = queue.pop()
        if (tree, rel) in found:
            continue
        root = checkout_root if tree == "checkout" else own_root
        path = (root / rel) if root is not None else None
        if path is None or not path.is_file():
            if (tree, rel) in declared:
                missing.append(rel)
            continue
        found[(tree, rel)] = SourceFile(tree, rel, path)
        text = path.read_text("utf-8", errors="replace")
        pattern = _PROTO_IMPORT if path.suffix == ".proto" else _INCLUDE
        for name in pattern.findall(text):
            for candidate in _resolve(name, tree, rel, checkout_root, own_root):
                queue.append(candidate)
                break
    return SourceSet(files=sorted(found.values(), key=lambda f: (f.tree, f.rel)), missing=sorted(missing))


def _resolve(name: str, tree: str, rel: str, checkout_root: Path, own_root: Path | None) -> list[tuple[str, str]]:
    """Where an include of ``name`` from ``tree/rel`` is found, in the compiler's order (own, checkout)."""
    options: list[tuple[str, str]] = []
    sibling = (Path(rel).parent / name).as_posix()
    if tree == "own" and own_root is not None and (own_root / sibling).is_file():
        options.append(("own", sibling))
    if own_root is not None and (own_root / name).is_file():
        options.append(("own", name))
    if (checkout_root / name).is_file():
        options.append(("checkout", name))
    if tree == "checkout" and (checkout_root / sibling).is_file():
        options.append(("checkout", sibling))
    return options
