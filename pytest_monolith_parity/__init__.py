"""pytest-monolith-parity: prove, case by case, that a Rust port behaves like its Python reference.

The public API for writing parity cases::

    from pytest_monolith_parity import Case, example, divergence, python_call, pyo3, worker, driver, cli, compare
"""

__version__ = "0.1.0"

from . import compare  # noqa: E402
from .cases import Args, Case, CaseDefinitionError, Divergence, Example, divergence, example  # noqa: E402
from .runners.base import ReferenceUnavailable  # noqa: E402
from .runners.cli import cli  # noqa: E402
from .runners.python_side import python_call  # noqa: E402
from .runners.rust_side import driver, pyo3, worker  # noqa: E402

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
    "worker",
    "__version__",
]
