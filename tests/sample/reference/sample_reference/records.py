"""TFRecord files of the sample pair: the reference is TensorFlow's own writer and reader.

``tensorflow`` is imported when a function is called (the rest of ``sample_reference`` does not
need it); it comes with the ``tfrecord`` extra of this package.
"""

from __future__ import annotations

import os


def write_records(path: str | os.PathLike, records: list[bytes], compression: str = "") -> str:
    """Write ``records`` with ``tf.io.TFRecordWriter`` (``compression``: ``""``, ``"GZIP"``, ``"ZLIB"``); the path."""
    import tensorflow as tf

    with tf.io.TFRecordWriter(os.fspath(path), tf.io.TFRecordOptions(compression_type=compression)) as writer:
        for record in records:
            writer.write(record)
    return os.fspath(path)


def read_records(path: str | os.PathLike, compression: str = "") -> list[bytes]:
    """Every record ``tf.data.TFRecordDataset`` reads (it raises ``DataLossError`` on a damaged file)."""
    import tensorflow as tf

    return [r.numpy() for r in tf.data.TFRecordDataset(os.fspath(path), compression_type=compression)]
