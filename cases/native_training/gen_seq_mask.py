"""Parity of monolith/native_training/gen_seq_mask.py (Rust: ``monolith_training::native_training::gen_seq_mask``).

The Python side runs monolith's own ``GenSeqMask`` kernel, built from the checkout
(``kernels/monolith.toml``, library ``gen_seq_mask``), in an isolated worker.  Both sides' masks
are compared as nested lists of ints (the Rust functions return ``Vec<Vec<i64>>`` /
``Vec<Vec<i32>>``); the Rust function is the one for the splits' dtype (``gen_seq_mask_i64`` for
int64 splits, ``gen_seq_mask_i32`` for int32).  Splits are non-decreasing: the kernel's loop
bound for a negative row length is undefined behaviour (``size_t j < size``, gen_seq_mask.cc:45),
so no contract exists there; nor for empty splits (no batch+1 entry): the kernel asks for a
``[-1, max_seq_length]`` mask and TensorFlow aborts the process (SIGABRT, observed), where the
port asserts (one revision: *rust panicked*) or returns ``GenSeqMaskError`` (the other).  Neither
has a reference verdict to compare, so they are not cases.

``gen_seq_mask_ragged``: monolith's RaggedTensor branch calls ``splits.row_splits()``
(gen_seq_mask.py:26), a property (a tensor, not callable) in the TensorFlow the reference runs on;
that TypeError is TensorFlow version skew, reported as *reference unavailable* with its reason.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from pytest_monolith_parity import Case, ReferenceUnavailable, example, pyo3, python_call

COVERS = "monolith/native_training/gen_seq_mask.py"


def reference_gen_seq_mask(splits, max_seq_length):
    """``gen_seq_mask(tf.constant(splits), max_seq_length)`` as nested lists."""
    import tensorflow as tf

    from monolith.native_training import gen_seq_mask

    return gen_seq_mask.gen_seq_mask(tf.constant(splits), max_seq_length).numpy().tolist()


def reference_gen_seq_mask_ragged(splits, max_seq_length):
    """The same splits handed over as a RaggedTensor, which the Python signature also accepts."""
    import tensorflow as tf

    from monolith.native_training import gen_seq_mask

    ragged = tf.RaggedTensor.from_row_splits(tf.zeros([int(splits[-1])]), tf.constant(splits))
    try:
        return gen_seq_mask.gen_seq_mask(ragged, max_seq_length).numpy().tolist()
    except TypeError as e:
        if callable(ragged.row_splits):
            raise
        raise ReferenceUnavailable(f"TensorFlow skew: gen_seq_mask.py calls splits.row_splits(), a property in "
                                   f"TensorFlow {tf.__version__} ({e})") from e


def _rust_args(splits, max_seq_length):
    return [int(s) for s in splits], max_seq_length


def _splits(dtype):
    lengths = st.lists(st.integers(0, 9), min_size=0, max_size=8)
    return lengths.map(lambda ls: np.cumsum([0, *ls]).astype(dtype))


EXAMPLES = [
    example(np.array([0, 2, 5], np.int64), 4, id="basic"),
    example(np.array([0, 6, 6, 7], np.int64), 3, id="truncated_and_empty_rows"),
    example(np.array([0, 0], np.int64), 2, id="one_empty_row"),
    example(np.array([0], np.int64), 3, id="no_rows"),
    example(np.array([0, 2], np.int64), 0, id="zero_max_length"),
    example(np.array([3, 5, 9], np.int64), 3, id="offset_splits"),
]

Case(id="gen_seq_mask_int64", covers=COVERS,
     python=python_call(reference_gen_seq_mask, isolated=True),
     rust=pyo3("gen_seq_mask_i64", adapt=_rust_args),
     examples=EXAMPLES,
     strategy=st.tuples(_splits(np.int64), st.integers(0, 12)))

Case(id="gen_seq_mask_ragged", covers=COVERS,
     python=python_call(reference_gen_seq_mask_ragged, isolated=True),
     rust=pyo3("gen_seq_mask_i64", adapt=_rust_args),
     examples=[example(np.array([0, 2, 5], np.int64), 4, id="basic"),
               example(np.array([0, 0, 9], np.int64), 3, id="empty_then_truncated")])

Case(id="gen_seq_mask_int32", covers=COVERS,
     python=python_call(reference_gen_seq_mask, isolated=True),
     rust=pyo3("gen_seq_mask_i32", adapt=_rust_args),
     examples=[example(np.array([0, 2, 5], np.int32), 4, id="basic"),
               example(np.array([0, 9, 9], np.int32), 3, id="truncated")],
     strategy=st.tuples(_splits(np.int32), st.integers(0, 12)))
