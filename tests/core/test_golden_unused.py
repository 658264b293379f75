"""Unused goldens: judged only where the run can know, even when two case files cover one module."""

from pytest_monolith_parity.golden import GoldenEntry, GoldenStore


def update(case_id, case_file, *example_ids):
    return {"case": case_id, "covers": "monolith/m.py", "case_file": case_file,
            "entries": {e: GoldenEntry("value", value=1).to_json() for e in example_ids}}


def test_two_case_files_covering_one_module(tmp_path):
    store = GoldenStore(tmp_path, harness_version="t", reference_revision="r")
    store.apply_updates({"m/a.json": update("a", "cases/a.py", "x"), "m/b.json": update("b", "cases/b.py", "y")})
    used_a = {"m/a.json": {"x"}}
    assert store.unused(used_a, {"m"}, whole_run=False, case_files={"cases/a.py"}) == []
    assert store.unused(used_a, {"m"}, whole_run=True, case_files={"cases/a.py"}) == ["m/b.json"]
    assert store.unused({"m/a.json": set()}, {"m"}, whole_run=False, case_files={"cases/a.py"}) == ["m/a.json::x"]


def test_goldens_without_a_case_file_fall_back_to_the_module(tmp_path):
    store = GoldenStore(tmp_path, harness_version="t", reference_revision="r")
    store.apply_updates({"m/old.json": update("old", "", "x")})
    assert store.unused({}, {"m"}, whole_run=False, case_files=set()) == ["m/old.json"]
    assert store.unused({}, {"other"}, whole_run=False, case_files=set()) == []


def test_a_golden_that_fails_its_hash_is_judged_by_the_case_file_it_names(tmp_path):
    """A run of cases/a.py must not call a tampered golden of cases/b.py unused because it shares a module dir."""
    store = GoldenStore(tmp_path, harness_version="t", reference_revision="r")
    store.apply_updates({"m/a.json": update("a", "cases/a.py", "x"), "m/b.json": update("b", "cases/b.py", "y")})
    tampered = tmp_path / "m" / "b.json"
    tampered.write_text(tampered.read_text().replace('"value": 1', '"value": 2'))
    fresh = GoldenStore(tmp_path, harness_version="t", reference_revision="r")
    assert fresh.unused({"m/a.json": {"x"}}, {"m"}, whole_run=False, case_files={"cases/a.py"}) == []
    assert fresh.unused({"m/a.json": {"x"}}, {"m"}, whole_run=False, case_files={"cases/a.py", "cases/b.py"}) == \
        ["m/b.json"]
    tampered.write_text("{ not json")
    assert fresh.unused({"m/a.json": {"x"}}, {"m"}, whole_run=False, case_files={"cases/a.py"}) == []
    assert fresh.unused({"m/a.json": {"x"}}, {"m"}, whole_run=True, case_files={"cases/a.py"}) == ["m/b.json"]
