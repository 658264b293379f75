"""TFRecord files: framing, CRCs, record count, then record by record.

A TFRecord is a sequence of ``u64 length | u32 masked_crc32c(length) | data |
u32 masked_crc32c(data)`` (little-endian); GZIP or ZLIB compression wraps the
whole stream (a GZIP file may be several concatenated members, read in turn as
TensorFlow does).  Both files are fully validated: a truncated record, a bad CRC
or a broken compressed stream on *either* side is a difference, even when the
reference is broken the same way.  Records are compared with the proto
comparator when ``message_type`` is given (``tf.train.Example`` ...), else as
bytes.  The first differing record is reported in full, plus the total count.
"""

from __future__ import annotations

import dataclasses
import os
import struct
import zlib
from typing import Any

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference, nest
from .describe import bytes_difference
from .proto import ProtoComparator

COMPRESSIONS = ("auto", "none", "gzip", "zlib")
_MASK_DELTA = 0xA282EAD8


def masked_crc32c(data: bytes) -> int:
    """TFRecord's CRC: crc32c rotated right by 15 bits plus a constant, mod 2**32."""
    import google_crc32c

    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One framed record (used by tests and golden writers)."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


@dataclasses.dataclass
class ParsedFile:
    """What was read from one side: the records, framing errors, and the compression used."""

    records: list[bytes]
    errors: list[Difference]
    compression: str


def _decompress(raw: bytes, compression: str) -> tuple[bytes, str | None]:
    """The decompressed stream and the first problem found, or None.

    GZIP: every member, one after another, as TensorFlow reads them -- except
    that an empty member followed by more bytes is a problem, since
    TensorFlow's reader stops there and drops the rest.  ZLIB: one stream;
    TensorFlow ignores bytes after it, which here is a problem too.
    """
    if compression == "zlib":
        d = zlib.decompressobj(15)
        try:
            out = d.decompress(raw) + d.flush()
        except zlib.error as exc:
            return b"", f"corrupt zlib stream: {exc}"
        if not d.eof:
            return out, f"truncated zlib stream (no end marker after {len(raw)} bytes)"
        if d.unused_data:
            return out, f"{len(d.unused_data)} trailing byte(s) after the zlib stream (TensorFlow reads one stream and ignores them)"
        return out, None
    parts: list[bytes] = []
    view, pos, member = memoryview(raw), 0, 0
    while True:
        d = zlib.decompressobj(31)
        where = f"gzip member {member} at byte {pos}" if member else "gzip stream"
        try:
            chunk = d.decompress(view[pos:]) + d.flush()
        except zlib.error as exc:
            return b"".join(parts), f"corrupt {where}: {exc}"
        if not d.eof:
            return b"".join(parts) + chunk, f"truncated {where} (no end marker after {len(raw) - pos} bytes)"
        rest = len(d.unused_data)
        if not rest:
            parts.append(chunk)
            return b"".join(parts), None
        if not chunk:
            return b"".join(parts), (f"empty {where}: TensorFlow stops reading there and drops the {rest} byte(s) after it")
        parts.append(chunk)
        pos = len(raw) - rest
        if raw[pos:pos + 2] != b"\x1f\x8b":
            return b"".join(parts), f"{rest} trailing byte(s) after the gzip stream (not a gzip member)"
        member += 1


def sniff_compression(raw: bytes) -> str:
    """'none' if the first record header is valid framing, else gzip/zlib by magic, else 'none'."""
    if len(raw) >= 12 and struct.unpack_from("<I", raw, 8)[0] == masked_crc32c(raw[:8]):
        return "none"
    if raw[:2] == b"\x1f\x8b":
        return "gzip"
    if len(raw) >= 2 and raw[0] & 0x0F == 8 and (raw[0] << 8 | raw[1]) % 31 == 0:
        return "zlib"
    return "none"


def parse_records(raw: bytes, compression: str = "auto") -> ParsedFile:
    """Split a TFRecord stream into records, collecting every framing problem found."""
    errors: list[Difference] = []
    used = sniff_compression(raw) if compression == "auto" else compression
    data = raw
    if used != "none":
        data, problem = _decompress(raw, used)
        if problem:
            errors.append(Difference("", problem))
    records: list[bytes] = []
    off, n = 0, len(data)
    while off < n:
        i = len(records)
        path = f"records[{i}]"
        if n - off < 12:
            errors.append(Difference(path, f"truncated header at byte {off}: {n - off} of 12 bytes"))
            break
        length = struct.unpack_from("<Q", data, off)[0]
        stored = struct.unpack_from("<I", data, off + 8)[0]
        computed = masked_crc32c(data[off:off + 8])
        if stored != computed:
            errors.append(Difference(path, f"bad length crc at byte {off}: stored 0x{stored:08x}, computed 0x{computed:08x}"))
            break  # the length cannot be trusted, nothing after it can be framed
        start, end = off + 12, off + 12 + length
        if end + 4 > n:
            have = max(0, min(n, end) - start)
            errors.append(Difference(path, f"truncated record at byte {off}: {have} of {length} data bytes{', no data crc' if end <= n else ''}"))
            break
        payload = data[start:end]
        stored = struct.unpack_from("<I", data, end)[0]
        computed = masked_crc32c(payload)
        if stored != computed:
            errors.append(Difference(path, f"bad data crc at byte {off}: stored 0x{stored:08x}, computed 0x{computed:08x}"))
        records.append(payload)
        off = end + 4
    return ParsedFile(records, errors, used)


def _read(value: Any, side: str) -> tuple[bytes | None, Difference | None]:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), None
    if isinstance(value, (str, os.PathLike)):
        try:
            with open(value, "rb") as f:
                return f.read(), None
        except FileNotFoundError:
            return None, Difference("", f"{side} file not found: {os.fspath(value)}")
        except IsADirectoryError:
            raise ComparatorInputError(f"{side} is a directory, not a TFRecord file: {os.fspath(value)}") from None
    raise ComparatorInputError(f"tfrecord comparator needs a path or the file's bytes, {side} is {type(value).__name__}")


class TFRecordComparator(Comparator):
    """Compare two TFRecord files (paths, or their raw bytes).

    ``compression``: ``auto`` (sniffed per side), ``none``, ``gzip``, ``zlib``;
    ``message_type`` (+ proto comparator options in ``proto_options``) parses
    each record; ``record`` may instead be any comparator for the record bytes;
    ``same_compression``: also require both files to use the same compression.
    """

    name = "tfrecord"
    takes_path = True

    def __init__(
        self,
        message_type: Any = None,
        *,
        compression: str = "auto",
        record: Comparator | None = None,
        same_compression: bool = False,
        max_records_listed: int = 10,
        **proto_options: Any,
    ) -> None:
        if compression not in COMPRESSIONS:
            raise ComparatorConfigError(f"unknown compression {compression!r}; expected one of {', '.join(COMPRESSIONS)}")
        if record is not None and (message_type is not None or proto_options):
            raise ComparatorConfigError("give either record= or message_type (with proto options), not both")
        if record is None and message_type is not None:
            record = ProtoComparator(message_type, **proto_options)
        elif proto_options:
            raise ComparatorConfigError(f"proto options {sorted(proto_options)} need message_type")
        self.compression = compression
        self.record = record
        self.same_compression = bool(same_compression)
        self.max_records_listed = max_records_listed

    def describe(self) -> str:
        inner = self.record.describe() if self.record else "bytes"
        return f"tfrecord(compression={self.compression}, records={inner})"

    def compare(self, expected: Any, actual: Any) -> Comparison:
        raw_e, miss_e = _read(expected, "expected")
        raw_a, miss_a = _read(actual, "actual")
        if miss_e or miss_a:
            found = [d for d in (miss_e, miss_a) if d]
            return Comparison.differ(*found, summary="; ".join(d.message for d in found))
        pe = parse_records(raw_e, self.compression)  # type: ignore[arg-type]
        pa = parse_records(raw_a, self.compression)  # type: ignore[arg-type]
        out: list[Difference] = []
        for side, parsed in (("expected", pe), ("actual", pa)):
            out.extend(Difference(d.path, f"{side}: {d.message}") for d in parsed.errors)
        if self.same_compression and pe.compression != pa.compression:
            out.append(Difference("", f"compression {pe.compression} != {pa.compression}"))
        ne, na = len(pe.records), len(pa.records)
        if ne != na:
            out.append(Difference("records", f"count {ne} != {na}"))
        differing: list[int] = []
        first: list[Difference] = []
        for i in range(min(ne, na)):
            diffs = self._record(pe.records[i], pa.records[i], f"records[{i}]")
            if diffs:
                differing.append(i)
                if not first:
                    first = diffs
        out.extend(first)
        if len(differing) > 1:
            listed = ", ".join(str(i) for i in differing[: self.max_records_listed])
            more = ", …" if len(differing) > self.max_records_listed else ""
            out.append(Difference("records", f"{len(differing)} of {min(ne, na)} compared records differ (indexes {listed}{more})"))
        metrics = {"mismatched": len(differing) + abs(ne - na), "total": max(ne, na)}
        if not out:
            return Comparison.same(**metrics)
        head = []
        if pe.errors or pa.errors:
            head.append("corrupt file")
        if ne != na:
            head.append(f"record count {ne} != {na}")
        if differing:
            head.append(f"{len(differing)} record(s) differ, first records[{differing[0]}]")
        return Comparison.differ(*out, summary="; ".join(head) or "files differ", **metrics)

    def _record(self, e: bytes, a: bytes, path: str) -> list[Difference]:
        if self.record is None:
            msg = bytes_difference(e, a)
            return [Difference(path, msg)] if msg else []
        if e == a:
            return []
        return nest(self.record.compare(e, a), path)
