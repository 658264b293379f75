"""Directory trees: every file on both sides, each through a comparator chosen by glob.

Files are named by their path relative to the root, with ``/`` separators.
A rule's pattern containing ``/`` is matched (``fnmatch``) against that whole
relative path, a pattern without ``/`` against the file name only; the first
matching rule wins and unmatched files are compared as exact bytes.  Files
only on one side are reported as missing or unexpected; ``ignore`` patterns
(same matching) drop files from both sides.  Comparators that read paths
(TFRecord, checkpoint, SavedModel, tree) get the two file paths; all others
get the two files' bytes.  Difference paths read ``data/part-0.tfrecord::records[3]``.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Any, Iterable, Mapping, Sequence

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference, join_path, nest
from .exact import bytes_difference


def matches(relpath: str, pattern: str) -> bool:
    """Whole-path match for patterns with ``/``, file-name match otherwise."""
    if "/" in pattern:
        return fnmatch.fnmatchcase(relpath, pattern)
    return fnmatch.fnmatchcase(relpath.rsplit("/", 1)[-1], pattern)


def list_files(root: str) -> dict[str, str]:
    """Relative POSIX path -> absolute path for every file under ``root``."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            found[rel] = full
    return found


class _Bytes(Comparator):
    """Default rule: the files' bytes must be identical."""

    name = "bytes"

    def compare(self, expected: Any, actual: Any) -> Comparison:
        msg = bytes_difference(expected, actual)
        return Comparison.same() if msg is None else Comparison.differ(Difference("", msg), summary=msg)


class TreeComparator(Comparator):
    """Compare two directory trees file by file.

    ``rules``: ``{pattern: comparator}`` or a sequence of ``(pattern, comparator)``,
    first match wins; ``default``: comparator for unmatched files (exact bytes);
    ``ignore``: patterns of files to leave out on both sides.
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
        fe = {k: v for k, v in list_files(roots[0]).items() if not any(matches(k, p) for p in self.ignore)}
        fa = {k: v for k, v in list_files(roots[1]).items() if not any(matches(k, p) for p in self.ignore)}
        out: list[Difference] = []
        missing, extra = sorted(set(fe) - set(fa)), sorted(set(fa) - set(fe))
        out.extend(Difference(rel, "missing in actual") for rel in missing)
        out.extend(Difference(rel, "unexpected in actual") for rel in extra)
        differing = []
        for rel in sorted(set(fe) & set(fa)):
            comp = self.comparator_for(rel)
            if getattr(comp, "takes_path", False):
                result = comp.compare(fe[rel], fa[rel])
            else:
                with open(fe[rel], "rb") as f:
                    be = f.read()
                with open(fa[rel], "rb") as f:
                    ba = f.read()
                result = comp.compare(be, ba)
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
