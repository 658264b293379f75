"""--parity-shard: deterministic, time-balanced partitions; merge-reports refuses every shard set that is not one run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pytest_monolith_parity import config
from pytest_monolith_parity.merge import MergeError, check_shards, merged_completeness, read_shard
from pytest_monolith_parity.sharding import ShardError, digest, partition, select

NODEIDS = [f"cases/m.py::c[{i}]" for i in range(10)]


def test_every_item_lands_in_exactly_one_shard_and_the_partition_is_stable():
    durations = {n: float(i) for i, n in enumerate(NODEIDS)}
    shards = partition(NODEIDS, durations, 3)
    assert sorted(n for shard in shards for n in shard) == sorted(NODEIDS)
    assert [sorted(s) for s in shards] == [sorted(s) for s in partition(list(reversed(NODEIDS)), durations, 3)]
    assert all(shard == [n for n in NODEIDS if n in shard] for shard in shards)  # collection order kept


def test_shards_are_balanced_by_recorded_time():
    durations = {n: 1.0 for n in NODEIDS}
    durations[NODEIDS[0]] = 9.0  # one long item: alone in its shard
    shards = partition(NODEIDS, durations, 2)
    loads = [sum(durations[n] for n in shard) for shard in shards]
    assert loads == [9.0, 9.0] and shards[0] == [NODEIDS[0]]


def test_items_without_a_recorded_time_spread_evenly():
    shards = partition(NODEIDS, {}, 3)
    assert sorted(len(s) for s in shards) == [3, 3, 4]
    durations = {NODEIDS[0]: 2.0, NODEIDS[1]: 4.0}  # the others count as the median, 3 s
    shards = partition(NODEIDS, durations, 2)
    assert sorted(len(s) for s in shards) == [5, 5]


def test_select_reads_the_durations_report_and_describes_the_shard(tmp_path):
    report = tmp_path / "parity-report.json"
    report.write_text(json.dumps({"cases": [{"nodeid": n, "seconds": 1.0} for n in NODEIDS[:4]]}))
    selection = select(NODEIDS, "2/3", report, explicit=True)
    block = selection.to_json()
    assert block["index"] == 2 and block["count"] == 3 and block["collected"] == 10
    assert block["collected_digest"] == digest(NODEIDS) and block["durations"]["items"] == 4
    assert block["selected"] == selection.selected and set(selection.selected) <= set(NODEIDS)
    with pytest.raises(ShardError, match="does not exist"):
        select(NODEIDS, "1/3", tmp_path / "missing.json", explicit=True)
    assert select(NODEIDS, "1/3", tmp_path / "missing.json", explicit=False).durations == {}  # the default: optional
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ShardError, match="not a parity JSON report"):
        select(NODEIDS, "1/3", tmp_path / "bad.json", explicit=True)


@pytest.mark.parametrize("value, message", [("3", "K/N"), ("0/3", "between 1 and N"), ("4/3", "between 1 and N"),
                                            ("a/b", "K/N")])
def test_a_bad_shard_names_the_setting_and_the_fix(tmp_path, value, message):
    with pytest.raises(config.SettingsError, match=f"shard.*{re.escape(message)}"):
        config.resolve(tmp_path, {"shard": value}, {})


# -- merge-reports' checks ---------------------------------------------------------------------------


def shard_reports(tmp_path: Path, count: int = 3, durations: dict | None = None) -> list[Path]:
    shards = partition(NODEIDS, durations or {}, count)
    paths = []
    for index, selected in enumerate(shards, start=1):
        report = {"cases": [{"nodeid": n, "outcome": "match"} for n in selected],
                  "shard": {"index": index, "count": count, "collected": len(NODEIDS),
                            "collected_digest": digest(NODEIDS), "durations": {"digest": digest({})},
                            "selected": selected}}
        path = tmp_path / f"shard-{index}.json"
        path.write_text(json.dumps(report))
        paths.append(path)
    return paths


def check(paths):
    return check_shards([read_shard(p) for p in paths])


def test_a_complete_shard_set_passes(tmp_path):
    assert check(shard_reports(tmp_path)) == []


def test_a_missing_shard_is_named_and_makes_the_merge_incomplete(tmp_path):
    paths = shard_reports(tmp_path)
    assert check([paths[0], paths[2]]) == [2]
    assert read_shard(tmp_path / "shard-9.json") is None  # never written: a missing shard, not bad input
    shards = [read_shard(p) for p in (paths[0], paths[2])]
    completeness = merged_completeness(shards, [2], [tmp_path / "shard-9.json"])
    assert not completeness.complete and completeness.collected == len(NODEIDS)
    assert completeness.ran == len(NODEIDS) - len(json.loads(paths[1].read_text())["shard"]["selected"])
    assert completeness.reasons()[0].startswith("shard(s) [2] of 3 missing")
    assert "shard-9.json do(es) not exist" in completeness.reasons()[0]
    assert completeness.line() == f"GATE: INCOMPLETE ({completeness.ran} of {len(NODEIDS)} items ran)"
    whole = merged_completeness([read_shard(p) for p in paths], [], [])
    assert whole.complete and whole.to_json() == {"complete": True, "collected": len(NODEIDS), "ran": len(NODEIDS),
                                                  "crashed": [], "collection_errors": [], "reasons": []}


def test_inconsistent_shard_sets_are_refused(tmp_path):
    paths = shard_reports(tmp_path)
    with pytest.raises(MergeError, match=r"shard\(s\) \[1\] of 3 given more than once") as error:
        check([paths[0], paths[0], paths[1], paths[2]])
    assert error.value.status == 4
    other = json.loads(paths[1].read_text())
    other["shard"]["durations"]["digest"] = "another report"
    paths[1].write_text(json.dumps(other))
    with pytest.raises(MergeError, match="different durations reports"):
        check(paths)


def test_an_item_in_two_shards_or_a_missing_item_is_refused(tmp_path):
    paths = shard_reports(tmp_path)
    first, second = (json.loads(p.read_text()) for p in paths[:2])
    moved = first["shard"]["selected"][0]
    second["shard"]["selected"].append(moved)
    paths[1].write_text(json.dumps(second))
    with pytest.raises(MergeError, match=re.escape(f"{moved} ran in two shards")):
        check(paths)
    first["shard"]["selected"].remove(moved)
    first["cases"] = [c for c in first["cases"] if c["nodeid"] != moved]
    paths[0].write_text(json.dumps(first))
    second["shard"]["selected"].remove(moved)
    paths[1].write_text(json.dumps(second))
    with pytest.raises(MergeError, match="do not add up to the collected items"):
        check(paths)


def test_an_unfinished_shard_makes_the_merge_incomplete_and_an_unsharded_report_is_refused(tmp_path):
    paths = shard_reports(tmp_path)
    unfinished = json.loads(paths[2].read_text())
    unfinished.update(complete=False, completeness={"reasons": ["interrupted (KeyboardInterrupt: Ctrl-C or SIGINT)"]})
    unfinished["cases"] = unfinished["cases"][:1]
    partial = paths[2].with_name("parity-report.partial.json")
    partial.write_text(json.dumps(unfinished))
    assert read_shard(partial).finished is False
    shards = [read_shard(p) for p in (paths[0], paths[1], partial)]
    assert check_shards(shards) == []
    completeness = merged_completeness(shards, [], [])
    assert not completeness.complete
    assert completeness.ran == len(NODEIDS) - len(unfinished["shard"]["selected"]) + 1
    assert completeness.reasons() == [f"shard 3 of 3 did not finish ({partial}): interrupted (KeyboardInterrupt: "
                                      "Ctrl-C or SIGINT)"]
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"cases": []}))
    with pytest.raises(MergeError, match="a run without --parity-shard") as error:
        check([plain])
    assert error.value.status == 4


def test_a_newer_partial_report_stands_for_its_shard(tmp_path):
    """A shard re-run that was interrupted: its old complete report must not stand in for it."""
    directory = tmp_path / "shard-1"
    directory.mkdir()
    complete = directory / "parity-report.json"
    complete.write_text(json.dumps({"cases": [], "created": "2026-01-01T00:00:00+00:00",
                                    "shard": {"index": 1, "count": 1, "collected_digest": "", "selected": []}}))
    assert read_shard(complete).path == complete
    (directory / "parity-report.partial.json").write_text(json.dumps(
        {"cases": [], "created": "2026-01-02T00:00:00+00:00", "complete": False,
         "shard": {"index": 1, "count": 1, "collected_digest": "", "selected": []}}))
    shard = read_shard(complete)
    assert shard.path.name == "parity-report.partial.json" and not shard.finished


# -- the example workflows use options that exist ------------------------------------------------------


def test_the_example_workflows_use_real_options():
    from pytest_monolith_parity.__main__ import parser

    examples = Path(__file__).parents[2] / "docs" / "examples"
    known = {spec.option for spec in config.SETTINGS} | {"--parity-baseline", "--junitxml", "-n", "-m"}
    commands = parser()._subparsers._group_actions[0].choices  # noqa: SLF001 - the subcommands' own parsers
    for action in commands["merge-reports"]._actions:  # noqa: SLF001
        known.update(action.option_strings)
    for action in commands["build-rust"]._actions:  # noqa: SLF001
        known.update(action.option_strings)
    for workflow in sorted(examples.glob("*.yml")):
        commands_text = workflow.read_text().replace("\\\n", " ")  # shell line continuations
        used = {option for line in commands_text.splitlines() if "pytest" in line
                for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", line)}
        assert used <= known, f"{workflow.name} uses options that do not exist: {sorted(used - known)}"
    sharded = (examples / "parity-sharded-workflow.yml").read_text()
    assert "merge-reports" in sharded and "--parity-shard" in sharded
    matrix = re.search(r"shard: \[([\d, ]+)\]", sharded).group(1)
    assert f"SHARDS: {len(matrix.split(','))}" in sharded
