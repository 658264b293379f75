"""Import a case file and return the cases it declares, in declaration order."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from .cases import Case, collecting


def module_name_for(path: Path) -> str:
    """A unique, stable module name, so two ``cases/**/utils.py`` files never collide."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    return f"_parity_cases.{path.stem}_{digest}"


def load_cases(path: Path, display_name: str) -> list[Case]:
    """Execute ``path`` as a module and collect the Case objects it constructs."""
    name = module_name_for(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - only for non-.py paths
        raise ImportError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with collecting(display_name, str(path)) as found:
            spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return list(found)
