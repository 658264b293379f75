"""A run that did not finish never passes: INCOMPLETE, why, and a non-zero exit."""

from pytest_monolith_parity.completeness import Completeness


def finished(collected, ran, **kwargs):
    return Completeness(collected=collected, finished={f"cases/a.py::c[{i}]" for i in range(ran)}, **kwargs)


def test_a_run_where_every_item_ran_is_complete():
    run = finished(3, 3)
    assert run.complete and run.started and run.to_json()["reasons"] == []


def test_an_interrupted_run_is_incomplete_and_says_how_far_it_got():
    run = finished(481, 53, keyboard_interrupt=True, exitstatus=2)
    assert not run.complete
    assert run.line() == "GATE: INCOMPLETE (53 of 481 items ran)"
    assert run.reasons()[0] == "interrupted (KeyboardInterrupt: Ctrl-C or SIGINT)"
    assert run.exit_code(2) == 2


def test_items_that_never_reported_make_a_run_incomplete_even_if_pytest_says_0():
    run = finished(10, 9)
    assert not run.complete and run.exit_code(0) == 2 and "1 item(s) never reported a result" in run.reasons()


def test_a_crashed_xdist_worker_a_collection_error_and_an_internal_error_each_make_it_incomplete():
    crashed = finished(2, 2, crashed=["cases/a.py::c[1]"])
    assert not crashed.complete and crashed.ran == 1 and "xdist worker crashed" in crashed.reasons()[0]
    broken = finished(2, 2, collection_errors=["cases/b.py"])
    assert not broken.complete and "cases/b.py" in broken.reasons()[0]
    internal = finished(2, 2, exitstatus=3)
    assert not internal.complete and internal.exit_code(3) == 3
    stopped = finished(5, 1, stopped="stopping after 1 failures", exitstatus=1)
    assert not stopped.complete and stopped.exit_code(1) == 1 and "stopping after 1 failures" in stopped.reasons()[0]


def test_a_session_without_parity_items_is_not_a_parity_run():
    assert not Completeness(collected=0).started and Completeness(collected=0).complete
