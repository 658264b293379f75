"""Self-test of ``tfrecord()``: a changed, dropped or added record, or one flipped byte of a plain file, is
reported at that record; the compression (none, GZIP, ZLIB, several GZIP members), bytes vs path, and the
encoding of Example records are not differences."""

from __future__ import annotations

import gzip
import struct
import zlib

from hypothesis import given
from hypothesis import strategies as st

import selftest_protos as P
from selftest_settings import examples
from pytest_monolith_parity.compare import tfrecord
from pytest_monolith_parity.compare.tfrecord import encode_record

RECORDS = st.lists(st.binary(max_size=12), max_size=5)


def frames(records) -> bytes:
    return b"".join(encode_record(r) for r in records)


def compressed(data, raw: bytes) -> tuple[bytes, str]:
    how = data.draw(st.sampled_from(["none", "gzip", "zlib", "gzip members"]), label="compression")
    if how == "none":
        return raw, how
    if how == "gzip":
        return gzip.compress(raw), how
    if how == "zlib":
        return zlib.compress(raw), how
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=3), label="member boundaries"))
    pieces = [raw[a:b] for a, b in zip([0] + cuts, cuts + [len(raw)])]
    pieces = [p for p in pieces if p] or [raw]  # TensorFlow stops at an empty member: write none
    return b"".join(gzip.compress(p) for p in pieces), how


def record_of_byte(records, offset: int) -> int:
    """Which record a byte offset of the plain file belongs to (header, data or CRC)."""
    pos = 0
    for i, r in enumerate(records):
        pos += 16 + len(r)
        if offset < pos:
            return i
    raise AssertionError(offset)


@examples(200)
@given(data=st.data())
def test_one_changed_record_is_reported_at_its_index(data):
    records = data.draw(RECORDS.filter(bool), label="records")
    i = data.draw(st.integers(0, len(records) - 1), label="record")
    how = data.draw(st.sampled_from(["change", "drop", "add"]), label="change")
    changed = list(records)
    if how == "change":
        changed[i] = records[i] + b"\x00" if data.draw(st.booleans()) else bytes([records[i][0] ^ 1]) + records[i][1:] if records[i] else b"x"
        place = f"records[{i}]"
    elif how == "drop":
        del changed[i]
        place = "records"
    else:
        changed.insert(i, b"inserted")
        place = "records"
    e, _ = compressed(data, frames(records))
    a, _ = compressed(data, frames(changed))
    result = tfrecord().compare(e, a)
    assert result.equal is False, result.render()
    assert result.differences[0].path == place, (how, place, result.render())


@examples(200)
@given(data=st.data())
def test_one_flipped_byte_of_a_plain_file_is_reported_at_its_record(data):
    records = data.draw(RECORDS.filter(bool), label="records")
    raw = frames(records)
    offset = data.draw(st.integers(0, len(raw) - 1), label="offset")
    bit = data.draw(st.integers(0, 7), label="bit")
    damaged = raw[:offset] + bytes([raw[offset] ^ (1 << bit)]) + raw[offset + 1:]
    result = tfrecord().compare(raw, damaged)
    assert result.equal is False, result.render()
    assert result.differences[0].path == f"records[{record_of_byte(records, offset)}]", (offset, result.render())


def _decoded(packed: bytes, how: str) -> bytes | None:
    """Python's own reading of a compressed stream (the oracle), None if it is not a valid stream."""
    try:
        if how == "zlib":
            d = zlib.decompressobj()
            out = d.decompress(packed) + d.flush()
            return out if d.eof and not d.unused_data else None
        return gzip.decompress(packed)
    except (OSError, EOFError, zlib.error):
        return None


@examples(100)
@given(data=st.data())
def test_one_flipped_byte_of_a_compressed_file_differs_unless_it_decodes_the_same(data):
    """A flip in gzip header metadata or deflate padding bits decodes to the same stream: irrelevant by contract."""
    records = data.draw(RECORDS.filter(bool), label="records")
    how = data.draw(st.sampled_from(["gzip", "zlib"]), label="compression")
    raw = frames(records)
    packed = gzip.compress(raw) if how == "gzip" else zlib.compress(raw)
    offset = data.draw(st.integers(0, len(packed) - 1), label="offset")
    damaged = packed[:offset] + bytes([packed[offset] ^ (1 << data.draw(st.integers(0, 7)))]) + packed[offset + 1:]
    result = tfrecord(compression=how).compare(packed, damaged)
    assert result.equal is (_decoded(damaged, how) == raw), (how, offset, result.render())


@examples(150)
@given(data=st.data())
def test_compression_and_input_form_are_irrelevant(data, tmp_path_factory):
    records = data.draw(RECORDS, label="records")
    e, _ = compressed(data, frames(records))
    a, how = compressed(data, frames(records))
    if data.draw(st.booleans(), label="actual as a path"):
        path = tmp_path_factory.mktemp("tfr") / "a.tfrecord"
        path.write_bytes(a)
        a = path
    result = tfrecord().compare(e, a)
    assert result.equal is True, (how, result.render())


@examples(60)
@given(data=st.data())
def test_message_records_compare_semantically(data):
    msgs = data.draw(st.lists(P.messages(P.A.Rec, depth=1, unknown=False), min_size=1, max_size=3), label="records")
    comparator = tfrecord(P.A.Rec, pool=P.A.pool)
    reencoded = [P.in_pool(m, P.B).SerializeToString() for m in msgs]  # other packed encoding
    assert comparator.compare(frames(m.SerializeToString() for m in msgs), frames(reencoded)).equal
    i = data.draw(st.integers(0, len(msgs) - 1), label="record")
    candidates = P.mutations(msgs[i])
    description, place, apply = candidates[data.draw(st.integers(0, len(candidates) - 1), label="mutation")]
    changed = [P.copy(m) for m in msgs]
    apply(changed[i])
    result = comparator.compare(frames(m.SerializeToString() for m in msgs), frames(m.SerializeToString() for m in changed))
    assert result.equal is False, (description, result.render())
    first = result.differences[0].path
    want = f"records[{i}]" + ("" if not place else ("." + place if not place.startswith("[") else place))
    assert first == want or first.startswith(want + ".") or first.startswith(want + "["), (description, want, result.render())
