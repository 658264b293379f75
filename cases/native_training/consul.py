"""Parity of monolith/native_training/consul.py (``Client``) (Rust: ``monolith_training::native_training::consul::Client``).

Both clients talk HTTP to the same scripted Consul agent (_support/consul_agent.py): the same
scripted answers for both sides, and compared with each op's result: every request the agent
received (method, path, JSON body) and the registrations visible at the end.  A sequence of ops
on one client: ``("lookup", name, timeout, cachetime)``, ``("register", name, port, tags,
check_script, host)``, ``("deregister", name, port, host)``.  The client reads
``CONSUL_HTTP_HOST`` / ``CONSUL_HTTP_PORT`` when built; the agent's block sets them.
"""

from __future__ import annotations

import json

from pytest_monolith_parity import Case, compare, divergence, driver, example, python_call
from ._support.consul_agent import observed, scripted
from ._support.ops import python_error, run_ops, rust_error

COVERS = "monolith/native_training/consul.py"
# The agent said no: ConsulException in Python, ConsulError in the port.
ERRORS = {"ConsulException": "ConsulError"}


def client_python(script, ops):
    from monolith.native_training import consul

    with scripted(script) as agent:
        client = consul.Client()
        results = run_ops(ops, lambda n, a: getattr(client, n)(*a), python_error(ERRORS))
        return {"results": results, **observed(agent)}


def client_rust(script, ops):
    import monolith_parity_rs as rs

    with scripted(script) as agent:
        client = rs.ConsulClient()
        results = run_ops(ops, lambda n, a: getattr(client, n)(*a), rust_error)
        return {"results": results, **observed(agent)}


ENTRIES = {"services": {"svc": [{"Port": 3000, "Tags": {"index": "0", "name": "ps", "ip": "10.0.0.1"}}]}}
TAGS = {"index": "0", "name": "ps", "ip": "10.0.0.1"}

Case(
    id="client",
    covers=COVERS,
    python=python_call(client_python, isolated=True),
    rust=driver(client_rust, needs="ConsulClient"),
    examples=[
        example(ENTRIES, [("lookup", "svc", 3, 0), ("lookup", "absent", 3, 0)], id="lookup"),
        example({"status": {"lookup": 500}}, [("lookup", "svc", 3, 0)], id="lookup_not_200"),
        example({"body": {"lookup": "not json"}}, [("lookup", "svc", 3, 0)], id="lookup_not_json",
                expect=divergence("Python's json.loads raises JSONDecodeError, which lookup does not catch; the "
                                  "port maps the serde error to io::Error InvalidData (raised as IoError)",
                                  outcome="mismatch", message="root['results'][0][1]")),
        example({}, [("register", "svc", 3000, TAGS, None, None), ("lookup", "svc", 3, 0)], id="register_with_tags"),
        example({}, [("register", "svc", 3001, None, None, None)], id="register_without_tags"),
        example({}, [("register", "svc", 3002, TAGS, "/bin/check.sh", None)], id="register_check_script"),
        example({}, [("register", "svc", 3003, None, None, "127.0.0.1")], id="register_explicit_host"),
        example({"status": {"register": 500}}, [("register", "svc", 3000, TAGS, None, None)],
                id="register_refused"),
        example(ENTRIES, [("deregister", "svc", 3000, None), ("lookup", "svc", 3, 0)], id="deregister"),
        example({"status": {"deregister": 500}}, [("deregister", "svc", 3000, None)], id="deregister_refused"),
        example({}, [("lookup", "a b", 3, 0)], id="name_with_space", expect=divergence(
            "http.client refuses a URL with a space (InvalidURL: URL can't contain control characters); the port "
            "sends the raw request line, the agent answers 400 and the port returns []",
            outcome="mismatch", message="root['results'][0]")),
    ],
    compare=compare.structured(),
    timeout=60,
)

Case(
    id="client_lookup_cached",
    covers=COVERS,
    python=python_call(client_python, isolated=True),
    rust=driver(client_rust, needs="ConsulClient"),
    examples=[
        example(ENTRIES, [("lookup", "svc", 3, 60), ("lookup", "svc", 3, 60)], id="cache_miss_then_hit",
                expect=divergence(
                    "consul.py lookup(cachetime>0) on a cache miss calls itself inside `with self._lock` and the "
                    "inner call takes the same non-reentrant threading.Lock again: Python deadlocks; the port "
                    "answers", outcome="timeout", message="python timed out: no answer within 10 s")),
    ],
    compare=compare.structured(),
    timeout=10,
)
