"""The HTML report's vocabulary: escaping, number formats, outcome colours, badges, bars and anchors.

Everything here returns escaped HTML text (every piece of report text goes
through :func:`html.escape`); :mod:`html_report` assembles the sections and
pages from it.  Colours are the same everywhere (badges, bars, chips, the
left edge of a case item), one per outcome, grouped in families; an outcome
of :class:`Outcome` without a colour here gets its family's, one this
version does not know the failing family's dark grey, so a newer report
still renders.  Pytest-free.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from .figures import family, format_pct, format_ratio
from .figures import format_seconds as fmt_seconds
from .outcomes import Outcome

#: Outcome -> (colour, family).  Families: pass (green), expected (grey), unavailable (blue),
#: warn (orange: timeouts and stale expectations), fail (red), reference (purple: goldens, harness).
OUTCOME_STYLE: dict[str, tuple[str, str]] = {
    Outcome.MATCH.value: ("#1e7b34", "pass"),
    Outcome.ERROR_AGREEMENT.value: ("#4c9a5f", "pass"),
    Outcome.EXPECTED_DIVERGENCE.value: ("#7c8490", "expected"),
    Outcome.REFERENCE_UNAVAILABLE.value: ("#2f6bd0", "unavailable"),
    Outcome.RUST_UNAVAILABLE.value: ("#5b8fd9", "unavailable"),  # a Rust function the checkout's revision lacks
    Outcome.UNEXPECTED_PASS.value: ("#f0a020", "warn"),
    Outcome.DIVERGENCE_CHANGED.value: ("#d9822b", "warn"),
    Outcome.TIMEOUT.value: ("#e2660f", "warn"),
    Outcome.REFERENCE_DRIFTED.value: ("#8e44ad", "reference"),
    Outcome.GOLDEN_MISSING.value: ("#a779c4", "reference"),
    Outcome.HARNESS_ERROR.value: ("#5b2a6e", "reference"),
    Outcome.MISMATCH.value: ("#c62828", "fail"),
    Outcome.DIFFERENT_ERRORS.value: ("#b83227", "fail"),  # both raised, but not the same error
    Outcome.PYTHON_RAISED.value: ("#e05650", "fail"),
    Outcome.RUST_RAISED.value: ("#d9423b", "fail"),
    Outcome.RUST_PANICKED.value: ("#a51d1d", "fail"),
    Outcome.CRASHED.value: ("#7a1212", "fail"),
}
UNKNOWN_STYLE = ("#3d4450", "fail")

#: Order of the segments of a verdict bar: agreement first, failures last.
BAR_ORDER = tuple(OUTCOME_STYLE)

#: The figure families of figures.py and their colours (headline, trend, parity bars).
FAMILY_COLOURS = {"agree": "#1e7b34", "known gap": "#7c8490", "unavailable": "#2f6bd0", "failing": "#c62828"}

SIDE_KIND_TONE = {"value": "pass", "raised": "fail", "panicked": "fail", "crashed": "fail", "timeout": "warn",
                  "unavailable": "unavailable"}


def e(value: Any) -> str:
    """Escape for HTML text and double- or single-quoted attributes."""
    return "" if value is None else html.escape(str(value), quote=True)


def outcome_order(outcome: str) -> int:
    order = list(OUTCOME_STYLE)
    try:
        return list(Outcome).index(Outcome(outcome))
    except ValueError:
        return len(Outcome) + (order.index(outcome) if outcome in order else len(order))


_FAMILY_TONE = {"agree": "pass", "known gap": "expected", "unavailable": "unavailable", "failing": "fail"}


def style(outcome: str) -> tuple[str, str]:
    """An outcome's colour and tone; an :class:`Outcome` without a colour of its own gets its family's."""
    if outcome in OUTCOME_STYLE:
        return OUTCOME_STYLE[outcome]
    if outcome in {known.value for known in Outcome}:
        return FAMILY_COLOURS[family(outcome)], _FAMILY_TONE[family(outcome)]
    return UNKNOWN_STYLE


def css_class(outcome: str) -> str:
    return "o-" + re.sub(r"[^a-z0-9]+", "-", outcome.lower()).strip("-")


def ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (#rrggbb)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lum = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2]
    return "#ffffff" if 1.05 / (luminance + 0.05) >= 3.0 else "#1b1f24"


def outcome_rules(extra: tuple[str, ...] = ()) -> str:
    """One CSS rule per outcome (background and readable ink), plus one for each unknown outcome in ``extra``."""
    rules = []
    styles = {**OUTCOME_STYLE, "unknown": UNKNOWN_STYLE, **{o: style(o) for o in extra if o not in OUTCOME_STYLE}}
    for outcome, (colour, _family) in styles.items():
        rules.append(f".{css_class(outcome)}{{background:{colour};color:{ink(colour)}}}")
    return "\n".join(rules)


# -- anchors -------------------------------------------------------------------

def anchor(prefix: str, text: str) -> str:
    """A stable, unique, URL-safe ``id``: readable slug plus a short hash of the exact text."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80]
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}-{slug}-{digest}"


def case_anchor(nodeid: str) -> str:
    """The ``id`` of a case item's section (link to ``parity-report.html#<id>``)."""
    return anchor("case", nodeid)


def module_anchor(covers: str) -> str:
    """The ``id`` of a file's block of case items (and the name of its page when the report is split)."""
    return anchor("module", covers)


def file_page_name(covers: str) -> str:
    """The name of a covered file's page in a split report: the file's own name and a short hash of its path."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", covers.rsplit("/", 1)[-1]).strip("-")[:60]
    return f"{name}-{hashlib.sha1(covers.encode('utf-8')).hexdigest()[:8]}.html"


def divergence_anchor(entry_id: str) -> str:
    """The ``id`` of a divergence catalogue entry (``catalogue.entry_id``)."""
    return f"divergence-{entry_id}"


# -- numbers -------------------------------------------------------------------

def number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def fmt_count(value: Any) -> str:
    return str(int(value)) if number(value) else "—"


def fmt_number(value: Any) -> str:
    """Compact: ``0``, ``1``, ``0.5``, ``5.96e-08``, ``1.23e+06``; ``—`` for none."""
    if not number(value):
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
    if isinstance(value, int) and abs(value) < 10**6:
        return str(value)
    return f"{value:.3g}"


def fmt_ratio(value: Any) -> str:
    """Rust / Python time as ``0.12×``; ``—`` for none."""
    return format_ratio(value)


def ratio_words(value: Any) -> str:
    if not number(value) or value <= 0:
        return "no ratio"
    if value < 1:
        return f"Rust {format_ratio(1 / value)} faster"
    return "as fast" if value == 1 else f"Rust {format_ratio(value)} slower"


def fmt_pct(value: Any) -> str:
    return format_pct(value)


def sort_value(value: Any) -> str:
    """``data-sort`` for a numeric cell: the number as text, empty for none (sorted last)."""
    if not number(value) or math.isnan(value):
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)


def short_revision(revision: Any) -> str:
    text = "" if revision is None else str(revision)
    return text[:12] if re.fullmatch(r"[0-9a-f]{13,64}", text) else text


def short_date(value: Any, *, seconds: bool = False) -> str:
    """``2026-11-29T09:49:54+00:00`` -> ``2026-11-29 09:49`` (``... 09:49:54 UTC`` with seconds)."""
    text = "" if value is None else str(value)
    match = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)?(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$", text)
    if not match:
        return text
    day, minute, second, zone = match.groups()
    shown = f"{day} {minute}{(second or '') if seconds else ''}"
    if zone in ("Z", "+00:00", "+0000"):
        return shown + " UTC"
    return shown + (f" {zone}" if zone else "")


# -- pieces --------------------------------------------------------------------

def badge(outcome: str, count: int | None = None, *, small: bool = False, attrs: str = "") -> str:
    """An outcome badge; with ``count`` it carries ``data-outcome`` / ``data-count``."""
    classes = f"badge {css_class(outcome)}" + (" small" if small else "")
    data = f' data-outcome="{e(outcome)}"'
    if count is not None:
        data += f' data-count="{int(count)}"'
        body = f'<span class="n">{int(count)}</span> {e(outcome)}'
    else:
        body = e(outcome)
    return f'<span class="{classes}"{data}{attrs}>{body}</span>'


def tag(outcome: str) -> str:
    """A quiet outlined label for a raw class (what the sides did), as opposed to a verdict badge."""
    colour, _family = style(outcome)
    return f'<span class="tag" style="border-color:{colour}" data-raw="{e(outcome)}">{e(outcome)}</span>'


def verdict_bar(outcomes: Mapping[str, int]) -> str:
    """A stacked bar: one segment per outcome, width proportional to its count, with a tooltip."""
    total = sum(int(n) for n in outcomes.values())
    if not total:
        return '<div class="bar empty" title="no items"></div>'
    ordered = sorted(outcomes, key=lambda o: (BAR_ORDER.index(o) if o in BAR_ORDER else len(BAR_ORDER), o))
    segments = []
    for outcome in ordered:
        count = int(outcomes[outcome])
        if count <= 0:
            continue
        width = 100.0 * count / total
        segments.append(f'<span class="seg {css_class(outcome)}" style="width:{width:.4f}%" '
                        f'title="{count} {e(outcome)}" data-outcome="{e(outcome)}" data-count="{count}"></span>')
    label = ", ".join(f"{int(outcomes[o])} {o}" for o in ordered if int(outcomes[o]) > 0)
    return f'<div class="bar" role="img" aria-label="{e(label)}">{"".join(segments)}</div>'


def pre(text: Any, cls: str = "") -> str:
    return f'<pre class="{cls}">{e(text)}</pre>' if text not in (None, "") else ""


def asset(name: str) -> str:
    """The text of a file of ``html_assets/`` (the page's stylesheet and script), inlined into the page."""
    return resources.files(__package__).joinpath("html_assets", name).read_text("utf-8")
