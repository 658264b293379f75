"""The health protocol: a service checked before and after each call; its failures are the call's, not a side's."""

import pytest

from pytest_monolith_parity.services import health
from pytest_monolith_parity.services.health import Service, ServiceFailure


class FakeService(Service):
    def __init__(self, can_start=True):
        self.broken = ""
        self.can_start = can_start
        self.generation = 1
        self.restarts = 0

    def name(self):
        return f"fake service (generation {self.generation})"

    def problem(self):
        return self.broken or None

    def restart(self):
        if not self.can_start:
            raise ServiceFailure(self.name(), "failed to start: no port")
        self.restarts += 1
        self.generation += 1
        self.broken = ""


def test_a_healthy_service_used_by_a_call_is_no_failure():
    service = FakeService()
    with health.watch() as watch:
        assert health.use(service) is service
    assert watch.check() == [] and watch.notes == [] and service.restarts == 0


def test_a_service_that_dies_during_the_call_fails_it_and_names_the_service():
    service = FakeService()
    with health.watch() as watch:
        health.use(service)
        service.broken = "exited (killed by SIGKILL (signal 9))"
    [failure] = watch.check()
    assert failure == ("fake service (generation 1) exited (killed by SIGKILL (signal 9)) during the call; "
                       "it is restarted for the next case")
    assert "fake service" in watch.message() and "neither side's result can be trusted" in watch.message()
    with health.watch() as next_call:  # the next case gets a fresh one, and is not blamed
        health.use(service)
    assert service.restarts == 1 and next_call.check() == []
    assert next_call.notes == ["fake service (generation 1) exited (killed by SIGKILL (signal 9)) before this call; "
                               "it was restarted"]


def test_a_restart_while_the_call_used_it_fails_the_call():
    service = FakeService()
    with health.watch() as watch:
        health.use(service)          # the first side
        service.broken = "does not answer `ruok`"
        health.use(service)          # the second side finds it dead: restarted under the call's feet
    assert watch.check() == ["fake service (generation 1) does not answer `ruok` during the call; it was restarted, "
                             "so the call did not run against one and the same service"]
    quiet = FakeService()
    with health.watch() as other:
        health.use(quiet)
        quiet.restart()  # restarted by someone else (a supervisor) while the call used it
    assert other.check() == ["fake service (generation 2) was restarted while this call used it (generation 1 -> 2)"]


def test_a_service_that_cannot_start_raises_and_fails_the_call_even_if_a_side_swallows_it():
    service = FakeService(can_start=False)
    service.broken = "is not running"
    with health.watch() as watch:
        with pytest.raises(ServiceFailure, match="failed to start: no port"):
            health.use(service)
        try:
            health.use(service)
        except ServiceFailure:
            pass  # a driver that catches everything must not hide it
    assert watch.check() and all("failed to start: no port" in f for f in watch.check())


def test_a_service_judged_by_its_runner_is_not_checked_again_after_the_call():
    service = FakeService()
    service.checked_after_call = False
    with health.watch() as watch:
        health.use(service)
        service.broken = "exited (killed by SIGABRT (signal 6))"  # the code under test crashed it: a finding
    assert watch.check() == []


def test_report_and_no_watch():
    health.report("gRPC server x", "stopped answering")  # outside a call: nothing to fail, no error
    with health.watch() as watch:
        health.report("gRPC server x", "stopped answering")
    assert watch.check() == ["service gRPC server x: stopped answering"]


def test_exit_description():
    assert health.exit_description(-9) == "killed by SIGKILL (signal 9)"
    assert health.exit_description(3) == "exit status 3"
