"""Parity of monolith/path_utils.py (Rust: ``monolith_core::path_utils``).

``find_main()`` derives monolith's base directory from where ``path_utils.py`` lives
(``os.path.abspath(__file__)`` split at ``/__main__/``, ``/site-packages/`` or ``/monolith/``);
``get_libops_path(lib_name)`` joins a library path onto it.  The Rust port applies the same
split to its own source file (``file!()``) after an override Python does not have
(``MONOLITH_MAIN_DIR``).  Each case sets ``MONOLITH_MAIN_DIR`` explicitly on both sides
(``around=``): unset, the checkout root, a directory that is not the checkout, or one without a
``monolith/`` subdirectory.  Python ignores the variable, so its answer is the checkout root
every time; these cases pin where the port's answer differs.

Results are paths: both sides' go through :func:`paths.portable_main` (the checkout root written
as ``<checkout>``, the fake main directories as ``<fake main dir>``), a lossless rewrite that keeps
goldens independent of where the checkout lives.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pytest_monolith_parity import Case, divergence, example, pyo3, python_call
from pytest_monolith_parity.helpers import environ

from ._support import paths

COVERS = "monolith/path_utils.py"
ERRORS = {"ValueError": "CorePyValueError"}

# The port's base directory comes from its source file: the crate lives under monolith-rs/, whose path has no
# `/monolith/` component, so the split Python relies on finds nothing (path_utils.rs, find_main: `abs_s.rfind(split)`).
NO_BASE_DIR = divergence(
    "Rust find_main splits the path of its own source file (file!(): <checkout>/monolith-rs/crates/monolith-core/"
    "src/path_utils.rs), which has no /monolith/ component, so without MONOLITH_MAIN_DIR it raises where Python "
    "(splitting <checkout>/monolith/path_utils.py) returns the checkout root",
    outcome="rust raised",
    message="CorePyValueError: Unable to find the monolith base directory. This file directory is ")
OVERRIDE_WINS = divergence(
    "MONOLITH_MAIN_DIR is a Rust-only override (path_utils.rs: `std::env::var(\"MONOLITH_MAIN_DIR\")` returned "
    "first); Python ignores the variable and still returns the checkout root",
    outcome="mismatch", message="root: '<checkout>' != '<fake main dir>'")
OVERRIDE_REFUSED = divergence(
    "a MONOLITH_MAIN_DIR without monolith/ makes Rust raise (path_utils.rs: 'MONOLITH_MAIN_DIR does not contain "
    "monolith/ subdir'); Python ignores the variable and returns the checkout root",
    outcome="rust raised", message="CorePyValueError: MONOLITH_MAIN_DIR does not contain monolith/ subdir: ")


def in_main_dir_env(mode, *args):
    return environ(paths.main_dir_env(mode))


Case(
    id="find_main",
    covers=COVERS,
    python=python_call("monolith.path_utils:find_main", adapt=lambda mode: (), post=paths.portable_main,
                       around=in_main_dir_env),
    rust=pyo3("find_main", adapt=lambda mode: (), post=paths.portable_main, around=in_main_dir_env),
    examples=[
        example(None, id="no_override", expect=NO_BASE_DIR),
        example("checkout", id="override_is_checkout"),
        example("fake", id="override_elsewhere", expect=OVERRIDE_WINS),
        example("fake_without_monolith", id="override_without_monolith", expect=OVERRIDE_REFUSED),
    ],
    errors=ERRORS,
)

LIB_NAMES = {
    "custom_ops": "monolith/native_training/runtime/ops/libtfkernel_monolith_custom_ops.so",
    "bare_name": "libops.so",
    "empty": "",
    "absolute": "/usr/lib/libops.so",
    "trailing_slash": "monolith/native_training/",
    "dot_segments": "./monolith/../monolith/libops.so",
    "double_slash": "monolith//libops.so",
}


def _libops_examples(mode, expect=None, suffix=""):
    return [example(mode, name, id=f"{key}{suffix}", expect=expect) for key, name in LIB_NAMES.items()]


# Text a path component may hold (no NUL: neither side accepts it in a path); "/" included, so nesting and
# absolute names come up too.
LIB_NAME = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=24)

Case(
    id="get_libops_path",
    covers=COVERS,
    python=python_call("monolith.path_utils:get_libops_path", adapt=lambda mode, name: (name,),
                       post=paths.portable_main, around=in_main_dir_env),
    rust=pyo3("get_libops_path", adapt=lambda mode, name: (name,), post=paths.portable_main,
              around=in_main_dir_env),
    # With MONOLITH_MAIN_DIR at the checkout root both sides start from the same base: the join itself is compared.
    examples=_libops_examples("checkout")
    + [example(None, LIB_NAMES["custom_ops"], id="custom_ops_no_override", expect=NO_BASE_DIR)],
    strategy=st.tuples(st.just("checkout"), LIB_NAME),
    max_examples=60,
    errors=ERRORS,
)
