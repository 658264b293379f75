"""Comparators: does the Rust output agree with the reference, and if not, where?

Cases declare a contract with the short factories below::

    from pytest_monolith_parity import compare

    compare.tensor(rtol=1e-5, atol=1e-6)
    compare.proto("tensorflow.Example", ignore=["features.feature.timestamp"])
    compare.json(key_order=True)
    compare.tree({"*.tfrecord": compare.tfrecord("tensorflow.Example")})

or by name, ``compare.get("tensor", rtol=1e-5)``.  See docs/comparators.md.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference
from .checkpoint import CheckpointComparator
from .exact import ExactComparator
from .proto import ProtoComparator
from .saved_model import SavedModelComparator
from .structured import JsonComparator, StructuredComparator
from .tensor import DEFAULT_TOLERANCES, TensorComparator
from .text import TextComparator
from .tfrecord import TFRecordComparator
from .tree import TreeComparator

__all__ = [
    "Comparator", "Comparison", "Difference", "ComparatorConfigError", "ComparatorInputError",
    "ExactComparator", "TensorComparator", "ProtoComparator", "StructuredComparator", "JsonComparator",
    "TextComparator", "TFRecordComparator", "CheckpointComparator", "SavedModelComparator", "TreeComparator",
    "DEFAULT_TOLERANCES", "REGISTRY",
    "exact", "tensor", "proto", "structured", "json", "text", "tfrecord", "checkpoint", "saved_model", "tree", "get",
]

#: Registry name -> comparator class, for ``get`` and case specs.
REGISTRY: dict[str, type[Comparator]] = {
    cls.name: cls
    for cls in (
        ExactComparator, TensorComparator, ProtoComparator, StructuredComparator, JsonComparator, TextComparator,
        TFRecordComparator, CheckpointComparator, SavedModelComparator, TreeComparator,
    )
}


def _build(cls: type[Comparator], *args: Any, **options: Any) -> Any:
    try:
        return cls(*args, **options)
    except ComparatorConfigError:
        raise
    except TypeError as exc:  # an unknown keyword is a spec error, not a crash
        raise ComparatorConfigError(f"{cls.name}: {exc}") from None


def get(name: str, **options: Any) -> Comparator:
    """The comparator registered as ``name``, built with ``options``."""
    try:
        cls = REGISTRY[name]
    except KeyError:
        raise ComparatorConfigError(f"unknown comparator {name!r}; known: {', '.join(sorted(REGISTRY))}") from None
    return _build(cls, **options)


def exact(*, nan: str = "equal", key_order: bool = False) -> ExactComparator:
    """Equal values of identical types; floats bit for bit (NaN matches NaN)."""
    return ExactComparator(nan=nan, key_order=key_order)


def tensor(
    rtol: float | None = None,
    atol: float | None = None,
    max_ulp: int | None = None,
    *,
    mode: str | None = None,
    nan: str = "equal",
    signed_zero: bool | None = None,
    dtype: Any = "strict",
    shape: Any = "strict",
    worst: int = 5,
    objects: Comparator | None = None,
) -> TensorComparator:
    """Arrays element-wise: ``|actual - expected| <= atol + rtol*|expected|``, ULP, exact or per-dtype default.

    ``objects`` compares the elements of object arrays (default ``exact(nan=nan)``).
    """
    if objects is None:
        objects = ExactComparator(nan=nan) if nan in ("equal", "payload") else None
    return TensorComparator(rtol, atol, max_ulp, mode=mode, nan=nan, signed_zero=signed_zero, dtype=dtype, shape=shape,
                            worst=worst, objects=objects)


def proto(message_type: Any = None, **options: Any) -> ProtoComparator:
    """Protobuf messages (or their serialized bytes) field by field; see ProtoComparator for options."""
    return _build(ProtoComparator, message_type, **options)


def structured(**options: Any) -> StructuredComparator:
    """dicts/lists/tuples/dataclasses through deepdiff; see StructuredComparator for options."""
    return _build(StructuredComparator, **options)


def json(*, key_order: bool = False, **options: Any) -> JsonComparator:
    """JSON text or values; ``key_order=True`` when object key order is part of the contract."""
    return _build(JsonComparator, key_order=key_order, **options)


def text(mode: str = "exact", message_type: Any = None, **proto_options: Any) -> TextComparator:
    """Text: ``exact``, ``whitespace``-normalised, or ``proto`` text format parsed into ``message_type``."""
    return _build(TextComparator, mode, message_type, **proto_options)


def tfrecord(message_type: Any = None, *, compression: str = "auto", record: Comparator | None = None, **proto_options: Any) -> TFRecordComparator:
    """TFRecord files: framing and CRCs, count, then each record (as ``message_type`` or bytes)."""
    return _build(TFRecordComparator, message_type, compression=compression, record=record, **proto_options)


def checkpoint(
    tensor: Comparator | None = None,
    *,
    rules: Mapping[str, Comparator] | None = None,
    ignore: Iterable[str] = (),
    object_graph: str = "proto",
) -> CheckpointComparator:
    """TensorFlow checkpoints variable by variable (needs TensorFlow)."""
    return CheckpointComparator(tensor, rules=rules, ignore=ignore, object_graph=object_graph)


def saved_model(**options: Any) -> SavedModelComparator:
    """SavedModel directories: signatures, optional graph, variables (needs TensorFlow)."""
    return _build(SavedModelComparator, **options)


def tree(
    rules: Mapping[str, Comparator] | Sequence[tuple[str, Comparator]] | None = None,
    *,
    default: Comparator | None = None,
    ignore: Iterable[str] = (),
) -> TreeComparator:
    """Directory trees; each file through the first rule whose glob matches (default exact bytes)."""
    return TreeComparator(rules, default=default, ignore=ignore)
