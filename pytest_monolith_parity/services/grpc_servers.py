"""Live gRPC servers for protocol parity cases: one Python reference server and one Rust server per scenario.

A live-protocol case sends the *same* request, through the *same* Python
gRPC stub, to a server of each side and compares the responses
(``compare.proto(<response type>)``).  This module starts those servers on
free ``127.0.0.1`` ports, lazily, once per process and scenario, and stops
them at exit:

    port = grpc_servers.shared("agent/python/watcher", lambda: start_python(...))

* ``shared(key, start)`` runs ``start() -> Handle`` the first time ``key`` is
  asked for in this process and returns the same handle afterwards; every
  handle's ``stop`` runs at interpreter exit (``atexit``), in reverse start
  order.  A start that fails raises every time it is asked again (with the
  first error), so one broken server cannot start half-way twice.  Each call
  of ``shared`` health-checks the server (:mod:`.health`: it must accept
  connections on its port): one found dead between cases is started afresh
  (a new port: callers take ``handle.target`` from each ``shared`` call), and a
  case that used it while it died is a harness error naming the server.
* ``fresh(start)`` is the per-call variant for servers whose state drifts
  with time (the fake TF Serving loads a new model version every 30 s): the
  caller stops it when done (``handle.close()``, which checks it first: a
  fresh server found dead when its owner stops it fails the call), and
  ``atexit`` stops it if the caller could not.  A fresh server that fails to
  start is a harness error of the call too.
* ``call(target, stub_class, method, request, timeout)`` opens a channel,
  waits for it to be ready, makes the unary call, and returns the response;
  a non-OK status is raised as :class:`GrpcStatus` subclass named after the
  status code (``GrpcStatus_UNIMPLEMENTED``), with the details as message,
  so two sides failing with the same code are an *error agreement* and
  different codes are a difference.

Servers bind ``127.0.0.1`` only.  What starts a particular pair of servers (the
reference's and the port's) sits beside the cases that use it, e.g.
``cases/agent_service/_support/servers.py``; the Rust side of such a case is a
``driver(function, needs="<the PyO3 function that starts the Rust server>")``.
"""

from __future__ import annotations

import atexit
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .health import Service, ServiceFailure, failed, first_start, report, use

HOST = "127.0.0.1"
READY_TIMEOUT = 20.0


def free_port(host: str = HOST) -> int:
    """A TCP port that was free on ``host`` a moment ago (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class Handle:
    """A running server: where it listens and how to stop it."""

    port: int
    stop: Callable[[], Any]
    host: str = HOST
    info: dict = field(default_factory=dict)
    _stopped: bool = False
    label: str = "gRPC server"

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    def problem(self) -> str | None:
        """None while it accepts connections on its port; else what is wrong."""
        if self._stopped:
            return "was stopped"
        try:
            with socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT):
                return None
        except OSError as error:
            return f"does not accept connections on {self.target} ({type(error).__name__}: {error})"

    def close(self, check: bool = True) -> None:
        """Stop the server; with ``check``, first make sure it was still serving (else the call fails)."""
        if self._stopped:
            return
        problem = self.problem() if check else None
        if problem is not None:
            report(f"{self.label} at {self.target}", f"{problem} when its owner stopped it (it died during the call)")
        self._stopped = True
        self.stop()


class SharedServer(Service):
    """The shared server of one key (a :class:`~.health.Service`): its current handle, restartable."""

    def __init__(self, key: str, start: Callable[[], Handle]):
        self.key = key
        self.start = start
        self.handle: Handle | None = None
        self.generation = 0
        self.start_error: BaseException | None = None

    def name(self) -> str:
        where = f" at {self.handle.target}" if self.handle is not None else ""
        return f"gRPC server {self.key}{where}"

    def problem(self) -> str | None:
        if self.start_error is not None:
            return f"failed to start: {type(self.start_error).__name__}: {self.start_error}"
        return "is not running" if self.handle is None else self.handle.problem()

    def restart(self) -> None:
        if self.start_error is not None:
            raise ServiceFailure(self.name(), f"failed to start earlier (not retried): "
                                              f"{type(self.start_error).__name__}: {self.start_error}")
        if self.handle is not None:
            try:
                self.handle.close(check=False)
            except Exception:  # noqa: BLE001 - what is left of a dead server may not stop cleanly
                pass
        try:
            handle = self.start()
        except Exception as error:  # noqa: BLE001 - a server that cannot start fails every case that needs it
            self.start_error = error
            raise ServiceFailure(self.name(), f"failed to start: {type(error).__name__}: {error}") from error
        handle.label = f"gRPC server {self.key}"
        self.handle = _register(handle)
        self.generation += 1


_LOCK = threading.RLock()
_SHARED: dict[str, SharedServer] = {}
_LIVE: list[Handle] = []
CONNECT_TIMEOUT = 2.0


def _register(handle: Handle) -> Handle:
    with _LOCK:
        _LIVE.append(handle)
    return handle


def shared(key: str, start: Callable[[], Handle]) -> Handle:
    """The server for ``key`` in this process, started by ``start()`` on first use, checked on every use."""
    with _LOCK:
        server = _SHARED.get(key)
        if server is None:
            server = _SHARED[key] = SharedServer(key, start)
            first_start(server)
        use(server)
        assert server.handle is not None
        return server.handle


def fresh(start: Callable[[], Handle]) -> Handle:
    """A new server for one call; close it when done (``atexit`` closes it otherwise)."""
    try:
        handle = start()
    except Exception as error:  # noqa: BLE001 - a server that cannot start is the harness's failure
        failure = ServiceFailure("gRPC server (fresh)", f"failed to start: {type(error).__name__}: {error}")
        failed(failure)
        raise failure from error
    return _register(handle)


def stop_all() -> None:
    """Stop every server this process started (runs at exit; tests may call it)."""
    with _LOCK:
        handles, _LIVE[:] = list(reversed(_LIVE)), []
        _SHARED.clear()
    for handle in handles:
        try:
            handle.close(check=False)
        except Exception:  # noqa: BLE001 - at exit, one failing stop must not keep the others running
            pass


atexit.register(stop_all)


class GrpcStatus(Exception):
    """A non-OK gRPC status; the subclass name carries the code (``GrpcStatus_NOT_FOUND``)."""

    code: str = "UNKNOWN"


_STATUS_TYPES: dict[str, type[GrpcStatus]] = {}


def status_error(code: str, details: str) -> GrpcStatus:
    with _LOCK:
        kind = _STATUS_TYPES.get(code)
        if kind is None:
            kind = type(f"GrpcStatus_{code}", (GrpcStatus,), {"code": code})
            _STATUS_TYPES[code] = kind
    return kind(details)


def wait_ready(target: str, timeout: float = READY_TIMEOUT) -> None:
    import grpc

    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=timeout)


def call(target: str, stub_class: type, method: str, request: Any, timeout: float = 10.0) -> Any:
    """One unary call through ``stub_class`` (the reference's generated stub) to ``target``."""
    import grpc

    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=READY_TIMEOUT)
        stub = stub_class(channel)
        try:
            return getattr(stub, method)(request, timeout=timeout)
        except grpc.RpcError as error:
            code = error.code()
            raise status_error(code.name if code is not None else "UNKNOWN", error.details() or "") from None
