"""The runner interface and the in-process call that most runners share.

A runner performs one call of one side and reports it as a
:class:`~pytest_monolith_parity.outcomes.SideResult`; it never lets an
exception from the code under test escape, so the classifier always sees
both sides.  Runners are plain objects usable without pytest.
"""

from __future__ import annotations

import abc
import dataclasses
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ContextManager

from ..arguments import Args, as_args
from ..outcomes import ReferenceUnavailable, SideKind, SideResult

if TYPE_CHECKING:
    from ..config import Settings
    from .workers import WorkerPool


class HarnessError(Exception):
    """The harness or the case itself is broken (not a finding about either side)."""


class RunnerConfigError(ValueError):
    """A runner cannot work with the current configuration; the message says how to fix it."""


@dataclasses.dataclass
class RunContext:
    """What a runner may use for one call."""

    settings: "Settings"
    workers: "WorkerPool"
    timeout: float
    scratch_dir: str | None = None


class Runner(abc.ABC):
    """Calls one side once.

    Hooks, all optional: ``adapt`` reshapes the case's arguments for this
    side; ``post`` converts the returned value (e.g. JSON text to bytes);
    ``around`` receives the case's arguments and returns a context manager
    the call runs inside (environment variables, a CPU load, a temp dir).
    """

    side: str = "?"
    #: Set by :meth:`validate` after the Rust build: the call's Rust function is not in this checkout
    #: (its message is the verdict's, ``<symbol> not in this checkout``) ...
    unavailable: str | None = None
    #: ... or it cannot be called for a reason the bindings explain (a signature no wrapper handles):
    #: every input of the case is then a harness error with this message.
    unusable: str | None = None

    def __init__(self, *, post: Callable[[Any], Any] | None = None, adapt: Callable[..., Any] | None = None,
                 around: Callable[..., ContextManager[Any]] | None = None):
        self.post = post
        self.adapt = adapt
        self.around = around

    def run(self, args: Args, context: RunContext) -> SideResult:
        """Perform the call (inside ``around`` if given) and classify how it ended."""
        if self.around is None:
            return self.call(args, context)
        try:
            manager = self.around(*args.args, **dict(args.kwargs))
            manager.__enter__()
        except Exception as error:  # noqa: BLE001 - a broken hook is the case's bug, not a finding
            raise HarnessError(f"the `around=` hook of the {self.side} side failed to enter: "
                               f"{type(error).__name__}: {error}") from error
        try:
            return self.call(args, context)
        finally:
            manager.__exit__(None, None, None)

    @abc.abstractmethod
    def call(self, args: Args, context: RunContext) -> SideResult:
        """Perform the call itself and classify how it ended."""

    def validate(self, settings: "Settings") -> None:
        """Check, after collection and the Rust build, that the call can be made; raise RunnerConfigError if not."""

    def needs_artifacts(self, settings: "Settings") -> set[str]:
        """The Rust artifacts of a checkout this call needs: ``bindings``, ``cli`` or none."""
        return set()

    @abc.abstractmethod
    def describe(self) -> str:
        """How to say this call in a report, e.g. ``pyo3 sample_rust.scale``."""

    def for_side(self, side: str) -> "Runner":
        self.side = side
        return self

    def adapt_args(self, args: Args) -> Args:
        """Apply the per-side ``adapt`` hook: it receives the args and returns new Args or a tuple."""
        if self.adapt is None:
            return args
        return as_args(self.adapt(*args.args, **args.kwargs))

    def finish(self, result: SideResult) -> SideResult:
        """Apply ``post`` to a returned value; a failing hook is a harness error, not a finding."""
        if result.kind is SideKind.VALUE and self.post is not None:
            try:
                result.value = self.post(result.value)
            except Exception as error:  # noqa: BLE001 - reported as a harness error
                raise HarnessError(
                    f"the `post=` hook of the {self.side} side failed: {type(error).__name__}: {error}"
                ) from error
        return result


def harness_pythonpath(environ: dict[str, str] | None = None) -> str:
    """``PYTHONPATH`` for a Python subprocess, with this harness first.

    A worker or launcher started as ``python -m pytest_monolith_parity...``
    must import the harness that started it, not whichever copy happens to
    be installed in site-packages.
    """
    import os
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    existing = (environ if environ is not None else os.environ).get("PYTHONPATH", "")
    return os.pathsep.join(part for part in (root, existing) if part)


def subprocess_environment() -> dict[str, str]:
    """What every Python subprocess of the harness starts with: this process's environment, this harness first."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = harness_pythonpath(env)
    return env


def call_in_process(side: str, function: Callable[..., Any], args: Args) -> SideResult:
    """Call ``function`` here and turn every way it can end into a SideResult.

    PyO3's ``PanicException`` derives from ``BaseException`` (so that ``except
    Exception`` does not swallow panics); it is caught by name, because the
    class lives in whichever extension raised it.
    """
    start = time.perf_counter()
    try:
        value = function(*args.args, **dict(args.kwargs))
    except ReferenceUnavailable as error:
        return SideResult(side, SideKind.UNAVAILABLE, message=str(error), seconds=time.perf_counter() - start)
    except Exception as error:  # noqa: BLE001 - the point is to catch everything the side raises
        return SideResult(
            side,
            SideKind.RAISED,
            error_type=type(error).__name__,
            message=str(error),
            detail=_short_traceback(error),
            seconds=time.perf_counter() - start,
        )
    except BaseException as error:
        if type(error).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit, pytest's own outcomes
        return SideResult(
            side,
            SideKind.PANICKED,
            error_type="PanicException",
            message=str(error),
            detail=_short_traceback(error),
            seconds=time.perf_counter() - start,
        )
    return SideResult(side, SideKind.VALUE, value=value, seconds=time.perf_counter() - start)


def _short_traceback(error: BaseException, limit: int = 12) -> str:
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    text = "".join(lines)
    tail = text.splitlines()[-limit * 2:]
    return "\n".join(tail)
