"""Text: exact, whitespace-normalised, or protobuf text format.

``exact`` reports the first differing line and column with both lines;
``whitespace`` ignores leading/trailing whitespace, runs of blanks and blank
lines (line numbers in reports are those of the original text); ``proto``
parses both sides with ``google.protobuf.text_format`` into ``message_type``
and hands them to the proto comparator (so field order, spacing and number
spelling do not matter, values do).
"""

from __future__ import annotations

from typing import Any

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference
from .describe import first_text_difference
from .proto import ProtoComparator

MODES = ("exact", "whitespace", "proto")


def _as_text(value: Any, side: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ComparatorInputError(f"{side} text is not valid UTF-8: {exc}") from None
    raise ComparatorInputError(f"text comparator needs str or bytes, {side} is {type(value).__name__}")


def _normalise(text: str) -> tuple[str, list[int]]:
    """Whitespace-normalised text and, per kept line, its original line number."""
    lines, numbers = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        squashed = " ".join(line.split())
        if squashed:
            lines.append(squashed + "\n")
            numbers.append(n)
    return "".join(lines), numbers


class TextComparator(Comparator):
    """Compare texts (``str`` or UTF-8 ``bytes``) in ``exact``, ``whitespace`` or ``proto`` mode.

    In ``proto`` mode ``message_type`` is required and the remaining keyword
    options are passed to :class:`~.proto.ProtoComparator`.
    """

    name = "text"

    def __init__(self, mode: str = "exact", message_type: Any = None, **proto_options: Any) -> None:
        if mode not in MODES:
            raise ComparatorConfigError(f"unknown text mode {mode!r}; expected one of {', '.join(MODES)}")
        self.mode = mode
        self.proto = None
        if mode == "proto":
            if message_type is None:
                raise ComparatorConfigError("text mode 'proto' needs message_type")
            self.proto = ProtoComparator(message_type, **proto_options)
        elif message_type is not None or proto_options:
            raise ComparatorConfigError(f"text mode {mode!r} takes no message_type or proto options")

    def describe(self) -> str:
        return f"text({self.mode}{', ' + self.proto.describe() if self.proto else ''})"

    def compare(self, expected: Any, actual: Any) -> Comparison:
        e, a = _as_text(expected, "expected"), _as_text(actual, "actual")
        if self.mode == "proto":
            return self._compare_proto(e, a)
        numbers = None
        if self.mode == "whitespace":
            (e, ne), (a, na) = _normalise(e), _normalise(a)
            numbers = (ne, na)
        if e == a:
            return Comparison.same()
        d = first_text_difference(e, a, numbers)
        return Comparison.differ(d, summary=f"text differs at {d.path}")

    def _compare_proto(self, e: str, a: str) -> Comparison:
        from google.protobuf import text_format

        assert self.proto is not None
        parsed = []
        problems = []
        for side, text in (("expected", e), ("actual", a)):
            msg = self.proto.new_message()
            try:
                text_format.Parse(text, msg, descriptor_pool=self.proto.pool)
            except text_format.ParseError as exc:
                problems.append(Difference("", f"{side}: not valid {self.proto.full_name} text format: {exc}"))
            parsed.append(msg)
        if problems:
            return Comparison.differ(*problems, summary="text format parse error")
        return self.proto.compare(parsed[0], parsed[1])
