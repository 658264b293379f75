"""Directory trees built per call in a scratch directory, and read back for comparison.

A tree is ``{relative path: content}``: ``str`` or ``bytes`` is a file, ``None`` an (empty)
directory.  ``"{root}"`` in a text file's content is the scratch root of this call, so a
checkpoint file can name absolute paths inside the tree.  Each side of a case builds the same
tree in its own fresh root; :func:`snapshot` reads a directory back as a tree with the root
written as ``{root}`` again, so both sides' files compare byte for byte (and goldens never hold a
machine's temporary path).  An exception raised inside :func:`scratch` leaves with the root
written as ``{root}`` in its message too (a recorded error must not name this run's directory).

Relative paths: :func:`inside` makes the root the working directory for the duration of a call
(restored afterwards), so a case can pass ``"model"`` instead of an absolute path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = "{root}"


def build(tree: Mapping[str, str | bytes | None]) -> str:
    """A fresh scratch root holding ``tree``; removed by :func:`scratch`."""
    root = os.path.realpath(tempfile.mkdtemp(prefix="parity-native-training-"))
    for rel, content in tree.items():
        path = Path(root, rel)
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.replace(ROOT, root).encode("utf-8"))
        else:
            path.write_bytes(content.replace(ROOT.encode(), root.encode()))
    return root


@contextlib.contextmanager
def scratch(tree: Mapping[str, str | bytes | None]) -> Iterator[str]:
    root = build(tree)
    try:
        yield root
    except Exception as error:  # its message names the scratch root, a new name every run: write it as {root}
        error.args = tuple(unroot(arg, root) for arg in error.args)
        raise
    finally:
        shutil.rmtree(root, ignore_errors=True)


def snapshot(root: str) -> dict[str, bytes | None]:
    """Every file (bytes, the root written as ``{root}``) and every directory (None) under ``root``,
    by relative ``/`` path, sorted."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        if rel_dir != ".":
            out[rel_dir + "/"] = None
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            out[rel] = Path(full).read_bytes().replace(root.encode(), ROOT.encode())
    return dict(sorted(out.items()))


def unroot(value, root: str):
    """``value`` (str, bytes, or lists/tuples/dicts of them) with ``root`` written as ``{root}``."""
    if isinstance(value, str):
        return value.replace(root, ROOT)
    if isinstance(value, bytes):
        return value.replace(root.encode(), ROOT.encode())
    if isinstance(value, dict):
        return {unroot(k, root): unroot(v, root) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(unroot(v, root) for v in value)
    return value


def path_in(root: str, rel: str) -> str:
    """``rel`` under ``root``; ``{root}`` in it is the root, and a path starting with ``rel:`` stays
    relative (the call then runs :func:`inside` the root)."""
    if rel.startswith("rel:"):
        return rel[len("rel:"):]
    return os.path.join(root, rel.replace(ROOT, root)) if not rel.startswith("/") else rel


@contextlib.contextmanager
def inside(root: str) -> Iterator[None]:
    """Run with ``root`` as the working directory (relative paths resolve inside the tree)."""
    before = os.getcwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(before)
