"""Build the Rust side of one checkout, cached, and say where it is.

One build directory per checkout *location and revision*
(``<cache>/<name>-<hash>``), so two revisions -- a baseline and a pull
request -- build side by side without evicting each other::

    <cache>/master-1a2b3c4d5e6f/
      Cargo.toml, Cargo.lock, bindings/, cli/   the overlay (overlay.py)
      target/                                   CARGO_TARGET_DIR shared by both artifacts
      lib/monolith_parity_rs.abi3.so            put lib/ on sys.path
      bin/monolith                              monolith-rs's CLI
      stamp-bindings.json, stamp-cli.json       fingerprints of the last builds
      logs/<artifact>.log                       the last cargo output

Staleness is :func:`pytest_monolith_parity.build_stamps.ensure_built`'s: a
fingerprint over the bindings sources, the checkout crates the artifact
depends on (transitively), the workspace manifest/lockfile/protos, this
package (the overlay generator) and the rustc version.  An unchanged
checkout is a no-op that never starts cargo.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shlex
import shutil
import sys
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from filelock import FileLock

from ..build_stamps import BuildError, BuildResult, ensure_built, fingerprint, root_digest
from ..files import atomic_write
from ..progress import Progress
from ..reference.checkout import git_revision
from . import cargo, compiler_cache
from .graph import analyse
from .overlay import CLI_CRATE, Overlay, write_overlay
from .template import BindingsTemplate, default_bindings_dir
from .workspace import RustSetupError, RustWorkspace

if TYPE_CHECKING:
    from ..config import Settings

ARTIFACTS = ("bindings", "cli")
MODES = ("auto", "never", "force")
ENV_CACHE = "MONOLITH_PARITY_RUST_CACHE"
DEFAULT_JOBS = 2
API_FILE = "parity_api.json"  # the bindings' build script's decisions, installed next to the extension
API_CRATES_ENV = "MONOLITH_PARITY_API_CRATES"
DIGESTS_FILE = "parity-checkout-digests.json"


@dataclasses.dataclass
class RustArtifacts:
    """Where one checkout's Rust side is, after :func:`ensure`."""

    monolith_root: Path
    revision: str
    build_dir: Path
    python_path: Path | None = None  # directory to put on sys.path for `import monolith_parity_rs`
    extension: Path | None = None
    cli: Path | None = None
    features: tuple[str, ...] = ()  # the bindings' cargo features (monolith packages) in this build
    api: dict | None = None  # the build script's parity_api.json: facts and wrappers of this build
    compiler_cache: str = ""
    results: dict[str, BuildResult] = dataclasses.field(default_factory=dict)

    def describe(self) -> list[str]:
        lines = [f"checkout: {self.monolith_root} (revision {self.revision})", f"build dir: {self.build_dir}"]
        for name, result in self.results.items():
            what = f"{name} [{', '.join(self.features) or 'no package'}]" if name == "bindings" else name
            lines.append(f"{what}: {result.action} in {result.seconds:.2f}s")
        if self.api is not None:
            facts = self.api.get("facts", [])
            absent = sorted(f["value"] for f in facts if not f["holds"])  # stable: the build script's order is not
            lines.append(f"api facts: {len(facts) - len(absent)} of {len(facts)} hold"
                         + (f"; false in this checkout: {', '.join(absent)}" if absent else ""))
        if self.compiler_cache and any(r.action == "built" for r in self.results.values()):
            lines.append(self.compiler_cache)
        if self.python_path:
            lines.append(f"python path: {self.python_path}")
        if self.cli:
            lines.append(f"cli: {self.cli}")
        return lines


def cache_root(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser().resolve()
    return Path.home() / ".cache" / "monolith-parity" / "rust"


def build_key(monolith_root: Path, revision: str) -> str:
    """``<dir name>-<12 hex>`` of the checkout's resolved location and revision."""
    digest = hashlib.sha256(f"{monolith_root}\0{revision}".encode()).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", monolith_root.name)[:40] or "checkout"
    return f"{name}-{digest}"


def feature_key(features: Iterable[str]) -> str:
    """The directory name of one feature set's artifacts: ``agent_service+native_training`` (or a hash)."""
    names = sorted(set(features))
    key = "+".join(names) or "no-package"
    return key if len(key) <= 60 else "features-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _rebuild_command(root: Path, what: str, bindings_dir: Path, cache: Path, features: Iterable[str] = ()) -> str:
    argv = [sys.executable, "-m", "pytest_monolith_parity", "build-rust", "--monolith-root", str(root),
            "--what", what]
    if what == "bindings":
        argv += ["--features", ",".join(sorted(features)) or "none"]
    if bindings_dir != default_bindings_dir().resolve():
        argv += ["--bindings-dir", str(bindings_dir)]
    if cache != cache_root():
        argv += ["--cache-dir", str(cache)]
    return shlex.join(["python" if a == sys.executable else a for a in argv])


def ensure(monolith_root: str | Path, *, what: Iterable[str] = ("bindings",), features: Iterable[str] | None = None,
           mode: str = "auto", cache_dir: str | Path | None = None, bindings_dir: str | Path | None = None,
           target_dir: str | Path | None = None, jobs: int | None = None, cargo_bin: str | None = None,
           log: Callable[[str], None] | None = None, progress: bool | TextIO = False) -> RustArtifacts:
    """Build (per ``mode``) and locate the requested artifacts of one checkout.

    ``what``: any of ``"bindings"`` (the PyO3 extension) and ``"cli"`` (monolith-rs's
    ``monolith`` binary).  ``features``: the bindings' cargo features -- monolith
    packages (``bindings.toml`` ``[features]``) -- to compile; None means all of
    them.  Each feature set has its own installed artifact (``lib/<features>/``)
    and stamp, so switching selections does not rebuild one artifact back and
    forth.  ``target_dir`` overrides the per-checkout CARGO_TARGET_DIR (tests
    share one).  ``jobs``: cargo ``-j`` (default 2, or cargo's own
    ``CARGO_BUILD_JOBS`` when set).  ``log`` receives cargo's output lines as
    they come; ``progress`` (True: stderr, or a stream) shows a progress line
    per cargo build (:mod:`pytest_monolith_parity.progress`).
    """
    what = list(dict.fromkeys(what))
    unknown = [w for w in what if w not in ARTIFACTS]
    if unknown or not what:
        raise RustSetupError(f"unknown artifact(s) {unknown}: choose from {', '.join(ARTIFACTS)}")
    if mode not in MODES:
        raise RustSetupError(f"unknown build mode {mode!r}: choose from {', '.join(MODES)}")
    workspace = RustWorkspace.open(monolith_root)
    root = workspace.monolith_root
    revision = git_revision(root)
    template = BindingsTemplate.load(bindings_dir)
    features = _check_features(template, features)
    cache = cache_root(cache_dir)
    build_dir = cache / build_key(root, revision)
    wrapper, cache_line = compiler_cache.wrapper_env()
    artifacts = RustArtifacts(monolith_root=root, revision=revision, build_dir=build_dir, features=tuple(features),
                              compiler_cache=cache_line)
    target = Path(target_dir).expanduser().resolve() if target_dir else build_dir / "target"
    if jobs is None and not os.environ.get("CARGO_BUILD_JOBS"):
        jobs = DEFAULT_JOBS
    generator = [Path(__file__).resolve().parent]
    common = workspace.inputs() + generator
    cargo_program = cargo.cargo_program(cargo_bin)
    stream = progress if progress not in (True, False) else (sys.stderr if progress else None)

    def overlay() -> Overlay:
        return write_overlay(workspace, template, build_dir)

    def reporter(title: str, total: int | None) -> Progress | None:
        if stream is None:
            return None
        return Progress(title, total=total, unit="crates", approximate=True, stream=stream)

    env = {"MONOLITH_PARITY_CHECKOUT": str(root), "MONOLITH_PARITY_REVISION": revision, **wrapper}
    if "bindings" in what:
        if mode != "force":  # a fresh artifact of more packages serves a narrower selection without a build
            features = _fresh_superset(build_dir, features, template, common, cache,
                                       lambda chosen: workspace.closure(workspace.crate_dir(name) for name in
                                                                        _monolith_dependencies(workspace, template,
                                                                                               chosen)),
                                       root) or features
            artifacts.features = tuple(features)
        key = feature_key(features)
        lib_dir = build_dir / "lib" / key
        extension = lib_dir / (template.lib_name + cargo.extension_suffix(template.abi3))
        api_file = lib_dir / API_FILE
        crates = workspace.closure(workspace.crate_dir(name)
                                   for name in _monolith_dependencies(workspace, template, features))

        def build_bindings() -> None:
            made = overlay()
            cargo_features = [f"{made.bindings_package}/{f}" for f in features]
            meta = cargo.metadata(cargo_program, made.manifest, features=cargo_features, env=env)
            graph = analyse(meta, made.bindings_package, workspace.root)
            crates_file = build_dir / f"api-crates-{key}.tsv"
            text = graph.api_crates_text().encode()
            if not crates_file.is_file() or crates_file.read_bytes() != text:  # build.rs reruns when it changes
                atomic_write(crates_file, text)
            bar = reporter(f"rust bindings [{', '.join(features) or 'no package'}]", graph.units)
            try:
                with target_lock(target):  # the guard must not delete fingerprints another build is writing
                    guard_checkout_crates(target, [c.directory for c in graph.crates])
                    messages = cargo.build(cargo_program, made.manifest, made.bindings_package, ["--lib"],
                                       target_dir=target, jobs=jobs, log_path=build_dir / "logs" / f"bindings-{key}.log",
                                           env={**env, "PYO3_BUILD_EXTENSION_MODULE": "1", "PYO3_PYTHON": sys.executable,
                                                API_CRATES_ENV: str(crates_file)},
                                           log=log, features=[f for f in features], progress=bar)
                    record_checkout_crates(target, [c.directory for c in graph.crates])
                    # installed under the lock: another build in this target dir rewrites the uplifted files
                    if template.build_script is not None:  # bindings without a build script have no API facts
                        out_dir = cargo.build_script_out_dir(messages, made.bindings_package)
                        if out_dir is None or not (out_dir / API_FILE).is_file():
                            raise BuildError(f"cargo built {made.bindings_package} but its build script wrote no "
                                             f"{API_FILE} ({template.build_script} must call "
                                             "parity_api_scan::Scan::run)")
                        cargo.install(out_dir / API_FILE, api_file)
                    cargo.install(cargo.find_artifact(messages, made.lib_name, "cdylib"), extension)
            except BuildError:
                if bar is not None:
                    bar.finish("failed")
                raise
            if bar is not None:
                bar.finish("built")

        artifacts.results["bindings"] = ensure_built(
            mode, _rebuild_command(root, "bindings", template.directory, cache, features),
            template.sources() + common + crates, build_dir / f"stamp-bindings-{key}.json",
            run=build_bindings, outputs=[extension] + ([api_file] if template.build_script else []))
        artifacts.extension, artifacts.python_path = extension, extension.parent
        if api_file.is_file():
            artifacts.api = json.loads(api_file.read_text("utf-8"))
    if "cli" in what:
        cli_crate_dir = workspace.crate_dir(CLI_CRATE)
        binary = build_dir / "bin" / _cli_bin_name(workspace, cli_crate_dir)

        def build_cli() -> None:
            made = overlay()
            if made.cli_package is None:
                raise RustSetupError(f"{cli_crate_dir} has no binary target (src/main.rs or [[bin]]) to build")
            graph = analyse(cargo.metadata(cargo_program, made.manifest, env=env), made.cli_package, workspace.root)
            bar = reporter("rust cli (monolith)", graph.units)
            try:
                with target_lock(target):
                    guard_checkout_crates(target, [c.directory for c in graph.crates])
                    messages = cargo.build(cargo_program, made.manifest, made.cli_package, ["--bin", made.cli_bin],
                                           target_dir=target, jobs=jobs, env=env,
                                           log_path=build_dir / "logs" / "cli.log", log=log, progress=bar)
                    record_checkout_crates(target, [c.directory for c in graph.crates])
                    cargo.install(cargo.find_artifact(messages, made.cli_bin, "bin"), binary)
            except BuildError:
                if bar is not None:
                    bar.finish("failed")
                raise
            if bar is not None:
                bar.finish("built")

        artifacts.results["cli"] = ensure_built(
            mode, _rebuild_command(root, "cli", template.directory, cache),
            [template.path] + common + workspace.closure([cli_crate_dir]), build_dir / "stamp-cli.json",
            run=build_cli, outputs=[binary])
        artifacts.cli = binary
    return artifacts


def _fresh_superset(build_dir: Path, features: list[str], template: BindingsTemplate, common: list[Path],
                    cache: Path, crates_of: Callable[[list[str]], list[Path]], root: Path) -> list[str] | None:
    """The smallest feature set already built here, fresh, that contains ``features`` (itself first), or None.

    ``-k`` over one package after a whole run would otherwise compile a second
    artifact of the same sources; the larger one's wrappers for the selected
    packages are the same code.  Fresh means what ``ensure_built`` checks: the
    stamp's fingerprint over that set's sources and command, and its outputs exist.
    """
    wanted = set(features)
    candidates = []
    for stamp in build_dir.glob("stamp-bindings-*.json"):
        try:
            command = json.loads(stamp.read_text("utf-8")).get("command", "")
            argv = shlex.split(command)
            chosen = argv[argv.index("--features") + 1]
        except (OSError, ValueError, IndexError):
            continue
        names = [] if chosen == "none" else sorted(chosen.split(","))
        if not wanted <= set(names) or stamp.name != f"stamp-bindings-{feature_key(names)}.json":
            continue
        candidates.append((len(names), names, stamp, command))
    for _, names, stamp, command in sorted(candidates):
        lib_dir = build_dir / "lib" / feature_key(names)
        outputs = [lib_dir / (template.lib_name + cargo.extension_suffix(template.abi3))]
        if template.build_script is not None:
            outputs.append(lib_dir / API_FILE)
        if command != _rebuild_command(root, "bindings", template.directory, cache, names):
            continue
        if all(path.exists() for path in outputs) and json.loads(stamp.read_text("utf-8")).get("fingerprint") == \
                fingerprint(template.sources() + common + crates_of(names), command):
            return names
    return None


def _check_features(template: BindingsTemplate, features: Iterable[str] | None) -> list[str]:
    known = template.features
    if features is None:
        return sorted(known)
    chosen = sorted(set(features))
    unknown = [f for f in chosen if f not in known]
    if unknown:
        raise RustSetupError(f"the bindings have no feature {', '.join(map(repr, unknown))}: {template.path} "
                             f"[features] lists {', '.join(sorted(known)) or 'none'} (one per monolith package)")
    return chosen


def _enabled_dependencies(template: BindingsTemplate, features: Iterable[str]) -> set[str]:
    """Optional dependencies these features turn on (``dep:x``, ``x/feature``, or a feature named ``x``)."""
    table = template.features
    enabled: set[str] = set()
    pending = list(features)
    seen: set[str] = set()
    while pending:
        feature = pending.pop()
        if feature in seen:
            continue
        seen.add(feature)
        for item in table.get(feature, []):
            if item.startswith("dep:"):
                enabled.add(item[4:])
            elif "/" in item:
                enabled.add(item.split("/", 1)[0].rstrip("?"))
            elif item in table:
                pending.append(item)
            else:
                enabled.add(item)
    return enabled


def _monolith_dependencies(workspace: RustWorkspace, template: BindingsTemplate,
                           features: Iterable[str] = ()) -> list[str]:
    """Template dependencies that are checkout crates (``workspace = true`` entries with a path) in this build:
    the non-optional ones and those the features enable."""
    names = []
    enabled = _enabled_dependencies(template, features)
    for table in ("dependencies", "build-dependencies"):
        for name, spec in template.manifest.get(table, {}).items():
            if isinstance(spec, dict) and spec.get("optional") and name not in enabled:
                continue
            resolved = workspace.resolve(name, spec, template.directory, str(template.path))
            if "path" in resolved and Path(resolved["path"]).is_relative_to(workspace.root):
                names.append(name)
    return names


def _cli_bin_name(workspace: RustWorkspace, crate_dir: Path) -> str:
    manifest = workspace.crate_manifest(crate_dir)
    bins = manifest.get("bin") or [{"name": manifest["package"]["name"]}]
    return bins[0]["name"] + (".exe" if sys.platform == "win32" else "")


def prepare(settings: "Settings", *, what: Iterable[str] = ("bindings",), features: Iterable[str] | None = None,
            log: Callable[[str], None] | None = None, progress: bool | TextIO = False) -> RustArtifacts:
    """The plugin's entry: build what a run needs for ``settings.monolith_root`` per ``settings.rust_build``."""
    if not settings.monolith_root:
        raise RustSetupError("no monolith checkout configured: set MONOLITH_ROOT, pass --monolith-root, or add "
                             "monolith_root under [tool.monolith_parity] in pyproject.toml")
    return ensure(settings.path(settings.monolith_root), what=what, features=features, mode=settings.rust_build,
                  log=log, progress=progress)


def bindings_features(bindings_dir: str | Path | None = None) -> list[str]:
    """The bindings' cargo features: the monolith packages that have wrappers."""
    return sorted(BindingsTemplate.load(bindings_dir).features)


def target_lock(target: Path) -> FileLock:
    """One harness build at a time per target directory (cargo locks it too, but not our guard around it)."""
    target.mkdir(parents=True, exist_ok=True)
    return FileLock(str(target) + ".parity-build.lock")


def guard_checkout_crates(target: Path, crate_dirs: Iterable[Path]) -> None:
    """Make cargo rebuild every checkout crate whose *content* changed since the last build in ``target``.

    Cargo decides freshness by mtimes; a checkout updated with old mtimes
    (``cp -p``, ``rsync -a``, an unpacked archive) would otherwise keep the old
    artifacts -- verdicts about code that is not on disk.  The digest of each
    crate's sources is recorded after a build; a crate whose digest differs
    loses its cargo fingerprints (only inside our target directory), so cargo
    recompiles it and everything that depends on it.
    """
    record = target / DIGESTS_FILE
    recorded = json.loads(record.read_text()) if record.is_file() else {}
    fingerprints = target / "release" / ".fingerprint"
    if not fingerprints.is_dir():
        return
    for directory in crate_dirs:
        if recorded.get(str(directory)) == root_digest(directory):
            continue
        name = _package_name(directory)
        for stale in fingerprints.glob(f"{name}-*"):
            if stale.name[len(name) + 1:].isalnum():
                shutil.rmtree(stale, ignore_errors=True)


def record_checkout_crates(target: Path, crate_dirs: Iterable[Path]) -> None:
    record = target / DIGESTS_FILE
    recorded = json.loads(record.read_text()) if record.is_file() else {}
    recorded.update({str(d): root_digest(d) for d in crate_dirs})
    atomic_write(record, json.dumps(recorded, indent=1, sort_keys=True).encode())


def _package_name(crate_dir: Path) -> str:
    try:
        with (crate_dir / "Cargo.toml").open("rb") as handle:
            return tomllib.load(handle)["package"]["name"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return crate_dir.name


def activate(artifacts: RustArtifacts) -> None:
    """Make ``import monolith_parity_rs`` load this checkout's extension, here and in subprocesses.

    The directory goes first on ``sys.path`` and on ``PYTHONPATH`` (isolated
    calls and workers are subprocesses), ahead of any copy installed in
    site-packages.
    """
    if artifacts.python_path is None:
        return
    entry = str(artifacts.python_path)
    if entry in sys.path:
        sys.path.remove(entry)
    sys.path.insert(0, entry)
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != entry]
    os.environ["PYTHONPATH"] = os.pathsep.join([entry, *rest])


def verify_import(artifacts: RustArtifacts, module_name: str) -> None:
    """Import the extension and refuse one loaded from anywhere but this build (a stale copy elsewhere)."""
    import importlib

    if artifacts.extension is None:
        return
    module = importlib.import_module(module_name)
    loaded = Path(getattr(module, "__file__", "") or "").resolve()
    if loaded != artifacts.extension.resolve():
        raise RustSetupError(
            f"`import {module_name}` loaded {loaded}, not the build for {artifacts.monolith_root} "
            f"({artifacts.extension}): it was imported before the build was activated, or another copy shadows "
            f"it. Uninstall the other copy (pip uninstall) or call monolith_rs_build.activate() before importing it")
