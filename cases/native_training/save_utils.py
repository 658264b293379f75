"""Parity of monolith/native_training/save_utils.py's checkpoint-state file
(Rust: ``monolith_training::native_training::save_utils``).

* ``get_monolith_checkpoint_state(checkpoint_dir, filename=None, remove_invalid_path=False)``:
  the returned ``MonolithCheckpointState`` (compared as the dict of its present fields, json_format.MessageToDict: presence included) or
  None, and the directory tree after the call.
* The file the checkpoint hook writes (save_utils.py:413-416, ``NoFirstSaveCheckpointSaverHook.
  _create_or_update_monolith_ckpt_state``): ``file_io.atomic_write_string_to_file(<dir>/monolith_checkpoint,
  text_format.MessageToString(state))`` -- TensorFlow's text format, as monolith calls it -- vs
  ``write_monolith_checkpoint_state(dir, state, overwrite)``: the resulting tree, byte for byte.

Inputs are directory trees built per call in a scratch directory (_support/scratch.py; both sides
get identical trees, ``{root}`` in a file is the scratch root, and results write it back as
``{root}``).  ``checkpoint_dir`` is a path inside the tree; ``"rel:model"`` passes the relative
path ``model`` with the scratch root as the working directory.  Model directories hold V2
checkpoints as TensorFlow writes them: only ``model.ckpt-N.index`` and ``.data-*`` files, no file
named by the prefix itself.  The Python side runs in a worker per case file (TensorFlow, cwd).
"""

from __future__ import annotations

from hypothesis import strategies as st

from pytest_monolith_parity import Case, compare, divergence, driver, example, python_call
from ._support.scratch import inside, path_in, scratch, snapshot, unroot

COVERS = "monolith/native_training/save_utils.py"
STATE = "monolith.native_training.MonolithCheckpointState"
V2 = {"model/model.ckpt-10.index": b"index", "model/model.ckpt-10.data-00000-of-00001": b"data"}


def _state_class():
    from monolith.native_training import monolith_checkpoint_state_pb2

    return monolith_checkpoint_state_pb2.MonolithCheckpointState


def _unrooted_state(state, root):
    """The message as a dict of its present fields (proto2: presence kept; enums by name, int64 as text),
    the scratch root written as ``{root}`` in its paths."""
    if state is None:
        return None
    from google.protobuf import json_format

    out = type(state)()
    out.CopyFrom(state)
    del out.exempt_model_checkpoint_paths[:]
    out.exempt_model_checkpoint_paths.extend(unroot(list(state.exempt_model_checkpoint_paths), root))
    return json_format.MessageToDict(out, preserving_proto_field_name=True)


# ----------------------------------------------------------------------------------------- get
def get_state_python(tree, checkpoint_dir, filename=None, remove_invalid_path=False):
    from monolith.native_training import save_utils

    with scratch(tree) as root:
        with inside(root):
            state = save_utils.get_monolith_checkpoint_state(path_in(root, checkpoint_dir), filename=filename,
                                                             remove_invalid_path=remove_invalid_path)
        return {"state": _unrooted_state(state, root), "tree": snapshot(root)}


def get_state_rust(tree, checkpoint_dir, filename=None, remove_invalid_path=False):
    import monolith_parity_rs as rs

    with scratch(tree) as root:
        with inside(root):
            raw = rs.get_monolith_checkpoint_state(path_in(root, checkpoint_dir), filename, remove_invalid_path)
        state = None if raw is None else _state_class().FromString(raw)
        return {"state": _unrooted_state(state, root), "tree": snapshot(root)}


def state_file(text, extra=None):
    return {"model/monolith_checkpoint": text, **(extra or {})}


FULL = ('exempt_model_checkpoint_paths: "model.ckpt-10"\nexempt_model_checkpoint_paths: "model.ckpt-20"\n'
        "last_checkpoint_save_timestamp: 1700000000\nbuiltin_hash_table_type: MULTI_CUCKOO_HASH_MAP\n")
# Random state files whose entries are V1 checkpoint files that exist, or paths that do not exist
# (both sides keep the former and drop the latter); V2 prefixes are the examples' (a recorded divergence).
_NAME = st.text(st.sampled_from("abcxyz019-_."), min_size=1, max_size=8).filter(lambda n: n not in (".", ".."))


def _state_tree(entries, timestamp, table_type):
    lines, tree = [], {}
    for name, exists, absolute in entries:
        lines.append(f'exempt_model_checkpoint_paths: "{"{root}/model/" if absolute else ""}ckpt-{name}"')
        if exists:
            tree[f"model/ckpt-{name}"] = b"v1"
    if timestamp is not None:
        lines.append(f"last_checkpoint_save_timestamp: {timestamp}")
    if table_type is not None:
        lines.append(f"builtin_hash_table_type: {table_type}")
    return {**tree, "model/monolith_checkpoint": "\n".join(lines) + "\n"}


STATE_TREES = st.builds(_state_tree, st.lists(st.tuples(_NAME, st.booleans(), st.booleans()), max_size=4),
                        st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)),
                        st.one_of(st.none(), st.sampled_from(["UNKNOWN", "CUCKOO_HASH_MAP", "MULTI_CUCKOO_HASH_MAP"])))
_V2_ONLY = divergence(
    "TF's checkpoint_exists (save_utils.py:117) finds a V2 checkpoint by its <prefix>.index file; the port "
    "keeps a path only if a file named by the prefix itself exists (save_utils.rs: p_abs.exists()), so it drops "
    "every V2 checkpoint", outcome="mismatch", message="root['state']['exempt_model_checkpoint_paths']: missing in actual")
_MERGE_LAST_WINS = divergence(
    "text_format.Merge takes the last of repeated values of a singular field (timestamp 2); the port's "
    "prost-reflect parser refuses the text, so it returns None", outcome="mismatch", message="root['state']")
_NOT_UTF8 = divergence(
    "file_io.read_file_to_string decodes UTF-8 and the UnicodeDecodeError is not one get_monolith_checkpoint_state "
    "catches (only OpError / ParseError, save_utils.py:124-131); the port returns None",
    outcome="python raised", message="UnicodeDecodeError")

Case(
    id="get_monolith_checkpoint_state",
    covers=COVERS,
    python=python_call(get_state_python, isolated=True),
    rust=driver(get_state_rust, needs="get_monolith_checkpoint_state"),
    examples=[
        example({"model/": None}, "model", id="no_state_file"),
        example({}, "absent", id="no_directory"),
        example(state_file(FULL), "model", id="every_field"),
        example(state_file(FULL), "rel:model", id="relative_dir"),
        example(state_file(FULL, V2), "model", remove_invalid_path=True, id="v2_prefix_relative_entry",
                expect=_V2_ONLY),
        example(state_file('exempt_model_checkpoint_paths: "{root}/model/model.ckpt-10"\n', V2), "model",
                remove_invalid_path=True, id="v2_prefix_absolute_entry", expect=_V2_ONLY),
        example(state_file(FULL, V2), "rel:model", remove_invalid_path=True, id="v2_prefix_relative_dir",
                expect=_V2_ONLY),
        example(state_file(FULL, {"model/model.ckpt-10": b"v1"}), "model", remove_invalid_path=True,
                id="v1_file_entry"),
        example(state_file(FULL, {"model/model.ckpt-10": b"v1"}), "rel:model", remove_invalid_path=True,
                id="v1_file_entry_relative_dir"),
        example(state_file('exempt_model_checkpoint_paths: "/nonexistent/parity/model.ckpt-1"\n'
                           'exempt_model_checkpoint_paths: "gone"\nexempt_model_checkpoint_paths: "gone"\n'),
                "model", remove_invalid_path=True, id="stale_entries_removed"),
        example(state_file(FULL), "model", remove_invalid_path=False, id="stale_entries_kept"),
        example({"model/other_state": FULL}, "model", "other_state", id="custom_filename"),
        example({"model/monolith_checkpoint": FULL}, "model", "other_state", id="custom_filename_missing"),
        example(state_file(""), "model", id="empty_file"),
        example(state_file("this is not a message"), "model", id="parse_error"),
        example(state_file("unknown_field: 1\n"), "model", id="unknown_field"),
        example(state_file("builtin_hash_table_type: NOPE\n"), "model", id="unknown_enum_name"),
        example(state_file("builtin_hash_table_type: 2\n"), "model", id="enum_by_number"),
        example(state_file("last_checkpoint_save_timestamp: 1\nlast_checkpoint_save_timestamp: 2\n"), "model",
                id="singular_field_repeated", expect=_MERGE_LAST_WINS),
        example(state_file('exempt_model_checkpoint_paths: ["a", "b"]\n'), "model", id="list_syntax"),
        example(state_file("# written by hand\nexempt_model_checkpoint_paths: 'single'  # quoted\n"), "model",
                id="comments_and_single_quotes"),
        example(state_file('exempt_model_checkpoint_paths: "caf\\303\\251 \\"q\\" \\\\ \\n"\n'), "model",
                id="escapes"),
        example(state_file('exempt_model_checkpoint_paths: "café"\n'), "model", id="raw_utf8"),
        example(state_file(b'exempt_model_checkpoint_paths: "\xff"\n'), "model", id="not_utf8", expect=_NOT_UTF8),
        example({"model/monolith_checkpoint/": None}, "model", id="state_path_is_a_directory"),
        example(state_file("last_checkpoint_save_timestamp: -9223372036854775808\n"), "model", id="int64_min"),
        example(state_file("last_checkpoint_save_timestamp: 9223372036854775808\n"), "model", id="int64_overflow"),
    ],
    strategy=st.builds(lambda *a: a[:2] + (None, a[2]), STATE_TREES, st.sampled_from(["model", "rel:model"]),
                       st.booleans()),
    max_examples=30,
    compare=compare.structured(),
)

# ----------------------------------------------------------------------------------------- write
def _message(fields, root):
    state = _state_class()()
    for name, value in fields.items():
        if name == "exempt_model_checkpoint_paths":
            state.exempt_model_checkpoint_paths.extend(p.replace("{root}", root) for p in value)
        else:
            setattr(state, name, value)
    return state


def write_state_python(tree, checkpoint_dir, fields, overwrite=True):
    """save_utils.py:413-416: the state file as the checkpoint hook writes it."""
    import os

    from google.protobuf import text_format
    from tensorflow.python.lib.io import file_io

    from monolith.native_training import save_utils

    with scratch(tree) as root:
        with inside(root):
            filename = os.path.join(path_in(root, checkpoint_dir), save_utils.MONOLITH_CKPT_STATE_FILE_NAME)
            file_io.atomic_write_string_to_file(filename, text_format.MessageToString(_message(fields, root)),
                                                overwrite=overwrite)
        return snapshot(root)


def write_state_rust(tree, checkpoint_dir, fields, overwrite=True):
    import monolith_parity_rs as rs

    with scratch(tree) as root:
        with inside(root):
            rs.write_monolith_checkpoint_state(path_in(root, checkpoint_dir),
                                               _message(fields, root).SerializeToString(), overwrite)
        return snapshot(root)


ALL_FIELDS = {"exempt_model_checkpoint_paths": ["{root}/model/model.ckpt-10", "model.ckpt-20"],
              "last_checkpoint_save_timestamp": 1700000000, "builtin_hash_table_type": 1}
_TEXT_FORMAT = divergence(
    "TF writes text_format.MessageToString (`field: value` with a space); the port's prost-reflect text "
    "format writes the same fields differently (`exempt_model_checkpoint_paths:[...]`, observed)", outcome="mismatch",
    message="root['model/monolith_checkpoint']: bytes differ at offset")

Case(
    id="write_monolith_checkpoint_state",
    covers=COVERS,
    python=python_call(write_state_python, isolated=True),
    rust=driver(write_state_rust, needs="write_monolith_checkpoint_state"),
    examples=[
        example({"model/": None}, "model", {}, id="empty_state"),
        example({"model/": None}, "model", ALL_FIELDS, id="every_field", expect=_TEXT_FORMAT),
        example({"model/": None}, "rel:model", ALL_FIELDS, id="relative_dir", expect=_TEXT_FORMAT),
        example({"model/": None}, "model", {"builtin_hash_table_type": 0}, id="enum_unknown_present", expect=_TEXT_FORMAT),
        example({"model/": None}, "model", {"last_checkpoint_save_timestamp": -1}, id="negative_timestamp", expect=_TEXT_FORMAT),
        example({"model/": None}, "model", {"exempt_model_checkpoint_paths": ["café/模型"]}, id="non_ascii_path", expect=_TEXT_FORMAT),
        example({"model/": None}, "model", {"exempt_model_checkpoint_paths": ['a "quoted" \\ path\n']},
                id="escaped_path", expect=_TEXT_FORMAT),
        example({"model/monolith_checkpoint": "old"}, "model", ALL_FIELDS, id="overwrite_existing", expect=_TEXT_FORMAT),
        example({"model/monolith_checkpoint": "old"}, "model", ALL_FIELDS, overwrite=False,
                id="no_overwrite_existing", expect=divergence(
            "overwrite=False on an existing file: TF's atomic_write_string_to_file raises AlreadyExistsError; the port "
            "writes nothing and returns", outcome="python raised", message="AlreadyExistsError: file already exists")),
    ],
    compare=compare.structured(),
)
