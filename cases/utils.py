"""Parity of monolith/utils.py ``CopyFile`` / ``CopyRecursively`` (Rust: ``monolith_core::utils``).

Python copies through ``tf.io.gfile``; the port through ``std::fs``.  Each example builds its tree in a
fresh scratch directory per side and per call (``_support/copying.py``), runs the copy, and the
directories are compared afterwards with ``compare.tree()`` (every file under the scratch root: the
source left in place, the destination written or not).  ``find_main`` / ``get_libops_path``, which
utils.py re-exports from path_utils.py, are covered in ``cases/path_utils.py``.
"""

from __future__ import annotations

from pytest_monolith_parity import Case, compare, divergence, example, driver, python_call

from ._support import copying

COVERS = "monolith/utils.py"
# The port has no NotFound variant: a missing source is MonolithError::InternalError("<src> not found") (CoreError).
ERRORS = {"ValueError": "CorePyValueError", "NotFoundError": "CoreError"}

TREE = {"src/a.txt": "alpha", "src/sub/b.bin": b"\x00\x01\xff", "src/sub/deep/c.txt": "gamma",
        "src/empty": None, "src/sub/zero": ""}


def copy(function, tree, src, dst, id, expect=None, **kwargs):
    return example(function, tree, src, dst, kwargs, id=id, expect=expect)


EXAMPLES = [
    copy("CopyFile", {"a.txt": "hello"}, "a.txt", "b.txt", id="file_new"),
    copy("CopyFile", {"a.txt": b"\x00bin\xff", "b.txt": "old"}, "a.txt", "b.txt", id="file_overwrite"),
    copy("CopyFile", {"a.txt": "new", "b.txt": "old"}, "a.txt", "b.txt", overwrite=False, id="file_no_overwrite",
         expect=divergence(
             "CopyFile(overwrite=False) onto an existing file: tf.io.gfile.copy raises AlreadyExistsError; the port "
             "returns Ok without copying (utils.rs copy_file: `if dst.exists() && !overwrite { return Ok(()) }`)",
             outcome="python raised", message="AlreadyExistsError: file already exists")),
    copy("CopyFile", {"a.txt": ""}, "a.txt", "b.txt", id="file_empty"),
    copy("CopyFile", {"x": None}, "missing.txt", "b.txt", id="file_missing_skipped"),
    copy("CopyFile", {"x": None}, "missing.txt", "b.txt", skip_nonexist=False, id="file_missing_raises"),
    copy("CopyFile", {"a.txt": "hello"}, "a.txt", "no/such/dir/b.txt", id="file_missing_parent", expect=divergence(
        "CopyFile into a directory that does not exist: tf.io.gfile.copy raises NotFoundError, which "
        "skip_nonexist=True swallows (utils.py: `continue`), so nothing is written; the port creates the parent "
        "first (utils.rs copy_file: fs::create_dir_all(parent)) and copies",
        outcome="mismatch", message="no/such/dir/b.txt: unexpected in actual")),
    copy("CopyFile", {"a.txt": "hello"}, "a.txt", "no/such/dir/b.txt", skip_nonexist=False,
         id="file_missing_parent_raises", expect=divergence(
             "CopyFile into a missing directory with skip_nonexist=False: Python raises tf's NotFoundError, the port "
             "creates the directory and copies (utils.rs copy_file: fs::create_dir_all(parent))",
             outcome="python raised", message="NotFoundError")),
    copy("CopyFile", TREE, "src/sub", "out", id="file_source_is_directory", expect=divergence(
        "CopyFile of a directory: tf.io.gfile.copy raises InvalidArgumentError ('<dst>; Invalid argument'); the "
        "port checks the source first and raises ValueError('<src> is not a file!') (utils.rs copy_file)",
        outcome="different errors", message="both raised, but python raised InvalidArgumentError: ")),
    copy("CopyRecursively", TREE, "src", "out", id="tree_new"),
    copy("CopyRecursively", {**TREE, "out/stale.txt": "stale", "out/sub/b.bin": "old"}, "src", "out",
         id="tree_replaces_destination"),
    copy("CopyRecursively", TREE, "src", "out/deeper/still", id="tree_missing_parents"),
    copy("CopyRecursively", TREE, "src/a.txt", "copied.txt", id="tree_source_is_file"),
    copy("CopyRecursively", TREE, "nope", "out", id="tree_missing_skipped"),
    copy("CopyRecursively", TREE, "nope", "out", skip_nonexist=False, id="tree_missing_raises"),
    copy("CopyRecursively", TREE, "src", "out", max_workers=4, id="tree_parallel"),
    copy("CopyRecursively", {"src": None}, "src", "out", id="tree_empty_source"),
]

Case(
    id="copy",
    covers=COVERS,
    python=python_call(copying.python_copy),
    rust=driver(copying.rust_copy, needs="copy_recursively"),
    examples=EXAMPLES,
    compare=compare.tree(),
    errors=ERRORS,
    golden=False,  # the value is this run's scratch directory, which no golden file can hold
    timeout=60,
)
