"""What a mutants run mutates, how it rebuilds it, and how the cases see the rebuilt Rust side.

Two kinds of project:

* a **monolith checkout** (``MONOLITH_ROOT``): the whole checkout is copied
  (it is small; the reference reads ``monolith/`` from the copy too, so the
  baseline and every mutant run see the same paths), mutants are listed in
  the copy's ``monolith-rs/``, and the bindings and CLI are rebuilt by
  :func:`monolith_rs_build.ensure` into a cache of the run's own -- the
  user's build cache is never touched;
* a project whose Rust side a **command** builds (the sample pair): the
  ``[tool.monolith_parity.mutants]`` table names the Cargo tree, the build
  command (run in the copy) and the environment that points the cases at the
  copy's artifacts (``{copy}`` and ``{python}`` are substituted).

Either way the cases run from the user's project directory, unchanged; only
the Rust artifacts come from the copy.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .listing import MutantsError
from .workcopy import sync


class BuildFailed(Exception):
    """The mutated tree did not compile (the mutant is *unviable*); ``tail`` is the compiler's last lines."""

    def __init__(self, tail: str):
        super().__init__(tail)
        self.tail = tail


class BuildTimedOut(Exception):
    """The build outlived its timeout."""


@dataclasses.dataclass
class Target:
    """One project's mutation set-up; ``copy`` is the private copy, ``tree`` the Cargo tree inside it."""

    kind: str
    source: Path  # the user's tree (read only)
    copy: Path
    tree: Path  # the Cargo workspace cargo-mutants lists, inside the copy
    build_command: str = ""
    env_template: dict[str, str] = dataclasses.field(default_factory=dict)
    covers: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # tree file -> Python files
    features: tuple[str, ...] = ()
    artifacts: tuple[str, ...] = ("bindings", "cli")
    rust_cache: Path | None = None
    default_files: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()  # the built artifacts coverage is read from ({copy} substituted)
    build_env: dict[str, str] = dataclasses.field(default_factory=dict)  # e.g. RUSTFLAGS of a coverage build
    extra_case_env: dict[str, str] = dataclasses.field(default_factory=dict)  # e.g. LLVM_PROFILE_FILE
    seed_targets: dict[str, str] = dataclasses.field(default_factory=dict)  # copy's target dir -> source's

    def prepare(self) -> int:
        """Bring the private copy in line with the source tree; how many files changed.

        A target directory of the copy that does not exist yet starts as a copy of the user's build output
        (``seed_targets``), so the first build compiles only the workspace crates, not every dependency."""
        changed = sync(self.source, self.copy)
        for mine, theirs in self.seed_targets.items():
            if not (self.copy / mine).exists() and (self.source / theirs).is_dir():
                shutil.copytree(self.source / theirs, self.copy / mine, symlinks=True)
        return changed

    def tree_file(self, path: str) -> str:
        """A path as the inventory names it (``monolith-rs/crates/...`` for a checkout)."""
        if self.kind == "monolith":
            return str(Path(self.tree.relative_to(self.copy)) / path)
        return path

    def build(self, timeout: float, log: Path) -> float:
        """Rebuild the copy's Rust side; seconds taken.  Raises BuildFailed / BuildTimedOut."""
        started = time.monotonic()
        if self.kind == "monolith":
            argv = [sys.executable, "-m", "pytest_monolith_parity", "build-rust", "--monolith-root", str(self.copy),
                    "--what", "all" if set(self.artifacts) >= {"bindings", "cli"} else self.artifacts[0], "--features", ",".join(self.features) or "none",
                    "--cache-dir", str(self.rust_cache)]
            _run_logged(argv, None, timeout, log, self.build_env)
        else:
            command = self.build_command.replace("{copy}", str(self.copy)).replace("{python}", sys.executable)
            _run_logged(command, self.copy, timeout, log, self.build_env, shell=True)
        return time.monotonic() - started

    def built_objects(self) -> list[Path]:
        """The instrumented artifacts (extension, CLI, worker) whose coverage maps are read."""
        if self.kind == "monolith":
            found = sorted(self.rust_cache.glob("*/lib/*/*.so")) + sorted(self.rust_cache.glob("*/bin/*"))
            return [p for p in found if p.is_file()]
        return [Path(o.replace("{copy}", str(self.copy))) for o in self.objects]

    def case_env(self) -> dict[str, str]:
        """Environment the cases run in: the copy's Rust artifacts, never the user's."""
        if self.kind == "monolith":
            return {"MONOLITH_ROOT": str(self.copy), "MONOLITH_PARITY_RUST_CACHE": str(self.rust_cache),
                    "MONOLITH_PARITY_RUST_BUILD": "never", **self.extra_case_env}
        env = dict(self.extra_case_env)
        for name, value in self.env_template.items():
            text = value.replace("{copy}", str(self.copy)).replace("{python}", sys.executable)
            if name == "PYTHONPATH" and os.environ.get("PYTHONPATH"):
                text = text + os.pathsep + os.environ["PYTHONPATH"]
            env[name] = text
        return env


def _run_logged(argv: Sequence[str] | str, cwd: Path | None, timeout: float, log: Path, env: Mapping[str, str],
                shell: bool = False) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        process = subprocess.Popen(argv, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, shell=shell,
                                   env={**os.environ, **env}, start_new_session=True)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            raise BuildTimedOut() from None
    if status != 0:
        lines = log.read_text(errors="replace").splitlines()
        errors = [line for line in lines if line.startswith("error")]
        raise BuildFailed("\n".join((errors[:3] or []) + lines[-15:]))


def kill_group(process: subprocess.Popen) -> None:
    """End a process we started and everything it started (its own session), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def command_target(project: Path, table: Mapping[str, Any], work: Path, where: str) -> Target:
    """The ``[tool.monolith_parity.mutants]`` set-up of a project built by a command (the sample pair)."""
    try:
        tree = project / str(table["tree"])
        build = str(table["build"])
    except KeyError as error:
        raise MutantsError(f"{where}: [tool.monolith_parity.mutants] needs {error} (the Cargo tree to mutate and "
                           "the command that builds it; see docs/mutation.md)") from None
    if not (tree / "Cargo.toml").is_file():
        raise MutantsError(f"{where}: [tool.monolith_parity.mutants] tree = {table['tree']!r} holds no Cargo.toml")
    env = {str(k): str(v) for k, v in (table.get("env") or {}).items()}
    covers = {str(k): [str(p) for p in v] for k, v in (table.get("covers") or {}).items()}
    return Target(kind="command", source=tree, copy=work / "copy", tree=work / "copy", build_command=build,
                  env_template=env, covers=covers, default_files=tuple(table.get("files") or ()),
                  objects=tuple(str(o) for o in table.get("objects") or ()),
                  seed_targets={str(k): str(v) for k, v in (table.get("seed_targets") or {}).items()})


def monolith_target(checkout: Path, work: Path, features: Sequence[str], artifacts: Sequence[str]) -> Target:
    """A monolith checkout: copied whole, mutated in ``monolith-rs/``, built into the run's own cache."""
    if not (checkout / "monolith-rs" / "Cargo.toml").is_file():
        raise MutantsError(f"{checkout} has no monolith-rs/Cargo.toml: point --monolith-root at a checkout")
    copy = work / "checkout"
    return Target(kind="monolith", source=checkout, copy=copy, tree=copy / "monolith-rs", features=tuple(features),
                  artifacts=tuple(artifacts), rust_cache=work / "rust")
