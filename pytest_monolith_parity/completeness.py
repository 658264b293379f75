"""Whether a run finished: every item it set out to run did run, and nothing stopped it.

A run that did not finish -- Ctrl-C (SIGINT), ``-x`` / ``--maxfail``, a
pytest-xdist worker that crashed, a case file that failed collection, an
internal error, or (``merge-reports``) a shard missing or unfinished -- has verdicts for only some of its items, and a gate over
those says nothing about the others.  Such a run never prints ``GATE: PASS``:
it prints ``GATE: INCOMPLETE (n of m items ran)``, exits non-zero, keeps the
last complete reports (its own go beside them, named ``*.partial.*``) and
adds nothing to the trend.  Pytest-free: the plugin feeds the counts in.
"""

from __future__ import annotations

import dataclasses
from typing import Any

#: pytest's ExitCode values this module needs (pytest itself is not imported here).
EXIT_INTERRUPTED = 2
EXIT_INTERNAL_ERROR = 3


@dataclasses.dataclass
class Completeness:
    """What a run set out to do with its parity items and how much of it happened.

    Only parity items count (those of the case directories): other tests in the
    same session are pytest's to report.
    """

    collected: int | None = None  # parity items after deselection (None: collection never finished)
    finished: set[str] = dataclasses.field(default_factory=set)  # their node ids whose run protocol completed
    crashed: list[str] = dataclasses.field(default_factory=list)  # node ids an xdist worker died running
    collection_errors: list[str] = dataclasses.field(default_factory=list)  # case files that failed collection
    keyboard_interrupt: bool = False
    terminated: bool = False  # SIGTERM (termination.py)
    stopped: str = ""  # pytest's own reason to stop early ("stopping after 1 failures"), if any
    exitstatus: int = 0
    shards: list[str] = dataclasses.field(default_factory=list)  # merge-reports: shards missing or unfinished

    @property
    def ran(self) -> int:
        return len(self.finished - set(self.crashed))

    @property
    def complete(self) -> bool:
        return (self.collected is not None and self.ran >= self.collected and not self.crashed and not self.shards
                and not self.collection_errors and not self.keyboard_interrupt and not self.terminated
                and self.exitstatus not in (EXIT_INTERRUPTED, EXIT_INTERNAL_ERROR))

    @property
    def started(self) -> bool:
        """Whether this is a parity run at all: it collected parity items, ran some, or failed to collect a case file."""
        return bool(self.collected) or bool(self.finished) or bool(self.collection_errors)

    def line(self) -> str:
        total = "?" if self.collected is None else str(self.collected)
        return f"GATE: INCOMPLETE ({self.ran} of {total} items ran)"

    def reasons(self) -> list[str]:
        """Why the run is incomplete, most telling first."""
        found: list[str] = list(self.shards)
        if self.terminated:
            found.append("terminated (SIGTERM)")
        if self.keyboard_interrupt:
            found.append("interrupted (KeyboardInterrupt: Ctrl-C or SIGINT)")
        if self.collection_errors:
            found.append(f"{len(self.collection_errors)} file(s) failed collection: "
                         + ", ".join(self.collection_errors[:5]))
        if self.crashed:
            found.append(f"a pytest-xdist worker crashed running {', '.join(self.crashed[:5])}")
        if self.stopped:
            found.append(f"pytest stopped early: {self.stopped}")
        if self.exitstatus == EXIT_INTERNAL_ERROR:
            found.append("an internal error ended the session")
        if not found and self.collected is not None and self.ran < self.collected:
            found.append(f"{self.collected - self.ran} item(s) never reported a result")
        if not found:
            found.append("the session was interrupted")
        return found

    def exit_code(self, pytest_status: int) -> int:
        """Never 0: pytest's own status when it has one (2 for an interrupt), else 2 (interrupted)."""
        return pytest_status if pytest_status != 0 else EXIT_INTERRUPTED

    def to_json(self) -> dict[str, Any]:
        return {"complete": self.complete, "collected": self.collected, "ran": self.ran,
                "crashed": list(self.crashed), "collection_errors": list(self.collection_errors),
                "reasons": [] if self.complete else self.reasons(),
                **({"shards": list(self.shards)} if self.shards else {})}
