"""Every deliberate divergence of the sample pair is classified exactly, serially and with -n 2."""

import pytest

M, EA, ED = "match", "error agreement", "expected divergence"

EXPECTED = {
    "cases/messages.py::record[set]": (M, M),
    "cases/messages.py::record[no_name]": (M, M),
    "cases/messages.py::record[zero_count]": (ED, "mismatch"),
    "cases/numeric.py::add[small]": (M, M),
    "cases/numeric.py::add[zero_sum]": (M, M),
    "cases/numeric.py::add[hypothesis]": (M, M),
    "cases/numeric.py::add_i64[hypothesis]": (ED, "mismatch"),
    "cases/numeric.py::scale[exact_factor]": (M, M),
    "cases/numeric.py::scale[inexact_factor]": (M, M),
    "cases/numeric.py::tenth[agree]": (M, M),
    "cases/numeric.py::tenth[one_ulp]": (ED, "mismatch"),
    "cases/numeric.py::mean[thirds]": (M, M),
    "cases/numeric.py::mean[overflow_to_inf]": (M, M),
    "cases/numeric.py::mean[empty]": (EA, EA),
    "cases/process.py::countdown[positive]": (M, M),
    "cases/process.py::countdown[negative]": (ED, "timeout"),
    "cases/process.py::crash[abort]": (ED, "process crashed"),
    "cases/process.py::version[current]": (M, M),
    "cases/text.py::to_json[sorted_keys]": (M, M),
    "cases/text.py::to_json[unsorted_keys]": (ED, "mismatch"),
    "cases/text.py::normalize_name[padded]": (M, M),
    "cases/text.py::normalize_name[empty]": (ED, "python raised"),
    "cases/text.py::parse_port[plain]": (M, M),
    "cases/text.py::parse_port[not_a_number]": (EA, EA),
    "cases/text.py::parse_port[empty]": (ED, "rust panicked"),
    "cases/text.py::parse_port_worker[plain]": (M, M),
    "cases/text.py::parse_port_worker[not_a_number]": (EA, EA),
    "cases/text.py::parse_port_worker[empty]": (ED, "rust panicked"),
}

SUMMARY = ("PARITY: 16 match, 3 error agreement, 0 mismatch, 0 different errors, 0 python raised, 0 rust raised, "
           "0 rust panicked, 0 process crashed, 0 timeout, 0 reference drifted, 0 golden missing, "
           "9 expected divergence, 0 unexpected pass, 0 divergence changed, 0 reference unavailable, "
           "0 rust unavailable, 0 harness error")


@pytest.mark.parametrize("extra", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_every_sample_divergence_is_classified_exactly(sample, extra):
    result = sample.run(*extra)
    assert result.ret == 0, result.stdout.str()
    assert sample.verdicts() == EXPECTED
    result.stdout.fnmatch_lines([SUMMARY])
    result.assert_outcomes(passed=19, xfailed=9)
    html = (sample.root / "parity-report" / "parity-report.html").read_text()
    assert SUMMARY in html and 'data-outcome="expected divergence" data-count="9"' in html
    history = (sample.root / "parity-report" / "history.jsonl").read_text().splitlines()
    assert len(history) == 1 and '"expected divergence":9' in history[0]


def test_serial_and_parallel_reports_agree_in_every_detail(sample):
    keys = ("outcome", "raw", "message", "diff", "metrics", "against", "inputs")
    sample.run()
    serial = {c["nodeid"]: {k: c[k] for k in keys} for c in sample.report()["cases"]}
    sample.run("-n", "2")
    parallel = {c["nodeid"]: {k: c[k] for k in keys} for c in sample.report()["cases"]}
    assert serial == parallel


def test_failure_messages_say_where_and_by_how_much(sample):
    sample.run()
    cases = {c["nodeid"]: c for c in sample.report()["cases"]}
    one_ulp = cases["cases/numeric.py::tenth[one_ulp]"]
    assert one_ulp["message"].startswith("[1]") and "1 ulp" in one_ulp["message"]
    assert one_ulp["metrics"]["max_ulp"] == 1 and one_ulp["metrics"]["mismatched"] == 1
    assert "count" in cases["cases/messages.py::record[zero_count]"]["message"]
    key_order = cases["cases/text.py::to_json[unsorted_keys]"]["message"]
    assert "key order" in key_order and "'b', 'a'" in key_order
    assert "SIGABRT" in cases["cases/process.py::crash[abort]"]["message"]
    assert "2 s" in cases["cases/process.py::countdown[negative]"]["message"]
    assert "unwrap" in cases["cases/text.py::parse_port[empty]"]["message"]
