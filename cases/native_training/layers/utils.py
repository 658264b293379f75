"""Parity of monolith/native_training/layers/utils.py ``merge_tensor_list`` (Rust:
``monolith_layers::merge::merge_tensor_list``).

Python: monolith's function over ``tf.constant`` tensors (``_support/keras_side.py``); Rust: the
wrapper of the revision's signature (``-> MergeOutput`` on master, ``-> Result`` on the branch,
``rust_bindings/src/native_training/layers/utils.rs``).  Merging only moves values, so results
compare exactly: a tensor, or a list of tensors where Python returns a list.  A tensor that is
neither 2-D nor 3-D is Python's ``Exception("shape error: ...")``: the branch returns a
``LayerError`` (error agreement), master panics (``merge.rs``: ``panic!("shape error: {:?}")``), so
the gate sees that example *fixed*.  Likewise two 2-D tensors concatenated along axis 1: master's
``Tensor::cat`` sizes the output with the rows of all inputs summed (tensor.rs, rank 2, ``rows``)
and panics on a slice index; the branch takes the rows of one input.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from pytest_monolith_parity import Args, Case, compare, divergence, example, pyo3, python_call

from ._support import keras_side, wire

COVERS = "monolith/native_training/layers/utils.py"
F32 = np.float32


def _grid(*shape: int) -> np.ndarray:
    """Distinct, exactly representable values: a wrong index shows as a wrong value."""
    return np.arange(np.prod(shape), dtype=F32).reshape(shape) - F32(7.5)


def _rust_args(tensor_list, *rest, **kwargs) -> Args:
    return Args(([wire.to_wire(t) for t in tensor_list], *rest), kwargs)


@st.composite
def _merges(draw):
    """1-3 tensors of one 2-D or 3-D shape, any merge type, an axis each merge type accepts."""
    rank = draw(st.sampled_from([2, 3]))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    count = draw(st.integers(1, 3))
    # several 3-D tensors stacked make a rank-4 cat, which the port lacks (the `two_3d_stack` example)
    merge_type = draw(st.sampled_from(["concat", None] + (["stack"] if rank == 2 or count == 1 else [])))
    tensors = [draw(st.lists(st.floats(-1e6, 1e6, width=32), min_size=int(np.prod(shape)),
                             max_size=int(np.prod(shape)))) for _ in range(count)]
    tensors = [np.array(t, F32).reshape(shape) for t in tensors]
    axis = draw(st.integers(0, rank if merge_type == "stack" else rank - 1))
    return Args((tensors,), {"merge_type": merge_type, "axis": axis, "keep_list": draw(st.booleans())})


Case(
    id="merge_tensor_list",
    covers=COVERS,
    python=python_call(keras_side.merge_tensor_list),
    rust=pyo3("merge_tensor_list", adapt=_rust_args, post=wire.from_wire),
    examples=[
        example([_grid(2, 3, 4)], "concat", id="one_3d_concat_flattens"),
        example([_grid(2, 3, 4)], "stack", id="one_3d_stack_unchanged"),
        example([_grid(2, 3, 4)], None, id="one_3d_none_unstacks"),
        example([_grid(2, 3, 4)], None, axis=2, id="one_3d_none_unstacks_axis2"),
        example([_grid(2, 3, 4)], "concat", keep_list=True, id="one_3d_concat_keep_list"),
        example([_grid(2, 6)], "stack", 3, id="one_2d_num_feature_stack_reshapes"),
        example([_grid(2, 6)], "concat", 3, id="one_2d_num_feature_concat_unchanged"),
        example([_grid(2, 6)], None, 3, id="one_2d_num_feature_none_unstacks"),
        example([_grid(2, 6)], "stack", 1, id="one_2d_num_feature_1_unchanged"),
        example([_grid(2, 6)], "stack", keep_list=True, id="one_2d_keep_list"),
        example([_grid(2, 3), _grid(2, 3) * 2], "concat", id="two_concat_axis1"),
        example([_grid(2, 3), _grid(2, 3) * 2], "concat", axis=0, id="two_concat_axis0"),
        example([_grid(2, 3), _grid(2, 3) * 2, _grid(2, 3) * 3], "stack", id="three_stack_axis1"),
        example([_grid(2, 3), _grid(2, 3) * 2], "stack", axis=2, keep_list=True, id="two_stack_axis2_keep_list"),
        example([_grid(2, 3), _grid(2, 3) * 2], None, id="two_none_unchanged"),
        example([_grid(2, 2, 3), _grid(2, 2, 3) * 2], "concat", axis=2, id="two_3d_concat_axis2"),
        example([_grid(2, 2, 3), _grid(2, 2, 3) * 2], "stack", axis=0, id="two_3d_stack",
                expect=divergence("stacking 3-D tensors concatenates rank-4 ones, which Tensor::cat does not "
                                  "implement (tensor.rs: `cat not implemented for rank {} dim {}`); tf.stack does",
                                  outcome="rust panicked", message="rust panicked: cat not implemented for rank 4")),
        example([_grid(4)], "concat", id="one_1d_shape_error"),
        example([_grid(1, 2, 3, 4)], "stack", id="one_4d_shape_error"),
    ],
    strategy=_merges(),
    max_examples=60,
    compare=compare.structured(),
    errors={"Exception": "LayerError"},
)
