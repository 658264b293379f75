"""pytest-xdist wiring: workers hand goldens and golden usage to the controller.

Registered only when xdist is installed, because ``pytest_testnodedown`` (and
the collection and crash hooks below) are xdist hooks that plain pytest does
not know.  The controller collects nothing itself: it learns how many items
the run has from the workers' collections, and which item a dead worker was
running from the crash report -- so a crashed worker makes the run incomplete.
"""

from __future__ import annotations


def is_worker(config) -> bool:
    return hasattr(config, "workerinput")


class XdistHooks:
    def __init__(self, state):
        self.state = state

    def pytest_testnodedown(self, node, error) -> None:
        output = getattr(node, "workeroutput", {}).get("parity")
        if output:
            self.state.merge_worker_output(output)

    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        completeness = self.state.completeness
        cases = sum(1 for nodeid in ids if self.state.is_case_nodeid(nodeid))
        completeness.collected = max(completeness.collected or 0, cases)

    def pytest_handlecrashitem(self, crashitem, report, sched) -> None:
        if self.state.is_case_nodeid(crashitem) and crashitem not in self.state.completeness.crashed:
            self.state.completeness.crashed.append(crashitem)
