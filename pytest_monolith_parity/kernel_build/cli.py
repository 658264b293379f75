"""``python -m pytest_monolith_parity build-ops``: build (or find cached) the declared kernel libraries.

Prints one line per library (built / failed with the compiler's first error
line / cached), the ops each one makes real, and the totals; ``--json``
writes the whole report.  Exit status 0 even when a kernel does not
compile (that is a result, not an error); 2 for a bad manifest or checkout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .build import build_libraries, default_cache_root
from .manifest import load_manifest

DEFAULT_MANIFEST = "kernels/monolith.toml"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--manifest", help=f"kernel manifest (default: kernels_manifest setting, {DEFAULT_MANIFEST})")
    parser.add_argument("--source-root", help="tree the manifest's sources are relative to (default: the checkout)")
    parser.add_argument("--cache-dir", help="kernel cache root (default: MONOLITH_PARITY_KERNEL_CACHE or "
                                            "~/.cache/monolith-parity/kernels)")
    parser.add_argument("--json", dest="json_path", help="write the build report as JSON here")
    parser.add_argument("libraries", nargs="*", help="only these libraries (default: all declared)")
    return parser


def run(options: argparse.Namespace, checkout_root: Path | None, manifest_path: Path) -> int:
    manifest = load_manifest(manifest_path)
    root = Path(options.source_root).resolve() if options.source_root else checkout_root
    if root is None:
        raise ValueError("no source tree: pass --source-root or configure the monolith checkout (MONOLITH_ROOT)")
    cache = Path(options.cache_dir).expanduser() if options.cache_dir else default_cache_root()
    start = time.perf_counter()

    def progress(message: str) -> None:
        print(f"build-ops: {message} [{time.perf_counter() - start:.0f}s]", file=sys.stderr, flush=True)

    report = build_libraries(manifest, root, options.libraries or None, cache, progress)
    for result in report.results:
        if not result.built:
            detail = result.reason
        elif result.kind == "c-abi":
            detail = "C ABI library (loaded with ctypes)"
        else:
            detail = f"{len(result.kernels)} op(s): {', '.join(result.kernels)}"
        print(f"{result.name:24} {result.status:12} {result.action:14} {result.seconds:7.1f}s  {detail}")
        for source, error in sorted(result.failed_sources.items()):
            print(f"{'':24} optional {source}: {error}")
    counts = ", ".join(f"{n} {k}" for k, n in sorted(report.counts().items()))
    print(f"build-ops: {counts} in {report.seconds:.1f}s (cache {cache})", file=sys.stderr)
    if options.json_path:
        from ..files import atomic_write

        atomic_write(Path(options.json_path), (json.dumps(report.to_json(), indent=2) + "\n").encode())
    return 0
