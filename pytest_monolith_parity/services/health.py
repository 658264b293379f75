"""The services the harness starts, health-checked around every call that uses them.

A ZooKeeper server, a gRPC server or a worker process is not part of either
side under test: when one dies, stops answering or fails to start, the
verdict must say so -- a *harness error* naming the service and what
happened -- instead of blaming the port ("rust raised ConnectionLoss") or
letting a golden stand in for a reference that merely failed.

The protocol, in two halves:

* whoever hands a service to a call goes through :func:`use` (the ZooKeeper
  and gRPC helpers of this package, the worker pool of ``runners/``).  It
  checks the service first; one found broken *between* calls is restarted
  (a note says so, nobody is blamed), one that cannot be (re)started raises
  :class:`ServiceFailure`.  It also tells the current watch that the call
  uses this service, in this generation (how many times it was started);
* the engine runs each call inside :func:`watch` (``execution.py``).  When the
  call is over, the watch checks every service the call used again: a service
  that is broken now, that was restarted while the call used it, or whose
  start failed during the call, is a failure of the call, whatever the two
  sides returned.  Nothing else is restarted here: the next :func:`use` does
  that, so the next case gets a fresh service.

A service may also say so itself while the call runs (:func:`report`): a
fresh server that is found dead when its owner stops it, a worker killed
from outside.  Everything here is per process (each pytest-xdist worker has
its own services) and pytest-free.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import signal
import threading
from collections.abc import Iterator


class ServiceFailure(Exception):
    """A service the harness started failed (died, stopped answering, could not start): not a finding."""

    def __init__(self, service: str, what: str):
        super().__init__(f"service {service}: {what}")
        self.service = service
        self.what = what


class Service(abc.ABC):
    """Something the harness starts and both sides of a case may use.

    ``generation`` counts the starts: a call that began with generation 1 and
    ends with generation 2 ran (partly) against a different process.
    """

    generation: int = 0
    #: False for a service whose state after a call the call's runner judges itself (a worker process).
    checked_after_call: bool = True
    #: True while its breakage is already accounted for (a verdict said so): the next restart is silent.
    known_down: bool = False

    @abc.abstractmethod
    def name(self) -> str:
        """How a person finds it: ``ZooKeeper 127.0.0.1:2181 (pid 4242)``."""

    @abc.abstractmethod
    def problem(self) -> str | None:
        """None when it is healthy; else what is wrong (``exited: killed by SIGKILL (signal 9)``). Fast."""

    @abc.abstractmethod
    def restart(self) -> None:
        """Stop what is left of it and start it afresh; raise :class:`ServiceFailure` if it cannot start."""


def exit_description(returncode: int) -> str:
    """How a process ended: ``killed by SIGABRT (signal 6)`` or ``exit status 3``."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown signal"
        return f"killed by {name} (signal {-returncode})"
    return f"exit status {returncode}"


@dataclasses.dataclass
class Watch:
    """What one call did with the services: which it used (in which generation), what failed, what was noticed."""

    used: dict[int, tuple[Service, int]] = dataclasses.field(default_factory=dict)
    failures: list[str] = dataclasses.field(default_factory=list)
    failed_services: set[int] = dataclasses.field(default_factory=set)  # ids of used services that failed
    notes: list[str] = dataclasses.field(default_factory=list)
    _checked: list[str] | None = None

    def note_use(self, service: Service) -> None:
        self.used.setdefault(id(service), (service, service.generation))

    def check(self) -> list[str]:
        """The call's service failures: those reported during it, then each used service checked now."""
        if self._checked is None:
            found = list(self.failures)
            for service, generation in self.used.values():
                if not service.checked_after_call or id(service) in self.failed_services:
                    continue
                if service.generation != generation:
                    found.append(f"{service.name()} was restarted while this call used it "
                                 f"(generation {generation} -> {service.generation})")
                    continue
                problem = service.problem()
                if problem is not None:
                    found.append(f"{service.name()} {problem} during the call; it is restarted for the next case")
            self._checked = list(dict.fromkeys(found))
        return self._checked

    def message(self) -> str:
        """One harness-error message for all of the call's service failures."""
        failures = self.check()
        return ("a service the harness started failed, so neither side's result can be trusted: "
                + "; ".join(failures))


_LOCK = threading.RLock()
#: Held while a service is checked or restarted (take it before a service's own lock, as :func:`use` does).
LOCK = _LOCK
_WATCHES: list[Watch] = []


@contextlib.contextmanager
def watch() -> Iterator[Watch]:
    """Record the services used while the block runs; check them with :meth:`Watch.check` afterwards."""
    current = Watch()
    with _LOCK:
        _WATCHES.append(current)
    try:
        yield current
    finally:
        with _LOCK:
            _WATCHES.remove(current)
        current.check()


def _current() -> Watch | None:
    with _LOCK:
        return _WATCHES[-1] if _WATCHES else None


def use(service: Service) -> Service:
    """Hand ``service`` to the current call: checked first, restarted if broken, recorded in the watch."""
    with _LOCK:
        current = _current()
        problem = service.problem()
        if problem is not None:
            name = service.name()
            if current is not None and id(service) in current.used and not service.known_down:
                current.failures.append(f"{name} {problem} during the call; it was restarted, so the call did not "
                                        "run against one and the same service")
                current.failed_services.add(id(service))
            elif current is not None and not service.known_down and service.generation > 0:
                current.notes.append(f"{name} {problem} before this call; it was restarted")
            service.known_down = False
            try:
                service.restart()
            except ServiceFailure as failure:
                if current is not None:
                    current.failures.append(str(failure))
                raise
        if current is not None:
            current.note_use(service)
        return service


def died(service: Service, name: str, what: str) -> None:
    """A supervisor saw ``service`` (then called ``name``) fail: the current call fails if it used it."""
    with _LOCK:
        current = _current()
        if current is not None and id(service) in current.used:
            current.failures.append(f"{name} {what} during the call; it is restarted at once, on the same port")
            current.failed_services.add(id(service))


def report(service: str, what: str) -> None:
    """Say that ``service`` failed during the current call (a no-op outside a call)."""
    with _LOCK:
        current = _current()
        if current is not None:
            current.failures.append(f"service {service}: {what}")


def failed(error: ServiceFailure) -> None:
    """Record a :class:`ServiceFailure` raised during the current call (even if a side catches it)."""
    report(error.service, error.what)


def first_start(service: "Service") -> None:
    """Start a service a registry has just created (its ``restart()``); a failure is recorded, then raised."""
    try:
        service.restart()
    except ServiceFailure as failure:
        failed(failure)
        raise
