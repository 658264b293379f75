"""Proto comparator vs deepdiff(MessageToDict(a), MessageToDict(b)), side by side.

A message with N repeated sub-messages (default 10,000), each with a few
scalar fields, a repeated int64 list and a nested message; three scenarios:
identical, one field changed deep inside one element, and every 100th element
changed.  Prints both times and the ratio (deepdiff / comparator).

    python bench/bench_proto.py
    python bench/bench_proto.py --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deepdiff import DeepDiff  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402

from pytest_monolith_parity.compare import proto  # noqa: E402

F = descriptor_pb2.FieldDescriptorProto


def build_type():
    fdp = descriptor_pb2.FileDescriptorProto(name="bench.proto", package="bench", syntax="proto3")
    meta = fdp.message_type.add(name="Meta")
    meta.field.add(name="source", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    meta.field.add(name="ts", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    entry = fdp.message_type.add(name="Entry")
    entry.field.add(name="id", number=1, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    entry.field.add(name="name", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    entry.field.add(name="fids", number=3, type=F.TYPE_UINT64, label=F.LABEL_REPEATED)
    entry.field.add(name="weight", number=4, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL)
    entry.field.add(name="meta", number=5, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, type_name=".bench.Meta")
    batch = fdp.message_type.add(name="Batch")
    batch.field.add(name="entries", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED, type_name=".bench.Entry")
    batch.field.add(name="name", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("bench.Batch"))


def make(Batch, n: int):
    batch = Batch(name="bench")
    for i in range(n):
        e = batch.entries.add(id=i, name=f"entry-{i}", weight=i * 0.5)
        e.fids.extend(range(i, i + 8))
        e.meta.source = "python"
        e.meta.ts = 1_700_000_000 + i
    return batch


def timed(fn, runs: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000", help="comma-separated repeated sub-message counts (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs per measurement")
    args = parser.parse_args()
    Batch = build_type()
    comparator = proto(Batch)
    print("ratio = deepdiff(MessageToDict) time / proto comparator time (both start from message instances)")
    print(f"{'entries':>8} {'case':>14} {'deepdiff s':>11} {'compare s':>10} {'ratio':>8}")
    for n in (int(float(s)) for s in args.sizes.split(",") if s):
        expected = make(Batch, n)
        one = make(Batch, n)
        one.entries[n // 2].meta.ts += 1
        many = make(Batch, n)
        for i in range(0, n, 100):
            many.entries[i].fids[3] += 1
        for case, actual in (("identical", make(Batch, n)), ("one deep diff", one), ("1% elements", many)):
            t_dd, dd = timed(lambda: DeepDiff(MessageToDict(expected), MessageToDict(actual)), args.runs)
            t_cmp, res = timed(lambda: comparator.compare(expected, actual), args.runs)
            assert res.equal == (not dd), (case, res.render(), dd)
            print(f"{n:>8} {case:>14} {t_dd:>11.4f} {t_cmp:>10.4f} {t_dd / t_cmp:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
