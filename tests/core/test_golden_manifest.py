"""The golden manifest: refused when missing, rebuilt byte for byte from the golden files, facts kept on rewrite."""

import json

import pytest

from pytest_monolith_parity.golden import MANIFEST, GoldenEntry, GoldenIntegrityError, GoldenStore


def update(case_id, *example_values):
    return {"case": case_id, "covers": "monolith/m.py", "case_file": "cases/m.py",
            "entries": {f"e{i}": GoldenEntry("value", value=v).to_json() for i, v in enumerate(example_values)}}


def store(root, revision="rev-1"):
    return GoldenStore(root, harness_version="9.9", reference_revision=revision)


def test_a_lost_manifest_is_rebuilt_byte_for_byte(tmp_path):
    first = store(tmp_path)
    first.apply_updates({"m/a.json": update("a", 1, 2), "m/b.json": update("b", "x")})
    original = (tmp_path / MANIFEST).read_bytes()
    (tmp_path / MANIFEST).unlink()
    later = store(tmp_path, revision="rev-2")  # another day, another checkout revision
    assert later.manifest_missing()
    with pytest.raises(GoldenIntegrityError, match="MANIFEST.json is missing: restore it, or run --update-golden "
                                                   "to rebuild it from the golden files"):
        later.lookup("m/a.json", "e0")
    assert later.rebuild_manifest() == []
    assert (tmp_path / MANIFEST).read_bytes() == original
    assert later.lookup("m/a.json", "e1").value == 2


def test_unchanged_examples_keep_who_recorded_them_and_changed_ones_do_not(tmp_path):
    store(tmp_path).apply_updates({"m/a.json": update("a", 1)})
    before = json.loads((tmp_path / MANIFEST).read_text())["files"]["m/a.json"]
    again = store(tmp_path, revision="rev-2")
    assert again.apply_updates({"m/a.json": update("a", 1)}) == []  # same content: nothing rewritten
    changed = again.apply_updates({"m/a.json": update("a", 5)})
    after = json.loads((tmp_path / MANIFEST).read_text())["files"]["m/a.json"]
    assert changed == ["m/a.json"] and before["reference_revision"] == "rev-1" and after["reference_revision"] == "rev-2"
    assert json.loads((tmp_path / "m/a.json").read_text())["recorded"]["reference_revision"] == "rev-2"


def test_a_golden_of_the_older_layout_gets_its_manifest_facts_when_rewritten(tmp_path):
    legacy = {"case": "a", "covers": "monolith/m.py", "case_file": "cases/m.py",
              "examples": {"e0": {"kind": "value", "value": 1}}}
    data = (json.dumps(legacy, indent=2) + "\n").encode()
    (tmp_path / "m").mkdir()
    (tmp_path / "m/a.json").write_bytes(data)
    import hashlib
    facts = {"side": "python", "reference_revision": "old", "harness_version": "0.1.0",
             "created": "2026-01-01T00:00:00+00:00"}
    (tmp_path / MANIFEST).write_text(json.dumps({"format": 1, "files": {"m/a.json": {
        "sha256": hashlib.sha256(data).hexdigest(), **facts}}}, indent=2) + "\n")
    assert store(tmp_path).apply_updates({"m/a.json": update("a", 1)}) == ["m/a.json"]  # upgraded in place
    assert json.loads((tmp_path / "m/a.json").read_text())["recorded"] == facts
    manifest = json.loads((tmp_path / MANIFEST).read_text())["files"]["m/a.json"]
    assert {k: v for k, v in manifest.items() if k != "sha256"} == facts
    (tmp_path / MANIFEST).unlink()  # and from now on the manifest can be rebuilt exactly
    assert store(tmp_path, revision="new").rebuild_manifest() == []
    assert {k: v for k, v in json.loads((tmp_path / MANIFEST).read_text())["files"]["m/a.json"].items()
            if k != "sha256"} == facts
