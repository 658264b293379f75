"""A real ZooKeeper server for parity cases (no pytest in here).

The Debian ``zookeeper`` package (ZooKeeper 3.8, Java 17) provides the server:
``/usr/share/java/zookeeper.jar`` (its manifest's Class-Path names the jars it
needs) run as ``java -cp zookeeper.jar org.apache.zookeeper.server.ZooKeeperServerMain
zoo.cfg``.  Each server gets its own temporary directory (config, data, log),
listens on a free port of 127.0.0.1 only, and runs in its own process group so
``stop()`` (also registered with ``atexit``) kills it and anything it started;
it also dies with the process that started it, even one killed by SIGKILL
(:mod:`.lifetime`).

* ``ZooKeeperServer()``: ``start()`` / ``stop()`` / context manager; ``hosts`` is
  ``"127.0.0.1:<port>"``.
* ``shared_server()``: one server per Python process, started lazily on first
  use (each pytest-xdist worker is its own process, so each gets its own),
  health-checked on every use (:mod:`.health`) and supervised: a server
  that dies is restarted at once on the same port with the same data (else
  on a free port), and a call that used it while it died is a harness error.  Drivers get the server only through it.
* ``fresh_chroot(prefix)``: a new, empty, uniquely named top-level node on the
  shared server; ``chroot_hosts(chroot)`` is the connection string rooted there.
* ``dump_tree(hosts, chroot)``: every node below ``chroot`` as a sorted list of
  ``(path relative to chroot, payload bytes, ephemeral flag)``, read through a
  separate kazoo session (so ephemeral nodes of a still-open session show).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from .health import LOCK, Service, ServiceFailure, died, exit_description, failed, use
from .lifetime import die_with_this_thread

__all__ = [
    "ZooKeeperUnavailable", "ZooKeeperServer", "find_zookeeper", "shared_server", "fresh_chroot",
    "chroot_hosts", "dump_tree", "kazoo_client",
]

INSTALL_HINT = "install the Debian package: `apt-get install zookeeper` (it pulls in libzookeeper-java and a JRE)"
ZOOKEEPER_JARS = ("/usr/share/java/zookeeper.jar",)
MAIN_CLASS = "org.apache.zookeeper.server.ZooKeeperServerMain"


class ZooKeeperUnavailable(RuntimeError):
    """ZooKeeper is not installed here (a static reason; the message names the fix).

    A server that is installed but fails to start or dies is a
    :class:`~.health.ServiceFailure` instead: that happens at run time.
    """


class _StartFailed(Exception):
    """One attempt to start the server failed (the port was taken, Java died...)."""


def find_zookeeper() -> tuple[str, str]:
    """Return ``(java, classpath)`` of the installed ZooKeeper server, or raise with the fix."""
    jar = os.environ.get("MONOLITH_PARITY_ZOOKEEPER_JAR") or next(
        (j for j in ZOOKEEPER_JARS if os.path.isfile(j)), None)
    if not jar or not os.path.isfile(jar):
        raise ZooKeeperUnavailable(f"ZooKeeper server jar not found (looked for {', '.join(ZOOKEEPER_JARS)}): "
                                   f"{INSTALL_HINT}")
    java = os.environ.get("MONOLITH_PARITY_JAVA") or shutil.which("java") or (
        "/usr/bin/java" if os.path.exists("/usr/bin/java") else None)
    if not java:
        raise ZooKeeperUnavailable(f"no `java` on PATH to run ZooKeeper: {INSTALL_HINT}")
    return java, jar


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter_word(host: str, port: int, word: bytes = b"ruok", timeout: float = 1.0) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(word)
        chunks = []
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


_LOG4J = """\
log4j.rootLogger=WARN, FILE
log4j.appender.FILE=org.apache.log4j.FileAppender
log4j.appender.FILE.File={log}
log4j.appender.FILE.layout=org.apache.log4j.PatternLayout
log4j.appender.FILE.layout.ConversionPattern=%d %p %c: %m%n
"""


class ZooKeeperServer(Service):
    """One standalone ZooKeeper server on 127.0.0.1 with its own temp dir (a :class:`~.health.Service`)."""

    def __init__(self, start_timeout: float = 30.0):
        self.start_timeout = start_timeout
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.workdir: Path | None = None
        self.process: subprocess.Popen | None = None
        self.generation = 0
        self._lock = threading.RLock()
        self._supervisor: threading.Thread | None = None
        self._stopped = False

    @property
    def hosts(self) -> str:
        if self.port is None:
            raise RuntimeError("ZooKeeper server not started")
        return f"{self.host}:{self.port}"

    def __enter__(self) -> "ZooKeeperServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, n: int = 30) -> str:
        if self.workdir is None:
            return ""
        out = []
        for name in ("stdout.log", "zookeeper.log"):
            p = self.workdir / name
            if p.exists():
                out.extend(p.read_text(errors="replace").splitlines()[-n:])
        return "\n".join(out[-n:])

    def start(self, port: int | None = None) -> "ZooKeeperServer":
        """Start the server (a no-op while it runs); :class:`~.health.ServiceFailure` if it cannot.

        ``port``: try this port first (a restart keeps its clients' connection string valid).
        """
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                return self
            java, jar = find_zookeeper()
            self._stopped = False
            failures = []
            for attempt in range(3):  # a free port can be taken between probe and bind: retry
                try:
                    self._start_once(java, jar, port if attempt == 0 else None)
                    self.generation += 1
                    atexit.register(self.stop)
                    return self
                except _StartFailed as e:
                    failures.append(str(e))
                    self._kill(keep_data=True)
            self._kill()
            raise ServiceFailure("ZooKeeper", "failed to start (3 attempts): " + failures[-1])

    def supervise(self, interval: float = 0.5) -> None:
        """Restart the server at once, on the same port, whenever its process dies (until :meth:`stop`).

        A kazoo client whose server died waits for it forever; given a server on the
        same port again, it finds its session expired and fails what it was waiting
        for, so the case ends (as a harness error: :func:`.health.died` tells the
        call that used the server) instead of hanging the run.
        """
        if self._supervisor is not None and self._supervisor.is_alive():
            return

        def watch() -> None:
            while not self._stopped:
                time.sleep(interval)
                with LOCK, self._lock:  # the order use() takes them in
                    process = self.process
                    if self._stopped or process is None or process.poll() is None:
                        continue
                    name, what = self.name(), f"exited ({exit_description(process.returncode)})"
                    died(self, name, what)
                    try:
                        self.restart()
                    except ServiceFailure as failure:
                        died(self, name, f"could not be restarted: {failure.what}")

        self._supervisor = threading.Thread(target=watch, name="parity-zookeeper-supervisor", daemon=True)
        self._supervisor.start()

    # -- the health protocol (services/health.py) ----------------------------
    def name(self) -> str:
        if self.process is None or self.port is None:
            return "ZooKeeper (not running)"
        return f"ZooKeeper {self.host}:{self.port} (pid {self.process.pid})"

    def problem(self) -> str | None:
        if self.process is None or self.port is None:
            return "is not running"
        returncode = self.process.poll()
        if returncode is not None:
            return f"exited ({exit_description(returncode)})"
        for attempt in range(2):  # a loaded machine can be slow to answer; a dead server never answers
            try:
                answer = four_letter_word(self.host, self.port, b"ruok", timeout=3.0)
            except OSError as error:
                if attempt:
                    return f"does not answer `ruok` ({type(error).__name__}: {error})"
                continue
            return None if answer == b"imok" else f"answered `ruok` with {answer[:40]!r}"
        return None  # pragma: no cover - the loop returns

    def restart(self) -> None:
        """Start it again on the same port with the same data (else the next free port), so its clients reconnect.

        A fresh server would refuse every client that saw a later transaction than
        its own (zxid 0): they would retry for ever.  On the old data directory it
        knows their transactions and sessions; a session that expired meanwhile makes
        the client fail what it waits for, which ends the call.
        """
        with self._lock:
            port = self.port
            self._kill(keep_data=True)
            self.port = None
            self.start(port=port)

    def _start_once(self, java: str, jar: str, port: int | None = None) -> None:
        if self.workdir is None or not self.workdir.is_dir():
            self.workdir = Path(tempfile.mkdtemp(prefix="parity-zk-"))
        (self.workdir / "data").mkdir(exist_ok=True)
        self.port = port or _free_port()
        log = self.workdir / "zookeeper.log"
        cfg = self.workdir / "zoo.cfg"
        cfg.write_text("\n".join([
            "tickTime=500",
            "minSessionTimeout=1000",
            "maxSessionTimeout=60000",
            f"dataDir={self.workdir / 'data'}",
            f"clientPort={self.port}",
            f"clientPortAddress={self.host}",
            "maxClientCnxns=0",
            "admin.enableServer=false",
            "4lw.commands.whitelist=ruok,srvr,stat",
            "autopurge.purgeInterval=0",
            "",
        ]))
        (self.workdir / "log4j.properties").write_text(_LOG4J.format(log=log))
        argv = [java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                f"-Dlog4j.configuration=file:{self.workdir / 'log4j.properties'}",
                "-Dzookeeper.jmx.log4j.disable=true", "-Dzookeeper.admin.enableServer=false",
                "-cp", jar, MAIN_CLASS, str(cfg)]
        stdout = open(self.workdir / "stdout.log", "wb")
        try:
            supervisor = self._supervisor is not None and threading.current_thread() is self._supervisor
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            cwd=self.workdir, preexec_fn=die_with_this_thread(supervisor))
        except OSError as error:
            raise _StartFailed(f"cannot run {java}: {error}") from None
        finally:
            stdout.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise _StartFailed(
                    f"ZooKeeper exited ({exit_description(self.process.returncode)}) before answering on "
                    f"{self.hosts}:\n{self.log_tail()}")
            try:
                # `ruok` says imok before the server serves; `srvr` only reports stats once it does
                if (four_letter_word(self.host, self.port, b"ruok") == b"imok"
                        and b"Zookeeper version" in four_letter_word(self.host, self.port, b"srvr")):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise _StartFailed(f"ZooKeeper did not answer `ruok`/`srvr` on {self.hosts} within "
                           f"{self.start_timeout:.0f} s:\n{self.log_tail()}")

    def _kill(self, keep_data: bool = False) -> None:
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.workdir is not None and not keep_data:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._kill()
            self.port = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


# ------------------------------------------------------------------ one server per process
_shared: ZooKeeperServer | None = None
_shared_pid: int | None = None
_shared_lock = threading.Lock()


def shared_server() -> ZooKeeperServer:
    """The process-wide server, started on first use (a forked child starts its own).

    Every call goes through :func:`.health.use`: the server is checked, restarted
    (same port and data when it can) if it died since the last use, and recorded
    as used by the current case, which fails as a harness error if the server dies
    while it runs.  Callers take ``hosts`` from the returned server each time.
    """
    global _shared, _shared_pid
    with _shared_lock:
        if _shared is None or _shared_pid != os.getpid():
            _shared = ZooKeeperServer()
            _shared_pid = os.getpid()
            try:
                _shared.start()
            except ServiceFailure as failure:
                failed(failure)
                raise
            _shared.supervise()
        use(_shared)
        return _shared


def kazoo_client(hosts: str, timeout: float = 10.0):
    """A started kazoo client for ``hosts`` (``host:port[/chroot]``)."""
    from kazoo.client import KazooClient
    client = KazooClient(hosts=hosts, timeout=timeout)
    client.start(timeout=timeout)
    return client


def chroot_hosts(chroot: str, hosts: str | None = None) -> str:
    return f"{hosts or shared_server().hosts}{chroot}"


def fresh_chroot(prefix: str = "case", hosts: str | None = None) -> str:
    """Create and return a new empty top-level node ``/<prefix>-<12 hex>`` (its path)."""
    hosts = hosts or shared_server().hosts
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in prefix) or "case"
    chroot = f"/{safe}-{uuid.uuid4().hex[:12]}"
    client = kazoo_client(hosts)
    try:
        client.create(chroot, b"")
    finally:
        client.stop()
        client.close()
    return chroot


def dump_tree(hosts: str, chroot: str = "/") -> list[tuple[str, bytes, bool]]:
    """Every node below ``chroot``: sorted ``(path relative to chroot, data, ephemeral)``.

    ``hosts`` is ``host:port`` without a chroot.  The chroot node itself is not
    listed; paths start with ``/``.  Ephemeral = the node's ``ephemeralOwner`` is
    a session id (not 0).  Nodes that disappear while walking are skipped.
    """
    from kazoo.exceptions import NoNodeError
    root = "/" + chroot.strip("/") if chroot.strip("/") else ""
    client = kazoo_client(hosts)
    out: list[tuple[str, bytes, bool]] = []
    try:
        stack = [root or "/"]
        while stack:
            path = stack.pop()
            try:
                children = client.get_children(path)
            except NoNodeError:
                continue
            for name in children:
                child = f"{path.rstrip('/')}/{name}"
                if not root and child == "/zookeeper":
                    continue
                try:
                    data, stat = client.get(child)
                except NoNodeError:
                    continue
                out.append((child[len(root):], bytes(data or b""), stat.ephemeralOwner != 0))
                stack.append(child)
    finally:
        client.stop()
        client.close()
    return sorted(out)
