"""How case files and the support code beside them become Python modules.

Case files are not on ``sys.path`` and need not be importable by name, yet
they must be able to import the support code that sits beside them
(``cases/agent_service/_support/zk_ops.py``) with a relative import::

    from ._support.zk_ops import run_ops

So each directory holding case files becomes a package of its own,
``_parity_cases.<dir name>_<10 hex of its path>``, whose ``__path__`` is that
directory; a case file is a module of it.  The name depends only on the
file's path, so a worker process that loads the same file by path (an
isolated call of a function defined in a case file) gets the same module
name, and two ``utils.py`` case files in different directories never
collide.

Those names are internal: :func:`readable` turns them (and the
``file:<absolute path>:<name>`` targets of isolated calls) back into what a
person knows, ``cases/agent_service/utils.py:fn``, for every report.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import re
import sys
import types
from pathlib import Path

ROOT_PACKAGE = "_parity_cases"
_INTERNAL_NAME = re.compile(ROOT_PACKAGE + r"(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_FILE_TARGET = re.compile(r"file:(/[^:\s]+?\.py):")
_PACKAGE_PART = re.compile(r"(.+)_[0-9a-f]{10}$")


def _ensure_package(name: str, path: list[str]) -> types.ModuleType:
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = list(path)
        module = importlib.util.module_from_spec(spec)
        module.__path__ = list(path)
        sys.modules[name] = module
    return module


def package_for(directory: Path) -> str:
    """The package of the case files in ``directory`` (created in ``sys.modules`` on first use)."""
    directory = directory.resolve()
    digest = hashlib.sha1(str(directory).encode()).hexdigest()[:10]
    name = f"{ROOT_PACKAGE}.{re.sub(r'[^0-9A-Za-z_]', '_', directory.name)}_{digest}"
    _ensure_package(ROOT_PACKAGE, [])
    _ensure_package(name, [str(directory)])
    return name


def module_name_for(path: Path) -> str:
    """``cases/agent_service/zk_mirror.py`` -> ``_parity_cases.agent_service_<hash>.zk_mirror``."""
    return f"{package_for(Path(path).parent)}.{Path(path).stem}"


def is_case_module(name: str) -> bool:
    return name == ROOT_PACKAGE or name.startswith(ROOT_PACKAGE + ".")


def execute(path: Path) -> types.ModuleType:
    """Execute ``path`` as a fresh module of its directory's package (replacing an earlier load)."""
    name = module_name_for(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - only for non-.py paths
        raise ImportError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def load(path: Path) -> types.ModuleType:
    """The module of ``path``, executing it only the first time it is asked for in this process."""
    return sys.modules.get(module_name_for(path)) or execute(path)


def _shown_path(path: str, root: Path | None) -> str:
    if root is not None:
        try:
            relative = os.path.relpath(path, root)
        except ValueError:  # another drive (Windows)
            return path
        if not relative.startswith(".."):
            return Path(relative).as_posix()
    return path


def _readable_name(dotted: str, root: Path | None) -> str:
    """``_parity_cases.<dir>_<hash>.<module>.<qualname>`` -> ``<case file>:<qualname>``."""
    parts = dotted.split(".")
    for cut in range(len(parts), 1, -1):  # the longest prefix that is a loaded case module
        module = sys.modules.get(".".join(parts[:cut]))
        path = getattr(module, "__file__", None) if module is not None else None
        if path:
            rest = ".".join(parts[cut:])
            return _shown_path(path, root) + (f":{rest}" if rest else "")
    # not loaded here (a report read elsewhere): the directory's name, the module, then the qualified name
    match = _PACKAGE_PART.match(parts[1]) if len(parts) > 1 else None
    directory = match.group(1) if match else (parts[1] if len(parts) > 1 else "")
    module_parts = parts[2:4] if len(parts) > 3 and parts[2] == "_support" else parts[2:3]
    rest = parts[2 + len(module_parts):]
    shown = "/".join([directory, *module_parts]) + (".py" if module_parts else "")
    return shown + (f":{'.'.join(rest)}" if rest else "")


def readable(text: str, root: Path | None = None) -> str:
    """``text`` with internal case-module names and ``file:`` targets shown as case-file paths (relative to ``root``)."""
    if ROOT_PACKAGE not in text and "file:/" not in text:
        return text
    text = _FILE_TARGET.sub(lambda m: _shown_path(m.group(1), root) + ":", text)
    return _INTERNAL_NAME.sub(lambda m: _readable_name(m.group(0), root), text)
