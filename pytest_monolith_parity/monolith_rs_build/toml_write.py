"""Write the small Cargo manifests the overlay needs (tomllib only reads).

A document is a list of ``(header, table)`` pairs written in order;
``"[[bin]]"``-style headers are arrays of tables.  Values inside a table
are written inline (dependency specs as inline tables), which is all a
generated manifest needs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def value(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if not math.isfinite(item):
            raise ValueError(f"TOML cannot hold {item!r} in a Cargo manifest")
        return repr(item)
    if isinstance(item, str):
        return json.dumps(item, ensure_ascii=False)  # JSON string escapes are valid TOML basic strings
    if isinstance(item, Mapping):
        return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items()) + " }" if item else "{}"
    if isinstance(item, (list, tuple)):
        return "[" + ", ".join(value(v) for v in item) + "]"
    raise TypeError(f"cannot write a {type(item).__name__} into a Cargo manifest")


def dumps(sections: Iterable[tuple[str, Mapping[str, Any]]], comment: str = "") -> str:
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    for header, table in sections:
        if lines:
            lines.append("")
        if header.startswith("[["):
            lines.append(header)
        else:
            lines.append(f"[{header}]")
        lines.extend(f"{key(k)} = {value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"
