"""monolith/agent_service/backends.py (ZKBackend) vs monolith_serving::backends::ZkBackend.

Each example is a sequence of operations driven on both sides (see
_support/zk_ops.py): ``*_real`` cases against a real
ZooKeeper server (each side in its own fresh chroot; the Rust ZkBackend over
kazoo through the ``ZkClient`` trait), ``*_fake`` cases against each side's own
in-memory fake client.  Compared: every op's result, the layout-callback log
and the final ZooKeeper tree (path, payload bytes, ephemeral flag; dumped while
the session is open).  Nothing in a result depends on session ids or times, so
goldens are recorded as is.

Ops: ``("decl_saved_model", [model, sub_graph], deploy_config)``,
``("list_saved_models", model)``, ``("add_to_layout", layout, [m, sg])``,
``("remove_from_layout", layout, [m, sg])``, ``("report_service_info", [cluster, id], info)``,
``("get_service_info", [cluster, id])``, ``("sync_available_saved_models", [cluster, id], [[m, sg], ...])``,
``("register_layout_callback", layout)``, ``("get_service_map",)``, ``("subscribe_model", m)``,
``("get_sync_targets", sg)``, ``("bzid_info",)``, ``("set_lost",)`` (the KazooState.LOST
listener's effect; Rust: ``set_lost_for_test``), ``("zk_ensure_path", p)`` (a raw write
through the side's own client, as another process would).
"""

from hypothesis import strategies as st

from pytest_monolith_parity import Case, compare, divergence, driver, example, python_call
from ._support import zk_ops  # noqa: F401
from ._support.zk_backend_driver import BZID, decoded, py_fake, py_real, rs_fake, rs_real

COVERS = "monolith/agent_service/backends.py"
L1 = f"/{BZID}/layouts/l1"
CFG_E = {"model_base_path": "/export/m/entry", "version_policy": "latest"}
CFG_P = {"model_base_path": "/export/m/ps_0", "version_policy": "latest_once"}
INFO1 = {"grpc": "10.0.0.1:8500", "http": "10.0.0.1:8501", "archon": "10.0.0.1:8600",
         "agent": "10.0.0.1:8700", "idc": "lq", "debug_info": None}
INFO2 = {"grpc": "10.0.0.2:8500", "http": None, "archon": None, "agent": None, "idc": "hl", "debug_info": "x"}
C1, C2 = ["c", "1"], ["c", "2"]


# ---------------------------------------------------------------------------------------------- sequences
SEQUENCES = {
    "decl_list_layout": [
        ("decl_saved_model", ["m", "entry"], CFG_E), ("decl_saved_model", ["m", "ps_0"], CFG_P),
        ("list_saved_models", "m"), ("list_saved_models", "absent"),
        ("add_to_layout", L1, ["m", "entry"]), ("add_to_layout", L1, ["m", "entry"]), ("bzid_info",),
        ("remove_from_layout", L1, ["m", "entry"]), ("remove_from_layout", L1, ["m", "entry"]), ("bzid_info",),
    ],
    "redeclare_overwrites": [
        ("decl_saved_model", ["m", "entry"], CFG_E), ("decl_saved_model", ["m", "entry"], CFG_P),
        ("decl_saved_model", ["m", "entry"], {}), ("bzid_info",),
    ],
    "service_info": [
        ("report_service_info", C1, INFO1), ("get_service_info", C1), ("get_service_info", C2),
        ("report_service_info", C1, INFO2), ("get_service_info", C1), ("bzid_info",),
    ],
    "sync_available": [
        ("decl_saved_model", ["m", "entry"], CFG_E),
        ("sync_available_saved_models", C1, [["m", "entry"], ["m", "ps_0"]]), ("bzid_info",),
        ("sync_available_saved_models", C1, [["m", "entry"]]), ("bzid_info",),
        ("sync_available_saved_models", C2, [["m", "entry"]]), ("bzid_info",),
        ("sync_available_saved_models", C1, []), ("bzid_info",),
    ],
    "layout_callback_and_service_map": [
        ("decl_saved_model", ["m", "entry"], CFG_E), ("decl_saved_model", ["m", "ps_0"], CFG_P),
        ("report_service_info", C1, INFO1), ("register_layout_callback", L1), ("get_service_map",),
        ("add_to_layout", L1, ["m", "entry"]), ("get_service_map",),
        ("sync_available_saved_models", C1, [["m", "entry"]]), ("get_service_map",),
        ("add_to_layout", L1, ["m", "ps_0"]), ("get_service_map",),
        ("add_to_layout", L1, ["undeclared", "entry"]), ("get_service_map",),
        ("remove_from_layout", L1, ["m", "entry"]), ("remove_from_layout", L1, ["m", "ps_0"]),
        ("get_service_map",),
    ],
    "subscribe_and_sync_targets": [
        ("report_service_info", C1, INFO1), ("report_service_info", C2, INFO2),
        ("subscribe_model", "m"), ("get_sync_targets", "entry"),
        ("sync_available_saved_models", C1, [["m", "entry"]]), ("get_sync_targets", "entry"),
        ("sync_available_saved_models", C2, [["m", "entry"], ["m", "ps_0"]]),
        ("get_sync_targets", "ps_0"), ("get_service_map",), ("subscribe_model", "m"),
    ],
    "subscribe_second_model": [("subscribe_model", "m"), ("subscribe_model", "other")],
    "sync_targets_before_subscribe": [("get_sync_targets", "entry")],
    "remove_non_empty_layout_entry": [
        ("add_to_layout", L1, ["m", "entry"]), ("zk_ensure_path", f"{L1}/m:entry/child"),
        ("remove_from_layout", L1, ["m", "entry"]),
    ],
    "bzid_info_after_last_binding_removed": [
        ("sync_available_saved_models", C1, [["m", "entry"]]), ("sync_available_saved_models", C1, []),
        ("bzid_info",),
    ],
    "lost_then_restart": [
        ("sync_available_saved_models", C1, [["m", "entry"]]), ("set_lost",),
        ("sync_available_saved_models", C1, [["m", "entry"], ["m", "ps_0"]]),
        ("sync_available_saved_models", C1, [["m", "entry"], ["m", "ps_0"]]),
    ],
}

SUBSCRIBE_TWICE = divergence(
    "subscribing a second model: Python's `assert self._sync_model_name is None` raises AssertionError; Rust "
    "returns ZkError::Other('subscribe_model called more than once') (backends.rs subscribe_model)",
    outcome="mismatch", message="root['results'][1][1]")
BEFORE_SUBSCRIBE = divergence(
    "get_sync_targets before subscribe_model: Python returns ('None:entry', []) (f-string of None); Rust "
    "returns ZkError::Other('subscribe_model not called') (backends.rs get_sync_targets)",
    outcome="mismatch", message="root['results'][0]")
REMOVE_NON_EMPTY = divergence(
    "remove_from_layout on a layout entry that has children: Python's kazoo delete(path) is not recursive and "
    "raises NotEmptyError; Rust calls zk.delete(path, true) and removes the subtree (backends.rs "
    "remove_from_layout)", outcome="mismatch", message="root['results'][2]")

EXPECT = {
    "subscribe_second_model": SUBSCRIBE_TWICE,
    "sync_targets_before_subscribe": BEFORE_SUBSCRIBE,
    "remove_non_empty_layout_entry": REMOVE_NON_EMPTY,
}
PAYLOAD_REASON = (
    "ZK node payloads: Python SavedModelDeployConfig/ContainerServiceInfo.serialize() is dataclasses_json "
    "to_json() = json.dumps with ', ' / ': ' separators (b'{\"model_base_path\": \"/export/m/entry\", ...'); Rust "
    "serde_json::to_vec is compact (b'{\"model_base_path\":\"/export/m/entry\",...}') -- the stored bytes differ")


def _payload(message):
    return divergence(PAYLOAD_REASON, outcome="mismatch", message=message)


LOST = divergence(
    "after the lost flag: Python's KazooState listener clears it when restart() reconnects, so the next "
    "sync_available_saved_models re-creates the bindings; Rust never clears is_lost (no listener; "
    "set_lost_for_test only), so every later call restarts again and the ephemeral bindings stay gone",
    outcome="mismatch", message="root['tree'][3]: missing in actual (expected ('/bz/binding/m/entry:c:1'")
REMOVE_NON_EMPTY_REAL = divergence(REMOVE_NON_EMPTY.reason, outcome="mismatch",
                                   message="root['results'][2][0]: 'error' != 'ok'")
EXPECT_REAL: dict = {
    "decl_list_layout": _payload("root['results'][6][1]['model_info']['m']['entry']['deploy_config']"),
    "redeclare_overwrites": _payload("root['results'][3][1]['model_info']['m']['entry']['deploy_config']"),
    "service_info": _payload("root['results'][5][1]['container_info']['c']['1']['service_info']"),
    "sync_available": _payload("root['results'][2][1]['model_info']['m']['entry']['deploy_config']"),
    "layout_callback_and_service_map": _payload("root['tree'][5][1]"),
    "subscribe_and_sync_targets": _payload("root['tree'][6][1]"),
    "lost_then_restart": LOST,
    "remove_non_empty_layout_entry": REMOVE_NON_EMPTY_REAL,
}
EMPTY_BINDING = divergence(
    "bzid_info with an empty /bz/binding/<model> dir: Python only creates model_info[model] entries for "
    "existing bindings (defaultdict touched inside the loop); Rust inserts model_info[model] = {} before the "
    "loop (backends.rs bzid_info, model_entry or_insert_with)", outcome="mismatch",
    message="root['results'][2][1]['model_info']['m']: unexpected in actual")
EXPECT_REAL["bzid_info_after_last_binding_removed"] = EMPTY_BINDING
EXPECT_REAL_DECODED: dict = {"bzid_info_after_last_binding_removed": EMPTY_BINDING, "lost_then_restart": LOST, "remove_non_empty_layout_entry": REMOVE_NON_EMPTY_REAL}
FAKE_STOP = divergence(
    "fake vs fake: Python mocked_zkclient's stop() drops the catalog and Node.__del__ calls the node's "
    "children watch with [] (EventType.DELETED), so the layout callback runs once more at stop; the Rust "
    "FakeKazooClient::stop drops the catalog silently", outcome="mismatch",
    message="root['callbacks'][6]: missing in actual (expected [])")
FAKE_RESTART = divergence(
    "fake vs fake: the Python FakeKazooClient has no restart() (ZKBackend's lost path raises AttributeError); "
    "the Rust FakeKazooClient's restart (trait default stop+start) replaces the catalog, wiping the tree",
    outcome="mismatch", message="root['results'][2][0]: 'error' != 'ok'")
EXPECT_FAKE: dict = {
    **{k: v for k, v in EXPECT_REAL.items() if k not in ("lost_then_restart", "remove_non_empty_layout_entry")},
    "layout_callback_and_service_map": FAKE_STOP,
    "lost_then_restart": FAKE_RESTART,
    # mocked_zkclient.FakeKazooClient.delete defaults to recursive=True: no NotEmptyError, both agree
    "remove_non_empty_layout_entry": None,
}
EXPECT_FAKE["bzid_info_after_last_binding_removed"] = EMPTY_BINDING
EXPECT_FAKE_DECODED: dict = {"bzid_info_after_last_binding_removed": EMPTY_BINDING, "layout_callback_and_service_map": FAKE_STOP, "lost_then_restart": FAKE_RESTART,
                             "remove_non_empty_layout_entry": None}


def _examples(extra: dict, skip=()):
    out = []
    for sid, ops in SEQUENCES.items():
        if sid in skip:
            continue
        expect = extra.get(sid, EXPECT.get(sid))
        out.append(example(ops, id=sid, expect=expect) if expect else example(ops, id=sid))
    return out


# ---------------------------------------------------------------------------------------------- strategy
_SM = st.sampled_from([["m", "entry"], ["m", "ps_0"], ["n", "entry"]])
_C = st.sampled_from([C1, C2])
_OP = st.one_of(
    st.tuples(st.just("decl_saved_model"), _SM, st.sampled_from([CFG_E, CFG_P])),
    st.tuples(st.just("list_saved_models"), st.sampled_from(["m", "n"])),
    st.tuples(st.just("add_to_layout"), st.just(L1), _SM),
    st.tuples(st.just("remove_from_layout"), st.just(L1), _SM),
    st.tuples(st.just("report_service_info"), _C, st.sampled_from([INFO1, INFO2])),
    st.tuples(st.just("get_service_info"), _C),
    st.tuples(st.just("sync_available_saved_models"), _C, st.lists(_SM, max_size=3, unique_by=tuple)),
    st.just(("bzid_info",)),
    st.just(("get_service_map",)),
)
OPS = st.lists(_OP, min_size=1, max_size=8).map(lambda ops: (ops,))

Case(id="zk_backend_real", covers=COVERS,
     python=python_call(py_real), rust=driver(rs_real),
     examples=_examples(EXPECT_REAL),
     compare=compare.structured(), timeout=60)

Case(id="zk_backend_fake", covers=COVERS,
     python=python_call(py_fake), rust=driver(rs_fake),
     # sync_available skipped on fakes: both backends create bindings iterating a hash set (Python set with
     # PYTHONHASHSEED, Rust HashSet with RandomState) and both fakes list children in insertion order, so the
     # order of bzid_info's lists is random on each side -- nondeterminism, not a divergence
     examples=_examples(EXPECT_FAKE, skip=("sync_available",)),
     # golden=False: the Python fake keeps children in insertion order and ZKBackend creates bindings by
     # iterating a set of SavedModel (str hashes, PYTHONHASHSEED-randomised), so list orders in bzid_info
     # vary between processes; the real server orders children itself (deterministic)
     golden=False, compare=compare.structured(), timeout=60)

Case(id="zk_backend_real_decoded", covers=COVERS,
     python=python_call(py_real, post=decoded), rust=driver(rs_real, post=decoded),
     examples=_examples(EXPECT_REAL_DECODED), strategy=OPS, max_examples=25,
     compare=compare.structured(), timeout=60)

Case(id="zk_backend_fake_decoded", covers=COVERS,
     python=python_call(py_fake, post=decoded), rust=driver(rs_fake, post=decoded),
     examples=_examples(EXPECT_FAKE_DECODED, skip=("sync_available",)),  # no strategy: same set-order randomness
     golden=False, compare=compare.structured(), timeout=60)  # golden=False: see zk_backend_fake
