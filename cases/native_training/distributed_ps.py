"""Parity of monolith/native_training/distributed_ps.py's id dedup, shard routing and gradient
aggregation (Rust: ``monolith_training::distributed_ps``: ``dedup_ids``, ``route_to_shards``,
``aggregate_gradients``, ``get_shard_for_id``).

``DistributedHashTable.lookup`` / ``apply_gradients`` (distributed_ps.py:101-118, 154-172) build
these steps into a TensorFlow graph over monolith's hash tables, so the module's methods cannot run
alone.  The reference is the TensorFlow ops those methods are built from, run here as the Python
side: ``tf.unique`` (dedup, first-seen order), ``tf.math.floormod(ids, num_ps)`` (the shard of an
id) and ``tf.dynamic_partition`` over it (the ids of each shard; monolith calls its own
``distribution_ops.split_by_indices``, which partitions the same way), and
``tf.math.unsorted_segment_sum`` of the gradient rows over ``tf.unique``'s index (what
``map_id_to_embedding_gradient_back_prop`` sums per unique id).  Results are compared as lists
(ids as ints, gradients as float32 values).
"""

from __future__ import annotations

from hypothesis import strategies as st

from pytest_monolith_parity import Case, divergence, example, pyo3, python_call

COVERS = "monolith/native_training/distributed_ps.py"
_IDS = st.lists(st.one_of(st.integers(-20, 20), st.integers(-2**63, 2**63 - 1)), max_size=20)


def dedup_python(ids):
    import tensorflow as tf

    unique, index = tf.unique(tf.constant(ids, tf.int64))
    return [unique.numpy().tolist(), index.numpy().tolist()]


def route_python(ids, num_shards):
    import tensorflow as tf

    ids = tf.constant(ids, tf.int64)
    parts = tf.dynamic_partition(ids, tf.cast(tf.math.floormod(ids, num_shards), tf.int32), num_shards)
    return [p.numpy().tolist() for p in parts]


def aggregate_python(fids, gradients, dim_size):
    import tensorflow as tf

    unique, index = tf.unique(tf.constant(fids, tf.int64))
    rows = tf.reshape(tf.constant(gradients, tf.float32), [-1, dim_size])
    summed = tf.math.unsorted_segment_sum(rows, index, tf.size(unique))
    return [unique.numpy().tolist(), summed.numpy().reshape(-1).tolist()]


def shard_python(fid, num_shards):
    import tensorflow as tf

    return int(tf.math.floormod(tf.constant(fid, tf.int64), tf.constant(num_shards, tf.int64)).numpy())


def _lists(value):
    return [list(v) for v in value]


Case(
    id="dedup_ids",
    covers=COVERS,
    python=python_call(dedup_python),
    rust=pyo3("distributed_ps_dedup_ids", post=_lists),
    examples=[
        example([1, 2, 1, 3, 2, 1], id="repeats"),
        example([], id="empty"),
        example([-1, 2**63 - 1, -2**63, -1], id="extremes"),
        example([5, 5, 5], id="one_id"),
    ],
    strategy=st.tuples(_IDS),
)

Case(
    id="route_to_shards",
    covers=COVERS,
    python=python_call(route_python),
    rust=pyo3("distributed_ps_route_to_shards"),
    examples=[
        example([0, 1, 2, 3, 4, 5, 6], 3, id="round_robin"),
        example([-1, -2, -3, 7], 2, id="negative_ids_floor_mod"),
        example([], 4, id="no_ids"),
        example([10, 20], 1, id="one_shard"),
        example([-2**63, 2**63 - 1], 7, id="extremes"),
    ],
    strategy=st.tuples(_IDS, st.integers(1, 8)),
)

_NEGATIVE_ZERO = divergence(
    "unsorted_segment_sum starts each segment at +0.0, so a sum of -0.0 gradients is +0.0; the port copies the "
    "first row (distributed_ps.rs aggregate_gradients: aggregated.extend_from_slice(grad)) and keeps -0.0",
    outcome="mismatch", message="root[1][0]: 0.0 != -0.0 (signed zero)")
# Gradients without -0.0 and subnormals (the explicit examples pin what they do).
_GRADIENT = st.floats(-1e3, 1e3, width=32, allow_subnormal=False).filter(lambda g: g != 0.0 or str(g) == "0.0")
_SUBNORMAL = divergence(
    "TensorFlow's CPU kernels flush float32 subnormals to zero (unsorted_segment_sum of 4.5e-43 gives 0.0, "
    "observed); the port sums in plain f32 and keeps the subnormal", outcome="mismatch", message="root[1][0]: 0.0 != ")

Case(
    id="aggregate_gradients",
    covers=COVERS,
    python=python_call(aggregate_python),
    rust=pyo3("distributed_ps_aggregate_gradients", post=_lists),
    examples=[
        example([1, 2, 1], [0.5, 1.0, 0.25, 0.125, 2.0, 4.0], 2, id="sum_repeats"),
        example([7], [1.5, -1.5, 3.0], 3, id="one_id"),
        example([3, 3, 3], [0.1, 0.2, 0.3], 1, id="float32_rounding"),
        example([4], [-0.0, 1.0], 2, id="negative_zero", expect=_NEGATIVE_ZERO),
        example([4, 4], [-0.0, -0.0], 1, id="negative_zeros", expect=_NEGATIVE_ZERO),
        example([9], [4.5e-43], 1, id="subnormal", expect=_SUBNORMAL),
    ],
    strategy=st.integers(1, 4).flatmap(lambda dim: st.lists(st.integers(-5, 5), max_size=10).flatmap(
        lambda fids: st.tuples(st.just(fids), st.lists(_GRADIENT, min_size=len(fids) * dim,
                                                        max_size=len(fids) * dim), st.just(dim)))),
)

Case(
    id="get_shard_for_id",
    covers=COVERS,
    python=python_call(shard_python),
    rust=pyo3("distributed_ps_get_shard_for_id"),
    examples=[
        example(7, 3, id="positive"),
        example(-7, 3, id="negative_floor_mod"),
        example(-2**63, 5, id="min_id"),
        example(2**63 - 1, 2, id="max_id"),
        example(5, 0, id="zero_shards", expect=divergence(
            "tf.math.floormod by 0 raises InvalidArgumentError (Integer division by zero); the port returns shard 0 "
            "(distributed_ps.rs get_shard_for_id: if num_shards == 0 { return 0; })",
            outcome="python raised", message="InvalidArgumentError")),
    ],
    strategy=st.tuples(st.integers(-2**63, 2**63 - 1), st.integers(1, 1024)),
)
