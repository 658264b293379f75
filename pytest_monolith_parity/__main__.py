"""``python -m pytest_monolith_parity``: the reference tools outside a pytest run.

Subcommands (each delegates to one module; this file only parses arguments):

* ``probe`` -- which monolith files import here (:mod:`.reference.probe`);
* ``inventory generate`` / ``inventory check`` -- ``inventory/monolith.toml``
  (:mod:`.inventory.store`);
* ``index`` -- PYTHON_PARITY_INDEX.md and checklists (:mod:`.inventory.index`);
* ``build-ops`` -- monolith's C++ kernels, compiled into a cache (:mod:`.kernel_build`);
* ``merge-reports`` -- the reports of ``--parity-shard`` runs as one run's reports and gate (:mod:`.merge`).

The checkout comes from ``--monolith-root``, else ``MONOLITH_ROOT``, else
``monolith_root`` in ``pyproject.toml`` (the plugin's precedence).
Exit status: 0 success, 1 a check failed, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _checkout(options: argparse.Namespace):
    from .config import SettingsError, load_pyproject, resolve
    from .reference.checkout import Checkout

    rootdir = Path.cwd()
    try:
        table, where = load_pyproject(rootdir)
        settings = resolve(rootdir, {"monolith_root": options.monolith_root}, os.environ, table, where)
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
    root = settings.path(settings.monolith_root) if settings.monolith_root else None
    return Checkout.open(root)


def _write(text: str, output: str | None) -> None:
    if output:
        from .files import atomic_write

        atomic_write(Path(output), text.encode("utf-8"))
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def cmd_probe(options: argparse.Namespace) -> int:
    from .reference import probe

    checkout = _checkout(options)

    def progress(row, done: int, total: int) -> None:
        if options.verbose:
            print(f"[{done}/{total}] {row.path}: {row.klass}", file=sys.stderr)

    manifest = Path(options.kernels) if options.kernels else Path.cwd() / "kernels" / "monolith.toml"
    result = probe.probe(checkout, options.files or None, workers=options.workers, timeout=options.timeout,
                         cache_dir=options.cache_dir, serving_proto_dirs=options.serving_proto_dir,
                         prewarm=not options.no_prewarm, progress=progress,
                         kernels_manifest=manifest if manifest.is_file() else None)
    _write(probe.render(result, options.format), options.output)
    summary = result.summary()
    print(f"probe: {summary['importable']} of {summary['files']} files import "
          f"({summary['non_test_importable']} of {summary['non_test_files']} non-test) in {result.seconds:.1f}s",
          file=sys.stderr)
    return 0


def cmd_inventory_generate(options: argparse.Namespace) -> int:
    from .inventory import store

    checkout = _checkout(options)
    changes = store.generate(checkout, Path(options.inventory))
    print(f"{options.inventory}: {changes['entries']} entries ({changes['python_files']} Python files); "
          f"added {len(changes['added'])}, removed {len(changes['removed'])}")
    for sign, paths in (("+", changes["added"]), ("-", changes["removed"])):
        for path in paths[:20]:
            print(f"  {sign} {path}")
        if len(paths) > 20:
            print(f"  {sign} ... and {len(paths) - 20} more")
    return 0


def cmd_inventory_check(options: argparse.Namespace) -> int:
    from .inventory import store

    checkout = _checkout(options)
    result = store.check(checkout, Path(options.inventory))
    if result.ok:
        print(f"{options.inventory}: OK, {result.entries} entries match the checkout "
              f"({result.python_files} Python files)")
        return 0
    print(f"{options.inventory} disagrees with {checkout.root}:")
    for path in result.missing:
        print(f"  missing from the inventory: {path}")
    for path in result.extra:
        print(f"  in the inventory but not in the checkout: {path}")
    print("fix: python -m pytest_monolith_parity inventory generate --monolith-root <checkout> (hand edits are kept)")
    return 1


def cmd_index(options: argparse.Namespace) -> int:
    from .inventory import index, store

    inventory = store.load(Path(options.inventory))
    if not inventory["files"]:
        raise SystemExit(f"error: {options.inventory} is missing or empty; run `inventory generate` first")
    if options.monolith_root or os.environ.get("MONOLITH_ROOT"):
        checked = store.check(_checkout(options), Path(options.inventory))
        if not checked.ok:
            print(f"warning: {options.inventory} is out of date with the checkout "
                  f"({len(checked.missing)} missing, {len(checked.extra)} extra); run `inventory generate`",
                  file=sys.stderr)
    results = index.load_results(Path(options.results) if options.results else None)
    probe = index.load_probe(Path(options.probe) if options.probe else None)
    quality = index.load_quality(Path(options.results) if options.results else None)
    summary = index.build(inventory, results, Path(options.out), probe, quality)
    print(f"{options.out}/{index.INDEX}: {summary['files']} files, {summary['checklists']} checklists; "
          + ", ".join(f"{k}: {v}" for k, v in summary["statuses"].items()))
    return 0


def cmd_merge_reports(options: argparse.Namespace) -> int:
    from .config import SettingsError, load_pyproject, resolve
    from .gate import BaselineError
    from .merge import MergeError, merge

    rootdir = Path.cwd()
    overrides = {"report_dir": options.report_dir, "history_file": options.history, "revision": options.revision,
                 "unused_goldens": options.unused_goldens, "strict_records": "true" if options.strict_records else None}
    try:
        table, where = load_pyproject(rootdir)
        settings = resolve(rootdir, overrides, os.environ, table, where)
        session = merge([Path(p) for p in options.reports], settings, baseline_path=options.baseline,
                        perf_gate=options.perf_gate)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 4
    except BaselineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 4
    except MergeError as error:
        print(f"merge-reports: {error}", file=sys.stderr)
        print("GATE: not judged (these reports are not the shards of one run)", file=sys.stderr)
        return error.status
    if session.gate is None and session.complete:
        print("merge-reports: the shards hold no parity case records", file=sys.stderr)
        return 5
    for kind, path in session.report_paths.items():
        print(f"report ({kind}): {path}")
    for item in session.unused_goldens:
        level = "ERROR" if settings.unused_goldens == "fail" else "warning"
        print(f"{level}: unused golden {item} (no collected case uses it; delete it or restore the case)")
    for problem in session.finish_errors:
        print(f"ERROR: {problem}", file=sys.stderr)
    print(session.summary())
    if not session.complete:
        for reason in session.completeness.reasons():
            print(f"incomplete: {reason}")
    print(session.gate_line())
    return session.exit_code(1 if session.other_failures else 0)


# --- build-rust: owned by pytest_monolith_parity.monolith_rs_build (keep this block self-contained) ---
def cmd_build_rust(options: argparse.Namespace) -> int:
    from .monolith_rs_build.cli import run

    return run(options)
# --- end build-rust ---


# --- mutants: owned by pytest_monolith_parity.mutants ---
def cmd_mutants(options: argparse.Namespace) -> int:
    from .mutants.cli import run

    return run(options)
# --- end mutants ---


# --- build-ops: owned by pytest_monolith_parity.kernel_build ---
def cmd_build_ops(options: argparse.Namespace) -> int:
    from .config import SettingsError, load_pyproject, resolve
    from .kernel_build.cli import run

    rootdir = Path.cwd()
    try:
        table, where = load_pyproject(rootdir)
        settings = resolve(rootdir, {"monolith_root": options.monolith_root}, os.environ, table, where)
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
    manifest = Path(options.manifest) if options.manifest else settings.path(settings.kernels_manifest)
    checkout = None if options.source_root else _checkout(options).root
    return run(options, checkout, manifest)
# --- end build-ops ---


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m pytest_monolith_parity",
                                   description="Reference tools for pytest-monolith-parity.")
    commands = main.add_subparsers(dest="command", required=True)

    def with_root(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--monolith-root", help="monolith checkout (default: MONOLITH_ROOT, then pyproject.toml)")
        return sub

    probe = with_root(commands.add_parser("probe", help="classify every monolith/*.py by whether it imports here"))
    probe.add_argument("--format", choices=("table", "tsv", "json"), default="table")
    probe.add_argument("--output", help="write here instead of stdout")
    probe.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    probe.add_argument("--timeout", type=float, default=60.0, help="seconds per import (default 60)")
    probe.add_argument("--cache-dir", help="proto cache root (default: MONOLITH_PARITY_PROTO_CACHE or "
                                           "~/.cache/monolith-parity/protos)")
    probe.add_argument("--serving-proto-dir", action="append", default=[],
                       help="directory with TF Serving protos the wheel lacks (repeatable)")
    probe.add_argument("--no-prewarm", action="store_true",
                       help="do not import TensorFlow in the workers up front (faster for a few TF-free files)")
    probe.add_argument("--verbose", "-v", action="store_true", help="print each file as it is classified")
    probe.add_argument("--kernels", help="kernel manifest whose cached builds the probe binds (default: "
                                         "kernels/monolith.toml when present; build them with build-ops)")
    probe.add_argument("files", nargs="*", help="only these checkout-relative paths")
    probe.set_defaults(run=cmd_probe)

    inventory = commands.add_parser("inventory", help="inventory/monolith.toml")
    actions = inventory.add_subparsers(dest="action", required=True)
    for name, run, text in (("generate", cmd_inventory_generate, "create or update (hand edits are kept)"),
                            ("check", cmd_inventory_check, "fail when the inventory and the checkout disagree")):
        sub = with_root(actions.add_parser(name, help=text))
        sub.add_argument("--inventory", default="inventory/monolith.toml")
        sub.set_defaults(run=run)

    index = with_root(commands.add_parser("index", help="write PYTHON_PARITY_INDEX.md and parity/<path>.md"))
    index.add_argument("--inventory", default="inventory/monolith.toml")
    index.add_argument("--results", help="parity-report/parity-report.json of the latest run")
    index.add_argument("--probe", help="probe JSON (probe --format json) to show per file")
    index.add_argument("--out", required=True, help="output directory")
    index.set_defaults(run=cmd_index)
    merge_reports = commands.add_parser(
        "merge-reports", help="merge the JSON reports of --parity-shard runs into one run's reports and gate")
    merge_reports.add_argument("reports", nargs="+", help="the parity-report.json of every shard")
    merge_reports.add_argument("--parity-baseline", dest="baseline", metavar="REPORT",
                               help="JSON report of the base revision: gate on regressions, as pytest does")
    merge_reports.add_argument("--parity-report-dir", dest="report_dir",
                               help="where the merged reports go (default: report_dir of pyproject.toml, "
                                    "MONOLITH_PARITY_REPORT_DIR, or parity-report)")
    merge_reports.add_argument("--parity-history", dest="history", help="the trend file the merged run joins")
    merge_reports.add_argument("--parity-revision", dest="revision",
                               help="label of the Rust revision (default: the shards' own)")
    merge_reports.add_argument("--unused-goldens", dest="unused_goldens", choices=("warn", "fail", "ignore"))
    merge_reports.add_argument("--parity-strict-records", dest="strict_records", action="store_true",
                               help="recorded divergences without a message prefix fail the gate, as in pytest")
    merge_reports.add_argument("--parity-perf-gate", dest="perf_gate", action="store_true",
                               help="a timed case whose Rust side got slower than on the baseline fails, as in pytest")
    merge_reports.set_defaults(run=cmd_merge_reports)
    # --- build-rust (see cmd_build_rust) ---
    from .monolith_rs_build.cli import add_arguments as build_rust_arguments

    build_rust_arguments(with_root(commands.add_parser(
        "build-rust", help="build a checkout's PyO3 bindings and/or monolith-rs CLI (cached); print their paths"),
    )).set_defaults(run=cmd_build_rust)
    # --- end build-rust ---
    # --- build-ops (see cmd_build_ops) ---
    from .kernel_build.cli import add_arguments as build_ops_arguments

    build_ops_arguments(with_root(commands.add_parser(
        "build-ops", help="build (or find cached) monolith's C++ kernels declared in kernels/monolith.toml"),
    )).set_defaults(run=cmd_build_ops)
    # --- end build-ops ---
    # --- mutants (see cmd_mutants) ---
    from .mutants.cli import add_arguments as mutants_arguments

    mutants_arguments(with_root(commands.add_parser(
        "mutants", help="mutation score of the parity cases: cargo-mutants' mutants judged by the cases"),
    )).set_defaults(run=cmd_mutants)
    # --- end mutants ---
    return main


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    from .inventory.store import InventoryError
    from .kernel_build.manifest import ManifestError
    from .reference.checkout import CheckoutError

    try:
        return options.run(options)
    except (CheckoutError, InventoryError, ManifestError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
