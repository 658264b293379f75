"""Parity of monolith/native_training/data/feature_utils.py's ``ExtractFid`` (Rust: ``monolith_data::feature_utils``).

Python: ``feature_utils.ragged_data_ops.extract_fid(fids, slot)``, monolith's ``ExtractFid`` kernel
(library ``feature_utils``: CityHash64 of the fid's 8 bytes, masked to 49 bits, OR ``slot << 48``)
with the absl CityHash that TensorFlow's wheel ships.  Rust: ``extract_fid(input, slot)`` per fid.
Values are compared as lists of ints (exact).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from pytest_monolith_parity import Case, example, pyo3, python_call

COVERS = "monolith/native_training/data/feature_utils.py"


def reference_extract_fid(fids, slot):
    import tensorflow as tf

    from monolith.native_training.data import feature_utils

    return feature_utils.ragged_data_ops.extract_fid(tf.constant(np.asarray(fids, np.int64)), slot).numpy().tolist()


def _rust_args(fids, slot):
    return [int(f) for f in fids], slot


Case(id="extract_fid", covers=COVERS,
     python=python_call(reference_extract_fid, isolated=True),
     rust=pyo3("extract_fid", adapt=_rust_args),
     examples=[example([185], 4, id="monolith_test_constant"),  # extract_fid_test.py: 1153447759131936
               example([0, 1, -1, 2**63 - 1, -2**63], 7, id="edges"),
               example([123456789, 987654321], 0, id="slot_zero"),
               example([42], 32767, id="largest_15_bit_slot"),
               example([], 3, id="empty")],
     strategy=st.tuples(st.lists(st.integers(-2**63, 2**63 - 1), max_size=16), st.integers(0, 32767)))
