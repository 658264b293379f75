"""Hypothesis shrinks a divergence, saves it, and --parity-replay runs exactly that input again."""

import json


def test_shrunk_divergence_is_saved_and_replayed(sample):
    result = sample.run("-k", "add_i64")
    assert result.ret == 0
    case = sample.report()["cases"][0]
    assert case["raw"] == "mismatch" and case["outcome"] == "expected divergence"
    replay = sample.root / "parity-report" / "replays" / "add_i64.json"
    saved = json.loads(replay.read_text())
    a, b = saved["args"]
    assert not -(2**63) <= a + b < 2**63  # a real overflow ...
    assert min(abs(a), abs(b)) <= 1 or abs(a + b) - 2**63 <= 1  # ... shrunk to the edge
    assert case["replay"].endswith(str(replay))
    again = sample.run("--parity-replay", str(replay))
    again.assert_outcomes(xfailed=1, deselected=27)
    replayed = sample.report()["cases"][0]
    assert replayed["inputs"] == case["inputs"] and replayed["raw"] == "mismatch"
    assert replayed["examples_run"] == 1


def test_replay_of_unknown_file_is_a_usage_error(sample):
    result = sample.run("--parity-replay", "nope.json")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*replay file nope.json does not exist*"])
