"""Runners for the Python reference: in-process, or isolated in a worker process."""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import case_modules
from ..arguments import Args
from ..outcomes import ReferenceUnavailable, SideKind, SideResult
from .base import Runner, RunnerConfigError, call_in_process, harness_pythonpath, subprocess_environment
from . import zygote
from .framed_call import call_worker

if TYPE_CHECKING:
    from .base import RunContext


CASE_FILE_PREFIX = "file:"


def target_of(function: Callable[..., Any]) -> str:
    """An import target for a module-level function, also when it lives in a case file.

    Case files are not importable by name, so their functions are addressed as
    ``file:<absolute path>:<qualname>`` and the worker loads the file by path.
    """
    qualname = getattr(function, "__qualname__", "")
    module = sys.modules.get(getattr(function, "__module__", ""))
    if not qualname or "<locals>" in qualname or module is None:
        raise RunnerConfigError(f"an isolated python call needs a module-level function, not {function!r} "
                                "(a closure or lambda cannot be found again in the worker process)")
    path = getattr(module, "__file__", None)
    if case_modules.is_case_module(module.__name__) and path:
        return f"{CASE_FILE_PREFIX}{path}:{qualname}"
    return f"{module.__name__}:{qualname}"


def resolve_target(target: str) -> Callable[..., Any]:
    """Import ``"package.module:Qual.name"`` (or ``file:<path>:Qual.name``) and return the object.

    A module that does not import is the case's problem -- a misspelled name, a
    module that raises at import -- and raises :class:`RunnerConfigError` (a
    harness error) naming the module and the import error; unless the reason is
    static and named (:func:`unavailable_reason`: a custom op that is not built,
    a package or proto that is not installed, an API this TensorFlow lacks),
    which raises :class:`ReferenceUnavailable` with it.
    """
    if target.startswith(CASE_FILE_PREFIX):
        path, _, qualname = target[len(CASE_FILE_PREFIX):].rpartition(":")
        try:
            obj: Any = case_modules.load(Path(path))
        except Exception as error:  # noqa: BLE001 - the case file's imports failed here
            reason = unavailable_reason("", error)
            if reason is not None:
                raise ReferenceUnavailable(f"cannot load case file {path}: {reason}") from error
            raise RunnerConfigError(f"case file {path} does not load in the worker: "
                                    f"{type(error).__name__}: {error}") from error
        for part in qualname.split("."):
            obj = getattr(obj, part)
        return obj
    module_name, _, qualname = target.partition(":")
    if not module_name or not qualname:
        raise RunnerConfigError(f"python target {target!r} must look like 'package.module:function'")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as error:  # noqa: BLE001 - classified below: unavailable for a named reason, or broken
        reason = unavailable_reason(module_name, error)
        if reason is not None:
            raise ReferenceUnavailable(f"cannot import {module_name}: {reason}") from error
        raise RunnerConfigError(f"python target {target!r}: module {module_name} does not import: "
                                f"{type(error).__name__}: {error}") from error
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise RunnerConfigError(f"python target {target!r}: {module_name} has no attribute path {qualname!r}") from None
    return obj


#: Import-probe classes (reference/probe.py) that say the reference cannot run here, for a static reason.
STATIC_UNAVAILABLE = frozenset({"needs custom op", "needs package", "broken on this TensorFlow",
                                "missing in checkout"})


def unavailable_reason(module_name: str, error: BaseException) -> str | None:
    """Why ``module_name`` cannot import here, if the reason is static and named; else None (the case is broken).

    The reference environment's own classes decide (the import probe's,
    ``reference/probe.py``), with one exception: a missing module that *is* the
    target (or a package on its path) is a misspelled name, never "missing".
    """
    if isinstance(error, ReferenceUnavailable):
        return str(error)
    from ..reference.probe import classify

    klass, detail = classify(error)
    if klass not in STATIC_UNAVAILABLE:
        return None
    missing = getattr(error, "name", None) if isinstance(error, ModuleNotFoundError) else None
    if missing and (module_name == missing or module_name.startswith(missing + ".")):
        return None
    return f"{klass}: {detail}"


class InProcessPython(Runner):
    """Calls the reference in this process (the default; fastest)."""

    side = "python"

    def __init__(self, target: str | Callable[..., Any], **hooks: Any):
        super().__init__(**hooks)
        self.target = target

    def call(self, args: Args, context: "RunContext") -> SideResult:
        if isinstance(self.target, str):
            try:
                function = resolve_target(self.target)
            except ReferenceUnavailable as error:
                return SideResult(self.side, SideKind.UNAVAILABLE, message=str(error))
        else:
            function = self.target
        return self.finish(call_in_process(self.side, function, self.adapt_args(args)))

    def describe(self) -> str:
        if isinstance(self.target, str):
            return f"python {self.target}"
        return f"python {getattr(self.target, '__module__', '?')}.{getattr(self.target, '__qualname__', '?')}"


class IsolatedPython(Runner):
    """Calls the reference in a worker subprocess (for modules that mutate global state).

    Each case file gets its own worker process, so two monolith scripts that
    define the same absl flags (a DuplicateFlagError in one process) or
    mutate the same globals never meet; the worker makes the file's calls one
    after another.  The worker is forked from the reference zygote
    (runners/zygote.py), which imported TensorFlow and the reference
    environment once; ``fork=False`` spawns it, as before the zygote.
    ``fresh_per_call=True`` runs each call in a fork of the worker instead, so
    no call sees what an earlier one changed (pyworker.py); not the default:
    on the real suite the Hypothesis cases of TensorFlow-using files took
    0.6-2.4 s per call so (likely TensorFlow's runtime started afresh in
    every fork), against milliseconds for calls made in turn.
    """

    side = "python"

    def __init__(self, target: str | Callable[..., Any], *, fork: bool = True, fresh_per_call: bool = False,
                 **hooks: Any):
        super().__init__(**hooks)
        self.target = target if isinstance(target, str) else target_of(target)
        self.fork = fork
        self.fresh_per_call = fresh_per_call

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "pytest_monolith_parity.pyworker"]

    def call(self, args: Args, context: "RunContext") -> SideResult:
        fork = self.fork and context.settings.reference_zygote != "off"
        env = {"MONOLITH_PARITY_SYS_PATH": _sys_path_for_worker(), "PYTHONPATH": harness_pythonpath(),
               "MONOLITH_PARITY_WORKER_GROUP": self.target.rpartition(":")[0],  # one worker per file/module
               "MONOLITH_PARITY_FORK_PER_CALL": "1" if fork and self.fresh_per_call else "0"}
        if context.settings.monolith_root:
            env["MONOLITH_PARITY_REFERENCE_ROOT"] = str(context.settings.path(context.settings.monolith_root))
        launcher = (functools.partial(zygote.launch, context.workers.zygotes, context.settings, subprocess_environment())
                    if fork else None)
        return self.finish(call_worker(self.side, self.argv(), self.target, self.adapt_args(args), context, env,
                                       launcher=launcher))

    def describe(self) -> str:
        return (f"python (isolated) {self.target}" + ("" if self.fork else " (spawned)")
                + (" (fresh per call)" if self.fresh_per_call else ""))


def _sys_path_for_worker() -> str:
    import os

    return os.pathsep.join(p for p in sys.path if p)


def python_call(target: str | Callable[..., Any], *, isolated: bool = False,
                post: Callable[[Any], Any] | None = None, adapt: Callable[..., Any] | None = None,
                around: Callable[..., Any] | None = None, fork: bool = True,
                fresh_per_call: bool = False) -> Runner:
    """The Python reference side: ``python_call("monolith.agent_service.utils:conf_parser")``.

    ``isolated=True`` runs the calls in a subprocess (the case file's worker,
    forked from the reference zygote), so a module that mutates process state
    (TF graphs, env vars, absl flags) cannot leak into other case files, and
    timeouts are enforced; ``fresh_per_call=True`` makes each call in a fork of
    that worker, so no call sees what an earlier one did either (slower: see
    :class:`IsolatedPython`).  ``fork=False`` (for a module that cannot run in
    a forked child) spawns the worker.
    """
    if isolated:
        return IsolatedPython(target, post=post, adapt=adapt, around=around, fork=fork,
                              fresh_per_call=fresh_per_call).for_side("python")
    return InProcessPython(target, post=post, adapt=adapt, around=around).for_side("python")

