"""Parity of monolith/core/optimizers.py (Rust: ``monolith_core::optimizers::OptimizerName``).

Python's module is one dict, optimizer key -> TensorFlow optimizer class; the port parses the same keys
into an enum.  The contract compared: which names resolve, and to which canonical key (Python: the key
of the class ``optimizers[name]`` returns; Rust: ``OptimizerName::parse(name).as_key()``).
"""

from __future__ import annotations


from pytest_monolith_parity import Case, divergence, example, pyo3, python_call
from pytest_monolith_parity.helpers import reference_module

COVERS = "monolith/core/optimizers.py"


def resolve(name):
    optimizers = reference_module("monolith.core.optimizers").optimizers

    cls = optimizers[name]
    return next(key for key, value in optimizers.items() if value is cls)


def unknown(name):
    """An unknown optimizer name: Python's dict lookup raises KeyError(name), the port a ValueError."""
    return divergence(
        "an unknown optimizer name: Python's dict lookup raises KeyError(name); the port raises "
        "MonolithError::PyValueError('Unknown optimizer: <name>') (optimizers.rs OptimizerName::parse)",
        outcome="different errors",
        message=f"both raised, but python raised KeyError: {name!r} and rust raised CorePyValueError: "
                f"Unknown optimizer: {name}")


Case(
    id="resolve",
    covers=COVERS,
    python=python_call(resolve),
    rust=pyo3("optimizer_name_parse"),
    examples=[example(name, id=name) for name in ("adagrad", "momentum", "rmsprop", "adam")]
    + [example("Adam", id="case_sensitive", expect=unknown("Adam")), example("sgd", id="unknown", expect=unknown("sgd")),
       example("", id="empty", expect=unknown(""))],
)
