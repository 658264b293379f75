"""Hypothesis profiles and replay files for property-based parity cases.

Profiles: ``dev`` (random, with the example database) and ``ci``
(derandomized, no database, prints reproduction blobs).  When a property
case diverges, its smallest input is written to
``<report dir>/replays/<case id>.json``; ``--parity-replay FILE`` runs that
case on exactly that input again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import values
from .arguments import Args
from .files import atomic_write

PROFILES = {
    "dev": {"deadline": None, "max_examples": 100},
    "ci": {"deadline": None, "max_examples": 100, "derandomize": True, "database": None, "print_blob": True},
}


def register_profiles() -> None:
    from hypothesis import HealthCheck, settings

    for name, options in PROFILES.items():
        settings.register_profile(f"parity-{name}", suppress_health_check=[HealthCheck.too_slow], **options)


def profile_settings(name: str) -> Any:
    from hypothesis import settings

    key = f"parity-{name}" if name in PROFILES else name
    try:
        return settings.get_profile(key)
    except Exception as error:  # hypothesis raises InvalidArgument for unknown profiles
        raise ValueError(f"unknown Hypothesis profile {name!r}; use one of {', '.join(PROFILES)} "
                         "or a profile registered in your conftest.py") from error


class ReplayError(ValueError):
    """A replay file is missing, malformed or names a case that does not exist."""


def write_replay(report_dir: Path, case_file: str, case_id: str, args: Args) -> Path:
    path = report_dir / "replays" / f"{case_id}.json"
    document = {"case_file": case_file, "case_id": case_id,
                "args": values.encode(list(args.args)), "kwargs": values.encode(dict(args.kwargs))}
    atomic_write(path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    return path


def read_replay(path: Path) -> tuple[str, str, Args]:
    try:
        document = json.loads(path.read_text("utf-8"))
        return (document["case_file"], document["case_id"],
                Args(tuple(values.decode(document["args"])), values.decode(document["kwargs"])))
    except FileNotFoundError:
        raise ReplayError(f"replay file {path} does not exist") from None
    except (ValueError, KeyError, TypeError) as error:
        raise ReplayError(f"replay file {path} is malformed ({error}); it should come from a parity run") from None
