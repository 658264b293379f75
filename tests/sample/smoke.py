#!/usr/bin/env python3
"""Smoke check of the sample pair: every deliberate divergence really occurs.

Not a pytest test (the harness's own tests use the pair); run it by hand:

    python tests/sample/smoke.py                      # baseline build
    python tests/sample/smoke.py --revision pr        # PR build (target-pr/)

It calls every function of the Python reference (``sample_reference``), of
the PyO3 module (``sample_rust``, if installed and of the same revision) and of
the framed worker (``rust/target/release/sample-worker``, or
``rust/target-pr/release/sample-worker`` for ``--revision pr``), speaking the
protocol of docs/protocol.md by hand, and prints one row per input with the
verdict seen on each Rust side and the verdict intended.  Exit status 0 when
every verdict is the intended one, 1 otherwise, 2 when the worker is missing.

This script is self-contained on purpose: it does not import the plugin.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# The reference always comes from this checkout (an installed copy may be stale).
sys.path.insert(0, str(HERE / "reference"))
import sample_reference as ref  # noqa: E402

try:
    import sample_rust
except ImportError:
    sample_rust = None
PYO3_SKIPPED = "sample_rust not installed"  # why the pyo3 column is empty, if it is

TIMEOUT = 1.0  # seconds per worker call

# pyo3's panic hook prints a backtrace to stderr when RUST_BACKTRACE is set;
# one line per panic is enough here.
os.environ["RUST_BACKTRACE"] = "0"


# --------------------------------------------------------------- outcomes
# An outcome is a tuple: ("ok", value) | ("error", type_name) |
# ("panic", message) | ("timeout", detail) | ("crash", detail) | ("absent", why)


def run_py(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as e:  # noqa: BLE001 - any domain error
        return ("error", type(e).__name__)
    except BaseException as e:  # pyo3_runtime.PanicException is a BaseException
        if type(e).__name__ == "PanicException":
            return ("panic", str(e))
        raise


class _Alarm(BaseException):
    """Raised by the SIGALRM handler; a BaseException so run_py re-raises it."""


def run_pyo3(name, *args, timeout=None):
    if sample_rust is None:
        return ("absent", PYO3_SKIPPED)
    fn = getattr(sample_rust, name, None)
    if fn is None:
        return ("absent", "not exposed")
    if timeout is None:
        return run_py(fn, *args)

    def on_alarm(signum, frame):
        raise _Alarm()

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return run_py(fn, *args)
    except _Alarm:
        return ("timeout", f"interrupted by SIGALRM after {timeout:g}s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------- codec

def enc(v):
    if isinstance(v, np.ndarray):
        a = np.ascontiguousarray(v)
        return {"$ndarray": {"dtype": a.dtype.str, "shape": list(a.shape),
                             "data": base64.b64encode(a.tobytes()).decode()}}
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return {"$float": "nan"}
        if math.isinf(v):
            return {"$float": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, bytes):
        return {"$bytes": base64.b64encode(v).decode()}
    if isinstance(v, tuple):
        return {"$tuple": [enc(x) for x in v]}
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v) and not (len(v) == 1 and next(iter(v)).startswith("$")):
            return {k: enc(x) for k, x in v.items()}
        return {"$items": [[enc(k), enc(x)] for k, x in v.items()]}
    raise TypeError(f"cannot encode {type(v)}")


def dec(v):
    if isinstance(v, list):
        return [dec(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1 and next(iter(v)).startswith("$"):
            tag, body = next(iter(v.items()))
            if tag == "$ndarray":
                data = base64.b64decode(body["data"])
                return np.frombuffer(data, dtype=np.dtype(body["dtype"])).reshape(body["shape"]).copy()
            if tag == "$bytes":
                return base64.b64decode(body)
            if tag == "$float":
                return float(body)
            if tag == "$f64bits":
                return struct.unpack("<d", struct.pack("<Q", int(body, 16)))[0]
            if tag == "$tuple":
                return tuple(dec(x) for x in body)
            if tag == "$items":
                return {dec(k): dec(x) for k, x in body}
            raise ValueError(f"unknown tag {tag}")
        return {k: dec(x) for k, x in v.items()}
    return v


# --------------------------------------------------------------- worker

class Worker:
    def __init__(self, path: Path):
        self.path = path
        self.proc = None
        self.stderr = None
        self.next_id = 1
        self.start()

    def start(self):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([str(self.path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, bufsize=0)
        resp = self.request({"id": 0, "call": "__ping__"})
        assert resp == {"id": 0, "ok": None}, resp

    def stderr_tail(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace").strip().splitlines()[-1:]

    def _read_exact(self, n, deadline):
        buf = b""
        fd = self.proc.stdout.fileno()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def request(self, req, timeout=TIMEOUT):
        payload = json.dumps(req).encode()
        self.proc.stdin.write(struct.pack("<I", len(payload)) + payload)
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        (n,) = struct.unpack("<I", self._read_exact(4, deadline))
        return json.loads(self._read_exact(n, deadline))

    def call(self, name, *args, **kwargs):
        rid = self.next_id
        self.next_id += 1
        try:
            resp = self.request({"id": rid, "call": name, "args": [enc(a) for a in args],
                                 "kwargs": {k: enc(v) for k, v in kwargs.items()}})
        except TimeoutError:
            self.proc.kill()
            self.proc.wait()
            self.start()
            return ("timeout", f"no answer in {TIMEOUT:g}s, killed")
        except (EOFError, BrokenPipeError):
            rc = self.proc.wait()
            tail = self.stderr_tail()
            detail = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit code {rc}"
            self.start()
            return ("crash", detail + (f"; stderr: {tail[0]}" if tail else ""))
        assert resp["id"] == rid, resp
        if "ok" in resp:
            return ("ok", dec(resp["ok"]))
        if "error" in resp:
            return ("error", resp["error"]["type"])
        if "panic" in resp:
            return ("panic", resp["panic"]["message"])
        raise AssertionError(resp)

    def close(self):
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=5)
        return rc


# --------------------------------------------------------------- verdicts

def ulp_diff(a, b):
    ia = a.astype(np.float32).view(np.int32).astype(np.int64)
    ib = b.astype(np.float32).view(np.int32).astype(np.int64)
    return int(np.max(np.abs(ia - ib))) if ia.size else 0


def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, float) and isinstance(b, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return type(a) is type(b) and a == b


def verdict(py, rs):
    """Short verdict string for a (python outcome, rust outcome) pair."""
    pk, rk = py[0], rs[0]
    if rk == "absent":
        return "n/a (" + rs[1] + ")"
    if rk == "panic":
        return "rust panicked"
    if rk == "timeout":
        return "timeout"
    if rk == "crash":
        return "crashed (" + rs[1].split(";")[0] + ")"
    if pk == "ok" and rk == "ok":
        if same(py[1], rs[1]):
            return "match"
        if isinstance(py[1], np.ndarray):
            return f"mismatch ({ulp_diff(py[1], rs[1])} ULP)"
        return "mismatch"
    if pk == "error" and rk == "error":
        if py[1] == rs[1]:
            return f"agree (both {py[1]})"
        return f"error types differ ({py[1]} vs {rs[1]})"
    if pk == "error":
        return f"error on python side only ({py[1]})"
    return f"error on rust side only ({rs[1]})"


def show(outcome):
    kind, val = outcome
    if kind == "ok":
        if isinstance(val, np.ndarray):
            return "f32[" + ",".join(f"{x:.9g}" for x in val.tolist()) + "]"
        return repr(val)
    if kind == "panic":
        return "panic: " + val
    return f"{kind}: {val}"


def f32(*xs):
    return np.array(xs, dtype=np.float32)


def rows(revision):
    pr = revision == "pr"
    big = 2**63 - 1
    # (function, args, expected worker verdict, expected pyo3 verdict);
    # None = same as the worker.
    R = [
        ("add", (2, 3), "match", None),
        ("add", (-(2**40), 7), "match", None),
        ("add_i64", (1, 2), "match", None),
        ("add_i64", (big, 1), "mismatch", None),
        ("add_i64", (-(2**63), -1), "mismatch", None),
        ("scale", (f32(1, 2, 3, 5, 7), 1.1), "mismatch (1 ULP)" if pr else "match", None),
        ("scale", (f32(1, 2, 3, 5), 1 / 3), "mismatch (1 ULP)" if pr else "match", None),
        ("scale", (f32(1.5, -2, 3, 1e30), 2.0), "match", None),
        ("tenth", (f32(3.0),), "match", None),
        ("tenth", (f32(1, 2, 3, 4, 5, 6, 7, 8, 10, 30),), "match", None),
        ("tenth", (f32(9.0),), "mismatch (1 ULP)", None),
        ("tenth", (f32(13.0),), "mismatch (1 ULP)", None),
        ("tenth", (f32(18.0),), "mismatch (1 ULP)", None),
        ("mean", ([0.1, 0.2, 0.3],), "match", None),
        ("mean", ([1e308, 1e308],), "match", None),
        ("mean", ([],), "agree (both ValueError)", None),
        ("to_json", ({"a": 1, "b": "x"},), "match", None),
        ("to_json", ({"b": 1, "a": 2},), "match" if pr else "mismatch", None),
        ("to_json", ({"z": "\u00e9\n\"", "m": -5},), "match" if pr else "mismatch", None),
        ("record", ("abc", 7), "match", None),
        ("record", ("abc", -1), "match", None),
        ("record", ("", 300), "match", None),
        ("record", ("abc", 0), "mismatch", None),
        ("record", ("", 0), "mismatch", None),
        ("parse_port", ("8080",), "match", None),
        ("parse_port", (" 443 ",), "match", None),
        ("parse_port", ("abc",), "agree (both ValueError)", None),
        ("parse_port", ("70000",), "agree (both ValueError)", None),
        ("parse_port", ("",), "rust panicked", None),
        ("parse_port", ("   ",), "rust panicked", None),
        ("countdown", (5,), "match", None),
        ("countdown", (0,), "match", None),
        ("countdown", (-1,), "timeout", None),
        ("normalize_name", ("  Alice ",), "match", None),
        ("normalize_name", ("",), "error on python side only (ValueError)", None),
        ("normalize_name", ("   ",), "error on python side only (ValueError)", None),
        ("crash", (3,), "crashed (signal SIGABRT)", "n/a (not exposed)"),
        ("version", (), "match", None),
    ]
    return [(f, a, w if p3 is None else p3, w) for f, a, w, p3 in R]


def fmt_args(args):
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append("f32[" + ",".join(f"{x:g}" for x in a.tolist()) + "]")
        elif isinstance(a, float):
            out.append(f"{a:.6g}")
        else:
            out.append(repr(a))
    return ", ".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--revision", choices=["baseline", "pr"], default="baseline")
    ap.add_argument("--worker", type=Path, help="sample-worker binary (default: from the revision)")
    opts = ap.parse_args()
    target = "target" if opts.revision == "baseline" else "target-pr"
    worker_path = opts.worker or HERE / "rust" / target / "release" / "sample-worker"
    if not worker_path.exists():
        flags = "" if opts.revision == "baseline" else " --features pr --target-dir target-pr"
        print(f"worker not found at {worker_path}; build it with:\n"
              f"  cd tests/sample/rust && cargo build --release -j 2{flags}", file=sys.stderr)
        return 2

    global sample_rust, PYO3_SKIPPED
    pyo3_note = "installed" if sample_rust else "not installed: pyo3 column skipped"
    if sample_rust is not None and getattr(sample_rust, "REVISION", None) != opts.revision:
        pyo3_note = f"installed build is {sample_rust.REVISION!r}, not {opts.revision!r}: pyo3 column skipped"
        PYO3_SKIPPED = f"installed sample_rust is {sample_rust.REVISION}"
        sample_rust = None

    w = Worker(worker_path)
    rev = w.call("__revision__")
    print(f"revision: {opts.revision}; worker {worker_path} reports {rev[1]!r}; sample_rust: {pyo3_note}")
    failures = 0
    table = []
    for name, args, want_pyo3, want_worker in rows(opts.revision):
        py = run_py(getattr(ref, name), *args)
        timeout = TIMEOUT if name == "countdown" else None
        p3 = run_pyo3(name, *args, timeout=timeout)
        wk = w.call(name, *args)
        v3, vw = verdict(py, p3), verdict(py, wk)
        ok3 = v3 == want_pyo3 or sample_rust is None
        okw = vw == want_worker
        status = "OK" if ok3 and okw else "FAIL"
        failures += status == "FAIL"
        table.append((f"{name}({fmt_args(args)})", show(py), v3, vw, status,
                      "" if status == "OK" else f"want pyo3={want_pyo3!r} worker={want_worker!r}; "
                      f"got pyo3 {show(p3)}, worker {show(wk)}"))

    # Protocol checks (worker only).
    checks = []
    checks.append(("unknown function", w.call("no_such_function"), ("error", "UnknownFunction")))
    checks.append(("kwargs binding", w.call("add", 2, b=40), ("ok", 42)))
    checks.append(("wrong arg type", w.call("add", "x", 1), ("error", "ValueError")))
    checks.append(("missing arg", w.call("add", 1), ("error", "ValueError")))
    checks.append(("mean(nan) tag", w.call("mean", [float("nan")]), ("ok", "nan")))
    w.call("parse_port", "")
    checks.append(("alive after a panic", w.call("version"), ("ok", "1.0")))
    w.call("countdown", -1)
    checks.append(("restarted after timeout", w.call("add", 1, 1), ("ok", 2)))
    rc = w.close()
    checks.append(("EOF on stdin -> exit", ("ok", rc), ("ok", 0)))

    headers = ("call", "python", "pyo3 verdict", "worker verdict", "")
    widths = [max(len(str(r[i])) for r in table + [headers]) for i in range(5)]
    widths[1] = min(widths[1], 34)
    line = lambda r: " | ".join(str(c)[:widths[i]].ljust(widths[i]) for i, c in enumerate(r[:5]))  # noqa: E731
    print(line(headers))
    print("-+-".join("-" * x for x in widths))
    for r in table:
        print(line(r))
        if r[5]:
            print("    " + r[5])
    print()
    for what, got, want in checks:
        if want == ("ok", "nan"):
            good = got[0] == "ok" and isinstance(got[1], float) and math.isnan(got[1])
        else:
            good = got == want
        failures += not good
        print(f"protocol: {what:<22} -> {show(got):<40} {'OK' if good else 'FAIL'}")
    total = len(table) + len(checks)
    print(f"\nsmoke: {total - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
