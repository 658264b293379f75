"""The Python half of the Rust bindings' real ZooKeeper client.

monolith-serving's Rust port defines a synchronous ``ZkClient`` trait and ships
only an in-memory fake behind it.  The bindings' ``PyZkClient``
(rust_bindings/src/agent_service/zk_client.rs) implements that trait by calling
the methods of a Python object; this module is that object for a real server:
a thin translation onto a :class:`kazoo.client.KazooClient`, the very client the
Python reference (``MonolithKazooClient``) uses, so both sides reach the same
real server through the same wire client and watch recipe.  No behaviour of its
own: every method is one kazoo call.

Protocol (what ``PyZkClient`` calls; exceptions are kazoo's, mapped by class
name to ``ZkError::NoNode`` / ``NodeExists`` / ``NotEmpty`` / ``Other``):

``start() stop() ensure_path(p) create(p, value, ephemeral, makepath)
delete(p, recursive) set(p, value) get(p) -> bytes exists(p) -> bool
get_children(p) -> list[str] children_watch(p, fn) data_watch(p, fn)``

``fn`` for children: ``fn(children, event) -> bool``; for data:
``fn(data | None, stat | None, event) -> bool`` with ``stat`` a tuple
``(ctime s, mtime s, version, data_length, num_children)`` and ``event``
``(type name, path)`` or ``None``.  A ``False`` return stops the watch (kazoo's
recipe semantics).
"""

from __future__ import annotations

import time


def _event(event):
    if event is None:
        return None
    return (str(event.type), event.path)


class KazooAdapter:
    def __init__(self, hosts: str, timeout: float = 10.0, client=None):
        from kazoo.client import KazooClient
        self.hosts = hosts
        self.timeout = timeout
        self.client = client if client is not None else KazooClient(hosts=hosts, timeout=timeout)

    # lifecycle
    def start(self):
        self.client.start(timeout=self.timeout)

    def stop(self):
        self.client.stop()

    def close(self):
        self.client.stop()
        self.client.close()

    # data
    def ensure_path(self, path):
        self.client.ensure_path(path)

    def create(self, path, value, ephemeral, makepath):
        self.client.create(path, value=bytes(value), ephemeral=ephemeral, makepath=makepath)

    def delete(self, path, recursive):
        self.client.delete(path, recursive=recursive)

    def set(self, path, value):
        self.client.set(path, bytes(value))

    def get(self, path):
        return bytes(self.client.get(path)[0])

    def exists(self, path):
        return self.client.exists(path) is not None

    def get_children(self, path):
        return list(self.client.get_children(path))

    # watches
    def children_watch(self, path, fn):
        from kazoo.recipe.watchers import ChildrenWatch
        return ChildrenWatch(self.client, path, lambda children, event: fn(list(children), _event(event)),
                             send_event=True)

    def data_watch(self, path, fn):
        from kazoo.recipe.watchers import DataWatch

        def call(data, stat, event):
            st = None if stat is None else (stat.ctime // 1000, stat.mtime // 1000, stat.version,
                                            stat.dataLength, stat.numChildren)
            return fn(None if data is None else bytes(data), st, _event(event))
        return DataWatch(self.client, path, call)


def settle(client, timeout: float = 10.0, quiet: float = 0.05) -> None:
    """Wait until kazoo ``client`` has run every queued watch callback and completion.

    ZooKeeper delivers a session's watch notifications before the reply to the
    write that triggered them, so once a write returned its notifications are
    queued; this waits until the handler's queues are drained (twice, ``quiet``
    seconds apart, so callbacks queued by callbacks are waited for too).
    """
    handler = client.handler
    queues = [q for q in (getattr(handler, "callback_queue", None), getattr(handler, "completion_queue", None))
              if q is not None]
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline:
        if all(q.unfinished_tasks == 0 for q in queues):
            calm += 1
            if calm >= 2:
                return
        else:
            calm = 0
        time.sleep(quiet)
    raise TimeoutError(f"kazoo callbacks still running after {timeout} s")
