"""Synthetic parity records and a small DOM, shared by the report tests (every outcome, hostile text)."""

from __future__ import annotations

import html.parser
from typing import Any

from pytest_monolith_parity.outcomes import Outcome

NASTY = """<script>alert("x")</script> & 'single' "double" </pre></details><b>bold</b> &amp; &lt;"""


# -- a realistic synthetic report ----------------------------------------------

def side(side: str, kind: str = "value", preview: str = "", error_type: str = "", message: str = "",
          detail: str = "", seconds: float = 2e-5) -> dict[str, Any]:
    return {"side": side, "kind": kind, "error_type": error_type, "message": message, "detail": detail,
            "seconds": seconds, "preview": preview if kind == "value" else ""}


def record(covers: str, case_id: str, example_id: str, outcome: str, *, raw: str | None = None, message: str = "",
           diff: str = "", metrics: dict | None = None, expected: dict | None = None, notes: list | None = None,
           python: Any = "default", rust: Any = "default", inputs: str = "1, 2", seconds: float = 0.0123,
           perf: dict | None = None) -> dict[str, Any]:
    """A record as records.build_record writes it (``raw_message`` included)."""
    module = covers[len("monolith/"):-len(".py")]
    case_file = "cases/" + module + ".py"
    nodeid = f"{case_file}::{case_id}[{example_id}]"
    return {
        "nodeid": nodeid, "case_id": case_id, "example_id": example_id, "covers": covers, "module": module,
        "package": module.split("/", 1)[0], "case_file": case_file,
        "python_call": f"python monolith.{module.replace('/', '.')}:{case_id}",
        "rust_call": f"pyo3 <rust_module>.{case_id}", "comparator": "tensor(max_ulp=0)", "inputs": inputs,
        "examples_run": 1, "expected_divergence": expected, "outcome": outcome, "raw": raw or outcome,
        "message": message, "raw_message": message, "diff": diff, "metrics": metrics or {}, "against": "python", "notes": notes or [],
        "python": side("python", preview="array([1., 2.], dtype=float32)") if python == "default" else python,
        "rust": side("rust", preview="array([1., 2.], dtype=float32)") if rust == "default" else rust,
        "seconds": seconds, "replay": f"pytest '{nodeid}'", "perf": perf,
    }


def perf(python: float, rust: float, noise: float = 1e-6, calls: int = 9) -> dict[str, Any]:
    """A ``perf`` field as perf.measure writes it: medians in seconds, their noise, the ratio."""
    def summary(median: float) -> dict[str, Any]:
        return {"calls": calls, "median": median, "noise": noise, "min": median - noise, "max": median + noise}
    return {"python": summary(python), "rust": summary(rust), "ratio": rust / python, "seconds": calls * (python + rust),
            "notes": []}


def synthetic_records() -> list[dict[str, Any]]:
    feature = "monolith/native_training/feature.py"
    hash_table = "monolith/native_training/hash_table.py"
    data_def = "monolith/agent_service/data_def.py"
    utils = "monolith/agent_service/utils.py"
    ops = "monolith/core/ops.py"
    text = "monolith/utils/text.py"
    traceback = 'Traceback (most recent call last):\n  File "x.py", line 3, in <module>\nValueError: bad <input> & "quote"'
    records = [
        record(feature, "tenth", "exact", "match", metrics={"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0},
               perf=perf(4e-6, 1e-6)),
        record(feature, "tenth", "zero", "match", metrics={"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0}),
        record(feature, "tenth", "one_ulp", "expected divergence", raw="mismatch",
                message="[1]: expected 0.90000004 != actual 0.9 (abs 6e-08, rel 6.6e-08, 1 ulp)",
                diff="mismatched 1 / 2 (50%), max abs 6e-08\n[1]: expected 0.90000004 != actual 0.9",
                metrics={"max_abs": 5.960464477539063e-08, "max_rel": 6.62273804521277e-08, "max_ulp": 1.0,
                         "mismatched": 1, "total": 2},
                expected={"reason": "x*0.1f vs x/10 differ by 1 ULP <issue #12>", "outcome": "mismatch",
                          "message": "[1]"},
                notes=["expected: x*0.1f vs x/10 differ by 1 ULP <issue #12>", "rust vs golden: mismatch"]),
        record(feature, "scale", "big", "mismatch", message=NASTY, diff="value <1.0> != <2.0> & more\n" + NASTY,
                metrics={"max_abs": 1234.5, "max_rel": 0.25, "max_ulp": 3.0e7, "mismatched": 4, "total": 10}),
        record(hash_table, "lookup", "missing", "rust panicked", message="rust panicked: index out of bounds: <0>",
                rust=side("rust", "panicked", error_type="PanicException", message="index out of bounds: <0>",
                           detail="thread 'main' panicked at src/lib.rs:3:5")),
        record(hash_table, "lookup", "hit", "match", seconds=1.5, perf=perf(2e-3, 5e-3)),
        record(hash_table, "insert", "overflow", "process crashed",
                message="rust process crashed: worker killed by SIGABRT (signal 6) before answering",
                rust=side("rust", "crashed", message="worker killed by SIGABRT", detail="stderr tail: abort()")),
        record(hash_table, "insert", "slow", "timeout", message="rust timed out: no answer within 2 s",
                rust=side("rust", "timeout", message="no answer within 2 s")),
        record(data_def, "parse", "bad", "error agreement", message="both raised: ValueError ~ InvalidPort",
                python=side("python", "raised", error_type="ValueError", message="bad", detail=traceback),
                rust=side("rust", "raised", error_type="InvalidPort", message="bad")),
        record(data_def, "parse", "good", "match"),
        record(data_def, "parse", "empty", "python raised", message="ValueError: empty <name>",
                python=side("python", "raised", error_type="ValueError", message="empty <name>", detail=traceback)),
        record(data_def, "render", "quote", "rust raised", message="rust raised KeyError: 'a\"b'",
                rust=side("rust", "raised", error_type="KeyError", message="'a\"b'")),
        record(utils, "port", "fixed", "unexpected pass", raw="match",
                message="the recorded divergence no longer happens: remove the record",
                expected={"reason": "Rust used to wrap", "outcome": "mismatch", "message": ""}),
        record(utils, "port", "changed", "divergence changed", raw="rust raised",
                message="expected mismatch, got rust raised",
                expected={"reason": "Rust wraps", "outcome": "mismatch", "message": ""}),
        record(ops, "add", "hypothesis", "reference drifted", message="python no longer produces its golden",
                python=None, rust=None),
        record(ops, "add", "new", "golden missing",
                message="no golden yet: run pytest -m parity --update-golden -k 'add'"),
        record(ops, "sub", "tf", "reference unavailable", message="tensorflow custom op not built",
                python=side("python", "unavailable", message="custom op <libhash.so> not built")),
        record(text, "escape", "<b>&\"'", "harness error", message="comparator raised " + NASTY,
                inputs="'<b>&\"\\''"),
        record(text, "escape", "plain", "match", metrics={"max_abs": float("nan")}),
        record(ops, "mul", "lacking", "rust unavailable",
               message="rust unavailable: monolith_parity_rs.mul is not in this revision"),
    ]
    for outcome in Outcome:  # an outcome added later still gets an item of its own
        if outcome.value not in {r["outcome"] for r in records}:
            records.append(record(text, "other", outcome.value.replace(" ", "_"), outcome.value,
                                  message=f"{outcome.value}: synthetic"))
    return records


def history_rows() -> list[dict[str, Any]]:
    return [
        {"date": "2026-11-20T10:00:00+00:00", "revision": "aaa111", "counts": {"match": 3, "mismatch": 6}},
        {"date": "2026-11-22T10:00:00+00:00", "revision": "bbb222",
         "counts": {"match": 6, "mismatch": 3, "expected divergence": 1}},
        {"date": "2026-11-25T10:00:00+00:00", "revision": None,
         "counts": {"match": 8, "expected divergence": 1, "reference unavailable": 1, "timeout": 1}},
        {"date": "2026-11-29T10:00:00+00:00", "revision": "ddd444",
         "counts": {"match": 9, "error agreement": 1, "expected divergence": 1, "reference unavailable": 1}},
    ]


# -- a small DOM for assertions ------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        def hit(node: Node) -> bool:
            if tag and node.tag != tag:
                return False
            for key, value in attrs.items():
                key = key.replace("_", "-").rstrip("-")
                have = node.attrs.get(key)
                if have is None or (key == "class" and value not in have.split()) or (key != "class" and have != value):
                    return False
            return True
        return [n for n in self.iter() if hit(n)]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]


class Tree(html.parser.HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root
        self.feed(text)
        self.close()
        assert self.current is self.root, f"unclosed <{self.current.tag}>"

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        assert tag not in VOID
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(text: str) -> Node:
    return Tree(text).root


