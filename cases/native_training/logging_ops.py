"""Parity of monolith/native_training/logging_ops.py's machine health (Rust: ``monolith_training::native_training::logging_ops``).

``check_machine_health(machine_info(mem_limit))`` runs monolith's ``MonolithMachineInfo`` /
``MonolithCheckMachineHealth`` kernels (library ``logging_ops``): the result is a serialized
``MachineHealthResult``, empty when the process's resident memory (``VmRSS`` of
``/proc/self/status``) is below ``mem_limit``, else ``OUT_OF_MEMORY`` with the message
``Memory limit exceeded. Current: <rss>, Limit: <limit>``.  The RSS is a measurement of the
process, not behaviour, so the Python side's number after ``Current:`` is replaced by
``<rss>`` (nothing else is touched); both sides' bytes are decoded and compared as the message.
"""

from __future__ import annotations

import re

from pytest_monolith_parity import Case, compare, divergence, example, pyo3, python_call

COVERS = "monolith/native_training/logging_ops.py"
_RSS = re.compile(r"Current: \d+,")


def reference_machine_health(mem_limit):
    from monolith.native_training import logging_ops

    result = logging_ops.check_machine_health(logging_ops.machine_info(mem_limit=mem_limit))
    return result.numpy()


def _as_message(serialized: bytes):
    from monolith.native_training.runtime.ops import logging_ops_pb2

    message = logging_ops_pb2.MachineHealthResult.FromString(serialized)
    if message.HasField("message"):
        message.message = _RSS.sub("Current: <rss>,", message.message)
    return message


_REASON = ("monolith-training's check_machine_health reports OUT_OF_MEMORY only for mem_limit <= 0, with the "
           "message 'out of memory' (logging_ops.rs: `if machine_info.mem_limit <= 0`), never reading the process's "
           "memory; the kernel compares VmRSS with the limit and says 'Memory limit exceeded. Current: .., Limit: ..'")
_RSS_OVER_LIMIT = divergence(_REASON, outcome="mismatch", message="status: OUT_OF_MEMORY (1) != unset (presence)")
_OTHER_MESSAGE = divergence(_REASON, outcome="mismatch",
                            message='message: "Memory limit exceeded. Current: <rss>, Limit: 0" != "out of memory"')

Case(id="check_machine_health", covers=COVERS,
     python=python_call(reference_machine_health, isolated=True, post=_as_message),
     rust=pyo3("check_machine_health", post=_as_message),
     examples=[example(1 << 62, id="healthy"),
               example(1, id="one_byte_limit", expect=_RSS_OVER_LIMIT),
               example(0, id="zero_limit", expect=_OTHER_MESSAGE)],
     compare=compare.proto())
