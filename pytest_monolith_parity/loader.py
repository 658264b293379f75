"""Import a case file and return the cases it declares, in declaration order."""

from __future__ import annotations

from pathlib import Path

from . import case_modules
from .cases import Case, collecting


def load_cases(path: Path, display_name: str) -> list[Case]:
    """Execute ``path`` (see :mod:`case_modules`) and collect the Case objects it constructs."""
    with collecting(display_name, str(path)) as found:
        case_modules.execute(path)
    return list(found)
