"""A scripted Consul agent: the HTTP API monolith's ``consul.Client`` and monolith-rs's
``native_training::consul::Client`` both talk to, with the same scripted answers for both sides.

It speaks the three calls of the ByteDance sidecar that ``monolith/native_training/consul.py`` uses:

* ``GET /v1/lookup/name?name=<n>&addr-family=dual-stack`` -> a JSON list of
  ``{"Port": p, "Tags": {k: v}}`` (the sidecar answers tags as an object:
  service_discovery.py:118-120 reads ``element["Tags"]["name"]``);
* ``PUT /v1/agent/service/register`` with ``{"id", "name", "port", "tags": ["k:v"...], "check"}``:
  the service becomes visible to lookups of its name, its tags split at the first ``:``;
* ``PUT /v1/agent/service/deregister/<name>-<port>``: it disappears.
* ``GET /v1/agent/check/pass/service:<id>`` (the TTL heartbeat both clients start after a
  registration, from a thread of their own): answered, and kept apart from the request log
  because its timing belongs to that thread.

A script is ``{"services": {name: [entry, ...]}, "status": {"lookup"|"register"|"deregister": code},
"body": {"lookup": "raw text"}}``: initial entries, a forced status (the body then is the text
``scripted failure``) and a raw lookup answer.  The log lists every other request as
``[method, path, body]`` with a JSON body parsed (``tags`` as the object the sidecar derives,
since Consul keeps tags as a set and neither client promises an order).

One agent per process (``agent()``), reset by each :func:`scripted` block, so the clients'
heartbeat threads, which outlive a call, always find it.  ``scripted`` also points the
environment at it (``CONSUL_HTTP_HOST``, ``CONSUL_HTTP_PORT``; ``TCE_HOST_IP`` removed).
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pytest_monolith_parity.helpers import environ

HEARTBEAT = "/v1/agent/check/pass/"


class _Agent:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.script: dict[str, Any] = {}
        self.services: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[list[Any]] = []
        self.heartbeats: set[str] = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, name="scripted-consul", daemon=True).start()

    def load(self, script: Mapping[str, Any]) -> None:
        with self.lock:
            self.script = copy.deepcopy(dict(script))
            self.services = copy.deepcopy(dict(script.get("services", {})))
            self.requests = []
            self.heartbeats = set()

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        with self.lock:
            if path.startswith(HEARTBEAT):
                self.heartbeats.add(path)
                return 200, b""
            parsed = _parsed_body(body)
            self.requests.append([method, path, parsed])
            url = urlsplit(path)
            status = self.script.get("status", {})
            if method == "GET" and url.path == "/v1/lookup/name":
                if "lookup" in status:
                    return status["lookup"], b"scripted failure"
                if "lookup" in self.script.get("body", {}):
                    return 200, self.script["body"]["lookup"].encode()
                name = parse_qs(url.query).get("name", [""])[0]
                return 200, json.dumps(self.services.get(name, [])).encode()
            if method == "PUT" and url.path == "/v1/agent/service/register":
                if "register" in status:
                    return status["register"], b"scripted failure"
                if isinstance(parsed, dict):
                    entry = {"Port": parsed.get("port"), "Tags": parsed.get("tags", {})}
                    self.services.setdefault(parsed.get("name"), []).append(entry)
                return 200, b""
            if method == "PUT" and url.path.startswith("/v1/agent/service/deregister/"):
                if "deregister" in status:
                    return status["deregister"], b"scripted failure"
                service_id = url.path.rsplit("/", 1)[1]
                for name, entries in self.services.items():
                    self.services[name] = [e for e in entries if f"{name}-{e.get('Port')}" != service_id]
                return 200, b""
            return 404, b"not a scripted path"


def _parsed_body(body: bytes) -> Any:
    if not body:
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return body
    if isinstance(value, dict) and isinstance(value.get("tags"), list):
        value["tags"] = dict(tag.partition(":")[::2] for tag in value["tags"])
    return value


def _handler(agent: _Agent) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: consul.py's heartbeat reuses its connection

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload = agent.answer(self.command, self.path, body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = _serve

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    return Handler


_AGENT: _Agent | None = None
_AGENT_LOCK = threading.Lock()


def agent() -> _Agent:
    global _AGENT
    with _AGENT_LOCK:
        if _AGENT is None:
            _AGENT = _Agent()
        return _AGENT


@contextlib.contextmanager
def scripted(script: Mapping[str, Any] | None = None) -> Iterator[_Agent]:
    """The agent with ``script`` loaded and the environment pointing at it, for one call."""
    server = agent()
    server.load(script or {})
    with environ({"CONSUL_HTTP_HOST": "127.0.0.1", "CONSUL_HTTP_PORT": str(server.port), "TCE_HOST_IP": None}):
        yield server


def observed(server: _Agent) -> dict[str, Any]:
    """What the agent saw during the call: the request log and the registrations visible at the end."""
    with server.lock:
        return {"requests": copy.deepcopy(server.requests), "services": copy.deepcopy(server.services)}
