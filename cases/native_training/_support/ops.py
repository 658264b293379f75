"""Sequences of operations on one stateful object, run the same way on both sides.

An op is ``(name, *args)``; each gives ``["ok", value]`` or ``["error", name]``, so a sequence goes
on after a failure and the failure is part of what is compared.  ``python_error`` writes a Python
exception in the Rust bindings' vocabulary through a case's own table (the per-op equivalent of a
case's ``errors=`` map: anything unmapped keeps its Python name, so it cannot agree with a Rust
error by accident); ``rust_error`` is the exception class of monolith_parity_rs.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any


def python_error(table: Mapping[str, str]) -> Callable[[BaseException], list]:
    def on_error(e: BaseException) -> list:
        name = type(e).__name__
        return ["error", table.get(name, name)]

    return on_error


def rust_error(e: BaseException) -> list:
    return ["error", type(e).__name__]


def plain(value: Any) -> Any:
    """dicts (keys kept, int keys included), lists/tuples -> lists, sets -> sorted lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    return value


def run_ops(ops: Iterable[tuple], call: Callable[[str, tuple], Any],
            on_error: Callable[[BaseException], list]) -> list:
    results = []
    for op in ops:
        name, args = op[0], tuple(op[1:])
        try:
            results.append(["ok", plain(call(name, args))])
        except Exception as e:  # noqa: BLE001 -- recorded and compared: the contract includes errors
            results.append(on_error(e))
    return results


@contextlib.contextmanager
def listening(ports: Iterable[int]) -> Iterator[None]:
    """Accepting sockets on 127.0.0.1 at ``ports`` for the duration of the call (MLP's ``query('ps')``
    connects to every PS before it answers).  A port some other process already listens on is
    left to it: a connect succeeds either way."""
    sockets = []
    try:
        for port in ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if hasattr(socket, "SO_REUSEPORT"):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                s.bind(("127.0.0.1", port))
                s.listen(16)
            except OSError:
                s.close()
                continue
            sockets.append(s)
        yield
    finally:
        for s in sockets:
            s.close()
