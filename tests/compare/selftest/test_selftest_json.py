"""Self-test of ``json()``: a change in the parsed value is found where it is; formatting, escaping,
number spelling, UTF-8 bytes and (without ``key_order``) key order are not differences."""

from __future__ import annotations

import json as _json
import math
import random

from hypothesis import assume, given
from hypothesis import strategies as st

from selftest_settings import examples
from pytest_monolith_parity.compare import json

KEYS = st.text(alphabet="abé\u0430\x00", min_size=1, max_size=3)
ATOMS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
                  st.text(alphabet="ab\x00é\u0430\"\\\n", max_size=4))
VALUES = st.recursive(ATOMS, lambda children: st.one_of(st.lists(children, max_size=3),
                                                         st.dictionaries(KEYS, children, max_size=3)), max_leaves=8)


def dumps(value, rng: random.Random, *, key_order: bool = True) -> str:
    """JSON text of ``value`` in a randomly chosen but equivalent spelling."""
    indent = rng.choice([None, 0, 2, "\t"])
    ensure_ascii = rng.choice([True, False])
    exponent = rng.choice([True, False])
    sep = rng.choice([(",", ":"), (", ", ": "), (" ,", " : ")])

    def go(v, depth: int) -> str:
        pad = "" if indent is None else "\n" + (indent * (depth + 1) if isinstance(indent, str) else " " * ((indent or 0) * (depth + 1)))
        end = "" if indent is None else "\n" + (indent * depth if isinstance(indent, str) else " " * ((indent or 0) * depth))
        if isinstance(v, dict):
            items = list(v.items()) if key_order else sorted(v.items(), key=lambda kv: rng.random())
            body = sep[0].join(pad + _json.dumps(k, ensure_ascii=ensure_ascii) + sep[1] + go(x, depth + 1) for k, x in items)
            return "{" + body + (end if items else "") + "}"
        if isinstance(v, list):
            body = sep[0].join(pad + go(x, depth + 1) for x in v)
            return "[" + body + (end if v else "") + "]"
        if isinstance(v, float) and exponent and math.isfinite(v):
            return f"{v:.17e}"
        return _json.dumps(v, ensure_ascii=ensure_ascii)

    return go(value, 0)


def _sites(v, path="root"):
    yield path, v
    if isinstance(v, dict):
        for k, x in v.items():
            yield from _sites(x, f"{path}[{k!r}]")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _sites(x, f"{path}[{i}]")


def _replace(v, path, new, here="root"):
    if here == path:
        return new
    if isinstance(v, dict):
        return {k: _replace(x, path, new, f"{here}[{k!r}]") for k, x in v.items()}
    if isinstance(v, list):
        return [_replace(x, path, new, f"{here}[{i}]") for i, x in enumerate(v)]
    return v


def _changes(v):
    """(description, new value, suffix below the site) for one parsed JSON value."""
    if isinstance(v, bool):
        return [("flip", not v, ""), ("bool to int", int(v), "")]
    if isinstance(v, int):
        out = [("int value", v + 1, "")]
        if abs(v) < 2**53:
            out.append(("int to float", float(v), ""))
        return out
    if isinstance(v, float):
        out = [("float value", v + 1.0 + abs(v) if abs(v) < 1e300 else 0.5, "")]
        if v == int(v) and abs(v) < 2**53:
            out.append(("float to int", int(v), ""))
        return out
    if isinstance(v, str):
        return [("trailing NUL", v + "\x00", ""), ("to number", 0, "")]
    if v is None:
        return [("null to false", False, "")]
    if isinstance(v, list):
        out = [("append", v + [None], f"[{len(v)}]")]
        if v:
            out.append(("remove last", v[:-1], f"[{len(v) - 1}]"))
        return out
    out = [("add key", dict(v, zz=1), "['zz']")] if "zz" not in v else []
    if v:
        k = next(iter(v))
        out.append(("remove key", {x: y for x, y in v.items() if x != k}, f"[{k!r}]"))
    return out


@examples(200)
@given(data=st.data())
def test_one_change_is_reported_at_its_place(data):
    value = data.draw(VALUES, label="value")
    candidates = [(path, c) for path, v in _sites(value) for c in _changes(v)]
    path, (description, new, suffix) = candidates[data.draw(st.integers(0, len(candidates) - 1), label="change")]
    changed = _replace(value, path, new)
    rng = random.Random(data.draw(st.integers(0, 2**16), label="spelling"))
    result = json().compare(dumps(value, rng), dumps(changed, rng).encode("utf-8"))
    assert result.equal is False, (description, result.render())
    place = path + suffix
    first = result.differences[0].path
    assert first == place or first.startswith(place + "["), (description, place, result.render())


@examples(80)
@given(data=st.data())
def test_key_order_and_duplicate_keys_are_found_when_they_matter(data):
    value = data.draw(st.dictionaries(KEYS, ATOMS, min_size=2, max_size=4), label="object")
    keys = list(value)
    result = json(key_order=True).compare(_json.dumps(value), _json.dumps(dict(reversed(list(value.items())))))
    assert result.equal is False and result.differences[0].path == "root", result.render()
    k = keys[0]
    text = _json.dumps(value)
    duplicated = text[:-1] + ", " + _json.dumps(k) + ": " + _json.dumps(value[k]) + "}"
    result = json().compare(text, duplicated)
    assert result.equal is False and result.differences[0].path == f"root[{k!r}]", result.render()


@examples(150)
@given(data=st.data())
def test_equivalent_spellings_compare_equal(data):
    value = data.draw(VALUES, label="value")
    key_order = data.draw(st.booleans(), label="key_order contract")
    rng = random.Random(data.draw(st.integers(0, 2**16)))
    expected = _json.dumps(value, ensure_ascii=False)
    actual = dumps(value, rng, key_order=key_order)
    if data.draw(st.booleans()):
        actual = actual.encode("utf-8")
    result = json(key_order=key_order).compare(expected, actual)
    assert result.equal is True, (actual, result.render())
