"""The declarative case model: what a parity case file says.

A case file in ``cases/`` is plain Python that constructs :class:`Case`
objects.  Each construction registers the case with the file being loaded,
so cases may be built in loops or helper functions; order of construction
is the collection order (pytest-xdist needs it deterministic).

Validation happens here, eagerly, so that a bad case fails collection with
its id, its file and the fix -- never halfway through a run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from .arguments import Args
from .compare.base import Comparator
from .outcomes import Outcome
from .runners.base import Runner

#: Timed calls per side of a case with ``perf=True``, and the fewest a case may ask for (a median of fewer
#: calls has no noise estimate worth the name); :mod:`perf` does the timing.
PERF_DEFAULT_CALLS = 9
PERF_MIN_CALLS = 3

_ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class CaseDefinitionError(ValueError):
    """A case is declared wrongly; the message names the case and the fix."""


@dataclasses.dataclass(frozen=True)
class Divergence:
    """A known, reviewed difference between the sides.

    ``outcome`` is the raw class the case is expected to show (``mismatch``,
    ``rust panicked``, ...); ``message`` is a prefix the observed message must
    start with (empty: any).  It is strict: if the sides agree, the case fails
    as an *unexpected pass*, so the list of known divergences cannot go stale.
    """

    reason: str
    outcome: Outcome = Outcome.MISMATCH
    message: str = ""


def divergence(reason: str, outcome: str | Outcome = "mismatch", message: str = "") -> Divergence:
    """Declare an expected divergence (see :class:`Divergence`)."""
    if not reason or not reason.strip():
        raise CaseDefinitionError("an expected divergence needs a reason: say why the sides differ and where the evidence is")
    try:
        parsed = Outcome(outcome)
    except ValueError:
        valid = ", ".join(repr(o.value) for o in Outcome if o.is_divergence)
        raise CaseDefinitionError(f"unknown divergence outcome {outcome!r}; use one of {valid}") from None
    if not parsed.is_divergence:
        valid = ", ".join(repr(o.value) for o in Outcome if o.is_divergence)
        raise CaseDefinitionError(f"{parsed.value!r} is not a divergence class; use one of {valid}")
    return Divergence(reason=reason.strip(), outcome=parsed, message=message)


@dataclasses.dataclass(frozen=True)
class Example:
    """One explicit input, with an optional id and per-example expectation."""

    args: Args
    id: str | None = None
    expect: Divergence | None = None


def example(*args: Any, id: str | None = None, expect: Divergence | None = None, **kwargs: Any) -> Example:
    """An explicit input: ``example(3, "x", id="small", mode="fast")``."""
    return Example(Args(tuple(args), dict(kwargs)), id=id, expect=expect)


@dataclasses.dataclass
class Case:
    """A parity case: the same call made on the Python reference and on Rust.

    :param id: stable identifier, unique within its file (letters, digits, ``_.-``).
    :param covers: the monolith file it covers, relative to the checkout root
        (``monolith/agent_service/data_def.py``).
    :param python: the reference side, a runner from :mod:`pytest_monolith_parity.runners`
        or a plain callable (run in-process).
    :param rust: the Rust side, a runner (``pyo3("fn")``, ``worker("fn")``, ``cli(...)``).
    :param examples: explicit inputs; each becomes its own test item and its own golden entry.
    :param strategy: a Hypothesis strategy producing :class:`Args` (or a tuple of positional args).
    :param compare: the comparator; defaults to exact structural equality.
    :param expect: an expected divergence for every input (examples may override).
    :param errors: maps Python exception type names to Rust error type names that mean the
        same thing; when both sides raise mapped types the verdict is *error agreement*.
        Same-named types always agree.
    :param error_messages: also require equal error messages for an agreement.
    :param golden: keep golden files for the examples (a stand-in when the reference is unavailable).
    :param timeout: seconds per call for runners that can enforce it (workers, subprocesses).
    :param perf: time both sides on each explicit example after its verdict (``True``: the median of
        :data:`PERF_DEFAULT_CALLS` calls per side; an int: that many calls); see :mod:`perf`.
    """

    id: str
    covers: str
    python: Runner | Callable[..., Any]
    rust: Runner
    examples: Sequence[Example] = ()
    strategy: Any = None
    compare: Comparator | None = None
    expect: Divergence | None = None
    errors: Mapping[str, str] = dataclasses.field(default_factory=dict)
    error_messages: bool = False
    golden: bool = True
    timeout: float | None = None
    max_examples: int | None = None
    perf: bool | int = False
    source_file: str = dataclasses.field(default="", repr=False)
    source_line: int = dataclasses.field(default=0, repr=False)

    def __post_init__(self) -> None:
        from .runners.python_side import InProcessPython

        if not self.source_file and _current_file:
            self.source_file = _current_file[-1]
            self.source_line = _caller_line(_current_file_paths[-1])
        if not callable(self.python) and not isinstance(self.python, Runner):
            self._fail("`python=` must be a runner (e.g. python_call('pkg.mod:func')) or a callable")
        if not isinstance(self.python, Runner):
            self.python = InProcessPython(self.python)
        if not isinstance(self.rust, Runner):
            self._fail("`rust=` must be a runner: pyo3('function'), worker('function') or cli([...])")
        self._validate()
        _register(self)

    # -- validation -------------------------------------------------------
    def _fail(self, problem: str) -> None:
        where = f" in {self.source_file}" if self.source_file else ""
        raise CaseDefinitionError(f"parity case {getattr(self, 'id', '?')!r}{where}: {problem}")

    def _validate(self) -> None:
        if not isinstance(self.id, str) or not _ID_PATTERN.match(self.id):
            self._fail("the id must start with a letter or '_' and use only letters, digits, '_', '.', '-'")
        if not isinstance(self.covers, str) or not self.covers.endswith(".py") or self.covers.startswith("/"):
            self._fail("`covers=` must be the covered Python file relative to the checkout root, "
                       "e.g. 'monolith/agent_service/data_def.py'")
        if self.compare is not None and not isinstance(self.compare, Comparator):
            self._fail("`compare=` must be a comparator from pytest_monolith_parity.compare, "
                       f"e.g. compare.tensor(rtol=1e-6); got {type(self.compare).__name__}")
        if not self.examples and self.strategy is None:
            self._fail("give inputs: `examples=[example(...)]` and/or `strategy=<hypothesis strategy>`")
        self.examples = [self._coerce_example(i, e) for i, e in enumerate(self.examples)]
        ids = [e.id for e in self.examples]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            self._fail(f"duplicate example ids {duplicates}; give each example a distinct `id=`")
        if self.strategy is not None:
            self._validate_strategy()
        if self.timeout is not None and not (isinstance(self.timeout, (int, float)) and self.timeout > 0):
            self._fail(f"`timeout=` must be a positive number of seconds, got {self.timeout!r}")
        self._validate_perf()
        for py_type, rust_type in dict(self.errors).items():
            if not (isinstance(py_type, str) and isinstance(rust_type, str)):
                self._fail("`errors=` maps Python exception type names to Rust error type names (both str)")

    def _validate_perf(self) -> None:
        if isinstance(self.perf, bool):
            if self.perf and not self.examples:
                self._fail("`perf=True` times the explicit examples, and this case has none; add "
                           "`examples=[example(...)]` (Hypothesis inputs are not timed)")
            return
        if not isinstance(self.perf, int) or self.perf < PERF_MIN_CALLS:
            self._fail(f"`perf=` must be True, False or a number of timed calls per side (at least {PERF_MIN_CALLS}, "
                       f"for a median with a noise estimate), got {self.perf!r}")
        if not self.examples:
            self._fail("`perf=` times the explicit examples, and this case has none; add `examples=[example(...)]`")

    @property
    def perf_calls(self) -> int:
        """Timed calls per side (0: the case is not timed)."""
        if isinstance(self.perf, bool):
            return PERF_DEFAULT_CALLS if self.perf else 0
        return int(self.perf)

    def _coerce_example(self, index: int, item: Any) -> Example:
        if not isinstance(item, Example):
            self._fail(f"examples must be built with example(...), got {type(item).__name__}")
        return item if item.id is not None else dataclasses.replace(item, id=f"ex{index}")

    def _validate_strategy(self) -> None:
        try:
            from hypothesis.strategies import SearchStrategy
        except ImportError:  # pragma: no cover - hypothesis is a dependency
            self._fail("`strategy=` needs hypothesis installed")
        if not isinstance(self.strategy, SearchStrategy):
            self._fail(f"`strategy=` must be a Hypothesis strategy (e.g. st.tuples(st.integers())), "
                       f"got {type(self.strategy).__name__}")
        if self.max_examples is not None and (not isinstance(self.max_examples, int) or self.max_examples < 1):
            self._fail("`max_examples=` must be a positive int")

    # -- derived ----------------------------------------------------------
    @property
    def module_path(self) -> str:
        """``monolith/agent_service/data_def.py`` -> ``agent_service/data_def``."""
        path = self.covers[: -len(".py")]
        return path[len("monolith/"):] if path.startswith("monolith/") else path

    @property
    def package(self) -> str:
        """The first directory under ``monolith/``: the per-module marker and report group."""
        return self.module_path.split("/", 1)[0] if "/" in self.module_path else "_root"

    def expectation_for(self, example: Example | None) -> Divergence | None:
        if example is not None and example.expect is not None:
            return example.expect
        return self.expect


# -- registration while a case file loads -----------------------------------

_loading: list[list[Case]] = []


@contextlib.contextmanager
def collecting(source_file: str, path: str = "") -> Iterator[list[Case]]:
    """Collect every Case constructed while ``source_file`` (at ``path``) is imported."""
    found: list[Case] = []
    _loading.append(found)
    _current_file.append(source_file)
    _current_file_paths.append(path)
    try:
        yield found
    finally:
        _loading.pop()
        _current_file.pop()
        _current_file_paths.pop()


_current_file: list[str] = []
_current_file_paths: list[str] = []


def _caller_line(path: str) -> int:
    """The line in the case file where the Case is being constructed (for annotations)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == path:
            return frame.f_lineno
        frame = frame.f_back
    return 0


def _register(case: Case) -> None:
    if _loading:
        existing = {c.id for c in _loading[-1]}
        if case.id in existing:
            case._fail("a case with this id already exists in the same file; ids must be unique per file")
        _loading[-1].append(case)
