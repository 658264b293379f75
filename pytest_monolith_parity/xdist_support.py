"""pytest-xdist wiring: workers hand goldens and golden usage to the controller.

Registered only when xdist is installed, because ``pytest_testnodedown`` is
an xdist hook that plain pytest does not know.
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
