"""Runners for the Rust side: the PyO3 extension module and framed workers."""

from __future__ import annotations

import importlib
import shlex
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..arguments import Args
from .base import Runner, RunnerConfigError, call_in_process, harness_pythonpath
from .framed_call import call_worker

if TYPE_CHECKING:
    from ..config import Settings
    from ..outcomes import SideResult
    from .base import RunContext


def import_extension(module_name: str, settings: "Settings") -> Any:
    """Import the Rust extension or explain how to build it."""
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        raise RunnerConfigError(
            f"the Rust extension module {module_name!r} is not importable ({error}). "
            f"Build it first: {settings.rust_build_hint}"
        ) from error


class Pyo3Call(Runner):
    """Calls a function of the PyO3 extension module (``settings.rust_module`` unless given)."""

    side = "rust"

    def __init__(self, function: str, *, module: str | None = None, isolated: bool = False, **hooks: Any):
        super().__init__(**hooks)
        self.function = function
        self.module = module
        self.isolated = isolated

    def module_name(self, settings: "Settings") -> str:
        return self.module or settings.rust_module

    def validate(self, settings: "Settings") -> None:
        module = import_extension(self.module_name(settings), settings)
        if not callable(getattr(module, self.function, None)):
            available = sorted(n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n)))
            raise RunnerConfigError(
                f"the Rust extension {self.module_name(settings)!r} has no function {self.function!r}. "
                f"Available: {', '.join(available) or '(none)'}. Fix the name in the case, or add the wrapper "
                "to the bindings crate and rebuild."
            )

    def call(self, args: Args, context: "RunContext") -> "SideResult":
        module_name = self.module_name(context.settings)
        args = self.adapt_args(args)
        if self.isolated:
            argv = [sys.executable, "-m", "pytest_monolith_parity.pyworker"]
            return self.finish(call_worker(self.side, argv, f"{module_name}:{self.function}", args, context,
                                           env={"PYTHONPATH": harness_pythonpath()}))
        function = getattr(import_extension(module_name, context.settings), self.function)
        return self.finish(call_in_process(self.side, function, args))

    def describe(self) -> str:
        where = self.module or "<rust_module>"
        return f"pyo3 {where}.{self.function}" + (" (isolated)" if self.isolated else "")


class WorkerCall(Runner):
    """Calls a function of a framed-protocol worker (``settings.rust_worker`` unless given)."""

    side = "rust"

    def __init__(self, function: str, *, command: Sequence[str] | str | None = None, **hooks: Any):
        super().__init__(**hooks)
        self.function = function
        self.command = command

    def argv(self, settings: "Settings") -> list[str]:
        command = self.command if self.command is not None else settings.rust_worker
        if not command:
            raise RunnerConfigError(
                "no Rust worker command is configured: set --rust-worker, MONOLITH_PARITY_RUST_WORKER "
                "or rust_worker in [tool.monolith_parity], or pass command=[...] to worker()"
            )
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        if "/" in argv[0]:  # a relative path is relative to the rootdir, like every configured path
            argv[0] = str(settings.path(argv[0]))
        return argv

    def validate(self, settings: "Settings") -> None:
        import shutil

        program = self.argv(settings)[0]
        if shutil.which(program) is None:
            raise RunnerConfigError(f"the Rust worker program {program!r} does not exist or is not executable. "
                                    f"Build it first: {settings.rust_build_hint}")

    def call(self, args: Args, context: "RunContext") -> "SideResult":
        return self.finish(call_worker(self.side, self.argv(context.settings), self.function,
                                       self.adapt_args(args), context))

    def describe(self) -> str:
        return f"worker {self.function}"


class DriverCall(Runner):
    """Calls a Python function that drives the Rust bindings through a sequence of operations.

    For stateful APIs (a backend object, a ZooKeeper session) one PyO3 call is
    not the unit of behaviour: the case's driver creates the Rust objects,
    performs the operations and returns what they observed.  ``needs`` names
    the PyO3 function the driver cannot work without (the one that starts a
    Rust server, say): it is checked at collection like ``pyo3(needs)``, so a
    missing extension or wrapper fails collection with the build command
    instead of failing every example as *rust raised*.
    """

    side = "rust"

    def __init__(self, function: Callable[..., Any], *, needs: str | None = None, **hooks: Any):
        super().__init__(**hooks)
        if not callable(function):
            raise RunnerConfigError(f"driver() needs a callable, got {type(function).__name__}")
        self.function = function
        self.needs = needs

    def validate(self, settings: "Settings") -> None:
        if self.needs is not None:
            Pyo3Call(self.needs).validate(settings)

    def call(self, args: Args, context: "RunContext") -> "SideResult":
        return self.finish(call_in_process(self.side, self.function, self.adapt_args(args)))

    def describe(self) -> str:
        name = f"{getattr(self.function, '__module__', '?')}.{getattr(self.function, '__qualname__', '?')}"
        return f"rust driver {name}" + (f" (needs pyo3 {self.needs})" if self.needs else "")


def driver(function: Callable[..., Any], *, needs: str | None = None, post: Callable[[Any], Any] | None = None,
           adapt: Callable[..., Any] | None = None, around: Callable[..., Any] | None = None) -> Runner:
    """The Rust side as a Python driver over the bindings (see :class:`DriverCall`)."""
    return DriverCall(function, needs=needs, post=post, adapt=adapt, around=around).for_side("rust")


def pyo3(function: str, *, module: str | None = None, isolated: bool = False,
         post: Callable[[Any], Any] | None = None, adapt: Callable[..., Any] | None = None,
         around: Callable[..., Any] | None = None) -> Runner:
    """The Rust side as a PyO3 function: ``pyo3("model_meta_serialize")``.

    ``isolated=True`` calls it from a subprocess worker, so a hang becomes a
    timeout and an abort a *process crashed* verdict instead of taking pytest down.
    """
    return Pyo3Call(function, module=module, isolated=isolated, post=post, adapt=adapt,
                    around=around).for_side("rust")


def worker(function: str, *, command: Sequence[str] | str | None = None,
           post: Callable[[Any], Any] | None = None, adapt: Callable[..., Any] | None = None,
           around: Callable[..., Any] | None = None) -> Runner:
    """The Rust side as a function of a persistent framed-protocol worker process."""
    return WorkerCall(function, command=command, post=post, adapt=adapt, around=around).for_side("rust")
