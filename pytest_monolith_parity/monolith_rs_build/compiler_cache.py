"""The compiler cache shared between checkouts: sccache as ``RUSTC_WRAPPER``, when there is one.

Two revisions of monolith-rs share almost every crates.io dependency.  Each
checkout keeps its own target directory (cargo decides freshness by mtimes,
and two revisions must never be able to pass for each other), and sccache
makes the second checkout's compilations of the *same* registry crates cache
hits.  sccache keys every compilation on the compiler, its arguments and the
content of every source file it read, so crates of different checkouts --
different paths, different contents -- can never share an artifact; only
identical inputs do.

The user's own choice wins: ``RUSTC_WRAPPER`` or ``CARGO_BUILD_RUSTC_WRAPPER``
in the environment (an empty value turns any wrapper off), or
``build.rustc-wrapper`` in ``$CARGO_HOME/config.toml``.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Mapping
from pathlib import Path


def _cargo_home(environ: Mapping[str, str]) -> Path:
    return Path(environ["CARGO_HOME"]) if environ.get("CARGO_HOME") else Path.home() / ".cargo"


def configured_wrapper(environ: Mapping[str, str] | None = None) -> str | None:
    """The wrapper the user configured (``""``: explicitly none), or None when they said nothing."""
    environ = os.environ if environ is None else environ
    for name in ("RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WRAPPER"):
        if name in environ:
            return environ[name]
    home = _cargo_home(environ)
    for config in (home / "config.toml", home / "config"):
        if config.is_file():
            try:
                wrapper = tomllib.loads(config.read_text()).get("build", {}).get("rustc-wrapper")
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                continue
            if wrapper is not None:
                return str(wrapper)
    return None


def wrapper_env(environ: Mapping[str, str] | None = None) -> tuple[dict[str, str], str]:
    """Environment to add to cargo's, and one line saying which compiler cache the build uses."""
    configured = configured_wrapper(environ)
    if configured is not None:
        return {}, f"compiler cache: {configured or 'none'} (your configuration)"
    sccache = shutil.which("sccache")
    if sccache:
        return {"RUSTC_WRAPPER": sccache}, f"compiler cache: sccache ({sccache}), shared between checkouts"
    return {}, ("compiler cache: none -- every checkout compiles its crates.io dependencies again; install "
                "sccache (`make setup` does) to share them")
