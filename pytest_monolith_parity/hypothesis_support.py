"""Hypothesis profiles and replay files for property-based parity cases.

Profiles: ``dev`` (random, with the example database) and ``ci``
(derandomized, no database, prints reproduction blobs).  When a property
case diverges, its smallest input is written to
``<report dir>/replays/<case id>.json``; ``--parity-replay FILE`` runs that
case on exactly that input again, after checking that the input is one the
case's strategy could have drawn (:func:`replay_misfit`: the same arity and
argument types), so a stale or misplaced replay file is a harness error
rather than a verdict about the wrong call.
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


#: How many examples of a strategy are drawn to learn which argument types it produces.
SHAPE_SAMPLES = 60


def value_shape(value: Any) -> str:
    """The type of one argument as a replay check sees it: ``int``, ``str``, ``ndarray[float32, 1-d]``."""
    if type(value).__name__ == "ndarray" and hasattr(value, "dtype"):
        return f"ndarray[{value.dtype}, {value.ndim}-d]"
    return type(value).__name__


def _shape_of(args: Args) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    return (tuple(value_shape(a) for a in args.args),
            tuple(sorted((k, value_shape(v)) for k, v in args.kwargs.items())))


def strategy_shapes(strategy: Any, samples: int = SHAPE_SAMPLES) -> set:
    """The argument shapes ``strategy`` produces, from ``samples`` derandomized draws."""
    from hypothesis import HealthCheck, Phase, given, settings

    from .arguments import as_args

    shapes: set = set()

    @settings(max_examples=samples, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def draw(drawn: Any) -> None:
        shapes.add(_shape_of(as_args(drawn)))

    draw()
    return shapes


def replay_misfit(strategy: Any, args: Args) -> str | None:
    """None if ``args`` has an arity and argument types ``strategy`` produces; else what does not fit."""
    if strategy is None:
        return "the case has no strategy to replay"
    shapes = strategy_shapes(strategy)
    positional, keywords = _shape_of(args)
    if (positional, keywords) in shapes:
        return None
    arities = sorted({len(p) for p, _ in shapes})
    if len(positional) not in arities:
        return (f"it has {len(positional)} positional argument(s), the strategy draws "
                + " or ".join(str(n) for n in arities))
    names = sorted({tuple(k for k, _ in kw) for _, kw in shapes})
    if tuple(k for k, _ in keywords) not in names:
        return f"its keyword arguments {[k for k, _ in keywords]} are not the strategy's {[list(n) for n in names]}"
    for index, shape in enumerate(positional):
        seen = sorted({p[index] for p, _ in shapes if len(p) == len(positional)})
        if shape not in seen:
            return f"argument {index + 1} is a {shape}, the strategy draws {' or '.join(seen)} there"
    for name, shape in keywords:
        seen = sorted({dict(kw).get(name) for _, kw in shapes} - {None})
        if shape not in seen:
            return f"keyword argument {name!r} is a {shape}, the strategy draws {' or '.join(seen)} there"
    return None  # each argument fits on its own; their combination was not among the draws


def replay_path(value: str, rootdir: Path) -> Path:
    """Where ``--parity-replay VALUE`` points: as given (absolute, or from the current directory), else the rootdir."""
    given_path = Path(value).expanduser()
    if given_path.is_absolute() or given_path.exists():
        return given_path
    return rootdir / given_path


def read_replay(path: Path) -> tuple[str, str, Args]:
    try:
        document = json.loads(path.read_text("utf-8"))
        return (document["case_file"], document["case_id"],
                Args(tuple(values.decode(document["args"])), values.decode(document["kwargs"])))
    except FileNotFoundError:
        raise ReplayError(f"replay file {path} does not exist") from None
    except (ValueError, KeyError, TypeError) as error:
        raise ReplayError(f"replay file {path} is malformed ({error}); it should come from a parity run") from None
