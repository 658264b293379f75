"""Self-test of ``tree()``: one changed byte, one missing or extra entry, a changed link target or an entry
that changed kind is reported at its relative path; creation order, times, permissions, ignored entries and
(by rule) JSON key order are not differences.  Links -- broken, self-referencing, looping -- are entries."""

from __future__ import annotations

import itertools
import json as _json
import os
import shutil

from hypothesis import given
from hypothesis import strategies as st

from selftest_settings import examples
from pytest_monolith_parity.compare import json, tree

NAMES = st.sampled_from(["a", "b", "c.bin", "d.json", "e.log"])
RELPATHS = st.lists(NAMES, min_size=1, max_size=3).map("/".join)
TARGETS = st.sampled_from(["a", "../b", "nowhere", ".", "..", "/abs/elsewhere", "self", "<root>/a"])
ENTRIES = st.one_of(st.binary(max_size=6).map(lambda b: ("file", b)), TARGETS.map(lambda t: ("link", t)))
_counter = itertools.count()


def _consistent(spec: dict) -> bool:
    """No entry is also a directory of another entry."""
    return not any(other.startswith(rel + "/") for rel in spec for other in spec)


TREES = st.dictionaries(RELPATHS, ENTRIES, min_size=1, max_size=6).filter(_consistent)


def write(root, spec: dict, order=None) -> str:
    root = str(root)
    os.makedirs(root, exist_ok=True)
    for rel in order or spec:
        kind, value = spec[rel]
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if kind == "file":
            with open(path, "wb") as f:
                f.write(value)
        else:
            target = value
            if target == "self":
                target = os.path.basename(path)
            elif target.startswith("<root>/"):
                target = os.path.join(os.path.abspath(root), target[len("<root>/"):])
            os.symlink(target, path)
    return root


def fresh(tmp_path_factory, name: str):
    return tmp_path_factory.mktemp(f"{name}{next(_counter)}", numbered=False)


def _changes(spec: dict):
    for rel, (kind, value) in spec.items():
        if kind == "file":
            yield "change byte", rel, dict(spec, **{rel: ("file", bytes([value[0] ^ 1]) + value[1:] if value else b"x")})
            yield "file to link", rel, dict(spec, **{rel: ("link", "a")})
        else:
            yield "change target", rel, dict(spec, **{rel: ("link", value + "x")})
            yield "link to file", rel, dict(spec, **{rel: ("file", b"")})
        yield "remove", rel, {k: v for k, v in spec.items() if k != rel}
    extra = next(n for n in ("new", "new2", "new3") if n not in spec and not any(k.startswith(n + "/") for k in spec))
    yield "add", extra, dict(spec, **{extra: ("file", b"")})


@examples(120)
@given(data=st.data())
def test_one_change_is_reported_at_its_relative_path(data, tmp_path_factory):
    spec = data.draw(TREES, label="tree")
    candidates = list(_changes(spec))
    description, rel, changed = candidates[data.draw(st.integers(0, len(candidates) - 1), label="change")]
    e = write(fresh(tmp_path_factory, "e"), spec)
    a = write(fresh(tmp_path_factory, "a"), changed)
    result = tree().compare(e, a)
    assert result.equal is False, (description, rel, result.render())
    assert result.differences[0].path == rel, (description, rel, result.render())


@examples(100)
@given(data=st.data())
def test_order_times_permissions_and_ignored_entries_are_irrelevant(data, tmp_path_factory):
    spec = data.draw(TREES, label="tree")
    e = write(fresh(tmp_path_factory, "e"), spec)
    actual = dict(spec)
    logs = [rel for rel in spec if rel.endswith(".log")]
    for rel in logs:  # ignored: may differ in any way
        actual[rel] = ("file", b"changed log") if spec[rel][0] == "link" else ("link", "elsewhere")
    a = write(fresh(tmp_path_factory, "a"), actual, order=list(reversed(list(actual))))
    for rel, (kind, _) in actual.items():
        if kind == "file":
            path = os.path.join(a, *rel.split("/"))
            os.chmod(path, 0o600)
            os.utime(path, (1, 1))
    result = tree(ignore=["*.log"]).compare(e, a)
    assert result.equal is True, result.render()


@examples(60)
@given(data=st.data())
def test_rules_apply_to_matching_files(data, tmp_path_factory):
    value = data.draw(st.dictionaries(st.sampled_from("xyz"), st.integers(0, 3), min_size=2, max_size=3), label="json object")
    e = write(fresh(tmp_path_factory, "e"), {"cfg/d.json": ("file", _json.dumps(value).encode())})
    reordered = dict(reversed(list(value.items())))
    a = write(fresh(tmp_path_factory, "a"), {"cfg/d.json": ("file", _json.dumps(reordered, indent=2).encode())})
    assert tree({"*.json": json()}).compare(e, a).equal
    result = tree({"*.json": json(key_order=True)}).compare(e, a)
    assert result.equal is False and result.differences[0].path == "cfg/d.json::root", result.render()
    shutil.rmtree(a)
    k = next(iter(value))
    a = write(fresh(tmp_path_factory, "a"), {"cfg/d.json": ("file", _json.dumps(dict(value, **{k: value[k] + 1})).encode())})
    result = tree({"*.json": json()}).compare(e, a)
    assert result.equal is False and result.differences[0].path == f"cfg/d.json::root[{k!r}]", result.render()
