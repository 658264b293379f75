"""``python -m pytest_monolith_parity build-rust``: build one checkout's Rust side and print where it is.

Prints ``name=path`` lines on stdout (``python_path=...``, ``extension=...``,
``cli=...``) for scripts, and on stderr a progress line per cargo build
(:mod:`pytest_monolith_parity.progress`; ``--verbose`` streams cargo's own
output instead, ``-q`` neither) and a summary.
Exit status: 0 built or up to date, 1 the build failed or is stale under
``--rust-build=never``, 2 a configuration error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..build_stamps import BuildError
from .pipeline import ARTIFACTS, MODES, ensure
from .workspace import RustSetupError


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--what", choices=(*ARTIFACTS, "all"), default="bindings",
                        help="the PyO3 bindings, monolith-rs's CLI, or both (default: bindings)")
    parser.add_argument("--rust-build", choices=MODES, default=None,
                        help="auto (when sources changed), never (refuse a missing or stale build), force "
                             "(default: MONOLITH_PARITY_RUST_BUILD, pyproject.toml, then auto)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="cargo -j (default 2)")
    parser.add_argument("--cache-dir", help="build cache root (default: MONOLITH_PARITY_RUST_CACHE or "
                                            "~/.cache/monolith-parity/rust)")
    parser.add_argument("--bindings-dir", help="the bindings crate (default: MONOLITH_PARITY_RUST_BINDINGS or "
                                               "rust_bindings/ of this source tree)")
    parser.add_argument("--features", default="all",
                        help="the bindings' cargo features, one per monolith package (comma-separated, e.g. "
                             "agent_service), `all` (default) or `none`")
    parser.add_argument("--target-dir", help="CARGO_TARGET_DIR (default: <build dir>/target)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress and no cargo output")
    parser.add_argument("--verbose", "-v", action="store_true", help="stream cargo's output instead of a progress line")
    return parser


def run(options: argparse.Namespace) -> int:
    from ..config import SettingsError, load_pyproject, resolve

    rootdir = Path.cwd()
    try:
        table, where = load_pyproject(rootdir)
        settings = resolve(rootdir, {"monolith_root": options.monolith_root, "rust_build": options.rust_build},
                           os.environ, table, where)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not settings.monolith_root:
        print("error: no monolith checkout configured: pass --monolith-root or set MONOLITH_ROOT", file=sys.stderr)
        return 2
    what = list(ARTIFACTS) if options.what == "all" else [options.what]
    verbose = options.verbose and not options.quiet
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if verbose else None
    features = (None if options.features == "all" else
                [] if options.features == "none" else [f.strip() for f in options.features.split(",") if f.strip()])
    try:
        artifacts = ensure(settings.path(settings.monolith_root), what=what, features=features,
                           mode=settings.rust_build, cache_dir=options.cache_dir, bindings_dir=options.bindings_dir,
                           target_dir=options.target_dir, jobs=options.jobs, log=log,
                           progress=not (options.quiet or verbose))
    except RustSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for line in artifacts.describe():
        print(line, file=sys.stderr)
    print(f"build_dir={artifacts.build_dir}")
    if artifacts.python_path:
        print(f"python_path={artifacts.python_path}")
        print(f"extension={artifacts.extension}")
        print(f"features={','.join(artifacts.features)}")
    if artifacts.cli:
        print(f"cli={artifacts.cli}")
    return 0
