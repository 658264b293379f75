"""Parity of monolith/agent_service/resource_utils.py (Rust: ``monolith_serving::resource_utils``).

Only the psutil-backed ``*_v2`` functions have a Rust port.  They read this machine,
so no golden is kept (another machine gives other values) and:

* ``total_memory_v2`` is a static value: exact, in bytes on both sides;
* ``cal_available_memory_v2`` moves between the two calls (other processes allocate):
  compared within 5 % of the reference's value, which is far below the factor a unit
  error (KiB vs bytes, 1024x) makes;
* ``cal_cpu_usage_v2`` is a sample of a live rate: the contract checked exactly is its
  type and range (a float percentage in [0, 100]); the value itself within 30 percentage
  points, after sampling Python over the same 100 ms window the Rust port uses
  (``psutil.cpu_percent()`` reports the usage since its previous call, so the Python
  side calls it once, sleeps 100 ms, then calls the function under test), with every CPU
  kept busy by processes the case starts and stops, so the expected value is ~100 whatever
  the machine's background load.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import numpy as np

from pytest_monolith_parity import Case, compare, divergence, example, pyo3, python_call

MODULE = "monolith.agent_service.resource_utils"
COVERS = "monolith/agent_service/resource_utils.py"

_SYSINFO_REASON = ("sysinfo 0.30 already reports memory in bytes, and monolith-serving multiplies by 1024 again "
                   "(comment 'sysinfo returns KiB'): the Rust value is 1024x psutil's")


def _as_array(value):
    return np.array([value], dtype=np.float64)


Case(id="total_memory_v2", covers=COVERS,
     python=python_call(f"{MODULE}:total_memory_v2"), rust=pyo3("total_memory_v2"),
     # the message's values are this machine's memory: the stable head is the path
     examples=[example(id="this_machine", expect=divergence(_SYSINFO_REASON, outcome="mismatch", message="root: "))],
     golden=False)

Case(id="cal_available_memory_v2", covers=COVERS,
     python=python_call(f"{MODULE}:cal_available_memory_v2", post=_as_array),
     rust=pyo3("cal_available_memory_v2", post=_as_array),
     examples=[example(id="this_machine", expect=divergence(_SYSINFO_REASON, outcome="mismatch",
                                                            message="[0]: expected "))],
     compare=compare.tensor(rtol=0.05, atol=0.0),
     golden=False)


def _cpu_usage_primed():
    import psutil

    from monolith.agent_service import resource_utils

    psutil.cpu_percent()
    time.sleep(0.1)
    return resource_utils.cal_cpu_usage_v2()


def _percent_contract(value):
    return (type(value).__name__, 0.0 <= value <= 100.0)


Case(id="cal_cpu_usage_v2_contract", covers=COVERS,
     python=python_call(f"{MODULE}:cal_cpu_usage_v2", post=_percent_contract),
     rust=pyo3("cal_cpu_usage_v2", post=_percent_contract),
     examples=[example(id="this_machine")],
     golden=False)

@contextlib.contextmanager
def full_cpu_load():
    """One busy process per CPU for the duration of the call, so the usage to measure is ~100 %
    whatever else the machine is doing (an idle machine would make 0.0 look right)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        time.sleep(0.5)
        yield
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()


def under_load(runner):
    """Run the side while every core is busy (CPU usage is only comparable under a known load)."""
    runner.around = lambda *args, **kwargs: full_cpu_load()
    return runner


Case(id="cal_cpu_usage_v2", covers=COVERS,
     python=under_load(python_call(_cpu_usage_primed, post=_as_array)),
     rust=under_load(pyo3("cal_cpu_usage_v2", post=_as_array)),
     examples=[example(id="under_full_load", expect=divergence(
         "the Rust port refreshes sysinfo's CPU stats 100 ms apart, below sysinfo's Linux "
         "MINIMUM_CPU_UPDATE_INTERVAL (200 ms), so the second refresh is skipped and it reports 0.0 "
         "(Python: ~100 under full load)", outcome="mismatch", message="[0]: expected"))],
     compare=compare.tensor(rtol=0.0, atol=30.0),
     golden=False)
