"""numpy arrays for the self-test: every dtype, both byte orders, several memory layouts, and their mutations."""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

BF16 = np.dtype(ml_dtypes.bfloat16)
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOATS = [np.float16, np.float32, np.float64]
DTYPES = ([np.dtype(np.bool_)] + [np.dtype(t) for t in INTS + FLOATS] + [BF16, np.dtype("datetime64[ns]"),
          np.dtype("timedelta64[s]"), np.dtype("<U3"), np.dtype("S3"), np.dtype(object)])
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
OBJECT_ATOMS = st.one_of(st.integers(-5, 5), st.booleans(), st.none(), st.text(max_size=3), st.binary(max_size=3),
                         st.floats(allow_nan=True))


def is_float(dtype: np.dtype) -> bool:
    return dtype.kind == "f" or dtype == BF16


@st.composite
def arrays(draw, dtype: np.dtype | None = None, shape=None) -> np.ndarray:
    """An array of ``dtype`` (drawn if None) in native byte order and C layout."""
    dtype = draw(st.sampled_from(DTYPES)) if dtype is None else np.dtype(dtype)
    shape = draw(SHAPES) if shape is None else shape
    if dtype == BF16:
        values = draw(hnp.arrays(np.float32, shape, elements=st.floats(width=32, allow_subnormal=True)))
        return values.astype(BF16)
    if dtype.kind == "O":
        flat = draw(st.lists(OBJECT_ATOMS, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(shape)
    if dtype.kind == "f":
        special = st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, float(np.finfo(dtype).tiny),
                                   float(np.finfo(dtype).max)])
        elements = st.one_of(st.floats(width=dtype.itemsize * 8), special)
        return draw(hnp.arrays(dtype, shape, elements=elements))
    if dtype.kind in "Mm":
        return draw(hnp.arrays(np.int64, shape, elements=st.integers(-(2**62), 2**62))).view(dtype)
    if dtype.kind == "U":
        return draw(hnp.arrays(dtype, shape, elements=st.text(alphabet="ab\u00e9\u0430", max_size=3)))
    if dtype.kind == "S":
        return draw(hnp.arrays(dtype, shape, elements=st.binary(max_size=3).filter(lambda b: not b.endswith(b"\x00"))))
    return draw(hnp.arrays(dtype, shape))


def byte_swapped(a: np.ndarray) -> np.ndarray:
    """The same values stored in the other byte order (a different ``dtype.byteorder``)."""
    return a.astype(a.dtype.newbyteorder("S"))


def has_byte_order(dtype: np.dtype) -> bool:
    return dtype.kind in "iufMmU" and dtype.itemsize > 1 and dtype != BF16


def relaid(a: np.ndarray, layout: str) -> np.ndarray:
    """The same values in another memory layout: Fortran order, a strided view, or a reversed view."""
    if layout == "fortran":
        return np.asfortranarray(a) if a.ndim else a.copy()  # asfortranarray makes 0-d arrays 1-d
    if layout == "strided":
        big = np.empty(a.shape + (2,), dtype=a.dtype)
        big[..., 0] = a
        return big[..., 0]
    if layout == "reversed":
        if not a.ndim:
            return a
        flipped = np.ascontiguousarray(a[..., ::-1])
        return flipped[..., ::-1]
    return a.copy()


def float_change(value: float, exact: bool, dtype: np.dtype) -> float:
    """A new value that no tolerance used here accepts (exact mode: the next representable value)."""
    if exact and math.isfinite(value):
        work = dtype if dtype != BF16 else np.dtype(np.float32)
        with np.errstate(over="ignore"):
            step = float(np.nextafter(np.asarray(value, dtype=work), np.asarray(np.inf, dtype=work)))
        return step if step != value and math.isfinite(step) else 0.0
    if not math.isfinite(value) or abs(value) > 1e4:
        return 0.5
    return value + 1.0 + abs(value)


def element_change(value, dtype: np.dtype, exact: bool):
    kind = dtype.kind
    if dtype.kind == "b":
        return not value
    if kind in "iu":
        info = np.iinfo(dtype)
        return value + 1 if value < info.max else value - 1
    if is_float(dtype):
        changed = float_change(float(value), exact, dtype)
        if np.asarray(changed, dtype=dtype) == np.asarray(value, dtype=dtype) or (exact and dtype == BF16):
            changed = float(value) + 1.0 if math.isfinite(float(value)) and abs(float(value)) < 1e4 else 0.5
        return changed
    if kind in "Mm":
        return value + np.timedelta64(1, np.datetime_data(dtype)[0])
    if kind == "U":
        return "z" if value != "z" else "y"
    if kind == "S":
        return b"z" if value != b"z" else b"y"
    # objects: a plain value of the same type that is not equal to it
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return float_change(value, False, np.dtype(np.float64))
    if isinstance(value, str):
        return value + "\x00"
    if isinstance(value, bytes):
        return value + b"\x00"
    return 0  # None -> 0


def index_path(shape: tuple[int, ...], flat: int) -> str:
    if not shape:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]"
