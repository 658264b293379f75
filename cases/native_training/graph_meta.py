"""Parity of monolith/native_training/graph_meta.py (Rust: ``monolith_training::native_training::graph_meta``).

``get_meta(key, MetaFactory)`` keeps one dict of metas per TensorFlow graph and returns the stored
object, calling the factory only when the key is new; monolith's callers then mutate that object
(hash_table_ops.py, variables.py).  The port keeps typed values per graph id:
``get_meta_cloned`` returns a copy and ``update_meta`` mutates in place.

An example is a sequence of ops over named graphs (each name is a fresh ``tf.Graph()`` on the
Python side and a fresh graph id on the Rust side, so no state survives from an earlier call):

* ``("get", graph, key, made)``: ``get_meta(key, factory)`` where the factory returns ``made``
  (a list of ints or a str); recorded: the value returned;
* ``("append", graph, key, made, item)``: ``get_meta(key, factory).append(item)`` (Python) /
  ``update_meta(..., |v| v.push(item))`` (Rust); recorded: the list afterwards.

Also recorded: how many times each op's factory was called (Python: only for a new key).
"""

from __future__ import annotations

import uuid

from pytest_monolith_parity import Case, divergence, driver, example, python_call

COVERS = "monolith/native_training/graph_meta.py"


def _counting(made, calls):
    def factory():
        calls.append(1)
        return list(made) if isinstance(made, list) else made
    return factory


def graph_meta_python(ops):
    import tensorflow as tf

    from monolith.native_training import graph_meta

    graphs, out = {}, []
    for op in ops:
        name, graph, key, made = op[:4]
        calls = []
        with graphs.setdefault(graph, tf.Graph()).as_default():
            value = graph_meta.get_meta(key, _counting(made, calls))
            if name == "append":
                value.append(op[4])
        out.append([name, list(value) if isinstance(value, list) else value, len(calls)])
    return out


def graph_meta_rust(ops):
    import monolith_parity_rs as rs

    prefix, out = uuid.uuid4().hex, []
    for op in ops:
        name, graph, key, made = op[:4]
        calls = []
        graph_id = f"{prefix}-{graph}"
        if name == "append":
            value = rs.graph_meta_append(graph_id, key, op[4], _counting(made, calls))
        else:
            kind = "text" if isinstance(made, str) else "ints"
            value = rs.graph_meta_get_meta(graph_id, key, kind, _counting(made, calls))
        out.append([name, value, len(calls)])
    return out


Case(
    id="get_meta",
    covers=COVERS,
    python=python_call(graph_meta_python, isolated=True),
    rust=driver(graph_meta_rust, needs="graph_meta_get_meta"),
    examples=[
        example([("get", "g", "k", [1]), ("get", "g", "k", [2])], id="factory_once"),
        example([("get", "g", "a", [1]), ("get", "g", "b", [2]), ("get", "g", "a", [3])], id="two_keys"),
        example([("get", "g1", "k", [1]), ("get", "g2", "k", [2]), ("get", "g1", "k", [3])], id="per_graph"),
        example([("append", "g", "k", [], 5), ("append", "g", "k", [], 6), ("get", "g", "k", [9])],
                id="mutated_in_place"),
        example([("get", "g", "k", "text"), ("get", "g", "k", "other")], id="text_meta"),
        example([("get", "g", "k", [1]), ("get", "g", "k", "text")], id="read_as_another_type"),
    ],
)
