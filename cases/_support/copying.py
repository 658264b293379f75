"""``CopyFile`` / ``CopyRecursively`` on a directory tree built for each call.

Every call gets a new scratch directory holding the example's tree (``{relative path: text | bytes |
None}``, ``None`` an empty directory); the source and destination are paths relative to it.  The side
returns that scratch directory after the call, and the case compares both sides' directories with
``compare.tree()`` -- the source and the destination, every file's bytes.
"""

from __future__ import annotations

from typing import Any

from pytest_monolith_parity.helpers import reference_module

from . import paths


def _prepare(tree: dict, src: str, dst: str) -> tuple[str, str, str]:
    root = paths.scratch("copy")
    paths.write_tree(root, tree)
    return str(root), str(root / src), str(root / dst)


def python_copy(function: str, tree: dict, src: str, dst: str, kwargs: dict[str, Any]) -> str:
    """``monolith.utils.<function>(src, dst, **kwargs)``; the scratch directory afterwards."""
    utils = reference_module("monolith.utils")

    root, src_path, dst_path = _prepare(tree, src, dst)
    getattr(utils, function)(src_path, dst_path, **kwargs)
    return root


RUST = {"CopyFile": "copy_file", "CopyRecursively": "copy_recursively"}


def rust_copy(function: str, tree: dict, src: str, dst: str, kwargs: dict[str, Any]) -> str:
    """The port's ``monolith_core::utils::<function>`` through ``monolith_parity_rs``; the scratch directory."""
    import monolith_parity_rs as rs

    root, src_path, dst_path = _prepare(tree, src, dst)
    getattr(rs, RUST[function])(src_path, dst_path, **kwargs)
    return root
