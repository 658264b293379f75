"""Calls that do not return: a hang and an abort, run in the worker so the harness survives them."""

import os

from pytest_monolith_parity import Case, ReferenceUnavailable, divergence, example, python_call, worker

REFERENCE = "sample_reference/__init__.py"

Case(
    id="countdown",
    covers=REFERENCE,
    python=python_call("sample_reference:countdown"),
    rust=worker("countdown"),
    examples=[
        example(5, id="positive"),
        example(-1, id="negative", expect=divergence("Rust loops forever on negative input", outcome="timeout",
                                                     message="rust timed out: no answer within")),
    ],
    timeout=2,
)

Case(
    id="crash",
    covers=REFERENCE,
    python=python_call("sample_reference:crash"),
    rust=worker("crash"),
    examples=[example(3, id="abort", expect=divergence("the Rust worker aborts", outcome="process crashed",
                                                       message="rust process crashed: worker killed by SIGABRT"))],
)


def version_offline_aware() -> str:
    """The reference's version() -- unless SAMPLE_REFERENCE_OFFLINE says it cannot run here.

    This stands for monolith modules whose reference needs something this
    machine lacks (a Bazel-built custom op): their goldens stand in.
    """
    if os.environ.get("SAMPLE_REFERENCE_OFFLINE"):
        raise ReferenceUnavailable("custom op sample_version_op is not built")
    import sample_reference

    return sample_reference.version()


Case(
    id="version",
    covers="sample_reference/__init__.py",
    python=version_offline_aware,
    rust=worker("version"),
    examples=[example(id="current")],
)
