"""What makes a fork of a live process unsafe: threads at fork time and native libraries that do not survive one.

A fork copies memory, never threads.  A lock another thread holds at that
moment stays locked forever in the child, and a library whose worker threads
are gone waits for them forever -- the known deadlock of forking after
TensorFlow or gRPC started working.  The reference zygote (:mod:`.zygote_server`)
and the isolated-call worker (``pyworker.py``) ask these checks before every
fork and spawn (or make the call themselves) instead, with the reason as the
record's note.  Linux only (``/proc/self/task``), like the zygote itself.
"""

from __future__ import annotations

import os
import threading
import time

#: Native thread names (``/proc`` truncates them to 15 characters) of libraries whose state does not survive a
#: fork once they run, by prefix, and what each is.  Importing grpc starts none of them; its first channel or
#: server starts them all (its event engine, timer manager and server lifeguard): from then on a fork copies its
#: epoll set and locks without the threads that own them.  ``GRPC_ENABLE_FORK_SUPPORT`` repairs only part of that,
#: so a process whose grpc runs is never forked, whatever that variable says.
FORK_UNSAFE_THREADS = {
    "grpc_global_tim": "grpc's C core is running (timer manager)",
    "event_engine": "grpc's C core is running (event engine)",
    "lifeguard": "grpc's C core is running (server lifeguard)",
    "default-executo": "grpc's C core is running (executor)",
    "resolver-execu": "grpc's C core is running (resolver executor)",
}
#: Seconds over which a native thread must consume no CPU time to count as parked; how long to wait for that.
QUIET_WINDOW = 0.01
QUIET_WAIT = 0.5


def python_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t is not threading.main_thread()]


def native_thread_table() -> dict[int, tuple[str, str, int]]:
    """Every thread of this process but the main one: tid -> (name, scheduler state, CPU nanoseconds so far)."""
    table = {}
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return {}
    for tid in tids:
        if tid == os.getpid():
            continue
        base = f"/proc/self/task/{tid}"
        try:
            with open(f"{base}/stat") as stat:
                fields = stat.read()
            with open(f"{base}/schedstat") as schedstat:
                ran = int(schedstat.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended while we looked
        name = fields[fields.index("(") + 1:fields.rindex(")")]
        table[tid] = (name, fields[fields.rindex(")") + 2], ran)
    return table


def native_threads_hazard(known: set[int], since: str = "since the warm-up", window: float = QUIET_WINDOW,
                          wait: float = QUIET_WAIT) -> str:
    """Why forking now could copy a held lock ('' when every native thread is a parked one from the warm-up)."""
    deadline = time.monotonic() + wait
    while True:
        before = native_thread_table()
        unsafe = sorted({why for name, _, _ in before.values() for prefix, why in FORK_UNSAFE_THREADS.items()
                         if name.startswith(prefix)})
        if unsafe:
            return f"{'; '.join(unsafe)}: a fork would copy its locks and epoll set without the threads that own them"
        unknown = [f"{name} ({tid})" for tid, (name, _, _) in before.items() if tid not in known]
        if unknown:
            return (f"native threads started {since} ({', '.join(unknown)}): "
                    "forking could copy a lock one of them holds, or leave a pool without its threads")
        if not before:
            return ""  # single-threaded: nothing to copy
        time.sleep(window)
        after = native_thread_table()
        busy = [f"{name} ({tid}, state {state})" for tid, (name, state, ran) in after.items()
                if tid in before and (state != "S" or ran != before[tid][2])]
        if not busy:
            return ""
        if time.monotonic() >= deadline:
            return (f"native threads were running at fork time ({', '.join(busy)}): "
                    "a lock one of them holds would stay locked in the child")
