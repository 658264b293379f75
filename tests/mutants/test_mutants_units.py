"""The pieces of a mutants run that need no cargo: parsing, sampling, applying, judging, the copy, the reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_monolith_parity.mutants import judge as judge_mod
from pytest_monolith_parity.mutants.listing import Mutant, MutantsError, parse_list, sample
from pytest_monolith_parity.mutants.render import headline, markdown, quality_fields
from pytest_monolith_parity.mutants.workcopy import applied, mutated_text, sync, tree_digest


def _mutant(file="src/lib.rs", line=2, column=5, end_line=2, end_column=10, replacement="0", name="m") -> Mutant:
    return Mutant(package="p", file=file, function="f", line=line, column=column, end_line=end_line,
                  end_column=end_column, replacement=replacement, genre="FnValue", name=name,
                  diff=f"--- {file}\n+++ {file}\n@@ {line},{column} {replacement}")


def test_parse_list_reads_cargo_mutants_json():
    text = json.dumps([{"package": "sample-core", "file": "sample-core/src/lib.rs",
                        "function": {"function_name": "add", "return_type": "-> i64", "span": {}},
                        "span": {"start": {"line": 3, "column": 5}, "end": {"line": 3, "column": 10}},
                        "replacement": "0", "genre": "FnValue", "name": "replace add -> i64 with 0",
                        "diff": "--- a\n+++ b\n"}])
    [mutant] = parse_list(text)
    assert (mutant.file, mutant.function, mutant.line, mutant.column, mutant.replacement) == (
        "sample-core/src/lib.rs", "add", 3, 5, "0")
    assert mutant.key == Mutant.from_json(mutant.to_json()).key


def test_parse_list_refuses_other_output_by_name():
    with pytest.raises(MutantsError, match="printed no JSON"):
        parse_list("not json")
    with pytest.raises(MutantsError, match="lacks 'span'"):
        parse_list(json.dumps([{"package": "p", "file": "f", "diff": ""}]))


def test_sample_is_seeded_and_stratified_by_file():
    mutants = [_mutant(file="a.rs", line=i, name=f"a{i}") for i in range(1, 11)] + [
        _mutant(file="b.rs", line=i, name=f"b{i}") for i in range(1, 3)]
    first = sample(mutants, 4, seed=7)
    assert first == sample(list(reversed(mutants)), 4, seed=7)  # the list's order does not matter
    assert sorted(m.file for m in first) == ["a.rs", "a.rs", "b.rs", "b.rs"]  # round-robin over files
    assert sample(mutants, 4, seed=8) != first or sample(mutants, 4, seed=9) != first
    assert len(sample(mutants, None, seed=1)) == 12


def test_mutated_text_replaces_the_span_by_characters():
    original = "fn f() -> i64 {\n    é + 1\n}\n"
    mutant = _mutant(line=2, column=5, end_line=2, end_column=10, replacement="0")
    assert mutated_text(original, mutant) == "fn f() -> i64 {\n    0\n}\n"
    with pytest.raises(MutantsError, match="past the end"):
        mutated_text(original, _mutant(line=40, end_line=40))


def test_applied_restores_the_file_even_when_the_block_raises(tmp_path):
    (tmp_path / "src").mkdir()
    path = tmp_path / "src" / "lib.rs"
    path.write_text("fn f() -> i64 {\n    x + 1\n}\n")
    with pytest.raises(RuntimeError):
        with applied(tmp_path, _mutant()):
            assert "    0\n" in path.read_text()
            raise RuntimeError("build exploded")
    assert path.read_text() == "fn f() -> i64 {\n    x + 1\n}\n"


def test_sync_copies_sources_only_and_repairs_a_left_over_mutation(tmp_path):
    source, copy = tmp_path / "src-tree", tmp_path / "work" / "copy"
    (source / "crate" / "src").mkdir(parents=True)
    (source / "crate" / "src" / "lib.rs").write_text("original\n")
    (source / "target" / "release").mkdir(parents=True)
    (source / "target" / "release" / "big.rlib").write_text("build output\n")
    assert sync(source, copy) == 1
    assert not (copy / "target").exists()
    (copy / "crate" / "src" / "lib.rs").write_text("mutated, then the run was killed\n")
    (copy / "crate" / "src" / "stray.rs").write_text("not in the source\n")
    (copy / "target-worker").mkdir()
    (copy / "target-worker" / "keep").write_text("the copy's own build output stays\n")
    assert sync(source, copy) == 2
    assert (copy / "crate" / "src" / "lib.rs").read_text() == "original\n"
    assert not (copy / "crate" / "src" / "stray.rs").exists()
    assert (copy / "target-worker" / "keep").exists()
    assert tree_digest(source) == tree_digest(copy)
    with pytest.raises(MutantsError, match="must not be the source"):
        sync(source, source)


def _record(nodeid, outcome="match", raw="match", message=""):
    return {"nodeid": nodeid, "outcome": outcome, "raw": raw, "raw_message": message, "message": message}


def test_judge_kills_on_any_changed_verdict_or_message_and_on_a_missing_item():
    base = [_record("a"), _record("b", "expected divergence", "mismatch", "root: 1 != 2"), _record("c")]
    same = [dict(r) for r in base]
    assert judge_mod.judge(base, same, ["a", "b", "c"]).status == "survived"
    message = [_record("a"), _record("b", "expected divergence", "mismatch", "root: 1 != 0"), _record("c")]
    verdict = judge_mod.judge(base, message, ["a", "b", "c"])
    assert verdict.status == "killed" and [c["nodeid"] for c in verdict.changed] == ["b"]
    missing = judge_mod.judge(base, base[:2], ["a", "b", "c"])
    assert missing.killed and missing.changed[0]["after"] is None
    # only the judged items count: a change elsewhere does not kill
    assert judge_mod.judge(base, message, ["a", "c"]).status == "survived"


def test_unstable_items_are_the_ones_two_identical_runs_disagree_on():
    first = [_record("a"), _record("b", "mismatch", "mismatch", "took 1.2s")]
    second = [_record("a"), _record("b", "mismatch", "mismatch", "took 1.3s")]
    assert judge_mod.unstable_items(first, second) == ["b"]


def _doc(**extra):
    mutants = [dict(_mutant(name="killed one").to_json(), status="killed", cases_run=["x"], case_files=["cases/x.py"]),
               dict(_mutant(name="survivor", line=3).to_json(), status="survived", cases_run=["x"],
                    case_files=["cases/x.py"]),
               dict(_mutant(name="unviable", line=4).to_json(), status="unviable", cases_run=[], case_files=[])]
    totals = {"killed": 1, "survived": 1, "unviable": 1, "timeout": 0, "viable": 2, "caught": 1, "score": 0.5}
    doc = {"tool": "cargo-mutants 27.1.0", "seed": 3, "tried": 3, "listed": 9, "sample": 2, "viable": 2,
           "complete": True, "stopped": "", "cases": ["cases"], "all_cases": False,
           "baseline": {"items": 5, "unstable": []}, "totals": totals, "files": {"src/lib.rs": totals},
           "modules": {"pkg/mod.py": {**totals, "rust_files": ["src/lib.rs"]}}, "mutants": mutants,
           "survivors": [mutants[1]]}
    doc.update(extra)
    return doc


def test_reports_say_the_score_and_show_every_survivor_with_its_diff():
    doc = _doc()
    assert headline(doc).startswith("MUTANTS: 1 of 2 viable mutants caught (50.0 %): 1 killed, 0 timeout, "
                                    "1 survived, 1 unviable")
    text = markdown(doc)
    assert "| `src/lib.rs` | 2 | 1 | 0 | 1 | 1 | 50.0 % |" in text
    assert "survivor" in text and "```diff" in text and "killed one" not in text.split("## Surviving")[1]
    assert quality_fields(doc) == {"pkg/mod.py": {"killed": 1, "total": 2, "tool": "cargo-mutants 27.1.0"}}


def test_an_incomplete_run_never_reads_as_complete():
    doc = _doc(complete=False, viable=2, sample=10, stopped="budget of 5 minutes reached")
    assert "INCOMPLETE: 2 of 10 viable mutants (budget of 5 minutes reached)" in headline(doc)


def test_the_index_shows_the_mutation_score_coverage_and_unreached_functions(tmp_path):
    from pytest_monolith_parity.inventory import index

    inventory = {"meta": {}, "files": {"monolith/a.py": {"lines": 3, "rust": {"status": "mapped", "file": "x.rs"}},
                                       "monolith/b.py": {"lines": 4}}}
    report = tmp_path / "parity-report.json"
    report.write_text(json.dumps({"cases": [], "modules": {
        "monolith/a.py": {"mutation": {"killed": 9, "total": 10, "score": 0.9},
                          "rust_coverage": {"covered": 5, "total": 10, "unreached": ["x::never_called"]}},
        "monolith/b.py": {"mutation": None, "rust_coverage": None}}}))
    quality = index.load_quality(report)
    assert set(quality) == {"monolith/a.py"}
    index.build(inventory, [], tmp_path / "out", None, quality)
    text = (tmp_path / "out" / index.INDEX).read_text()
    assert "| mutation score | Rust coverage |" in text
    assert "| 90 % (9/10) | 50 % (5/10) |" in text
    assert "## Rust functions no case reaches" in text and "`x::never_called`" in text
    # without a mutation or coverage run the columns are not there at all
    index.build(inventory, [], tmp_path / "plain", None, {})
    assert "mutation score" not in (tmp_path / "plain" / index.INDEX).read_text()


def test_a_copied_manifest_points_path_dependencies_outside_the_tree_at_the_original(tmp_path):
    from pytest_monolith_parity.mutants.workcopy import manifest_for_copy

    source = tmp_path / "tree"
    (source / "py").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    manifest = source / "py" / "Cargo.toml"
    manifest.write_text('[dependencies]\ncore = { path = "../core" }\nscan = { path = "../../outside" }\n')
    text = manifest_for_copy(manifest, source.resolve()).decode()
    assert 'core = { path = "../core" }' in text
    assert f'scan = {{ path = "{(tmp_path / "outside").resolve()}" }}' in text


def test_make_setup_installs_the_cargo_mutants_version_the_harness_reads():
    from pytest_monolith_parity.mutants.listing import CARGO_MUTANTS_VERSION

    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert f"CARGO_MUTANTS_VERSION := {CARGO_MUTANTS_VERSION}\n" in makefile
    setup = next(line for line in makefile.splitlines() if line.startswith("setup:"))
    assert "$(STAMPS)/rust-tools.stamp" in setup


def test_a_mutant_is_judged_by_the_stable_items_whose_covers_the_inventory_maps_to_its_file(tmp_path):
    from pytest_monolith_parity.mutants.run import Options, Runner
    from pytest_monolith_parity.mutants.targets import Target

    copy = tmp_path / "checkout"
    target = Target(kind="monolith", source=tmp_path / "src", copy=copy, tree=copy / "monolith-rs")
    by_rust = {"monolith-rs/crates/monolith-serving/src/zk_mirror.rs": ["monolith/agent_service/zk_mirror.py"]}
    options = Options(project=tmp_path, cases=["cases/agent_service"], work=tmp_path / "w", out=tmp_path / "o",
                      covers_of_file=lambda path: by_rust.get(path, []))
    baseline = {"unstable": ["cases/agent_service/zk_mirror.py::flaky[x]"], "records": [
        {"nodeid": "cases/agent_service/zk_mirror.py::watch[a]", "covers": "monolith/agent_service/zk_mirror.py"},
        {"nodeid": "cases/agent_service/zk_mirror.py::flaky[x]", "covers": "monolith/agent_service/zk_mirror.py"},
        {"nodeid": "cases/agent_service/utils.py::parse[b]", "covers": "monolith/agent_service/utils.py"}]}
    runner = Runner(options, target, say=lambda line: None)
    nodeids, files = runner.judged_items(baseline, "crates/monolith-serving/src/zk_mirror.rs")
    assert nodeids == ["cases/agent_service/zk_mirror.py::watch[a]"]
    assert files == ["cases/agent_service/zk_mirror.py"]
    assert runner.judged_items(baseline, "crates/monolith-serving/src/grpc.rs") == ([], [])  # no case covers it
    options.all_cases = True
    assert len(runner.judged_items(baseline, "crates/monolith-serving/src/grpc.rs")[0]) == 2


def test_functions_are_named_by_their_definition_and_impl_and_public_means_pub_fn():
    from pytest_monolith_parity.mutants.coverage import _owner, functions_of

    source = ("pub struct S;\nimpl S {\n    pub fn new() -> Self {\n        S\n    }\n    fn private(&self) {}\n}\n"
              "\npub(crate) fn helper() {}\nfn local() {}\npub async fn serve(\n    port: u16,\n) {\n}\n")
    found = {f.name: (f.line, f.public) for f in functions_of(source, "x.rs")}
    assert found == {"S::new": (3, True), "S::private": (6, False), "helper": (9, True), "local": (10, False),
                     "serve": (11, True)}
    functions = functions_of(source, "x.rs")
    assert _owner(functions, 13).name == "serve"  # a region that starts in the body belongs to its fn
    assert _owner(functions, 1) is None
