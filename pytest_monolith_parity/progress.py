"""Progress of long work (a Rust build, a kernel build, a mutants run) on a terminal.

One reporter, two renderings, chosen once:

* a TTY (and not CI): a single line rewritten in place, at most ten times a
  second -- ``rust bindings [agent_service]: 57/~212 crates, tokio, 1m12s``;
* otherwise (a pipe, a log file, ``CI`` set): plain lines, one at the start,
  one at most every ``interval`` seconds while the work goes on, one at the
  end -- a CI log stays readable and still shows the build is alive.

``MONOLITH_PARITY_PROGRESS`` forces ``tty``, ``plain`` or ``off``.  The
reporter never raises on a closed or odd stream: progress must not be able to
fail the work it reports on.

    with Progress("rust bindings [agent_service]", total=212, unit="crates", approximate=True) as progress:
        for artifact in artifacts:
            progress.advance(artifact.name)
        progress.finish("built")            # else the exit line says "failed" or "done"

A heartbeat thread redraws once a second, so the elapsed time moves (and a
plain log gets its periodic line) while a single long step runs; pass
``heartbeat=False`` for tests that drive the clock.

Pytest-free, no imports from this package.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

ENV_MODE = "MONOLITH_PARITY_PROGRESS"
MODES = ("tty", "plain", "off")


def format_duration(seconds: float) -> str:
    """``7s``, ``1m12s``, ``1h03m``."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def choose_mode(stream: TextIO, environ: dict[str, str] | os._Environ | None = None) -> str:
    """``tty`` for an interactive terminal outside CI, ``plain`` otherwise (or ``$MONOLITH_PARITY_PROGRESS``)."""
    environ = os.environ if environ is None else environ
    forced = environ.get(ENV_MODE, "").strip().lower()
    if forced in MODES:
        return forced
    if environ.get("CI") or environ.get("GITHUB_ACTIONS"):
        return "plain"
    try:
        return "tty" if stream.isatty() else "plain"
    except (AttributeError, ValueError, OSError):
        return "plain"


class Progress:
    """Counts items of a long task and shows where it is; see the module docstring."""

    def __init__(self, title: str, total: int | None = None, *, unit: str = "", approximate: bool = False,
                 stream: TextIO | None = None, mode: str | None = None, interval: float = 15.0,
                 clock: Callable[[], float] = time.monotonic, heartbeat: bool = True):
        self.title = title
        self.total = total
        self.unit = unit
        self.approximate = approximate
        self.stream = stream if stream is not None else sys.stderr
        self.mode = mode or choose_mode(self.stream)
        if self.mode not in MODES:
            raise ValueError(f"progress mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        self.interval = interval
        self.clock = clock
        self.done = 0
        self.item = ""
        self.started = clock()
        self.finished = False
        self._last_draw = float("-inf")
        self._line_open = False
        self._first_draw = True  # a TTY line starts on a line of its own (pytest may have left one unfinished)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._emit_plain(self.render())
        if heartbeat and self.mode != "off":
            # a long compile produces no event for minutes: keep the elapsed time (and a CI log) moving
            threading.Thread(target=self._beat, name="progress-heartbeat", daemon=True).start()

    # -- what is shown ------------------------------------------------------
    def elapsed(self) -> float:
        return self.clock() - self.started

    def counts(self) -> str:
        if self.total is None:
            return f"{self.done} {self.unit}".strip()
        total = max(self.total, self.done)  # an estimate never shows 230/212
        mark = "~" if self.approximate and self.done < total else ""
        return f"{self.done}/{mark}{total} {self.unit}".strip()

    def render(self, status: str = "") -> str:
        parts = [self.counts()]
        if status:
            parts.append(status)
        elif self.item:
            parts.append(self.item)
        parts.append(format_duration(self.elapsed()))
        return f"{self.title}: " + ", ".join(p for p in parts if p)

    # -- updates --------------------------------------------------------------
    def advance(self, item: str = "", n: int = 1) -> None:
        self.update(done=self.done + n, item=item or None)

    def update(self, done: int | None = None, total: int | None = None, item: str | None = None) -> None:
        with self._lock:
            if done is not None:
                self.done = done
            if total is not None:
                self.total = total
            if item is not None:
                self.item = item
            self._draw()

    def note(self, text: str) -> None:
        """A line of its own (a warning, a phase change) that does not break the updating line."""
        with self._lock:
            if self.mode == "off":
                return
            self._clear_line()
            self._write(text + "\n")
            self._last_draw = float("-inf")
            self._draw()

    def finish(self, status: str = "done") -> None:
        with self._lock:
            if self.finished:
                return
            self.finished = True
            self._stop.set()
            self.item = ""
            line = self.render(status)
            if self.mode == "tty":
                self._write("\r" + self._fit(line) + "\x1b[K\n")
                self._line_open = False
            elif self.mode == "plain":
                self._write(line + "\n")

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.finish("failed" if exc_type is not None else "done")

    # -- drawing --------------------------------------------------------------
    def _beat(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        if self.finished or self.mode == "off":
            return
        now = self.clock()
        if self.mode == "tty":
            if now - self._last_draw >= 0.1:
                self._last_draw = now
                self._write(("\n" if self._first_draw else "") + "\r" + self._fit(self.render()) + "\x1b[K")
                self._first_draw = False
                self._line_open = True
        elif now - self._last_draw >= self.interval:
            self._emit_plain(self.render())

    def _emit_plain(self, line: str) -> None:
        if self.mode == "plain":
            self._last_draw = self.clock()
            self._write(line + "\n")
        elif self.mode == "tty":
            self._last_draw = float("-inf")
            self._draw()

    def _clear_line(self) -> None:
        if self.mode == "tty" and self._line_open:
            self._write("\r\x1b[K")
            self._line_open = False

    def _fit(self, line: str) -> str:
        width = shutil.get_terminal_size((100, 24)).columns - 1
        return line if len(line) <= width else line[: max(0, width - 1)] + "…"

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass
