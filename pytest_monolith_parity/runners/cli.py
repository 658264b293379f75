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

from ..outcomes import SideKind, SideResult
from .base import UNAVAILABLE_EXIT, UNAVAILABLE_MARKER, Runner, RunnerConfigError, harness_pythonpath
from .workers import signal_name

if TYPE_CHECKING:
    from ..cases import Args
    from ..config import Settings
    from .base import RunContext

CAPTURABLE = ("exit_code", "stdout", "stderr", "files")


class CliRun(Runner):
    """Runs a command line once per call.

    ``argv`` items are format strings: ``{rust_cli}`` (the configured
    ``monolith`` binary), ``{python}`` (this interpreter), ``{workdir}`` (a
    fresh scratch directory, also the working directory), and ``{0}``,
    ``{1}``, ``{name}`` for the case's positional and keyword arguments.
    Or pass a callable ``argv(*args, **kwargs) -> list[str]``.
    """

    def __init__(self, argv: Sequence[str] | Callable[..., Sequence[str]], *, env: Mapping[str, str] | None = None,
                 stdin: bytes | str | None = None, files: Sequence[str] = (),
                 capture: Sequence[str] = ("exit_code", "stdout", "stderr", "files"), text: bool = True,
                 **hooks: Any):
        super().__init__(**hooks)
        unknown = [c for c in capture if c not in CAPTURABLE]
        if unknown:
            raise RunnerConfigError(f"cli(capture=...) got {unknown}; choose from {list(CAPTURABLE)}")
        self.argv = argv
        self.env = dict(env or {})
        self.stdin = stdin.encode() if isinstance(stdin, str) else stdin
        self.files = list(files)
        self.capture = tuple(capture)
        self.text = text

    def validate(self, settings: "Settings") -> None:
        if not callable(self.argv) and any("{rust_cli}" in part for part in self.argv) and not settings.rust_cli:
            raise RunnerConfigError("this case runs {rust_cli} but no CLI is configured: set --rust-cli, "
                                    "MONOLITH_PARITY_RUST_CLI or rust_cli in [tool.monolith_parity]")

    def command(self, args: "Args", settings: "Settings", workdir: str) -> list[str]:
        if callable(self.argv):
            return [str(part) for part in self.argv(*args.args, **dict(args.kwargs))]
        fields = {"rust_cli": settings.rust_cli or "", "python": sys.executable, "workdir": workdir}
        fields.update({k: v for k, v in args.kwargs.items()})
        parts: list[str] = []
        for part in self.argv:
            parts.append(part.format(*args.args, **fields))
        if len(parts) == 1 and " " in parts[0]:
            parts = shlex.split(parts[0])
        return parts

    def call(self, args: "Args", context: "RunContext") -> SideResult:
        args = self.adapt_args(args)
        with tempfile.TemporaryDirectory(prefix="parity-cli-", dir=context.scratch_dir) as workdir:
            argv = self.command(args, context.settings, workdir)
            env = dict(os.environ)
            env["PYTHONPATH"] = harness_pythonpath(env)  # a `python -m pytest_monolith_parity...` gets this harness
            env.update({k: v.format(workdir=workdir) for k, v in self.env.items()})
            start = time.perf_counter()
            try:
                process = subprocess.Popen(argv, cwd=workdir, env=env, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            except OSError as error:
                return SideResult(self.side, SideKind.CRASHED, message=f"cannot start {argv!r}: {error}")
            try:
                stdout, stderr = process.communicate(self.stdin, timeout=context.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stdout, stderr = process.communicate()
                return SideResult(self.side, SideKind.TIMEOUT,
                                  message=f"{argv[0]} did not finish within {context.timeout:g} s; killed",
                                  detail=_tail(stderr), seconds=time.perf_counter() - start)
            seconds = time.perf_counter() - start
            unavailable = _unavailable_reason(process.returncode, stderr)
            if unavailable is not None:
                return SideResult(self.side, SideKind.UNAVAILABLE, message=unavailable, detail=_tail(stderr),
                                  seconds=seconds)
            if process.returncode < 0:
                return SideResult(self.side, SideKind.CRASHED, message=f"{argv[0]} {signal_name(process.returncode)}",
                                  detail=_tail(stderr), seconds=seconds)
            observed = {
                "exit_code": process.returncode,
                "stdout": self._decode(stdout),
                "stderr": self._decode(stderr),
                "files": self._collect_files(Path(workdir)),
            }
            value = {key: observed[key] for key in self.capture}
            return self.finish(SideResult(self.side, SideKind.VALUE, value=value, seconds=seconds,
                                          detail=f"argv: {shlex.join(argv)}"))

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
        return "cli " + (getattr(self.argv, "__name__", "<callable>") if callable(self.argv) else " ".join(self.argv))


def _unavailable_reason(returncode: int, stderr: bytes) -> str | None:
    """The reason a subprocess gave for *reference unavailable* (see runners.base.UNAVAILABLE_EXIT), if it did."""
    if returncode != UNAVAILABLE_EXIT:
        return None
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.startswith(UNAVAILABLE_MARKER)]
    return lines[-1][len(UNAVAILABLE_MARKER):] if lines else None


def _tail(data: bytes, lines: int = 20) -> str:
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def cli(argv: Sequence[str] | Callable[..., Sequence[str]], *, env: Mapping[str, str] | None = None,
        stdin: bytes | str | None = None, files: Sequence[str] = (),
        capture: Sequence[str] = ("exit_code", "stdout", "stderr", "files"), text: bool = True,
        post: Callable[[Any], Any] | None = None, around: Callable[..., Any] | None = None,
        side: str = "rust") -> Runner:
    """A one-shot command line as one side of a case; ``side="python"`` for a Python entry point."""
    return CliRun(argv, env=env, stdin=stdin, files=files, capture=capture, text=text, post=post,
                  around=around).for_side(side)
