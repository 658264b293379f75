"""SIGTERM ends a run the way Ctrl-C does, instead of killing it mid-write.

Python's default for SIGTERM is to die at once: no ``finally``, no
``atexit``, no report.  A cancelled CI job or a ``timeout`` would leave
ZooKeeper servers running, half-written state behind, and no partial report
saying the run did not finish.  Here SIGTERM raises :class:`Terminated` in the
main thread -- a ``KeyboardInterrupt``, so pytest (and pytest-xdist) take their
interruption path: the session finishes, services stop, the run is reported
``GATE: INCOMPLETE`` with "terminated (SIGTERM)" as the reason.  A handler
someone else installed is left alone.  (Helper processes -- reference workers
-- keep the default: the runner tells a worker killed from outside by its
signal, and the services such a worker started die with it,
``services/lifetime.py``.)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


def _install(handler: Callable[[int, object], None]) -> Callable[[], None]:
    """Install ``handler`` for SIGTERM when the default is in place; return what undoes it."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    try:
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return lambda: None
        signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):  # not the main interpreter, or no signals here
        return lambda: None

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is handler:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

    return restore


def interrupt_on_sigterm() -> Callable[[], None]:
    """SIGTERM raises :class:`Terminated` in the main thread (once; a second SIGTERM kills as usual)."""

    def handler(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated("SIGTERM")

    return _install(handler)
