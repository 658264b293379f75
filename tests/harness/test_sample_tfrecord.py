"""The harness's verdicts on TFRecord files, with the sample pair's writer and reader (tests/sample/README.md).

The reference is TensorFlow (``sample_reference.records``); the port is sample-core's
``records.rs`` through ``sample_rust``.  Its two deliberate divergences: an empty record's data
CRC written unmasked (TensorFlow rejects the file; ``compare.tfrecord`` says which record and
which CRC), and a GZIP reader that stops after the first gzip member, so a file of concatenated
members -- which TensorFlow reads whole -- loses records.
"""

import textwrap

CASES = textwrap.dedent('''
    import atexit
    import gzip
    import shutil
    import tempfile
    from pathlib import Path

    from pytest_monolith_parity import Args, Case, compare, divergence, driver, example, pyo3, python_call
    from pytest_monolith_parity.compare.tfrecord import encode_record
    from sample_reference import records as reference

    R = "sample_reference/records.py"


    def fresh():
        directory = tempfile.mkdtemp(prefix="sample-tfrecord-")
        atexit.register(shutil.rmtree, directory, True)
        return str(Path(directory, "data.tfrecord"))


    def tensorflow_writes(records, compression):
        return reference.write_records(fresh(), records, compression)


    def rust_writes(records, compression):
        import sample_rust

        path = fresh()
        sample_rust.write_records(path, records, compression)
        return path


    def tensorflow_file(records, compression):
        """adapt: both sides read a file TensorFlow wrote (each its own copy)."""
        return Args((tensorflow_writes(records, compression), compression), {})


    def gzip_members(records):
        """adapt: one gzip member per framed record, concatenated (TensorFlow reads every member)."""
        path = fresh()
        Path(path).write_bytes(b"".join(gzip.compress(encode_record(r), mtime=0) for r in records))
        return Args((path, "GZIP"), {})


    def bad_crc(records):
        data = bytearray(b"".join(encode_record(r) for r in records))
        data[-1] ^= 0xFF
        path = fresh()
        Path(path).write_bytes(bytes(data))
        return Args((path, ""), {})


    def tensorflow_reads_rust_file(records, compression):
        return reference.read_records(rust_writes(records, compression), compression)


    def tensorflow_round_trip(records, compression):
        return reference.read_records(tensorflow_writes(records, compression), compression)


    Case(id="write_records", covers=R, golden=False,
         python=python_call(tensorflow_writes), rust=driver(rust_writes, needs="write_records"),
         compare=compare.tfrecord(),
         examples=[example([b"a", b"bc" * 50], "", id="none"), example([b"a", b"bc" * 50], "GZIP", id="gzip"),
                   example([b"a", b"bc" * 50], "ZLIB", id="zlib"),
                   example([b"a", b"", b"c"], "", id="empty_record"EXPECT_EMPTY_WRITE)])

    Case(id="read_tensorflow_files", covers=R, golden=False,
         python=python_call(reference.read_records, adapt=tensorflow_file),
         rust=pyo3("read_records", adapt=tensorflow_file),
         examples=[example([b"a", b"", b"c" * 300], c, id=c.lower() or "none") for c in ("", "GZIP", "ZLIB")])

    Case(id="read_gzip_members", covers=R, golden=False,
         python=python_call(reference.read_records, adapt=gzip_members),
         rust=pyo3("read_records", adapt=gzip_members),
         examples=[example([b"a", b"bb", b"ccc"], id="three_members"EXPECT_MEMBERS)])

    Case(id="read_damaged", covers=R, golden=False,
         python=python_call(reference.read_records, adapt=bad_crc), rust=pyo3("read_records", adapt=bad_crc),
         errors={"DataLossError": "ValueError"},
         examples=[example([b"a", b"bc"], id="bad_data_crc")])

    Case(id="tensorflow_reads_rust_files", covers=R, golden=False,
         python=python_call(tensorflow_round_trip), rust=driver(tensorflow_reads_rust_file, needs="write_records"),
         examples=[example([b"a", b"bc"], "GZIP", id="gzip"),
                   example([b"a", b"", b"c"], "", id="empty_record"EXPECT_TF_READS)])
''')

# The recorded divergences, each replaced by nothing in the test that proves the unrecorded verdict.
MEMBERS_MESSAGE = "length 3 != 1"
EXPECT = {
    "EXPECT_EMPTY_WRITE": (', expect=divergence("sample-core writes an empty record\'s data CRC unmasked (records.rs '
                           'frame): 0x00000000 instead of 0xa282ead8", outcome="mismatch", '
                           'message="records[1]: actual: bad data crc")'),
    "EXPECT_MEMBERS": (', expect=divergence("sample-core\'s GzDecoder reads the first gzip member only; TensorFlow '
                       f'reads every member", outcome="mismatch", message={MEMBERS_MESSAGE!r})'),
    "EXPECT_TF_READS": (', expect=divergence("TensorFlow rejects the unmasked CRC sample-core writes for an empty '
                        'record", outcome="rust raised", message="DataLossError")'),
}

M, EA, ED = "match", "error agreement", "expected divergence"
EXPECTED = {
    "cases/records.py::write_records[none]": (M, M),
    "cases/records.py::write_records[gzip]": (M, M),
    "cases/records.py::write_records[zlib]": (M, M),
    "cases/records.py::write_records[empty_record]": (ED, "mismatch"),
    "cases/records.py::read_tensorflow_files[none]": (M, M),
    "cases/records.py::read_tensorflow_files[gzip]": (M, M),
    "cases/records.py::read_tensorflow_files[zlib]": (M, M),
    "cases/records.py::read_gzip_members[three_members]": (ED, "mismatch"),
    "cases/records.py::read_damaged[bad_data_crc]": (EA, EA),
    "cases/records.py::tensorflow_reads_rust_files[gzip]": (M, M),
    "cases/records.py::tensorflow_reads_rust_files[empty_record]": (ED, "rust raised"),
}


def _cases(*unrecorded: str) -> str:
    """The case file, with the divergences named in ``unrecorded`` left out."""
    source = CASES
    for placeholder, expect in EXPECT.items():
        assert placeholder in source, placeholder
        source = source.replace(placeholder, "" if placeholder in unrecorded else expect)
    return source


def _records(sample):
    return {c["nodeid"]: c for c in sample.report()["cases"]}


def test_every_tfrecord_verdict_is_classified_exactly(sample):
    sample.write_case_file("records.py", _cases())
    result = sample.run("-k", "records")
    assert result.ret == 0, result.stdout.str()
    assert {k: v for k, v in sample.verdicts().items() if k.startswith("cases/records.py")} == EXPECTED
    result.stdout.fnmatch_lines(["PARITY: 7 match, 1 error agreement, 0 mismatch, 0 different errors, * 3 expected divergence, *"])


def test_an_unrecorded_bad_crc_is_a_mismatch_at_that_record(sample):
    sample.write_case_file("records.py", _cases("EXPECT_EMPTY_WRITE"))
    result = sample.run("-k", "write_records")
    assert result.ret == 1, result.stdout.str()
    case = _records(sample)["cases/records.py::write_records[empty_record]"]
    assert (case["outcome"], case["raw"]) == ("mismatch", "mismatch")
    assert case["message"].startswith("records[1]: actual: bad data crc at byte ")
    assert "stored 0x00000000, computed 0xa282ead8" in case["message"]
    assert "expected: " not in case["diff"]  # the reference's file (TensorFlow's) is intact


def test_a_file_tensorflow_reads_whole_and_the_port_does_not(sample):
    sample.write_case_file("records.py", _cases("EXPECT_MEMBERS"))
    result = sample.run("-k", "read_gzip_members")
    assert result.ret == 1, result.stdout.str()
    case = _records(sample)["cases/records.py::read_gzip_members[three_members]"]
    assert (case["outcome"], case["raw"]) == ("mismatch", "mismatch")
    assert case["message"] == MEMBERS_MESSAGE
    assert (case["python"]["kind"], case["rust"]["kind"]) == ("value", "value")  # both read the file without error


def test_a_file_the_port_writes_and_tensorflow_rejects_is_rust_raised(sample):
    sample.write_case_file("records.py", _cases("EXPECT_TF_READS"))
    result = sample.run("-k", "tensorflow_reads_rust_files")
    assert result.ret == 1, result.stdout.str()
    case = _records(sample)["cases/records.py::tensorflow_reads_rust_files[empty_record]"]
    assert (case["outcome"], case["raw"]) == ("rust raised", "rust raised")
    assert "DataLossError" in case["message"] and "corrupted record" in case["message"]
