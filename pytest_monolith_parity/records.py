"""The JSON record of one case run: the unit every report is built from.

Records are plain JSON data so they travel from pytest-xdist workers to the
controller on the test report (``report.parity``) and land unchanged in
the JSON report.
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

from .case_modules import readable
from .execution import Execution
from .outcomes import SideResult

PREVIEW_LIMIT = 2000


def preview(value: Any, limit: int = PREVIEW_LIMIT) -> str:
    """``repr`` of a value with dict keys and set members sorted, so a preview is the same in every run.

    A Rust side that iterates a ``HashMap`` hands back its dicts in a random
    key order; the comparator decides what order means, the preview only shows
    the value, and must not change between two runs of the same result.
    """
    text = sorted_repr(value)
    return text if len(text) <= limit else text[: limit - 20] + f"... ({len(text)} chars)"


def sorted_repr(value: Any) -> str:
    """``repr`` with the keys of dicts (plain, ordered, default) and the members of sets in sorted order."""
    if type(value) in _DICT_TYPES:
        items = sorted(((sorted_repr(k), sorted_repr(v)) for k, v in value.items()), key=lambda item: item[0])
        body = ", ".join(f"{k}: {v}" for k, v in items)
        return "{" + body + "}" if type(value) is dict else f"{type(value).__name__}({{{body}}})"
    if type(value) in (set, frozenset):
        if not value:
            return repr(value)
        body = ", ".join(sorted(sorted_repr(v) for v in value))
        return "{" + body + "}" if type(value) is set else f"frozenset({{{body}}})"
    if type(value) is list:
        return "[" + ", ".join(sorted_repr(v) for v in value) + "]"
    if type(value) is tuple:
        inner = ", ".join(sorted_repr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


_DICT_TYPES = (dict, collections.OrderedDict, collections.defaultdict)


def _plain(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics as builtins (numpy scalars do not cross to xdist's controller or into JSON)."""
    return {key: value.item() if hasattr(value, "item") else value for key, value in metrics.items()}


def _side(result: SideResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    data = result.to_json()
    data["preview"] = preview(result.value) if result.kind.value == "value" else ""
    return data


def call_name(description: str, root: Path | None = None, rust_module: str | None = None) -> str:
    """A runner's description as a person reads it: case-file paths, not internal module names (see case_modules)."""
    text = readable(description, root)
    return text.replace("<rust_module>", rust_module) if rust_module else text


def build_record(execution: Execution, nodeid: str, replay: str = "", *, root: Path | None = None,
                 rust_module: str | None = None) -> dict[str, Any]:
    """The record of one run; ``root`` and ``rust_module`` make the calls' names readable (see :func:`call_name`)."""
    case = execution.case
    verdict = execution.verdict
    example = next((e for e in case.examples if e.id == execution.example_id), None)
    expected = case.expectation_for(example)
    return {
        "nodeid": nodeid,
        "case_id": case.id,
        "example_id": execution.example_id,
        "covers": case.covers,
        "module": case.module_path,
        "package": case.package,
        "case_file": case.source_file,
        "case_line": case.source_line,
        "python_call": call_name(case.python.describe(), root, rust_module),
        "rust_call": call_name(case.rust.describe(), root, rust_module),
        "comparator": case.compare.describe() if case.compare is not None else "exact",
        "inputs": execution.args.describe(PREVIEW_LIMIT) if execution.args is not None else "",
        "examples_run": execution.examples_run,
        "expected_divergence": (
            {"reason": expected.reason, "outcome": expected.outcome.value, "message": expected.message}
            if expected is not None else None
        ),
        "expectation_on_example": example is not None and example.expect is not None,
        **verdict.to_json(),
        "metrics": _plain(verdict.metrics),
        "python": _side(execution.python),
        "rust": _side(execution.rust),
        "seconds": round(execution.seconds, 6),
        "replay": replay,
        "perf": _plain_perf(execution.perf),
    }


def _plain_perf(perf: dict[str, Any] | None) -> dict[str, Any] | None:
    """The timings of a ``perf=True`` case, rounded to the microsecond's thousandth (see perf.py)."""
    if perf is None:
        return None
    plain: dict[str, Any] = {}
    for key, value in perf.items():
        if isinstance(value, dict):
            plain[key] = {k: round(v, 9) if isinstance(v, float) else v for k, v in value.items()}
        else:
            plain[key] = round(value, 9) if isinstance(value, float) else value
    return plain


def junit_properties(record: dict[str, Any]) -> list[tuple[str, Any]]:
    """The user properties a test item carries (JUnit XML shows them per test case)."""
    properties: list[tuple[str, Any]] = [("parity_outcome", record["outcome"]), ("parity_raw", record["raw"]),
                                         ("parity_module", record["covers"])]
    properties += [(f"parity_{key}", record["metrics"][key]) for key in ("max_abs", "max_rel", "max_ulp")
                   if key in record["metrics"]]
    return properties
