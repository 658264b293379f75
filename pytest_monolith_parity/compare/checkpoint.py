"""TensorFlow checkpoints (V2 tensor bundles), variable by variable.

A value is a checkpoint prefix (``ckpt-1``, the part before ``.index`` and
``.data-*``), the ``.index`` file itself, or a directory holding one
checkpoint (its ``checkpoint`` state file, else its only ``.index``).  Names
missing or extra on the Rust side are reported; each common variable goes
through the tensor comparator (dtype, shape, values) chosen by glob from
``rules`` (first match wins).  Reading uses TensorFlow's own bundle reader, so
TensorFlow must be importable.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from typing import Any, Iterable, Mapping

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference, nest
from .proto import ProtoComparator
from .tensor import TensorComparator

OBJECT_GRAPH = "_CHECKPOINTABLE_OBJECT_GRAPH"
_INSTALL_HINT = "install it with `pip install .[reference]` (or `pip install tensorflow-cpu`)"


def _import_tensorflow() -> Any:
    import tensorflow as tf  # heavy; imported only when a checkpoint is actually read

    return tf


def require_tensorflow(what: str) -> Any:
    """TensorFlow, or a ComparatorInputError saying why it is needed and how to get it."""
    try:
        return _import_tensorflow()
    except ImportError as exc:
        raise ComparatorInputError(f"TensorFlow is required to read {what} but cannot be imported ({exc}); {_INSTALL_HINT}") from None


def var_path(name: str) -> str:
    return f'variables["{name}"]'


def _resolve_prefix(tf: Any, value: Any, side: str) -> tuple[str | None, Difference | None]:
    if not isinstance(value, (str, os.PathLike)):
        raise ComparatorInputError(f"checkpoint comparator needs a path, {side} is {type(value).__name__}")
    path = os.fspath(value)
    if os.path.isdir(path):
        latest = tf.train.latest_checkpoint(path)
        if latest:
            return latest, None
        indexes = sorted(glob.glob(os.path.join(glob.escape(path), "*.index")))
        if len(indexes) == 1:
            return indexes[0][: -len(".index")], None
        what = "no checkpoint" if not indexes else f"{len(indexes)} checkpoints and no 'checkpoint' state file"
        return None, Difference("", f"{side}: {what} in directory {path}")
    if path.endswith(".index") and os.path.exists(path):
        return path[: -len(".index")], None
    if os.path.exists(path + ".index"):
        return path, None
    return None, Difference("", f"{side}: no checkpoint at {path} (no {os.path.basename(path)}.index)")


class CheckpointComparator(Comparator):
    """Compare two TensorFlow checkpoints variable by variable.

    Options: ``tensor`` (comparator for every variable; default ``TensorComparator()``
    with per-dtype tolerances), ``rules`` (``{glob: comparator}`` over variable
    names, first match wins, before ``tensor``), ``ignore`` (globs of names to
    skip), ``object_graph`` (``"proto"``: compare ``_CHECKPOINTABLE_OBJECT_GRAPH``
    as a ``TrackableObjectGraph`` message; ``"bytes"``; ``"ignore"``).
    """

    name = "checkpoint"
    takes_path = True

    def __init__(
        self,
        tensor: Comparator | None = None,
        *,
        rules: Mapping[str, Comparator] | None = None,
        ignore: Iterable[str] = (),
        object_graph: str = "proto",
    ) -> None:
        if object_graph not in ("proto", "bytes", "ignore"):
            raise ComparatorConfigError(f"object_graph must be 'proto', 'bytes' or 'ignore', got {object_graph!r}")
        for pattern, comp in (rules or {}).items():
            if not isinstance(comp, Comparator):
                raise ComparatorConfigError(f"rules[{pattern!r}] must be a Comparator, got {comp!r}")
        if tensor is None:
            tensor = TensorComparator()
        self.tensor = tensor
        self.rules = dict(rules or {})
        self.ignore = (ignore,) if isinstance(ignore, str) else tuple(ignore)
        self.object_graph = object_graph

    def describe(self) -> str:
        extra = f", ignore={list(self.ignore)}" if self.ignore else ""
        return f"checkpoint({self.tensor.describe()}{extra})"

    def _comparator_for(self, name: str) -> Comparator:
        for pattern, comp in self.rules.items():
            if fnmatch.fnmatchcase(name, pattern):
                return comp
        return self.tensor

    def compare(self, expected: Any, actual: Any) -> Comparison:
        tf = require_tensorflow("TensorFlow checkpoints")
        resolved = []
        for side, value in (("expected", expected), ("actual", actual)):
            try:
                resolved.append(_resolve_prefix(tf, value, side))
            except ComparatorInputError:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. a corrupt 'checkpoint' state file
                resolved.append((None, Difference("", f"{side}: cannot find the checkpoint in {os.fspath(value)}: {_error(exc)}")))
        (pe, me), (pa, ma) = resolved
        if me or ma:
            found = [d for d in (me, ma) if d]
            return Comparison.differ(*found, summary="; ".join(d.message for d in found))
        readers = []
        for side, prefix in (("expected", pe), ("actual", pa)):
            try:
                reader = tf.train.load_checkpoint(prefix)
                readers.append(_Reader(reader, prefix, side))
            except Exception as exc:  # noqa: BLE001 - TF raises many types for a corrupt bundle
                problem = f"cannot read checkpoint {prefix} ({prefix}.index): {_error(exc)}"
                if side == "expected":
                    raise ComparatorInputError(f"checkpoint: the expected (reference) {problem}") from None
                return Comparison.differ(Difference("", f"{side}: {problem}"), summary=f"{side} checkpoint unreadable")
        return self.compare_readers(*readers)

    def compare_readers(self, re: Any, ra: Any) -> Comparison:
        """Compare two ``CheckpointReader``s (also used by the SavedModel comparator).

        A variable the actual bundle cannot produce (a damaged, truncated or
        missing data file) is a difference at that variable; one the expected
        bundle cannot produce is a ``ComparatorInputError`` naming the files.
        """
        re = re if isinstance(re, _Reader) else _Reader(re, "", "expected")
        ra = ra if isinstance(ra, _Reader) else _Reader(ra, "", "actual")
        try:
            shapes_e, dtypes_e = re.maps()
        except Exception as exc:  # noqa: BLE001
            raise ComparatorInputError(f"checkpoint: cannot list the expected (reference) checkpoint {re.files()}: {_error(exc)}") from None
        try:
            shapes_a, dtypes_a = ra.maps()
        except Exception as exc:  # noqa: BLE001
            return Comparison.differ(Difference("", f"actual: cannot list checkpoint {ra.files()}: {_error(exc)}"), summary="actual checkpoint unreadable")
        skip = lambda n: any(fnmatch.fnmatchcase(n, p) for p in self.ignore) or (  # noqa: E731
            n == OBJECT_GRAPH and self.object_graph == "ignore"
        )
        names_e = {n for n in shapes_e if not skip(n)}
        names_a = {n for n in shapes_a if not skip(n)}
        out: list[Difference] = []
        for n in sorted(names_e - names_a):
            out.append(Difference(var_path(n), f"missing in actual (expected {dtypes_e[n].name} {list(shapes_e[n])})"))
        for n in sorted(names_a - names_e):
            out.append(Difference(var_path(n), f"unexpected in actual (actual {dtypes_a[n].name} {list(shapes_a[n])})"))
        differing = 0
        for n in sorted(names_e & names_a):
            if dtypes_e[n] != dtypes_a[n] or list(shapes_e[n]) != list(shapes_a[n]):
                parts = []
                if dtypes_e[n] != dtypes_a[n]:
                    parts.append(f"dtype {dtypes_e[n].name} != {dtypes_a[n].name}")
                if list(shapes_e[n]) != list(shapes_a[n]):
                    parts.append(f"shape {list(shapes_e[n])} != {list(shapes_a[n])}")
                out.append(Difference(var_path(n), ", ".join(parts)))
                differing += 1
                continue
            try:
                te = re.tensor(n)
            except Exception as exc:  # noqa: BLE001
                raise ComparatorInputError(f"checkpoint: cannot read variable {n!r} from the expected (reference) checkpoint "
                                           f"{re.files()}: {_error(exc)}") from None
            try:
                ta = ra.tensor(n)
            except Exception as exc:  # noqa: BLE001
                differing += 1
                out.append(Difference(var_path(n), f"actual: cannot read this variable from {ra.files()}: {_error(exc)}"))
                continue
            result = self._compare_variable(n, te, ta)
            if not result.equal:
                differing += 1
                out.extend(nest(result, var_path(n)))
        metrics = {"mismatched": differing + len(names_e ^ names_a), "total": len(names_e | names_a)}
        if not out:
            return Comparison.same(**metrics)
        head = []
        if names_e - names_a:
            head.append(f"{len(names_e - names_a)} variable(s) missing")
        if names_a - names_e:
            head.append(f"{len(names_a - names_e)} unexpected variable(s)")
        if differing:
            head.append(f"{differing} of {len(names_e & names_a)} variable(s) differ")
        return Comparison.differ(*out, summary=", ".join(head), **metrics)

    def _compare_variable(self, name: str, te: Any, ta: Any) -> Comparison:
        if name == OBJECT_GRAPH and self.object_graph == "proto" and name not in self.rules:
            from tensorflow.core.protobuf import trackable_object_graph_pb2

            return ProtoComparator(trackable_object_graph_pb2.TrackableObjectGraph).compare(_as_bytes(te), _as_bytes(ta))
        return self._comparator_for(name).compare(te, ta)


class _Reader:
    """A ``CheckpointReader`` with the files it reads, so that a read error can name them."""

    def __init__(self, reader: Any, prefix: str, side: str) -> None:
        self.reader, self.prefix, self.side = reader, prefix, side

    def maps(self) -> tuple[dict, dict]:
        return self.reader.get_variable_to_shape_map(), self.reader.get_variable_to_dtype_map()

    def tensor(self, name: str) -> Any:
        return self.reader.get_tensor(name)

    def files(self) -> str:
        if not self.prefix:
            return "(reader)"
        data = sorted(os.path.basename(p) for p in glob.glob(glob.escape(self.prefix) + ".data-*"))
        return f"{self.prefix} (index {os.path.basename(self.prefix)}.index, data {', '.join(data) or 'file missing'})"


def _error(exc: BaseException) -> str:
    """TensorFlow's error, first line only, with its type: ``DataLossError: Checksum does not match ...``."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:300]}"


def _as_bytes(value: Any) -> bytes:
    import numpy as np

    if isinstance(value, bytes):
        return value
    arr = np.asarray(value)
    if arr.ndim == 0:
        return bytes(arr.item())
    raise ComparatorInputError(f"expected a scalar string tensor, got shape {arr.shape}")
