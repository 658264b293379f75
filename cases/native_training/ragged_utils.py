"""Parity of monolith/native_training/ragged_utils.py (Rust: ``monolith_training::native_training::ragged_utils``).

``fused_value_rowids(rt)`` runs monolith's ``MonolithFusedValueRowids`` kernel (library
``unique_mapping_ops``, built from the checkout) on the ragged tensor's row splits, in an isolated
worker; the Rust port takes the row splits (``&[usize]``).  Row ids are compared as lists of ints.
Python's function takes a RaggedTensor, so its row splits are always valid (non-empty,
non-decreasing, starting at 0): those are the inputs here.  (A non-ragged argument is refused by
Python with ValueError before any op runs; the port's argument cannot express one.)
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from pytest_monolith_parity import Case, example, pyo3, python_call

COVERS = "monolith/native_training/ragged_utils.py"


def reference_fused_value_rowids(row_splits):
    import tensorflow as tf

    from monolith.native_training import ragged_utils

    splits = tf.constant(np.asarray(row_splits, np.int64))
    ragged = tf.RaggedTensor.from_row_splits(tf.zeros([int(row_splits[-1])]), splits)
    return ragged_utils.fused_value_rowids(ragged).numpy().tolist()


def _rust_args(row_splits):
    return ([int(s) for s in row_splits],)


Case(id="fused_value_rowids", covers=COVERS,
     python=python_call(reference_fused_value_rowids, isolated=True),
     rust=pyo3("fused_value_rowids", adapt=_rust_args),
     examples=[example([0, 2, 5], id="two_rows"),
               example([0, 0, 3, 3], id="empty_rows"),
               example([0], id="no_rows"),
               example([0, 0], id="one_empty_row"),
               example([0, 1, 2, 3, 4], id="one_each")],
     strategy=st.lists(st.integers(0, 6), max_size=10).map(lambda ls: (np.cumsum([0, *ls]).tolist(),)))
