"""The arguments of one call: what a case feeds both sides.

Its own small module because every layer needs it -- runners call with it,
cases declare it, Hypothesis draws it, replay files store it -- and none of
them may import the layers above.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Args:
    """Positional and keyword arguments for one call of both sides."""

    args: tuple = ()
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def describe(self, limit: int = 200) -> str:
        parts = [_short_repr(a) for a in self.args]
        parts += [f"{k}={_short_repr(v)}" for k, v in self.kwargs.items()]
        text = ", ".join(parts)
        return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_args(value: Any) -> Args:
    """Normalise what a strategy drew into :class:`Args`."""
    if isinstance(value, Args):
        return value
    if isinstance(value, tuple):
        return Args(value)
    return Args((value,))
