"""Small helpers that case files share: the checkout under test, and temporary environment variables."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

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
