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
        """The function exists -- or the bindings say why it is not in this build (``__parity_api__``).

        Not in this checkout: the case is *rust unavailable* (``self.unavailable``).  A signature no
        wrapper variant handles: its inputs are harness errors (``self.unusable``).  Anything else
        (a misspelt name, a wrapper not registered, a package not built) fails collection.
        """
        module = import_extension(self.module_name(settings), settings)
        self.unavailable = self.unusable = None
        if callable(getattr(module, self.function, None)):
            return
        name = self.module_name(settings)
        wrappers = (getattr(module, "__parity_api__", None) or {}).get("wrappers", {})
        wrapper = wrappers.get(self.function)
        status = wrapper["status"] if wrapper else None
        if status == "missing":
            self.unavailable = wrapper["message"]
            return
        if status in ("signature", "cfg"):
            self.unusable = f"{wrapper['message']} ({wrapper['file']}): add a wrapper variant for it"
            return
        if status == "not built":
            raise RunnerConfigError(
                f"{self.function!r} is a wrapper of package {wrapper['package']!r} ({wrapper['file']}), which this "
                f"build of {name!r} did not compile: {wrapper['message']}. Build it with that package's feature "
                "(python -m pytest_monolith_parity build-rust --features ...)")
        if status == "present":
            raise RunnerConfigError(
                f"{self.function!r} is compiled into {name!r} ({wrapper['file']}) but not registered: add "
                f"`m.add_function(wrap_pyfunction!({self.function}, m)?)?` to register() in that file")
        available = sorted(n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n)))
        elsewhere = sorted(n for n, w in wrappers.items() if w["status"] != "present" and n not in available)
        raise RunnerConfigError(
            f"the Rust extension {name!r} has no function {self.function!r}. "
            f"Available: {', '.join(available) or '(none)'}"
            + (f"; in the bindings but not in this build: {', '.join(elsewhere)}" if elsewhere else "")
            + ". Fix the name in the case, or add the wrapper to the bindings crate and rebuild.")

    def needs_artifacts(self, settings: "Settings") -> set[str]:
        return {"bindings"} if self.module_name(settings) == settings.rust_module else set()

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


class DriverCall(Runner):  # its `needs` attribute is the PyO3 function; its artifacts: needs_artifacts()
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
            needed = Pyo3Call(self.needs)
            needed.validate(settings)
            self.unavailable, self.unusable = needed.unavailable, needed.unusable

    def needs_artifacts(self, settings: "Settings") -> set[str]:
        return {"bindings"}

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
