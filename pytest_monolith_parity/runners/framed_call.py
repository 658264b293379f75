"""Make one call through a worker and classify it as a SideResult."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .. import values
from ..arguments import Args
from ..outcomes import SideKind, SideResult
from ..services.health import ServiceFailure, report
from .base import HarnessError
from .workers import WorkerFailure

if TYPE_CHECKING:
    from .base import RunContext
    from .workers import Launcher

#: Error type a worker reports when the reference cannot run (see ReferenceUnavailable).
UNAVAILABLE_TYPE = "ReferenceUnavailable"
#: Error type a worker reports when the case itself is broken (a target that does not import...).
HARNESS_ERROR_TYPE = "HarnessError"


def call_worker(side: str, argv: Sequence[str], function: str, args: Args, context: "RunContext",
                env: Mapping[str, str] | None = None, launcher: "Launcher | None" = None) -> SideResult:
    """One call through the pool's worker for ``argv``; notes of how it ran (a spawn instead of a fork) ride along.

    A worker that cannot be started, or is killed from outside during the call,
    is reported to the current health watch (a harness error of the call) and
    comes back as a *crashed* side for the record; a death the code caused
    (abort, segfault, exit status) is a plain *process crashed*.
    """
    start = time.perf_counter()
    notes: list[str] = []
    try:
        worker = context.workers.get(argv, env=env, launcher=launcher)
    except ServiceFailure as failure:  # already in the watch
        return SideResult(side, SideKind.CRASHED, message=str(failure), seconds=time.perf_counter() - start)
    notes += [worker.launch_note] if worker.launch_note else []
    try:
        response = worker.call(function, args.args, args.kwargs, context.timeout)
    except WorkerFailure as failure:
        service = context.workers.service_of(worker)
        if service is not None:
            service.known_down = True
            if failure.kind == "killed":
                report(service.name(), f"was {failure.message.removeprefix('worker ')}, by something outside "
                                       "the harness (`kill`, the kernel's OOM killer); it is restarted for the next case")
        kind = SideKind.TIMEOUT if failure.kind == "timeout" else SideKind.CRASHED
        return SideResult(side, kind, message=failure.message, detail=failure.stderr_tail,
                          seconds=time.perf_counter() - start, notes=notes)
    seconds = time.perf_counter() - start
    notes += [response["note"]] if response.get("note") else []
    if "ok" in response:
        return SideResult(side, SideKind.VALUE, value=values.decode(response["ok"]), seconds=seconds, notes=notes)
    if "error" in response:
        error = response["error"] or {}
        error_type = str(error.get("type", "Error"))
        if error_type == "UnknownFunction":
            raise HarnessError(f"the {side} worker {list(argv)!r} has no function {function!r}: "
                               f"{error.get('message', '')}; check the case's function name or rebuild the worker")
        if error_type == HARNESS_ERROR_TYPE:
            raise HarnessError(str(error.get("message", "")))
        kind = SideKind.UNAVAILABLE if error_type == UNAVAILABLE_TYPE else SideKind.RAISED
        return SideResult(side, kind, error_type=error_type, message=str(error.get("message", "")),
                          detail=str(error.get("detail", "")), seconds=seconds, notes=notes)
    if "panic" in response:
        panic = response["panic"] or {}
        return SideResult(side, SideKind.PANICKED, error_type="panic", message=str(panic.get("message", "")),
                          seconds=seconds, notes=notes)
    raise HarnessError(f"the {side} worker sent a response with none of ok/error/panic: {response!r}")
