"""Python reference of the pytest-monolith-parity sample pair.

Every public function here is a plain module-level function; the Rust port in
``tests/sample/rust`` (pyo3 module ``sample_rust`` and the ``sample-worker``
binary) implements the same names, with the deliberate divergences listed in
``tests/sample/README.md``.  This is the *truth* side: do not "fix" it to
match Rust.
"""

from __future__ import annotations

import json

import numpy as np

from .messages import Record

__version__ = "1.0"

__all__ = [
    "add",
    "add_i64",
    "scale",
    "tenth",
    "dense_relu",
    "mean",
    "to_json",
    "record",
    "parse_port",
    "countdown",
    "normalize_name",
    "crash",
    "version",
    "word_count",
    "clamp",
    "Record",
]


def add(a: int, b: int) -> int:
    """Sum of two ints (the Rust side matches as long as the sum fits in i64)."""
    return a + b


def add_i64(a: int, b: int) -> int:
    """Exact sum; Rust wraps on i64 overflow (deliberate divergence)."""
    return a + b


def scale(xs: np.ndarray, factor: float) -> np.ndarray:
    """Multiply a float32 array by ``factor`` rounded to float32, in float32."""
    return np.asarray(xs, dtype=np.float32) * np.float32(factor)


def tenth(xs: np.ndarray) -> np.ndarray:
    """Multiply by float32(0.1); Rust divides by 10 (1-ULP divergence on some inputs)."""
    return np.asarray(xs, dtype=np.float32) * np.float32(0.1)


def dense_relu(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A dense layer's forward pass, ``relu(x @ w + b)``, in float32.

    The products are summed over ``k`` left to right in float32 (then ``b`` is
    added), an order numpy's elementwise ufuncs make the same on every machine
    (``x @ w`` would go through BLAS, whose blocking and FMA use vary by CPU).
    The Rust port sums in f64 and rounds once: a few ULP apart on some inputs
    (``tests/sample/README.md``).  ``ValueError`` when the shapes do not line up.
    """
    x, w, b = (np.asarray(v, dtype=np.float32) for v in (x, w, b))
    if x.ndim != 2 or w.ndim != 2 or b.ndim != 1 or x.shape[1] != w.shape[0] or w.shape[1] != b.shape[0]:
        raise ValueError(f"dense_relu: shapes {x.shape} @ {w.shape} + {b.shape} do not line up")
    acc = np.zeros((x.shape[0], w.shape[1]), dtype=np.float32)
    for j in range(x.shape[1]):
        acc = acc + x[:, j : j + 1] * w[j]
    return np.maximum(acc + b, np.float32(0.0))


def mean(xs: list[float]) -> float:
    """Arithmetic mean, summing in order in f64; ValueError("empty") on an empty list.

    The sum is an explicit left-to-right loop (what ``sum(xs)`` does for
    floats on Python 3.11), so the result does not depend on the Python
    version (3.12 made ``sum`` of floats compensated).
    """
    if len(xs) == 0:
        raise ValueError("empty")
    total = 0.0
    for x in xs:
        total += float(x)
    return total / len(xs)


def to_json(d: dict) -> str:
    """Compact JSON of a flat dict of str -> int | str, keys in insertion order."""
    return json.dumps(d, separators=(",", ":"))


def record(name: str, count: int) -> bytes:
    """Serialized ``sample.Record`` with ``count`` always set (even 0)."""
    return Record(name=name, count=count).SerializeToString()


def parse_port(s: str) -> int:
    """Parse a TCP port 0..65535 (surrounding whitespace allowed); ValueError otherwise."""
    t = s.strip()
    try:
        n = int(t)
    except ValueError:
        raise ValueError(f"invalid port: {s!r}") from None
    if not 0 <= n <= 65535:
        raise ValueError(f"port out of range: {n}")
    return n


def countdown(n: int) -> int:
    """Count ``n`` down to zero and return 0 (0 at once for n <= 0)."""
    if n <= 0:
        return 0
    while n > 0:
        n -= 1
    return n


def normalize_name(s: str) -> str:
    """Strip and lowercase; ValueError("empty name") if nothing is left."""
    out = s.strip().lower()
    if not out:
        raise ValueError("empty name")
    return out


def crash(code: int) -> None:
    """Does nothing in Python; the Rust worker aborts the process."""
    return None


def version() -> str:
    return "1.0"


def word_count(s: str) -> int:
    """Number of whitespace-separated words (the Rust port has it only in its "pr" revision)."""
    return len(s.split())


def clamp(x: int, lo: int, hi: int) -> int:
    """``x`` limited to ``lo..hi``; ``ValueError`` when ``lo > hi`` (the Rust signature differs by revision)."""
    if lo > hi:
        raise ValueError(f"clamp: lo {lo} > hi {hi}")
    return max(lo, min(x, hi))
