"""monolith/core/util.py calls whose inputs are files or datasets, made alike on both sides.

``parse_example_number_meta_file`` reads a file: the example's text is written to a scratch file for each
call.  ``range_dateset`` filters a ``tf.data.Dataset`` of path strings: the Python side builds that
dataset from the example's list and reads the filtered strings back; the port filters the same list.
"""

from __future__ import annotations

import atexit
import os
import tempfile

from pytest_monolith_parity.helpers import reference_module


def _meta_file(text: str) -> str:
    handle, path = tempfile.mkstemp(prefix="parity-core-meta-", suffix=".txt")
    with os.fdopen(handle, "w") as f:
        f.write(text)
    atexit.register(lambda: os.path.exists(path) and os.remove(path))
    return path


def parse_meta_python(text: str, seperator: str = ",") -> list:
    util = reference_module("monolith.core.util")

    return [list(item) for item in util.parse_example_number_meta_file(_meta_file(text), seperator)]


def parse_meta_rust(text: str, seperator: str = ",") -> list:
    import monolith_parity_rs as rs

    return [list(item) for item in rs.parse_example_number_meta_file(_meta_file(text), seperator)]


def range_dateset_python(paths: list, root_path: str, start_date=None, end_date=None) -> list:
    util = reference_module("monolith.core.util")
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(tf.constant(paths, dtype=tf.string))
    filtered = util.range_dateset(dataset, root_path, start_date, end_date)
    return [item.decode() for item in filtered.as_numpy_iterator()]


def range_dateset_rust(paths: list, root_path: str, start_date=None, end_date=None) -> list:
    import monolith_parity_rs as rs

    return list(rs.range_dateset(paths, root_path, start_date, end_date))
