"""One-shot command lines, for comparing real CLIs (``monolith agent-service ...`` vs ``agent.py``).

The observable contract of a command is its exit code, its output streams
and the files it writes; this runner captures exactly those into a plain
dict that the structured comparator can diff key by key.  A non-zero exit
is a *value* (it is part of the contract), a signal is a crash, and a
command that outlives the timeout is killed and reported as a timeout.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..arguments import Args
from ..outcomes import UNAVAILABLE_EXIT, UNAVAILABLE_MARKER, ReferenceUnavailable, SideKind, SideResult
from . import zygote
from .base import Runner, RunnerConfigError, subprocess_environment
from .workers import signal_name

if TYPE_CHECKING:
    from ..config import Settings
    from .base import RunContext

CAPTURABLE = ("exit_code", "stdout", "stderr", "files")


class CliRun(Runner):
    """Runs a command line once per call.

    ``argv`` items are format strings: ``{rust_cli}`` (the configured
    ``monolith`` binary), ``{python}`` (this interpreter), ``{workdir}`` (a
    fresh scratch directory, also the working directory), and ``{0}``,
    ``{1}``, ``{name}`` for the case's positional and keyword arguments.
    Or pass a callable ``argv(*args, **kwargs) -> list[str]``; one that raises
    :class:`~pytest_monolith_parity.ReferenceUnavailable` (a service it needs
    is missing) makes the call *unavailable*.

    ``program`` is prepended to every command line (``["{rust_cli}",
    "agent-service"]``; ``{rust_cli}`` and ``{python}`` are resolved there
    too), so a case's argv holds only its own flags.  What is observed but not
    in ``capture`` is not compared; stderr then still goes into the report's
    side detail (its tail), so a person sees why a command failed.

    A Python side that runs this interpreter (``{python} -m ...``, ``-c``, a
    script) is forked from the reference zygote instead of spawned
    (runners/zygote.py: same exit status, streams and files, without importing
    TensorFlow again); ``fork=False`` spawns it.
    """

    def __init__(self, argv: Sequence[str] | Callable[..., Sequence[str]], *, env: Mapping[str, str] | None = None,
                 stdin: bytes | str | None = None, files: Sequence[str] = (),
                 capture: Sequence[str] = ("exit_code", "stdout", "stderr", "files"), text: bool = True,
                 program: Sequence[str] = (), fork: bool = True, **hooks: Any):
        super().__init__(**hooks)
        self.fork = fork
        unknown = [c for c in capture if c not in CAPTURABLE]
        if unknown:
            raise RunnerConfigError(f"cli(capture=...) got {unknown}; choose from {list(CAPTURABLE)}")
        self.argv = argv
        self.env = dict(env or {})
        self.stdin = stdin.encode() if isinstance(stdin, str) else stdin
        self.files = list(files)
        self.capture = tuple(capture)
        self.text = text
        self.program = list(program)

    def needs_artifacts(self, settings: "Settings") -> set[str]:
        static = [*self.program, *([] if callable(self.argv) else self.argv)]
        return {"cli"} if any("{rust_cli}" in part for part in static) else set()

    def validate(self, settings: "Settings") -> None:
        static = [*self.program, *([] if callable(self.argv) else self.argv)]
        if any("{rust_cli}" in part for part in static) and not settings.rust_cli:
            raise RunnerConfigError("this case runs {rust_cli} (the monolith CLI) but none is configured: set "
                                    "--rust-cli, MONOLITH_PARITY_RUST_CLI or rust_cli in [tool.monolith_parity], or "
                                    "build it from the checkout with MONOLITH_PARITY_RUST_ARTIFACTS=bindings,cli")

    def command(self, args: Args, settings: "Settings", workdir: str) -> list[str]:
        fields = {"rust_cli": settings.rust_cli or "", "python": sys.executable, "workdir": workdir}
        program = [part.format(**fields) for part in self.program]
        if callable(self.argv):
            return program + [str(part) for part in self.argv(*args.args, **dict(args.kwargs))]
        fields.update({k: v for k, v in args.kwargs.items()})
        parts: list[str] = []
        for part in self.argv:
            parts.append(part.format(*args.args, **fields))
        if len(parts) == 1 and " " in parts[0]:
            parts = shlex.split(parts[0])
        return program + parts

    def call(self, args: Args, context: "RunContext") -> SideResult:
        args = self.adapt_args(args)
        with tempfile.TemporaryDirectory(prefix="parity-cli-", dir=context.scratch_dir) as workdir:
            try:
                argv = self.command(args, context.settings, workdir)
            except ReferenceUnavailable as error:
                return SideResult(self.side, SideKind.UNAVAILABLE, message=str(error))
            env = subprocess_environment()  # a `python -m pytest_monolith_parity...` gets this harness
            env.update({k: v.format(workdir=workdir) for k, v in self.env.items()})
            result = self._run(argv, env, workdir, context, fork=self.side == "python" and self.fork)
            return result if result.kind is not SideKind.VALUE else self.finish(result)

    def _start(self, argv: list[str], env: dict[str, str], workdir: str, context: "RunContext",
               fork: bool) -> tuple[Any, str]:
        """The process (forked from the reference zygote for a Python side, else spawned) and its note."""
        if fork:
            return zygote.launch(context.workers.zygotes, context.settings, subprocess_environment(), argv, env=env,
                                 cwd=workdir, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return subprocess.Popen(argv, cwd=workdir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True), ""

    def _run(self, argv: list[str], env: dict[str, str], workdir: str, context: "RunContext", *, fork: bool,
             notes: tuple[str, ...] = ()) -> SideResult:
        start = time.perf_counter()
        try:
            process, note = self._start(argv, env, workdir, context, fork)
        except OSError as error:
            return SideResult(self.side, SideKind.CRASHED, message=f"cannot start {argv!r}: {error}")
        notes = (*notes, note) if note else notes
        try:
            stdout, stderr = process.communicate(self.stdin, timeout=context.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            return SideResult(self.side, SideKind.TIMEOUT,
                              message=f"{argv[0]} did not finish within {context.timeout:g} s; killed",
                              detail=_tail(stderr), seconds=time.perf_counter() - start, notes=list(notes))
        lost = getattr(process, "zygote_lost", "")
        if lost:  # the call's own fate is unknown: run it again, spawned, and say so
            _clear(workdir)
            return self._run(argv, env, workdir, context, fork=False,
                             notes=(*notes, zygote.note_for(f"the zygote went away during the call ({lost})")))
        seconds = time.perf_counter() - start
        unavailable = _unavailable_reason(process.returncode, stderr)
        if unavailable is not None:
            return SideResult(self.side, SideKind.UNAVAILABLE, message=unavailable, detail=_tail(stderr),
                              seconds=seconds, notes=list(notes))
        if process.returncode < 0:
            return SideResult(self.side, SideKind.CRASHED, message=f"{argv[0]} {signal_name(process.returncode)}",
                              detail=_tail(stderr), seconds=seconds, notes=list(notes))
        observed = {
            "exit_code": process.returncode,
            "stdout": self._decode(stdout),
            "stderr": self._decode(stderr),
            "files": self._collect_files(Path(workdir)),
        }
        value = {key: observed[key] for key in self.capture}
        detail = f"argv: {shlex.join(argv)}"
        if "stderr" not in self.capture:
            detail += f"\nstderr (not compared):\n{_stderr_tail(stderr)}"
        return SideResult(self.side, SideKind.VALUE, value=value, seconds=seconds, detail=detail, notes=list(notes))

    def _decode(self, data: bytes) -> str | bytes:
        return data.decode("utf-8", "replace") if self.text else data

    def _collect_files(self, workdir: Path) -> dict[str, bytes | None]:
        """The requested files (glob patterns relative to the workdir); a missing one is ``None``."""
        found: dict[str, bytes | None] = {}
        for pattern in self.files:
            matches = sorted(p for p in workdir.glob(pattern) if p.is_file())
            if not matches and not any(ch in pattern for ch in "*?["):
                found[pattern] = None
            for path in matches:
                found[path.relative_to(workdir).as_posix()] = path.read_bytes()
        return found

    def describe(self) -> str:
        if self.program:
            return "cli " + " ".join(self.program)
        return "cli " + (getattr(self.argv, "__name__", "<callable>") if callable(self.argv) else " ".join(self.argv))


class ReferenceCliRun(CliRun):
    """A monolith entry point run as ``__main__`` inside the reference environment (see reference/run.py).

    The subprocess imports the reference exactly as this process does: the
    checkout comes from the settings (``MONOLITH_PARITY_REFERENCE_ROOT``), this
    harness is first on ``PYTHONPATH``, and the launcher's *reference
    unavailable* exit becomes that verdict.
    """

    def __init__(self, module: str, argv: Sequence[str] | Callable[..., Sequence[str]], **options: Any):
        self.module = module
        super().__init__(argv, program=["{python}", "-m", "pytest_monolith_parity.reference.run", module], **options)

    def call(self, args: Args, context: "RunContext") -> SideResult:
        if context.settings.monolith_root:
            self.env["MONOLITH_PARITY_REFERENCE_ROOT"] = str(context.settings.path(context.settings.monolith_root))
        return super().call(args, context)

    def describe(self) -> str:
        return f"cli python -m {self.module}" + ("" if self.fork else " (spawned)")


def _clear(workdir: str) -> None:
    """Empty the scratch directory before a command runs again in it."""
    import shutil

    for entry in Path(workdir).iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _unavailable_reason(returncode: int, stderr: bytes) -> str | None:
    """The reason a subprocess gave for *reference unavailable* (see outcomes.UNAVAILABLE_EXIT), if it did."""
    if returncode != UNAVAILABLE_EXIT:
        return None
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.startswith(UNAVAILABLE_MARKER)]
    return lines[-1][len(UNAVAILABLE_MARKER):] if lines else None


def _tail(data: bytes, lines: int = 20) -> str:
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def _stderr_tail(data: bytes, lines: int = 15) -> str:
    """The end of stderr, without anyhow's ``Stack backtrace:`` (``RUST_BACKTRACE`` set) so the error shows."""
    return "\n".join(data.decode("utf-8", "replace").split("\nStack backtrace:")[0].splitlines()[-lines:])


def cli(argv: Sequence[str] | Callable[..., Sequence[str]], *, env: Mapping[str, str] | None = None,
        stdin: bytes | str | None = None, files: Sequence[str] = (),
        capture: Sequence[str] = ("exit_code", "stdout", "stderr", "files"), text: bool = True,
        post: Callable[[Any], Any] | None = None, around: Callable[..., Any] | None = None,
        side: str = "rust", fork: bool = True) -> Runner:
    """A one-shot command line as one side of a case; ``side="python"`` for a Python entry point.

    A Python side running this interpreter is forked from the reference zygote unless ``fork=False``.
    """
    return CliRun(argv, env=env, stdin=stdin, files=files, capture=capture, text=text, post=post,
                  around=around, fork=fork).for_side(side)


def reference_cli(module: str, argv: Sequence[str] | Callable[..., Sequence[str]] = (), *,
                  env: Mapping[str, str] | None = None, stdin: bytes | str | None = None, files: Sequence[str] = (),
                  capture: Sequence[str] = ("exit_code", "stdout", "stderr", "files"), text: bool = True,
                  post: Callable[[Any], Any] | None = None, around: Callable[..., Any] | None = None,
                  fork: bool = True) -> Runner:
    """The Python side as a monolith entry point: ``reference_cli("monolith.agent_service.agent", ["--conf", c])``.

    Runs ``python -m pytest_monolith_parity.reference.run <module> <argv>`` (see :class:`ReferenceCliRun`),
    forked from the reference zygote (TensorFlow already imported) unless ``fork=False``.
    """
    return ReferenceCliRun(module, argv, env=env, stdin=stdin, files=files, capture=capture, text=text, post=post,
                           around=around, fork=fork).for_side("python")


def rust_cli(argv: Sequence[str] | Callable[..., Sequence[str]] = (), *, subcommand: Sequence[str] = (),
             env: Mapping[str, str] | None = None, stdin: bytes | str | None = None, files: Sequence[str] = (),
             capture: Sequence[str] = ("exit_code", "stdout", "stderr", "files"), text: bool = True,
             post: Callable[[Any], Any] | None = None, around: Callable[..., Any] | None = None) -> Runner:
    """The Rust side as the configured ``monolith`` CLI: ``rust_cli(["--conf", c], subcommand=["agent-service", "agent"])``.

    The command line is ``{rust_cli} <subcommand...> <argv...>``; collection fails with the fix when no CLI is
    configured or built.
    """
    return CliRun(argv, program=["{rust_cli}", *subcommand], env=env, stdin=stdin, files=files, capture=capture,
                  text=text, post=post, around=around).for_side("rust")
