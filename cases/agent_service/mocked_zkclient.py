"""monolith/agent_service/mocked_zkclient.py (FakeKazooClient) vs monolith-serving's FakeKazooClient.

Both fakes driven through the same sequence of raw client operations
(``("create", path, value, ephemeral, makepath)``, ``("delete", path, recursive)``,
``("set", path, value)``, ``("get", path)``, ``("exists", path)``,
``("get_children", path)``, ``("ensure_path", path)``, ``("children_watch", path)``,
``("data_watch", path)``), comparing each op's result, every watch callback
(children / data+version, event type) and the final tree (path, data; the fakes
have no sessions, so no ephemeral flag).  ``get`` returns the value only (the
Python fake's ZnodeStat carries times) and ``create`` returns None on both (the
Python fake returns the path; the trait returns ``()``: compared separately in
``create_return``).  Errors are compared by kind (zk_ops.py_error).
"""

from hypothesis import strategies as st

from pytest_monolith_parity import Case, compare, driver, example, python_call
from ._support import zk_ops

COVERS = "monolith/agent_service/mocked_zkclient.py"


def _event(ev):
    if ev is None:
        return None
    return [str(getattr(ev.type, "name", ev.type)).split(".")[-1].upper(), ev.path]


def py_run(ops):
    from monolith.agent_service.mocked_zkclient import FakeKazooClient
    zk = FakeKazooClient()
    zk.start()
    log = []

    def call(name, args):
        if name == "create":
            zk.create(args[0], value=args[1], ephemeral=args[2], makepath=args[3])
            return None
        if name == "get":
            return zk.get(args[0])[0]
        if name == "children_watch":
            zk.ChildrenWatch(args[0], lambda ch, ev: log.append(["children", args[0], list(ch), _event(ev)]),
                             send_event=True)
            return None
        if name == "data_watch":
            zk.DataWatch(args[0], lambda d, s, ev: log.append(
                ["data", args[0], d, None if s is None else s.version, _event(ev)]))
            return None
        return getattr(zk, name)(*args)

    results = zk_ops.run_ops(ops, call, zk_ops.py_error)
    out = {"results": results, "watches": list(log), "tree": zk_ops.py_fake_dump(zk)}
    zk.stop()
    return out


def rs_run(ops):
    import monolith_parity_rs as rs
    zk = rs.ZkClient.fake()
    zk.start()
    log = []

    def call(name, args):
        if name == "children_watch":
            zk.children_watch(args[0], lambda ch, ev: log.append(
                ["children", args[0], list(ch), None if ev is None else list(ev)]))
            return None
        if name == "data_watch":
            zk.data_watch(args[0], lambda d, s, ev: log.append(
                ["data", args[0], d, None if s is None else s[2], None if ev is None else list(ev)]))
            return None
        return getattr(zk, name)(*args)

    results = zk_ops.run_ops(ops, call, zk_ops.rs_error, to_plain=zk_ops.rs_plain)
    out = {"results": results, "watches": list(log), "tree": zk_ops.rs_fake_dump(zk)}
    zk.stop()
    return out


SEQUENCES = {
    "create_get_set_delete": [
        ("create", "/a", b"1", False, False), ("get", "/a"), ("set", "/a", b"2"), ("get", "/a"),
        ("exists", "/a"), ("exists", "/b"), ("get_children", "/"), ("delete", "/a", False), ("exists", "/a"),
    ],
    "errors": [
        ("create", "/a/b", b"", False, False), ("get", "/nope"), ("set", "/nope", b"x"),
        ("create", "/a", b"", False, False), ("create", "/a", b"", False, False),
        ("create", "/a/b", b"", False, False), ("delete", "/a", False), ("delete", "/nope", False),
        ("get_children", "/nope"),
    ],
    "makepath_and_ensure_path": [
        ("create", "/x/y/z", b"deep", True, True), ("ensure_path", "/x/y/w"), ("ensure_path", "/x/y/w"),
        ("get_children", "/x/y"), ("delete", "/x", True), ("get_children", "/"),
    ],
    "children_order": [
        ("create", "/p/c", b"", False, True), ("create", "/p/a", b"", False, True),
        ("create", "/p/b", b"", False, True), ("get_children", "/p"), ("delete", "/p/a", False),
        ("create", "/p/a", b"", False, False), ("get_children", "/p"),
    ],
    "children_watch": [
        ("create", "/w", b"", False, False), ("children_watch", "/w"), ("create", "/w/1", b"", False, False),
        ("create", "/w/2", b"", False, False), ("delete", "/w/1", False), ("set", "/w", b"v"),
    ],
    "children_watch_before_create": [
        ("children_watch", "/late"), ("create", "/late", b"", False, False), ("create", "/late/x", b"", False, False),
    ],
    "data_watch": [
        ("create", "/d", b"0", False, False), ("data_watch", "/d"), ("set", "/d", b"1"), ("set", "/d", b"2"),
        ("delete", "/d", False),
    ],
    "data_watch_before_create": [("data_watch", "/n"), ("create", "/n", b"x", False, False), ("set", "/n", b"y")],
}
EXPECT: dict = {}

_PATH = st.sampled_from(["/a", "/a/b", "/b", "/a/b/c"])
_OP = st.one_of(
    st.tuples(st.just("create"), _PATH, st.sampled_from([b"", b"v", b"\x00\xff"]), st.booleans(), st.booleans()),
    st.tuples(st.just("delete"), _PATH, st.booleans()),
    st.tuples(st.just("set"), _PATH, st.sampled_from([b"", b"w"])),
    st.tuples(st.sampled_from(["get", "exists", "get_children", "ensure_path"]), _PATH),
)

Case(id="fake_kazoo_client", covers=COVERS, python=python_call(py_run), rust=driver(rs_run),
     examples=[example(ops, id=sid, expect=EXPECT[sid]) if sid in EXPECT else example(ops, id=sid)
               for sid, ops in SEQUENCES.items()],
     strategy=st.lists(_OP, min_size=1, max_size=10).map(lambda ops: (ops,)), max_examples=25,
     compare=compare.structured())
