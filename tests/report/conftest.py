"""A headless Chromium driven over the Chrome DevTools Protocol (CDP), for the HTML report's browser tests.

Chromium is Debian's ``chromium`` package (no browser download); the CDP
client is ``websocket-client`` speaking CDP directly.  Without either, the
browser tests skip locally and fail under ``CI`` (so CI cannot go green by
silently not running them).  Set ``MONOLITH_PARITY_CHROMIUM`` to use another
Chromium binary.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT = 20.0
CALL_TIMEOUT = 10.0
BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _missing(what: str) -> None:
    message = (f"{what}; install it with `apt-get install -y chromium` and `pip install websocket-client` "
               "(the HTML report's browser tests need both)")
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def find_chromium() -> str | None:
    configured = os.environ.get("MONOLITH_PARITY_CHROMIUM")
    if configured:
        return configured
    for name in BINARIES:
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(RuntimeError):
    pass


class CDP:
    """A minimal synchronous CDP connection: commands with ids, events kept in arrival order."""

    def __init__(self, url: str):
        import websocket

        self._websocket = websocket
        self.ws = websocket.create_connection(url, timeout=CALL_TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from Chromium in time")
        self.ws.settimeout(remaining)
        try:
            return json.loads(self.ws.recv())
        except self._websocket.WebSocketTimeoutException as error:
            raise TimeoutError("no answer from Chromium in time") from error

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None,
             timeout: float = CALL_TIMEOUT) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            data = self._receive(deadline)
            if data.get("id") == message["id"]:
                if "error" in data:
                    raise CDPError(f"{method}: {data['error']}")
                return data.get("result", {})
            if "method" in data:
                self.events.append(data)

    def wait_event(self, method: str, *, session: str | None = None, timeout: float = CALL_TIMEOUT) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event["method"] == method and event.get("sessionId") == session:
                return self.events.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            data = self._receive(deadline)
            if data.get("method") == method and data.get("sessionId") == session:
                return data
            if "method" in data:
                self.events.append(data)

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - closing a dead socket is not a test failure
            pass


class Page:
    """One tab: navigate, evaluate, click, screenshot, and the console problems it reported."""

    def __init__(self, cdp: CDP, width: int = 1280, height: int = 900):
        self.cdp = cdp
        self.target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = cdp.send("Target.attachToTarget", {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        return self.cdp.send(method, params, session=self.session, **kw)

    def navigate(self, url: str, timeout: float = 15) -> None:
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CDPError(f"navigating to {url}: {result['errorText']}")
        self.cdp.wait_event("Page.loadEventFired", session=self.session, timeout=timeout)
        self.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))", await_promise=True)

    def evaluate(self, expression: str, *, await_promise: bool = False) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": await_promise})
        if "exceptionDetails" in result:
            raise CDPError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (pressed + released) at the centre of the element."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
            " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                   "clickCount": 0 if kind == "mouseMoved" else 1})

    def screenshot(self, path: Path, *, full_page: bool = False) -> bytes:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 12000), "scale": 1}
        data = base64.b64decode(self.send("Page.captureScreenshot", params, timeout=20)["data"])
        path.write_bytes(data)
        return data

    def problems(self) -> list[str]:
        """Console errors and assertions, uncaught exceptions, and error-level log entries of this page."""
        found = []
        for event in self.cdp.events:
            if event.get("sessionId") != self.session:
                continue
            params = event.get("params", {})
            if event["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                found.append(f"console.{params['type']}: {text}")
            elif event["method"] == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
            elif event["method"] == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        return found

    def close(self) -> None:
        try:
            self.cdp.send("Target.closeTarget", {"targetId": self.target})
        except (CDPError, TimeoutError, OSError):
            pass


class Browser:
    def __init__(self, binary: str, profile: Path):
        self.profile = profile
        self.log = profile.parent / "chromium-stderr.log"
        with self.log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                 f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
                 "--disable-extensions", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--disable-dev-shm-usage", "--mute-audio", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        self.cdp: CDP | None = None
        try:
            self.cdp = CDP(self._devtools_url())
        except BaseException:
            self.close()
            raise

    def _devtools_url(self) -> str:
        active = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}: "
                                   f"{self.log.read_text(errors='replace')[-2000:]}")
            if active.is_file():
                lines = active.read_text().split()
                if len(lines) >= 2:
                    return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)
        raise TimeoutError(f"chromium did not write {active} within {START_TIMEOUT} s: "
                           f"{self.log.read_text(errors='replace')[-2000:]}")

    def page(self) -> Page:
        assert self.cdp is not None
        return Page(self.cdp)

    def close(self) -> None:
        if self.cdp is not None:
            try:
                self.cdp.send("Browser.close", timeout=3)
            except Exception:  # noqa: BLE001 - the process group is killed below anyway
                pass
            self.cdp.close()
        for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 3)):
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, sig)  # the browser and the helpers it started
                except ProcessLookupError:
                    pass
                try:
                    self.process.wait(wait)
                except subprocess.TimeoutExpired:
                    continue
        try:  # helpers (zygote, renderers) that outlived the browser itself
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    try:
        import websocket  # noqa: F401
    except ImportError:
        _missing("websocket-client is not installed")
    configured = os.environ.get("MONOLITH_PARITY_CHROMIUM")
    binary = find_chromium()
    if binary is None or not shutil.which(binary):
        _missing(f"MONOLITH_PARITY_CHROMIUM={configured} is not an executable" if configured
                 else "no Chromium found (looked for " + ", ".join(BINARIES) + " on PATH)")
    home = tmp_path_factory.mktemp("chromium")
    instance = Browser(binary, home / "profile")
    try:
        yield instance
    finally:
        instance.close()
