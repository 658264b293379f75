"""Parity of monolith/agent_service/data_def.py: the JSON records the agent keeps on ZooKeeper.

Python: the dataclasses themselves (``ModelMeta(**fields).serialize()``...).
Rust: ``monolith_parity_rs`` over ``monolith_serving::data_def`` (docs/rust-bindings.md);
a dataclass crosses as the dict of its fields.  For each record:

* ``<record>_serialize_bytes``: the exact bytes written to ZooKeeper;
* ``<record>_serialize_json``: the same bytes read as JSON (value, types and key order);
* ``<record>_deserialize``: what each side reads back from bytes, as a dict of fields;
* ``<record>_get_path`` (and ``replica_meta_get_address``): the ZK paths and addresses.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib

from hypothesis import strategies as st

from pytest_monolith_parity import Args, Case, compare, divergence, example, pyo3, python_call

MODULE = "monolith.agent_service.data_def"
COVERS = "monolith/agent_service/data_def.py"
I32 = st.integers(-2**31, 2**31 - 1)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)

COMPACT_JSON = divergence(
    "serde_json writes compact JSON ({\"a\":1}); Python's dataclasses_json.to_json uses json.dumps defaults "
    "({\"a\": 1}, non-ASCII escaped): the same JSON value, different bytes on ZooKeeper",
    outcome="mismatch", message="bytes differ at offset")


def _record(name: str):
    return getattr(importlib.import_module(MODULE), name)


def _instance(name: str):
    """Python-side ``adapt``: ``(fields, *rest)`` -> ``(Record(**fields), *rest)``."""

    def adapt(fields=None, *rest, **kwargs):
        return Args((_record(name)(**(fields or {})), *rest), kwargs)

    return adapt


def _fields(record) -> dict:
    """A dataclass instance as the dict of its fields, enums as their values (the Rust wrapper's shape)."""
    values = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    return {k: v.value if isinstance(v, enum.Enum) else v for k, v in values.items()}


def record_cases(name: str, prefix: str, wire: bytes, examples: list, json_examples: list = (),
                 deserialize_examples: list = (), strategy=None) -> None:
    """The serialize / deserialize cases of one record type; ``wire`` is what Python writes for the full example."""
    Case(id=f"{prefix}_serialize_bytes", covers=COVERS,
         python=python_call(f"{MODULE}:{name}.serialize", adapt=_instance(name)),
         rust=pyo3(f"{prefix}_serialize"), examples=examples, expect=COMPACT_JSON)
    Case(id=f"{prefix}_serialize_json", covers=COVERS,
         python=python_call(f"{MODULE}:{name}.serialize", adapt=_instance(name)),
         rust=pyo3(f"{prefix}_serialize"), examples=[*examples, *json_examples], strategy=strategy,
         compare=compare.json(key_order=True))
    Case(id=f"{prefix}_deserialize", covers=COVERS,
         python=python_call(f"{MODULE}:{name}.deserialize", post=_fields),
         rust=pyo3(f"{prefix}_deserialize"),
         examples=[
             example(wire, id="python_bytes"),
             example(wire.replace(b", ", b",").replace(b": ", b":"), id="compact_bytes"),
             example(b"{}", id="empty_object"),
             example(b"{", id="truncated"),
             example(b'{"no_such_field": 1}', id="unknown_field"),
             *deserialize_examples,
         ],
         errors={"JSONDecodeError": "SerdeJsonError", "ValueError": "SerdeJsonError"})


# ---------------------------------------------------------------------------------------------- ModelMeta
record_cases(
    "ModelMeta", "model_meta",
    b'{"model_name": "iptv_ex", "model_dir": "/opt/models/iptv_ex", "ckpt": "model.ckpt-61", "num_shard": 3, '
    b'"action": "CREATED", "spec_replicas": [0, 2]}',
    examples=[
        example({}, id="defaults"),
        example({"model_name": "iptv_ex", "model_dir": "/opt/models/iptv_ex", "ckpt": "model.ckpt-61",
                 "num_shard": 3, "action": "CREATED", "spec_replicas": [0, 2]}, id="full"),
    ],
    json_examples=[
        example({"model_name": "模型"}, id="non_ascii"),
        example({"num_shard": 2**40}, id="num_shard_beyond_i32",
                expect=divergence("ModelMeta.num_shard is an i32 in Rust; Python's dataclass holds any int",
                                  outcome="rust raised", message="UnsupportedByPort:")),
    ],
    deserialize_examples=[
        example(b'{"num_shard": "3"}', id="num_shard_as_str",
                expect=divergence("dataclasses_json does not check field types (num_shard stays '3'); "
                                  "serde rejects a string for an i32", outcome="rust raised",
                                  message="SerdeJsonError: invalid type: string")),
    ],
    strategy=st.fixed_dictionaries({}, optional={"model_name": TEXT, "num_shard": I32, "action": TEXT,
                                                 "spec_replicas": st.lists(I32, max_size=4)}).map(lambda d: (d,)),
)

# ---------------------------------------------------------------------------------------------- ResourceSpec
record_cases(
    "ResourceSpec", "resource_spec",
    b'{"address": "10.0.0.1:9000", "shard_id": 1, "replica_id": 2, "memory": 34359738368, "cpu": 15.5, '
    b'"network": 0.25, "work_load": 0.5}',
    examples=[
        example({}, id="defaults"),
        example({"address": "10.0.0.1:9000", "shard_id": 1, "replica_id": 2, "memory": 34359738368,
                 "cpu": 15.5, "network": 0.25, "work_load": 0.5}, id="full"),
    ],
    json_examples=[
        example({"cpu": 16}, id="int_cpu",
                expect=divergence("ResourceSpec.cpu is an f64 in Rust: an int 16 is written 16.0; Python writes "
                                  "the int as given", outcome="mismatch", message="root['cpu']: type int != float")),
    ],
)

# ---------------------------------------------------------------------------------------------- PublishMeta
record_cases(
    "PublishMeta", "publish_meta",
    b'{"shard_id": 0, "replica_id": 1, "model_name": "iptv_ex", "num_ps": 2, "total_publish_num": 3, '
    b'"sub_models": {"entry": "/models/iptv_ex/entry/1"}, "ptype": 2, "is_spec": true}',
    examples=[
        example({}, id="defaults"),
        example({"shard_id": 0, "replica_id": 1, "model_name": "iptv_ex", "num_ps": 2, "total_publish_num": 3,
                 "sub_models": {"entry": "/models/iptv_ex/entry/1"}, "ptype": 2, "is_spec": True}, id="full"),
    ],
    json_examples=[
        example({"sub_models": {f"ps_{i}": f"/models/ps_{i}/1" for i in range(8)}}, id="sub_models_order",
                expect=divergence("PublishMeta.sub_models is a HashMap in Rust: its keys come out in random "
                                  "order (Python keeps insertion order); 8 keys make a match a 1 in 40320 event",
                                  outcome="mismatch", message="root['sub_models']: key order")),
    ],
    deserialize_examples=[
        example(b'{"ptype": 2}', id="unload"),
        example(b'{"ptype": 3}', id="bad_ptype"),
    ],
)

# ---------------------------------------------------------------------------------------------- ReplicaMeta
record_cases(
    "ReplicaMeta", "replica_meta",
    b'{"address": "10.0.0.1:8500", "address_ipv6": "[fe80::1]:8500", "stat": 30, "model_name": "iptv_ex", '
    b'"server_type": "ps", "task": 0, "replica": 1, "archon_address": "10.0.0.1:8600", '
    b'"archon_address_ipv6": "[fe80::1]:8600"}',
    examples=[
        example({}, id="defaults"),
        example({"address": "10.0.0.1:8500", "address_ipv6": "[fe80::1]:8500", "stat": 30, "model_name": "iptv_ex",
                 "server_type": "ps", "task": 0, "replica": 1, "archon_address": "10.0.0.1:8600",
                 "archon_address_ipv6": "[fe80::1]:8600"}, id="full"),
    ],
)

# ---------------------------------------------------------------------------------------------- Event
record_cases(
    "Event", "event",
    b'{"path": "/iptv/portal/iptv_ex", "data": [0, 104, 105, 255], "etype": 3}',
    examples=[
        example({}, id="defaults"),
        example({"path": "/iptv/portal/iptv_ex", "data": b"\x00hi\xff", "etype": 3}, id="full"),
    ],
    deserialize_examples=[
        example(b'{"data": "aGk="}', id="data_as_base64",
                expect=divergence("Rust still accepts the legacy base64 form of Event.data; Python only a list "
                                  "of byte values", outcome="python raised", message="TypeError:")),
    ],
)

# ---------------------------------------------------------------------------------------------- paths, addresses
Case(id="model_meta_get_path", covers=COVERS,
     python=python_call(f"{MODULE}:ModelMeta.get_path", adapt=_instance("ModelMeta")),
     rust=pyo3("model_meta_get_path"),
     examples=[
         example({"model_name": "iptv_ex"}, "/iptv/portal", id="plain"),
         example({"model_name": "iptv_ex"}, "/iptv/portal/", id="trailing_slash"),
         example({"model_name": "iptv_ex"}, "", id="empty_base"),
         example({}, "/iptv/portal", id="no_name",
                 expect=divergence("Rust joins an unset model_name as '' (path '/iptv/portal/'); Python's "
                                   "os.path.join raises on None", outcome="python raised",
                                   message="TypeError: join() argument")),
     ])

Case(id="resource_spec_get_path", covers=COVERS,
     python=python_call(f"{MODULE}:ResourceSpec.get_path", adapt=_instance("ResourceSpec")),
     rust=pyo3("resource_spec_get_path"),
     examples=[
         example({"shard_id": 1, "replica_id": 2}, "/iptv/resource", id="plain"),
         example({}, "/iptv/resource", id="unset_ids",
                 expect=divergence("unset shard/replica ids are 'None:None' in Python, '0:0' in Rust "
                                   "(unwrap_or_default)", outcome="mismatch",
                                   message="root: '/iptv/resource/None:None' != '/iptv/resource/0:0'")),
     ])

Case(id="publish_meta_get_path", covers=COVERS,
     python=python_call(f"{MODULE}:PublishMeta.get_path", adapt=_instance("PublishMeta")),
     rust=pyo3("publish_meta_get_path"),
     examples=[
         example({"shard_id": 0, "replica_id": 3, "model_name": "iptv_ex"}, "/iptv/publish", id="plain"),
         example({}, "/iptv/publish", id="unset",
                 expect=divergence("unset fields are 'None:-1:None' in Python, '0:-1:' in Rust", outcome="mismatch",
                                   message="root: '/iptv/publish/None:-1:None' != '/iptv/publish/0:-1:'")),
     ])

Case(id="replica_meta_get_path", covers=COVERS,
     python=python_call(f"{MODULE}:ReplicaMeta.get_path", adapt=_instance("ReplicaMeta")),
     rust=pyo3("replica_meta_get_path"),
     examples=[
         example({"model_name": "iptv_ex", "server_type": "ps", "task": 0, "replica": 2}, "iptv", id="plain"),
         example({"model_name": "iptv_ex", "server_type": "entry", "task": 1, "replica": 0}, "iptv", ":",
                 id="custom_sep"),
         example({}, "iptv", id="unset",
                 expect=divergence("Rust joins an unset model_name as ''; Python's str.join raises on None",
                                   outcome="python raised", message="TypeError: sequence item 3")),
     ])

Case(id="replica_meta_get_address", covers=COVERS,
     python=python_call(f"{MODULE}:ReplicaMeta.get_address", adapt=_instance("ReplicaMeta")),
     rust=pyo3("replica_meta_get_address"),
     examples=[
         example({"address": "10.0.0.1:8500", "address_ipv6": "[fe80::1]:8500"}, id="ipv4"),
         example({"address": "10.0.0.1:8500", "address_ipv6": "[fe80::1]:8500"}, False, "ipv6", id="ipv6"),
         example({"address": "0.0.0.0:8500", "address_ipv6": "[fe80::1]:8500"}, id="wildcard_ipv4_falls_back"),
         example({"address": "10.0.0.1:8500", "address_ipv6": "[::]:8500"}, False, "ipv6",
                 id="wildcard_ipv6_falls_back"),
         example({"archon_address": "10.0.0.1:8600", "address": "10.0.0.1:8500"}, True, id="archon"),
         example({}, id="none"),
         example({"address": "10.0.0.1:8500"}, False, "ipv5", id="bad_family",
                 expect=divergence("an unknown address family is an assert in both: AssertionError in Python, "
                                   "a panic in Rust", outcome="rust panicked",
                                   message="rust panicked: address_family must be ipv4/ipv6")),
     ])

Case(id="empty_status", covers=COVERS,
     python=python_call(f"{MODULE}:EmptyStatus.SerializeToString"),
     rust=pyo3("empty_status"),
     examples=[example(id="serialized")])  # exact bytes: an empty message has one encoding
