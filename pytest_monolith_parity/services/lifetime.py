"""Service processes never outlive the harness process that started them.

A ZooKeeper server runs in its own process group (so ``stop()`` can kill
everything it started) and is stopped at interpreter exit.  Neither helps
when the harness process itself is killed: SIGTERM (a CI job cancelled, a
``timeout``) or SIGKILL skip ``atexit``, and the server would keep its port
and its temporary directory until the machine goes away.

:func:`die_with_this_thread` gives ``subprocess.Popen`` a ``preexec_fn`` that
asks Linux to send the child SIGKILL when its parent goes (``prctl
PR_SET_PDEATHSIG``).  The kernel ties that to the *thread* that forked, so it
is only offered from a thread that lives as long as the process (the main
thread, or a daemon supervisor that runs until exit); elsewhere, and off
Linux, it returns None and ``stop()`` / ``atexit`` remain the only cleanup.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_this_thread(long_lived: bool = False) -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child die with the calling thread, or None where that is unsafe.

    ``long_lived``: the caller knows its thread lasts until the process exits
    (a daemon supervisor); otherwise only the main thread qualifies.
    """
    if not sys.platform.startswith("linux"):
        return None
    if not long_lived and threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def set_death_signal() -> None:  # runs in the child between fork and exec: no allocation, no locks
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return set_death_signal
