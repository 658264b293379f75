"""Directory trees: every entry on both sides, each file through a comparator chosen by glob.

Entries are named by their path relative to the root, with ``/`` separators.
A rule's pattern containing ``/`` is matched (``fnmatch``) against that whole
relative path, a pattern without ``/`` against the file name only; the first
matching rule wins and unmatched files are compared as exact bytes.  Entries
only on one side are reported as missing or unexpected; ``ignore`` patterns
(same matching) drop entries from both sides.  Comparators that read paths
(TFRecord, checkpoint, SavedModel, tree) get the two file paths; all others
get the two files' bytes.  Difference paths read ``data/part-0.tfrecord::records[3]``.

Symbolic links are compared as links, never followed: both sides must have a
link there with the same target text (an absolute target inside its own root
is compared relative to that root), so broken, self-referencing and looping
links are just entries.  FIFOs, sockets and devices are refused by their type,
read with ``lstat``, without being opened (opening a FIFO would hang).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import stat
from typing import Any, Iterable, Mapping, Sequence

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference, join_path, nest
from .describe import bytes_difference

_SPECIAL = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"))


def matches(relpath: str, pattern: str) -> bool:
    """Whole-path match for patterns with ``/``, file-name match otherwise."""
    if "/" in pattern:
        return fnmatch.fnmatchcase(relpath, pattern)
    return fnmatch.fnmatchcase(relpath.rsplit("/", 1)[-1], pattern)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One entry of a tree: a regular file, a symbolic link (with its target) or a special file."""

    kind: str  # "file", "symlink" or the special file's description ("a FIFO", ...)
    path: str
    target: str | None = None

    def describe(self) -> str:
        if self.kind == "file":
            return "regular file"
        if self.kind == "symlink":
            return f"symlink -> {self.target}"
        return self.kind.split(" ", 1)[1]


def _link_target(root: str, path: str) -> str:
    target = os.readlink(path)
    if os.path.isabs(target):
        absolute_root = os.path.abspath(root)
        inside = os.path.normpath(target)
        if inside == absolute_root or inside.startswith(absolute_root.rstrip(os.sep) + os.sep):
            return "<root>/" + os.path.relpath(inside, absolute_root).replace(os.sep, "/")
    return target


def list_entries(root: str, side: str = "") -> dict[str, Entry]:
    """Relative POSIX path -> :class:`Entry` for everything under ``root`` but directories (walked into)."""
    found: dict[str, Entry] = {}
    stack = [("", root)]
    while stack:
        rel, directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda entry: entry.name)
        except OSError as exc:
            raise ComparatorInputError(f"tree: cannot list the {side} directory {directory}: {exc.strerror or exc}") from None
        for entry in entries:
            relpath = f"{rel}/{entry.name}" if rel else entry.name
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISLNK(mode):
                    found[relpath] = Entry("symlink", entry.path, _link_target(root, entry.path))
                elif stat.S_ISDIR(mode):
                    stack.append((relpath, entry.path))
                elif stat.S_ISREG(mode):
                    found[relpath] = Entry("file", entry.path)
                else:
                    found[relpath] = Entry(next((what for test, what in _SPECIAL if test(mode)), "an unknown kind of file"), entry.path)
            except OSError as exc:
                raise ComparatorInputError(f"tree: cannot read the {side} entry {entry.path}: {exc.strerror or exc}") from None
    return found


def list_files(root: str) -> dict[str, str]:
    """Relative POSIX path -> absolute path for every regular file under ``root``."""
    return {rel: entry.path for rel, entry in list_entries(root).items() if entry.kind == "file"}


def _read(entry: Entry, side: str) -> bytes:
    try:
        with open(entry.path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise ComparatorInputError(f"tree: cannot read the {side} file {entry.path}: {exc.strerror or exc}") from None


class _Bytes(Comparator):
    """Default rule: the files' bytes must be identical."""

    name = "bytes"

    def compare(self, expected: Any, actual: Any) -> Comparison:
        msg = bytes_difference(expected, actual)
        return Comparison.same() if msg is None else Comparison.differ(Difference("", msg), summary=msg)


class TreeComparator(Comparator):
    """Compare two directory trees entry by entry.

    ``rules``: ``{pattern: comparator}`` or a sequence of ``(pattern, comparator)``,
    first match wins; ``default``: comparator for unmatched files (exact bytes);
    ``ignore``: patterns of entries to leave out on both sides.
    """

    name = "tree"
    takes_path = True

    def __init__(
        self,
        rules: Mapping[str, Comparator] | Sequence[tuple[str, Comparator]] | None = None,
        *,
        default: Comparator | None = None,
        ignore: Iterable[str] = (),
    ) -> None:
        pairs = list(rules.items()) if isinstance(rules, Mapping) else list(rules or [])
        for item in pairs:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], Comparator)):
                raise ComparatorConfigError(f"tree rules must be (glob, Comparator) pairs, got {item!r}")
        if default is not None and not isinstance(default, Comparator):
            raise ComparatorConfigError(f"default must be a Comparator, got {default!r}")
        self.rules = pairs
        self.default = default or _Bytes()
        self.ignore = (ignore,) if isinstance(ignore, str) else tuple(ignore)

    def describe(self) -> str:
        rules = ", ".join(f"{p}: {c.name}" for p, c in self.rules)
        return f"tree({rules}{', ' if rules else ''}default: {self.default.name})"

    def comparator_for(self, relpath: str) -> Comparator:
        for pattern, comp in self.rules:
            if matches(relpath, pattern):
                return comp
        return self.default

    def _entries(self, root: str, side: str) -> dict[str, Entry]:
        entries = {k: v for k, v in list_entries(root, side).items() if not any(matches(k, p) for p in self.ignore)}
        for rel, entry in entries.items():
            if entry.kind not in ("file", "symlink"):
                raise ComparatorInputError(
                    f"tree: the {side} entry {rel} ({entry.path}) is {entry.kind}; tree compares regular files, "
                    "directories and symbolic links only -- remove it or leave it out with ignore=[...]"
                )
        return entries

    def compare(self, expected: Any, actual: Any) -> Comparison:
        roots = []
        problems = []
        for side, value in (("expected", expected), ("actual", actual)):
            if not isinstance(value, (str, os.PathLike)):
                raise ComparatorInputError(f"tree comparator needs a directory path, {side} is {type(value).__name__}")
            path = os.fspath(value)
            if not os.path.isdir(path):
                problems.append(Difference("", f"{side} is not a directory: {path}"))
            roots.append(path)
        if problems:
            return Comparison.differ(*problems, summary="; ".join(p.message for p in problems))
        fe, fa = self._entries(roots[0], "expected"), self._entries(roots[1], "actual")
        out: list[Difference] = []
        missing, extra = sorted(set(fe) - set(fa)), sorted(set(fa) - set(fe))
        out.extend(Difference(rel, "missing in actual" + ("" if fe[rel].kind == "file" else f" ({fe[rel].describe()})")) for rel in missing)
        out.extend(Difference(rel, "unexpected in actual" + ("" if fa[rel].kind == "file" else f" ({fa[rel].describe()})")) for rel in extra)
        differing = []
        for rel in sorted(set(fe) & set(fa)):
            ee, ea = fe[rel], fa[rel]
            if ee.kind != ea.kind or ee.kind == "symlink":
                if ee.describe() != ea.describe():
                    differing.append(rel)
                    out.append(Difference(rel, f"{ee.describe()} != {ea.describe()}"))
                continue
            comp = self.comparator_for(rel)
            if getattr(comp, "takes_path", False):
                result = comp.compare(ee.path, ea.path)
            else:
                result = comp.compare(_read(ee, "expected"), _read(ea, "actual"))
            if not result.equal:
                differing.append(rel)
                out.extend(Difference(join_path(rel, d.path, "::"), d.message) for d in nest(result, ""))
        metrics = {"mismatched": len(differing) + len(missing) + len(extra), "total": len(set(fe) | set(fa))}
        if not out:
            return Comparison.same(**metrics)
        head = []
        if missing:
            head.append(f"{len(missing)} file(s) missing")
        if extra:
            head.append(f"{len(extra)} unexpected file(s)")
        if differing:
            head.append(f"{len(differing)} file(s) differ")
        return Comparison.differ(*out, summary=", ".join(head), **metrics)
