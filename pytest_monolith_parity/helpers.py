"""Small helpers that case files share: the checkout under test, its modules, and temporary environment variables."""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType

from .outcomes import ReferenceUnavailable


def checkout_root() -> Path:
    """The checkout under test: the active reference environment's, else ``MONOLITH_ROOT``.

    Case files read the checkout's own inputs (configs, test data) from here
    at run time instead of copying them.
    """
    from .reference import bootstrap

    environment = bootstrap.current()
    if environment is not None:
        return Path(environment.checkout.root)
    root = os.environ.get("MONOLITH_ROOT")
    if not root:
        raise ReferenceUnavailable("no monolith checkout configured (MONOLITH_ROOT or --monolith-root)")
    return Path(root)


def reference_module(name: str) -> ModuleType:
    """Import a monolith module for a Python side written as a function.

    ``python_call("pkg.mod:fn")`` turns an import failure into *reference unavailable*; a side that is a
    function of the case file imports through this to get the same verdict, with the same reason
    (``cannot import <module>: <error>``), instead of a *python raised* that blames the reference.
    """
    try:
        return importlib.import_module(name)
    except Exception as error:  # an import error, or anything the module's top level raises
        raise ReferenceUnavailable(f"cannot import {name}: {type(error).__name__}: {error}") from error


@contextlib.contextmanager
def environ(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (a value) or remove (``None``) environment variables, restoring them afterwards.

    Use it as a side's ``around=`` for functions that read the environment.
    """
    saved = {key: os.environ.get(key) for key in values}
    try:
        _apply(values)
        yield
    finally:
        _apply(saved)


def _apply(values: Mapping[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
