"""Parity of monolith/agent_service/tfs_client.py (Rust: ``monolith_serving::tfs_client``).

Covered where a Rust API exists: reading framed data files (``read_data``: optional
header, ``<u64 little-endian size><payload>``), ``get_instance_proto`` (framed Instances
-> a DT_STRING tensor), ``get_example_batch_to_instance`` (an ExampleBatch, framed
``pb`` or ``pbtxt``, -> one serialized Instance per row).

Python takes the framing options from absl flags (``FLAGS.lagrangex_header``,
``has_sort_id``, ``kafka_dump``, ``kafka_dump_prefix``); a case gives them as keyword
arguments: the Python side sets the flags around the call (:func:`absl_flags`) and
restores them, the Rust side passes ``FramedFileFlags``.

Input files: ``"checkout:<path>"`` is read from the checkout under test at run time
(``agent_service/example_batch.pbtxt``, ``test_data/inst.pbtext``); ``{"framed": ...}``
is a framed file both sides' ``adapt`` write to a temporary directory from such a
checkout file (payload = the message parsed by the reference's protobuf and
serialized), with the header the flags call for; ``{"pbtxt": text}`` a text file.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import shutil
import struct
import tempfile
from pathlib import Path

from hypothesis import strategies as st

from pytest_monolith_parity import Args, Case, compare, divergence, example, pyo3, python_call
from pytest_monolith_parity.helpers import checkout_root

MODULE = "monolith.agent_service.tfs_client"
COVERS = "monolith/agent_service/tfs_client.py"
FLAG_NAMES = ("lagrangex_header", "has_sort_id", "kafka_dump", "kafka_dump_prefix")
EXAMPLE_BATCH = "checkout:monolith/agent_service/example_batch.pbtxt"
INSTANCE = "checkout:monolith/agent_service/test_data/inst.pbtext"


# ----------------------------------------------------------------------------------------- helpers
def _message(kind):
    if kind == "example_batch":
        return importlib.import_module("idl.matrix.proto.example_pb2").ExampleBatch
    return importlib.import_module("idl.matrix.proto.proto_parser_pb2").Instance


def _header(flags):
    """The bytes ``read_header`` skips for these flags (sort id b'sortid!!')."""
    sort_id = b"sortid!!"
    if flags.get("lagrangex_header"):
        return struct.pack("<Q", 0xABCDEF)
    out = b""
    if flags.get("kafka_dump_prefix"):
        out += struct.pack("<Q", len(sort_id)) if flags.get("has_sort_id") else struct.pack("<QQ", 0, 99)
    if flags.get("has_sort_id"):
        if not flags.get("kafka_dump_prefix"):
            out += struct.pack("<Q", len(sort_id))
        out += sort_id
    if flags.get("kafka_dump"):
        out += struct.pack("<Q", 7)
    return out


def materialize(spec, flags):
    if isinstance(spec, str) and spec.startswith("checkout:"):
        return str(checkout_root() / spec[len("checkout:"):])
    if isinstance(spec, dict):
        directory = tempfile.mkdtemp(prefix="parity-tfs-client-")
        atexit.register(shutil.rmtree, directory, True)
        path = Path(directory, "data")
        if "pbtxt" in spec:
            path.write_text(spec["pbtxt"])
            return str(path)
        from google.protobuf import text_format

        kind, source = spec["framed"]
        message = text_format.Parse(Path(materialize(source, flags)).read_text(), _message(kind)())
        payload = message.SerializeToString()
        records = b"".join(_header(flags) + struct.pack("<Q", len(payload)) + payload
                           for _ in range(spec.get("count", 1)))
        path.write_bytes(records[:spec["truncate"]] if "truncate" in spec else records)
        return str(path)
    return spec


def rust_adapt(spec, *rest, **flags):
    return Args((materialize(spec, flags), *rest), flags)


@contextlib.contextmanager
def absl_flags(values):
    """Set tfs_client's absl flags (marking FLAGS parsed if needed), restoring them afterwards."""
    importlib.import_module(MODULE)  # defines the flags
    from absl import flags

    FLAGS = flags.FLAGS
    was_parsed = FLAGS.is_parsed()
    if not was_parsed:
        FLAGS.mark_as_parsed()
    saved = {name: FLAGS[name].value for name in FLAG_NAMES}
    try:
        for name in FLAG_NAMES:
            FLAGS[name].value = bool(values.get(name, False))
        yield
    finally:
        for name, value in saved.items():
            FLAGS[name].value = value
        if not was_parsed:
            FLAGS.unparse_flags()


def _reference_call(function, spec, *rest, **flags):
    """The Python function with the file spec materialized and the flags set around the call."""
    with absl_flags(flags):
        return getattr(importlib.import_module(MODULE), function)(materialize(spec, flags), *rest)


# Module-level, so they can run isolated: tfs_client imports client.py, whose absl flags clash
# (DuplicateFlagError) with agent_controller.py's when both are imported into one process.
def py_get_instance_proto(spec, *rest, **flags):
    return _reference_call("get_instance_proto", spec, *rest, **flags)


def py_get_example_batch_to_instance(spec, *rest, **flags):
    return _reference_call("get_example_batch_to_instance", spec, *rest, **flags)


def python_side(function):
    """The reference side of ``function``, in this case file's own worker process."""
    return {"get_instance_proto": py_get_instance_proto,
            "get_example_batch_to_instance": py_get_example_batch_to_instance}[function]


def proto_compare(full_name, module, **options):
    importlib.import_module(module)
    return compare.proto(full_name, **options)


TENSOR = proto_compare("tensorflow.TensorProto", "tensorflow.core.framework.tensor_pb2")


def _instances(tensor):
    """``post``: the tensor's dtype, shape and every Instance decoded (for a field-level diff)."""
    from tensorflow.core.framework.tensor_pb2 import TensorProto

    if isinstance(tensor, bytes):
        tensor = TensorProto.FromString(tensor)
    instance = _message("instance")
    return {"dtype": tensor.dtype, "shape": [d.size for d in tensor.tensor_shape.dim],
            "instances": [instance.FromString(s) for s in tensor.string_val]}


_FLAG_SETS = [{}, {"lagrangex_header": True}, {"has_sort_id": True}, {"kafka_dump": True},
              {"kafka_dump_prefix": True}, {"kafka_dump_prefix": True, "has_sort_id": True},
              {"has_sort_id": True, "kafka_dump": True}]


def _flag_id(flags):
    return "-".join(sorted(flags)) or "no_header"


# ----------------------------------------------------------------------------------------- read_data
def _read_example_batch(path, **flags):
    with absl_flags(flags):
        tfs_client = importlib.import_module(MODULE)
        with open(path, "rb") as stream:
            # read_data returns the payload bytes; callers parse them (ExampleBatch.ParseFromString), and the
            # Rust API returns the parsed message, so both are compared as ExampleBatch messages.
            return _message("example_batch").FromString(tfs_client.read_data(stream))


Case(id="read_data_example_batch", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=python_call(_read_example_batch, isolated=True, adapt=rust_adapt),
     rust=pyo3("read_framed_example_batch_from_file", adapt=rust_adapt),
     examples=[example({"framed": ("example_batch", EXAMPLE_BATCH)}, id=_flag_id(f), **f) for f in _FLAG_SETS]
     + [example({"framed": ("example_batch", EXAMPLE_BATCH), "truncate": 100}, id="truncated"),
        example({"framed": ("example_batch", EXAMPLE_BATCH), "truncate": 8}, id="truncated_after_size",
                expect=divergence("read_data returns the short read (stream.read(size) gives b'' here) and b'' "
                                  "parses as an empty ExampleBatch; Rust's read_exact reports UnexpectedEof",
                                  outcome="rust raised", message="ServingError: I/O error"))],
     compare=proto_compare("monolith.io.proto.ExampleBatch", "idl.matrix.proto.example_pb2"),
     errors={"error": "ServingError", "DecodeError": "ServingError"})

# ----------------------------------------------------------------------------------------- get_instance_proto
Case(id="get_instance_proto", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=python_call(isolated=True, target=python_side("get_instance_proto")),
     rust=pyo3("get_instance_proto", adapt=rust_adapt),
     examples=[
         example({"framed": ("instance", INSTANCE), "count": 3}, 3, id="three"),
         example({"framed": ("instance", INSTANCE), "count": 3}, 1, id="first_of_three"),
         example({"framed": ("instance", INSTANCE), "count": 3}, 0, id="batch_0"),
         example({"framed": ("instance", INSTANCE), "count": 2}, 3, id="fewer_records_than_batch"),
         *[example({"framed": ("instance", INSTANCE), "count": 2}, 2, id=_flag_id(f), **f,
                   expect=divergence("the Rust get_instance_proto takes no framing flags (always unprefixed "
                                     "records); Python honours FLAGS.* (binding: UnsupportedByPort)",
                                     outcome="rust raised", message="UnsupportedByPort"))
           for f in _FLAG_SETS[1:]],
     ],
     compare=TENSOR,
     errors={"error": "ServingError"})


def _random_instance_shape(tensor):
    """``post`` for random instances: what does not depend on the random draw."""
    decoded = _instances(tensor)
    return {"dtype": decoded["dtype"], "shape": decoded["shape"],
            "fids_per_instance": sorted({len(i.fid) for i in decoded["instances"]}),
            "slots": sorted({f >> 54 for i in decoded["instances"] for f in i.fid})}


Case(id="get_instance_proto_random", covers=COVERS,
     python=python_call(f"{MODULE}:get_instance_proto", isolated=True, post=_random_instance_shape),
     rust=pyo3("get_instance_proto", post=_random_instance_shape),
     examples=[example(None, 4, id="no_file",
                       expect=divergence("without a file Python draws 30 fids per instance (slots 1-6, 5 each, "
                                         "generate_random_instance); Rust builds one deterministic fid "
                                         "(slot 1) per instance", outcome="mismatch",
                                         message="root['fids_per_instance'][0]"))])

# ----------------------------------------------------------------------------------------- get_example_batch_to_instance
def _eb_pbtxt(batch_size, lists):
    body = "".join(
        f'named_feature_list {{ name: "{name}"{extra} ' + "".join(f"feature {{ {f} }} " for f in feats) + "}\n"
        for name, extra, feats in lists)
    return {"pbtxt": f"batch_size: {batch_size}\n{body}"}


_LINE_ID = 'bytes_list { value: "\\030\\005\\062\\002\\001\\002" }'   # LineId: req_time 5, actions [1, 2]
EB_KINDS = _eb_pbtxt(2, [
    ("fid_v1", "", ["fid_v1_list { value: 9376215397644962785 value: 18014398509481985 }", ""]),
    ("fid_v2", "", ["fid_v2_list { value: 281474976710657 }", "fid_v2_list { value: 2 value: 3 }"]),
    ("floats", "", ["float_list { value: 0.5 }", "float_list { value: -1.25 value: 3e38 }"]),
    ("doubles", "", ["double_list { value: 0.1 }", "double_list { value: 1e300 }"]),
    ("ints", "", ["int64_list { value: -9223372036854775808 }", "int64_list { value: 7 }"]),
    ("bytes", "", ['bytes_list { value: "ab\\000c" }', 'bytes_list { value: "模" }']),
    ("shared", " type: SHARED", ["fid_v2_list { value: 42 }"]),
    ("__LABEL__", "", ["float_list { value: 1 }", "float_list { value: 0 value: 1 }"]),
    ("__LINE_ID__", "", [_LINE_ID, _LINE_ID]),
])

def _unknown_line_id_fields(message):
    return divergence(
        "the checkout's example_batch.pbtxt has LineId bytes with fields 11, 20 and 163, which neither schema "
        "declares: Python's ParseFromString keeps them as unknown fields and re-serializes them into the Instance; "
        "prost drops unknown fields, so Rust's Instances are 32 bytes shorter", outcome="mismatch", message=message)


def eb_examples(checkout_message, double_label_message):
    checkout = _unknown_line_id_fields(checkout_message)
    return [
    example(EXAMPLE_BATCH, "pbtxt", id="checkout_pbtxt", expect=checkout),
    *[example({"framed": ("example_batch", EXAMPLE_BATCH)}, "pb", id=f"checkout_pb-{_flag_id(f)}", expect=checkout,
              **f)
      for f in _FLAG_SETS],
    example(EB_KINDS, "pbtxt", id="every_feature_kind"),
    example(_eb_pbtxt(0, [("fid_v2", "", ["fid_v2_list { value: 1 }"])]), "pbtxt", id="batch_size_0"),
    example(_eb_pbtxt(2, [("__LABEL__", "", ["double_list { value: 0.5 }", "double_list { value: 1 }"])]), "pbtxt",
            id="double_label",
            expect=divergence("Python's __LABEL__ column reads float_list only (a double label is dropped); Rust "
                              "also takes double_list", outcome="mismatch", message=double_label_message)),
    example(_eb_pbtxt(1, [("__LINE_ID__", "", [""])]), "pbtxt", id="empty_line_id",
            expect=divergence("an empty __LINE_ID__ feature: Python indexes bytes_list.value[0] (IndexError); Rust "
                              "skips it", outcome="python raised", message="IndexError")),
    example(_eb_pbtxt(3, [("fid_v2", "", ["fid_v2_list { value: 1 }"])]), "pbtxt", id="fewer_features_than_batch",
            expect=divergence("a non-shared list shorter than batch_size: Python indexes feature[i] (IndexError); "
                              "Rust skips the missing rows", outcome="python raised", message="IndexError")),
    example({"pbtxt": "batch_size: 1\nnot_a_field: 3\n"}, "pbtxt", id="bad_pbtxt"),
    example(_eb_pbtxt(1, [("__LINE_ID__", "", ['bytes_list { value: "\\020\\002" }'])]), "pbtxt",
            id="line_id_wrong_wire_type",
            expect=divergence("LineId bytes with field 2 (uid, fixed64) as a varint: Python's protobuf keeps the "
                              "mismatched field as an unknown field; prost fails the whole decode (ServingError "
                              "'invalid wire type')", outcome="rust raised",
                              message="ServingError: Invalid request: Failed to decode LineId")),
    ]

_ERRORS = {"ParseError": "ServingError", "error": "ServingError", "DecodeError": "ServingError"}

Case(id="get_example_batch_to_instance", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=python_call(isolated=True, target=python_side("get_example_batch_to_instance")),
     rust=pyo3("get_example_batch_to_instance", adapt=rust_adapt),
     examples=eb_examples("string_val[0]: bytes differ at offset 7",
                          "string_val[0]: bytes differ at offset 0 (length 0 != 6)"), compare=TENSOR, errors=_ERRORS)

Case(id="get_example_batch_to_instance_decoded", covers=COVERS,
     golden=False,  # inputs include the checkout's own files: a golden would copy its data here
     python=python_call(isolated=True, target=python_side("get_example_batch_to_instance"), post=_instances),
     rust=pyo3("get_example_batch_to_instance", adapt=rust_adapt, post=_instances),
     examples=eb_examples("root['instances'][0].line_id.<unknown 11>",
                          "root['instances'][0].label: length 0 != 1"), compare=compare.structured(),
     errors=_ERRORS)

_FIDS = st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=3)
_FEATURE = st.one_of(
    _FIDS.map(lambda v: "fid_v1_list { " + " ".join(f"value: {x}" for x in v) + " }"),
    _FIDS.map(lambda v: "fid_v2_list { " + " ".join(f"value: {x}" for x in v) + " }"),
    st.lists(st.integers(-2**63, 2**63 - 1), min_size=1, max_size=3).map(
        lambda v: "int64_list { " + " ".join(f"value: {x}" for x in v) + " }"),
    st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=3).map(
        lambda v: "float_list { " + " ".join(f"value: {x!r}" for x in v) + " }"),
    st.just(""),
)
_EB = st.integers(1, 3).flatmap(lambda n: st.lists(
    st.tuples(st.from_regex(r"f_[a-z]{1,6}", fullmatch=True), st.lists(_FEATURE, min_size=n, max_size=n)),
    max_size=4).map(lambda lists: (_eb_pbtxt(n, [(name, "", feats) for name, feats in lists]), "pbtxt")))

Case(id="get_example_batch_to_instance_generated", covers=COVERS,
     python=python_call(isolated=True, target=python_side("get_example_batch_to_instance"), post=_instances),
     rust=pyo3("get_example_batch_to_instance", adapt=rust_adapt, post=_instances),
     strategy=_EB, compare=compare.structured(), errors=_ERRORS)
