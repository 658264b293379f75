"""Self-test of ``text()``: a changed, inserted or deleted character is reported at its line and column
(exact), at its line (whitespace); str vs UTF-8 bytes and (in whitespace mode) blanks are not differences;
in proto mode a changed field is found at its path and text-format spelling is irrelevant."""

from __future__ import annotations

import re

from google.protobuf import text_format
from hypothesis import assume, given
from hypothesis import strategies as st

import selftest_protos as P
from selftest_settings import examples
from pytest_monolith_parity.compare import text

TEXTS = st.lists(st.sampled_from(["a", "b", " ", "\t", "\n", "\r\n", "\u00e9", "e\u0301", "\u0430", "\x00"]),
                 min_size=1, max_size=30).map("".join)


def _edit(data, s: str) -> tuple[str, int]:
    """One edit of ``s`` at index i: replace, insert or delete a character."""
    i = data.draw(st.integers(0, len(s) - 1), label="index")
    how = data.draw(st.sampled_from(["replace", "insert", "delete"]), label="edit")
    if how == "replace":
        new = data.draw(st.sampled_from([c for c in "xé\u0430\x00\n " if c != s[i]]), label="new char")
        return s[:i] + new + s[i + 1:], i
    if how == "insert":
        return s[:i] + data.draw(st.sampled_from("x\u0430\x00\n"), label="inserted") + s[i:], i
    return s[:i] + s[i + 1:], i


def _position(s: str, j: int) -> tuple[int, int]:
    """(line, column) of index ``j`` in ``s``; past the end: the last line's end, or the next line."""
    lines = s.splitlines(keepends=True)
    pos = 0
    for n, line in enumerate(lines, start=1):
        if j < pos + len(line):
            return n, j - pos + 1
        pos += len(line)
    if lines and not lines[-1].endswith(("\n", "\r")):
        return len(lines), len(lines[-1]) + 1
    return len(lines) + 1, 1


@examples(200)
@given(data=st.data())
def test_exact_change_is_reported_at_its_line_and_column(data):
    s = data.draw(TEXTS, label="text")
    changed, i = _edit(data, s)
    assume(changed != s)
    result = text().compare(s, changed.encode("utf-8") if data.draw(st.booleans()) else changed)
    assert result.equal is False
    j = next((k for k in range(min(len(s), len(changed))) if s[k] != changed[k]), min(len(s), len(changed)))
    line, column = _position(s if j < len(s) else changed, j)
    path = result.differences[0].path
    assert path in (f"line {line}, column {column}", f"line {line}"), (repr(s), repr(changed), j, result.render())


@examples(150)
@given(data=st.data())
def test_whitespace_mode(data):
    words = data.draw(st.lists(st.lists(st.text(alphabet="abé\u0430", min_size=1, max_size=4), min_size=1, max_size=3),
                               min_size=1, max_size=5), label="lines of words")
    expected = "\n".join(" ".join(line) for line in words) + "\n"
    padded = "\n".join(data.draw(st.sampled_from(["", " ", "\t"])) + "  \t ".join(line) + " " for line in words)
    padded = padded.replace("\n", "\n\n", data.draw(st.integers(0, 2)))
    assert text("whitespace").compare(expected, padded).equal
    n = data.draw(st.integers(0, len(words) - 1), label="changed line")
    changed_words = [list(line) for line in words]
    changed_words[n][0] = changed_words[n][0] + "x"
    changed = "\n".join(" ".join(line) for line in changed_words) + "\n"
    result = text("whitespace").compare(expected, changed)
    assert result.equal is False and result.differences[0].path.startswith(f"line {n + 1}, column"), result.render()


@examples(120)
@given(data=st.data())
def test_proto_text_mode(data):
    msg = data.draw(P.messages(P.A.Rec, depth=1, unknown=False), label="message")
    comparator = text("proto", P.A.Rec, pool=P.A.pool)
    one_line = text_format.MessageToString(msg, as_one_line=True)
    spelled = text_format.MessageToString(msg, as_one_line=False, float_format=".17g", use_short_repeated_primitives=True)
    assert comparator.compare(one_line, spelled).equal, (one_line, spelled)
    candidates = P.mutations(msg)
    description, place, apply = candidates[data.draw(st.integers(0, len(candidates) - 1), label="mutation")]
    changed = P.copy(msg)
    apply(changed)
    assume(changed.SerializeToString(deterministic=True) != msg.SerializeToString(deterministic=True))
    result = comparator.compare(one_line, text_format.MessageToString(changed, float_format=".17g"))
    assert result.equal is False, (description, result.render())
    first = result.differences[0].path
    assert first == place or first.startswith(place + ".") or first.startswith(place + "["), (description, place, result.render())
