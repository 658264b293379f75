"""The progress reporter: one rewritten line on a TTY, plain rate-limited lines otherwise, nothing when off."""

from __future__ import annotations

import io

import pytest

from pytest_monolith_parity.progress import Progress, choose_mode, format_duration


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class TTY(io.StringIO):
    def isatty(self):
        return True


def test_durations():
    assert [format_duration(s) for s in (0, 7.9, 72, 3599, 3780)] == ["0s", "7s", "1m12s", "59m59s", "1h03m"]


def test_mode_follows_the_stream_ci_and_the_override():
    assert choose_mode(TTY(), {}) == "tty"
    assert choose_mode(io.StringIO(), {}) == "plain"
    assert choose_mode(TTY(), {"CI": "true"}) == "plain"
    assert choose_mode(TTY(), {"GITHUB_ACTIONS": "true"}) == "plain"
    assert choose_mode(io.StringIO(), {"MONOLITH_PARITY_PROGRESS": "tty"}) == "tty"
    assert choose_mode(TTY(), {"MONOLITH_PARITY_PROGRESS": "off"}) == "off"
    with pytest.raises(ValueError, match="progress mode"):
        Progress("x", mode="fancy", stream=io.StringIO(), heartbeat=False)


def test_plain_lines_at_start_at_most_every_interval_and_at_the_end():
    clock, out = Clock(), io.StringIO()
    progress = Progress("rust bindings [agent_service]", total=4, unit="crates", approximate=True, stream=out,
                        mode="plain", interval=15, clock=clock, heartbeat=False)
    progress.advance("syn")
    clock.now += 16
    progress.advance("tokio")
    clock.now += 1
    progress.advance("prost")  # within the interval: no line
    clock.now += 60
    progress.finish("built")
    assert out.getvalue().splitlines() == [
        "rust bindings [agent_service]: 0/~4 crates, 0s",
        "rust bindings [agent_service]: 2/~4 crates, tokio, 16s",
        "rust bindings [agent_service]: 3/~4 crates, built, 1m17s",
    ]


def test_an_estimate_is_never_shown_below_the_count():
    clock, out = Clock(), io.StringIO()
    progress = Progress("b", total=2, unit="crates", approximate=True, stream=out, mode="plain", clock=clock,
                        heartbeat=False)
    progress.update(done=3)
    progress.finish("built")
    assert out.getvalue().splitlines()[-1] == "b: 3/3 crates, built, 0s"


def test_tty_rewrites_one_line_and_ends_it():
    clock, out = Clock(), TTY()
    progress = Progress("cli", total=10, unit="crates", stream=out, mode="tty", clock=clock, heartbeat=False)
    clock.now += 1
    progress.advance("clap")
    clock.now += 0.01
    progress.advance("serde")  # throttled: within 0.1 s of the last draw
    progress.note("warning: something")
    progress.finish("built")
    text = out.getvalue()
    assert text.startswith("\n\rcli: 0/10 crates, 0s\x1b[K")
    assert "\rcli: 1/10 crates, clap, 1s\x1b[K" in text
    assert "serde, 1s\x1b[K\r" not in text.split("warning")[0]  # the throttled draw did not happen
    assert "\r\x1b[Kwarning: something\n" in text
    assert text.endswith("\rcli: 2/10 crates, built, 1s\x1b[K\n")
    assert text.count("\n") == 3  # the leading one, the note's and the final one: a single line otherwise


def test_off_prints_nothing_and_a_closed_stream_never_raises():
    out = io.StringIO()
    progress = Progress("x", stream=out, mode="off", heartbeat=False)
    progress.advance("a")
    progress.note("n")
    progress.finish()
    assert out.getvalue() == ""
    closed = io.StringIO()
    closed.close()
    with Progress("x", stream=closed, mode="plain", heartbeat=False) as failing:
        failing.advance("a")


def test_the_context_manager_says_failed_on_an_exception():
    out = io.StringIO()
    with pytest.raises(RuntimeError):
        with Progress("kernels", total=3, unit="ops", stream=out, mode="plain", heartbeat=False):
            raise RuntimeError("boom")
    assert out.getvalue().splitlines()[-1].startswith("kernels: 0/3 ops, failed")


def test_the_heartbeat_keeps_a_plain_log_alive():
    import time

    out = io.StringIO()
    progress = Progress("slow", stream=out, mode="plain", interval=0.5)
    time.sleep(2.3)
    progress.finish()
    assert len(out.getvalue().splitlines()) >= 3  # start, at least one heartbeat line, end
