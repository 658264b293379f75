"""Parity of monolith/native_training/file_ops.py (``WritableFile``) (Rust: ``monolith_training::file_ops::WritableFile``).

Python's ``WritableFile`` is a handle of monolith's custom ops (``monolith_writable_file``,
``..._append``, ``monolith_entry_dump_file_append``, ``..._close``), run eagerly here; where
those kernels are not built the reference is unavailable and says which op.  An example opens
one file in a fresh scratch directory and runs ``("append", bytes)``, ``("append_entry_dump",
item_ids, bias, embedding rows)``, ``("close",)``; compared: the directory afterwards, byte for
byte (entry dumps are TFRecord-framed ``monolith.hash_table.EntryDump`` records).
"""

from __future__ import annotations

import os

from pytest_monolith_parity import Case, compare, driver, example, python_call
from ._support.scratch import scratch, snapshot

COVERS = "monolith/native_training/file_ops.py"


def write_python(filename, ops):
    import tensorflow as tf

    from monolith.native_training import file_ops

    with scratch({}) as root:
        f = file_ops.WritableFile(os.path.join(root, filename))
        for op in ops:
            if op[0] == "append":
                f.append(tf.constant(op[1]))
            elif op[0] == "append_entry_dump":
                f.append_entry_dump(tf.constant(op[1], tf.int64), tf.constant(op[2], tf.float32),
                                    tf.constant(op[3], tf.float32))
            else:
                f.close()
        return snapshot(root)


def write_rust(filename, ops):
    import monolith_parity_rs as rs

    with scratch({}) as root:
        f = rs.WritableFile(os.path.join(root, filename))
        for op in ops:
            if op[0] == "append":
                f.append(op[1])
            elif op[0] == "append_entry_dump":
                f.append_entry_dump(op[1], op[2], [x for row in op[3] for x in row])
            else:
                f.close()
        return snapshot(root)


Case(
    id="writable_file",
    covers=COVERS,
    python=python_call(write_python, isolated=True),
    rust=driver(write_rust, needs="WritableFile"),
    examples=[
        example("out.txt", [("append", b"1234"), ("append", b"5678"), ("close",)], id="append"),
        example("out.txt", [("close",)], id="empty"),
        example("nested/dir/out.txt", [("append", b"x"), ("close",)], id="nested_path"),
        example("dump.tfrecord", [("append_entry_dump", [7, 8], [0.5, -1.0], [[1.0, 2.0], [3.0, 4.0]]), ("close",)],
                id="entry_dump"),
    ],
    compare=compare.structured(),
)
