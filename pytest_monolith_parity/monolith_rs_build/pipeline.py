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
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..build_stamps import BuildResult, ensure_built
from ..reference.checkout import git_revision
from . import cargo
from .overlay import CLI_CRATE, Overlay, write_overlay
from .template import BindingsTemplate, default_bindings_dir
from .workspace import RustSetupError, RustWorkspace

if TYPE_CHECKING:
    from ..config import Settings

ARTIFACTS = ("bindings", "cli")
MODES = ("auto", "never", "force")
ENV_CACHE = "MONOLITH_PARITY_RUST_CACHE"
DEFAULT_JOBS = 2


@dataclasses.dataclass
class RustArtifacts:
    """Where one checkout's Rust side is, after :func:`ensure`."""

    monolith_root: Path
    revision: str
    build_dir: Path
    python_path: Path | None = None  # directory to put on sys.path for `import monolith_parity_rs`
    extension: Path | None = None
    cli: Path | None = None
    results: dict[str, BuildResult] = dataclasses.field(default_factory=dict)

    def describe(self) -> list[str]:
        lines = [f"checkout: {self.monolith_root} (revision {self.revision})", f"build dir: {self.build_dir}"]
        for name, result in self.results.items():
            lines.append(f"{name}: {result.action} in {result.seconds:.2f}s")
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


def _rebuild_command(root: Path, what: str, bindings_dir: Path, cache: Path) -> str:
    argv = [sys.executable, "-m", "pytest_monolith_parity", "build-rust", "--monolith-root", str(root),
            "--what", what]
    if bindings_dir != default_bindings_dir().resolve():
        argv += ["--bindings-dir", str(bindings_dir)]
    if cache != cache_root():
        argv += ["--cache-dir", str(cache)]
    return shlex.join(["python" if a == sys.executable else a for a in argv])


def ensure(monolith_root: str | Path, *, what: Iterable[str] = ("bindings",), mode: str = "auto",
           cache_dir: str | Path | None = None, bindings_dir: str | Path | None = None,
           target_dir: str | Path | None = None, jobs: int | None = None, cargo_bin: str | None = None,
           log: Callable[[str], None] | None = None) -> RustArtifacts:
    """Build (per ``mode``) and locate the requested artifacts of one checkout.

    ``what``: any of ``"bindings"`` (the PyO3 extension) and ``"cli"`` (monolith-rs's
    ``monolith`` binary).  ``target_dir`` overrides the per-checkout
    CARGO_TARGET_DIR (tests share one).  ``jobs``: cargo ``-j`` (default 2,
    or cargo's own ``CARGO_BUILD_JOBS`` when set).  ``log`` receives cargo's
    output lines as they come.
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
    cache = cache_root(cache_dir)
    build_dir = cache / build_key(root, revision)
    artifacts = RustArtifacts(monolith_root=root, revision=revision, build_dir=build_dir)
    target = Path(target_dir).expanduser().resolve() if target_dir else build_dir / "target"
    if jobs is None and not os.environ.get("CARGO_BUILD_JOBS"):
        jobs = DEFAULT_JOBS
    generator = [Path(__file__).resolve().parent]
    common = workspace.inputs() + generator

    def overlay() -> Overlay:
        return write_overlay(workspace, template, build_dir)

    env = {"MONOLITH_PARITY_CHECKOUT": str(root), "MONOLITH_PARITY_REVISION": revision}
    if "bindings" in what:
        extension = build_dir / "lib" / (template.lib_name + cargo.extension_suffix(template.abi3))
        crates = workspace.closure(workspace.crate_dir(name) for name in _monolith_dependencies(workspace, template))

        def build_bindings() -> None:
            made = overlay()
            messages = cargo.build(cargo.cargo_program(cargo_bin), made.manifest, made.bindings_package, ["--lib"],
                                   target_dir=target, jobs=jobs, log_path=build_dir / "logs" / "bindings.log",
                                   env={**env, "PYO3_BUILD_EXTENSION_MODULE": "1", "PYO3_PYTHON": sys.executable},
                                   log=log)
            cargo.install(cargo.find_artifact(messages, made.lib_name, "cdylib"), extension)

        artifacts.results["bindings"] = ensure_built(
            mode, _rebuild_command(root, "bindings", template.directory, cache),
            template.sources() + common + crates, build_dir / "stamp-bindings.json",
            run=build_bindings, outputs=[extension])
        artifacts.extension, artifacts.python_path = extension, extension.parent
    if "cli" in what:
        cli_crate_dir = workspace.crate_dir(CLI_CRATE)
        binary = build_dir / "bin" / _cli_bin_name(workspace, cli_crate_dir)

        def build_cli() -> None:
            made = overlay()
            if made.cli_package is None:
                raise RustSetupError(f"{cli_crate_dir} has no binary target (src/main.rs or [[bin]]) to build")
            messages = cargo.build(cargo.cargo_program(cargo_bin), made.manifest, made.cli_package,
                                   ["--bin", made.cli_bin], target_dir=target, jobs=jobs, env=env,
                                   log_path=build_dir / "logs" / "cli.log", log=log)
            cargo.install(cargo.find_artifact(messages, made.cli_bin, "bin"), binary)

        artifacts.results["cli"] = ensure_built(
            mode, _rebuild_command(root, "cli", template.directory, cache),
            [template.path] + common + workspace.closure([cli_crate_dir]), build_dir / "stamp-cli.json",
            run=build_cli, outputs=[binary])
        artifacts.cli = binary
    return artifacts


def _monolith_dependencies(workspace: RustWorkspace, template: BindingsTemplate) -> list[str]:
    """Template dependencies that are checkout crates (``workspace = true`` entries with a path)."""
    names = []
    for table in ("dependencies", "build-dependencies"):
        for name, spec in template.manifest.get(table, {}).items():
            resolved = workspace.resolve(name, spec, template.directory, str(template.path))
            if "path" in resolved and Path(resolved["path"]).is_relative_to(workspace.root):
                names.append(name)
    return names


def _cli_bin_name(workspace: RustWorkspace, crate_dir: Path) -> str:
    manifest = workspace.crate_manifest(crate_dir)
    bins = manifest.get("bin") or [{"name": manifest["package"]["name"]}]
    return bins[0]["name"] + (".exe" if sys.platform == "win32" else "")


def prepare(settings: "Settings", *, what: Iterable[str] = ("bindings",),
            log: Callable[[str], None] | None = None) -> RustArtifacts:
    """The plugin's entry: build what a run needs for ``settings.monolith_root`` per ``settings.rust_build``."""
    if not settings.monolith_root:
        raise RustSetupError("no monolith checkout configured: set MONOLITH_ROOT, pass --monolith-root, or add "
                             "monolith_root under [tool.monolith_parity] in pyproject.toml")
    return ensure(settings.path(settings.monolith_root), what=what, mode=settings.rust_build, log=log)


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
