"""pytest-monolith-parity: prove, case by case, that a Rust port behaves like its Python reference.

The public API for writing parity cases::

    from pytest_monolith_parity import (Case, example, divergence, python_call, pyo3, worker, driver, cli,
                                        reference_cli, rust_cli, compare)
"""

from . import compare
from .arguments import Args
from .cases import Case, CaseDefinitionError, Divergence, Example, divergence, example
from .outcomes import ReferenceUnavailable
from .runners.cli import cli, reference_cli, rust_cli
from .runners.python_side import python_call
from .runners.rust_side import driver, pyo3, worker
from .version import __version__

__all__ = [
    "Args",
    "Case",
    "CaseDefinitionError",
    "Divergence",
    "Example",
    "ReferenceUnavailable",
    "cli",
    "compare",
    "divergence",
    "driver",
    "example",
    "pyo3",
    "python_call",
    "reference_cli",
    "rust_cli",
    "worker",
    "__version__",
]
