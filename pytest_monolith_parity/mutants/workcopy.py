"""The private copy a mutants run mutates: never the user's tree.

The copy is made once and reused, so cargo builds each mutant
incrementally; a mutant changes one file, which is restored (content and
the copy's own record of it) before the next.  At the start of every run
the copy is brought back in line with the source (a run killed halfway
leaves a mutated file behind), comparing contents, not mtimes.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from .listing import Mutant, MutantsError

#: Never copied: build output and VCS data (a copy is sources only).
SKIP_NAMES = frozenset({".git", "target", "mutants.out", "mutants.out.old", "__pycache__", ".parity-mutants"})


def _skipped(name: str) -> bool:
    return name in SKIP_NAMES or name.startswith("target-") or name.startswith("target_")


def sync(source: Path, copy: Path) -> int:
    """Make ``copy`` hold exactly ``source``'s files (skipping build output); returns how many files changed."""
    source, copy = source.resolve(), copy.resolve()
    if copy == source or source in copy.parents and not _inside_skipped(copy, source):
        raise MutantsError(f"the private copy {copy} must not be the source tree {source} or inside it")
    changed = 0
    copy.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    for directory, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not _skipped(d))
        rel_dir = Path(directory).relative_to(source)
        (copy / rel_dir).mkdir(parents=True, exist_ok=True)
        wanted.add(copy / rel_dir)
        for name in files:
            src, dst = Path(directory) / name, copy / rel_dir / name
            wanted.add(dst)
            if src.is_symlink():
                target = os.readlink(src)
                if not dst.is_symlink() or os.readlink(dst) != target:
                    _remove(dst)
                    os.symlink(target, dst)
                    changed += 1
                continue
            if name == "Cargo.toml":
                data = manifest_for_copy(src, source)
                if dst.is_file() and not dst.is_symlink() and dst.read_bytes() == data:
                    continue
                _remove(dst)
                dst.write_bytes(data)
                changed += 1
                continue
            if dst.is_file() and not dst.is_symlink() and filecmp.cmp(src, dst, shallow=False):
                continue
            _remove(dst)
            shutil.copy2(src, dst)
            changed += 1
    for directory, dirs, files in os.walk(copy, topdown=False):
        rel = Path(directory).relative_to(copy)
        if rel.parts and _skipped(rel.parts[0]):
            continue
        for name in files:
            path = Path(directory) / name
            if path not in wanted and not _skipped(name):
                path.unlink()
                changed += 1
        for name in dirs:
            path = Path(directory) / name
            if path not in wanted and not _skipped(name) and not any(path.iterdir()):
                path.rmdir()
    return changed


_PATH_KEY = re.compile(r'(\bpath\s*=\s*")([^"]+)(")')


def manifest_for_copy(manifest: Path, source: Path) -> bytes:
    """A Cargo.toml for the copy: ``path`` dependencies that leave the source tree point at the original
    (absolute), so the copy builds where it is; paths inside the tree stay relative (they are copied)."""
    text = manifest.read_text("utf-8")

    def fix(match: re.Match) -> str:
        target = (manifest.parent / match.group(2)).resolve()
        if target == source or source in target.parents:
            return match.group(0)
        return match.group(1) + str(target) + match.group(3)

    return _PATH_KEY.sub(fix, text).encode("utf-8")


def _inside_skipped(copy: Path, source: Path) -> bool:
    return any(_skipped(part) for part in copy.relative_to(source).parts)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def tree_digest(root: Path) -> str:
    """Content digest of a tree's sources (what the copy holds): the baseline's cache key."""
    digest = hashlib.sha256()
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _skipped(d))
        for name in sorted(files):
            path = Path(directory) / name
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            if path.is_symlink():
                digest.update(os.readlink(path).encode())
            else:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def mutated_text(original: str, mutant: Mutant) -> str:
    """``original`` with the mutant's span replaced (cargo-mutants' 1-based line, 1-based column, end exclusive)."""
    lines = original.splitlines(keepends=True)
    try:
        start = _offset(lines, mutant.line, mutant.column)
        end = _offset(lines, mutant.end_line, mutant.end_column)
    except IndexError:
        raise MutantsError(f"mutant {mutant.name!r} points past the end of {mutant.file}: the copy is not the "
                           "tree it was listed from; list the mutants again") from None
    return original[:start] + mutant.replacement + original[end:]


def _offset(lines: list[str], line: int, column: int) -> int:
    if line < 1 or line > len(lines) + 1:
        raise IndexError(line)
    before = sum(len(text) for text in lines[: line - 1])
    # cargo-mutants counts columns in characters
    return before + column - 1


@contextlib.contextmanager
def applied(copy: Path, mutant: Mutant) -> Iterator[Path]:
    """The mutant written into ``copy`` for the duration of the block, then the file restored."""
    path = copy / mutant.file
    if not path.is_file():
        raise MutantsError(f"{mutant.file} is not in the private copy {copy}")
    original = path.read_text("utf-8")
    mutated = mutated_text(original, mutant)
    if mutated == original:
        raise MutantsError(f"mutant {mutant.name!r} does not change {mutant.file}")
    path.write_text(mutated, "utf-8")
    try:
        yield path
    finally:
        path.write_text(original, "utf-8")
