"""SavedModel directories: meta graphs, signatures, optionally graphs, and variables.

``saved_model.pb`` is parsed as a ``SavedModel`` proto.  Meta graphs are
matched by tag set; for each, the signatures are compared by key, method name,
and input/output names, dtypes and shapes (tensor names inside the graph are
implementation details and compared only with ``tensor_names=True``).
``graph=True`` also compares the GraphDef node sets (name -> op) and the
function library names, with TensorFlow's uid suffixes (``__inference_f_75``)
stripped and counted as a multiset; off by default since node naming is an
implementation detail a port need not copy.  ``variables/`` goes through the checkpoint comparator.
"""

from __future__ import annotations

import collections
import os
import re
from typing import Any

from .base import Comparator, ComparatorInputError, Comparison, Difference, nest
from .checkpoint import CheckpointComparator, require_tensorflow


def _function_name(name: str) -> str:
    """A library function's name without TensorFlow's global uid suffix (``__inference_serve_75``)."""
    return re.sub(r"_\d+$", "", name)


def _type_name(value: int) -> str:
    from tensorflow.core.framework import types_pb2

    try:
        return types_pb2.DataType.Name(value)
    except ValueError:
        return str(value)


def _node_sig(node: Any) -> str:
    """A node's op and its type attributes, e.g. ``Placeholder(dtype=DT_FLOAT)``."""
    types = [f"{k}={_type_name(v.type)}" for k, v in sorted(node.attr.items()) if v.WhichOneof("value") == "type"]
    return f"{node.op}({', '.join(types)})"


def _function_sig(function: Any) -> tuple[str, str]:
    """(uid-free name, argument types) of a library function."""
    sig = function.signature
    ins = ", ".join(_type_name(a.type) for a in sig.input_arg)
    outs = ", ".join(_type_name(a.type) for a in sig.output_arg)
    return _function_name(sig.name), f"({ins}) -> ({outs})"


def _tags(meta_graph: Any) -> str:
    return ",".join(sorted(meta_graph.meta_info_def.tags))


def _shape(info: Any) -> str:
    shape = info.tensor_shape
    if shape.unknown_rank:
        return "<unknown rank>"
    return "[" + ", ".join("?" if d.size < 0 else str(d.size) for d in shape.dim) + "]"


def _dtype(info: Any) -> str:
    from tensorflow.core.framework import types_pb2

    try:
        return types_pb2.DataType.Name(info.dtype)
    except ValueError:
        return str(info.dtype)


class SavedModelComparator(Comparator):
    """Compare two SavedModel directories.

    Options: ``signatures`` (default True), ``tensor_names`` (compare graph tensor
    names of signature inputs/outputs, default False), ``graph`` (node and
    function sets, default False), ``variables`` (default True) and
    ``checkpoint`` (the comparator for ``variables/``; default
    ``CheckpointComparator()``).
    """

    name = "saved_model"
    takes_path = True

    def __init__(
        self,
        *,
        signatures: bool = True,
        tensor_names: bool = False,
        graph: bool = False,
        variables: bool = True,
        checkpoint: CheckpointComparator | None = None,
    ) -> None:
        self.signatures = bool(signatures)
        self.tensor_names = bool(tensor_names)
        self.graph = bool(graph)
        self.variables = bool(variables)
        self.checkpoint = checkpoint or CheckpointComparator()

    def describe(self) -> str:
        flags = [n for n in ("signatures", "tensor_names", "graph", "variables") if getattr(self, n)]
        return f"saved_model({', '.join(flags)})"

    def _load(self, value: Any, side: str) -> tuple[Any, Difference | None]:
        if not isinstance(value, (str, os.PathLike)):
            raise ComparatorInputError(f"saved_model comparator needs a directory path, {side} is {type(value).__name__}")
        path = os.path.join(os.fspath(value), "saved_model.pb")
        if not os.path.isfile(path):
            return None, Difference("saved_model.pb", f"{side}: missing ({path})")
        from tensorflow.core.protobuf import saved_model_pb2

        model = saved_model_pb2.SavedModel()
        try:
            with open(path, "rb") as f:
                model.ParseFromString(f.read())
        except Exception as exc:  # noqa: BLE001 - DecodeError and friends
            return None, Difference("saved_model.pb", f"{side}: not a SavedModel proto: {exc}")
        return model, None

    def compare(self, expected: Any, actual: Any) -> Comparison:
        require_tensorflow("SavedModels")
        me, de = self._load(expected, "expected")
        ma, da = self._load(actual, "actual")
        if de or da:
            found = [d for d in (de, da) if d]
            return Comparison.differ(*found, summary="; ".join(d.message for d in found))
        out: list[Difference] = []
        graphs_e = {_tags(m): m for m in me.meta_graphs}
        graphs_a = {_tags(m): m for m in ma.meta_graphs}
        for tags in sorted(set(graphs_e) | set(graphs_a)):
            path = f'meta_graphs["{tags}"]'
            if tags not in graphs_a:
                out.append(Difference(path, "meta graph missing in actual"))
            elif tags not in graphs_e:
                out.append(Difference(path, "meta graph unexpected in actual"))
            else:
                if self.signatures:
                    out.extend(self._signatures(graphs_e[tags], graphs_a[tags], path))
                if self.graph:
                    out.extend(self._graph(graphs_e[tags], graphs_a[tags], path))
        if self.variables:
            out.extend(self._variables(expected, actual))
        if not out:
            return Comparison.same()
        return Comparison.differ(*out, summary=f"{len(out)} difference(s) between SavedModels")

    def _signatures(self, ge: Any, ga: Any, path: str) -> list[Difference]:
        out: list[Difference] = []
        se, sa = ge.signature_def, ga.signature_def
        for key in sorted(set(se) | set(sa)):
            p = f'{path}.signatures["{key}"]'
            if key not in sa:
                out.append(Difference(p, "signature missing in actual"))
                continue
            if key not in se:
                out.append(Difference(p, "signature unexpected in actual"))
                continue
            if se[key].method_name != sa[key].method_name:
                out.append(Difference(f"{p}.method_name", f"{se[key].method_name!r} != {sa[key].method_name!r}"))
            for part in ("inputs", "outputs"):
                te, ta = getattr(se[key], part), getattr(sa[key], part)
                for name in sorted(set(te) | set(ta)):
                    q = f'{p}.{part}["{name}"]'
                    if name not in ta:
                        out.append(Difference(q, f"missing in actual (expected {_dtype(te[name])} {_shape(te[name])})"))
                    elif name not in te:
                        out.append(Difference(q, f"unexpected in actual (actual {_dtype(ta[name])} {_shape(ta[name])})"))
                    else:
                        out.extend(self._tensor_info(te[name], ta[name], q))
        return out

    def _tensor_info(self, ie: Any, ia: Any, path: str) -> list[Difference]:
        out = []
        if ie.dtype != ia.dtype:
            out.append(Difference(f"{path}.dtype", f"{_dtype(ie)} != {_dtype(ia)}"))
        if _shape(ie) != _shape(ia):
            out.append(Difference(f"{path}.shape", f"{_shape(ie)} != {_shape(ia)}"))
        if ie.WhichOneof("encoding") != ia.WhichOneof("encoding"):
            out.append(Difference(f"{path}.encoding", f"{ie.WhichOneof('encoding')} != {ia.WhichOneof('encoding')}"))
        elif self.tensor_names and ie.name != ia.name:
            out.append(Difference(f"{path}.name", f"{ie.name!r} != {ia.name!r}"))
        return out

    def _graph(self, ge: Any, ga: Any, path: str) -> list[Difference]:
        out: list[Difference] = []
        ne = {n.name: _node_sig(n) for n in ge.graph_def.node}
        na = {n.name: _node_sig(n) for n in ga.graph_def.node}
        for name in sorted(set(ne) | set(na)):
            p = f'{path}.graph.node["{name}"]'
            if name not in na:
                out.append(Difference(p, f"missing in actual (op {ne[name]})"))
            elif name not in ne:
                out.append(Difference(p, f"unexpected in actual (op {na[name]})"))
            elif ne[name] != na[name]:
                out.append(Difference(p, f"{ne[name]} != {na[name]}"))
        fe = collections.Counter(_function_sig(f) for f in ge.graph_def.library.function)
        fa = collections.Counter(_function_sig(f) for f in ga.graph_def.library.function)
        for sig in sorted(set(fe) | set(fa)):
            if fe[sig] != fa[sig]:
                out.append(Difference(f'{path}.graph.library["{sig[0]}"]', f"function {sig[0]}{sig[1]}: {fe[sig]} in expected != {fa[sig]} in actual"))
        return out

    def _variables(self, expected: Any, actual: Any) -> list[Difference]:
        prefixes = [os.path.join(os.fspath(v), "variables", "variables") for v in (expected, actual)]
        present = [os.path.exists(p + ".index") for p in prefixes]
        if not any(present):
            return []
        if not all(present):
            side = "actual" if present[0] else "expected"
            return [Difference("variables", f"{side} has no variables/variables.index")]
        return nest(self.checkpoint.compare(*prefixes), "")
