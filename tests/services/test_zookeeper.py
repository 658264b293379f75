"""The real ZooKeeper service: start, answer, chroots, tree dumps, stop."""

import os
import time

import pytest

from pytest_monolith_parity.services import zookeeper as zk

pytest_plugins = ["pytest_monolith_parity.services.fixtures"]


def test_server_answers_four_letter_words(zookeeper_server):
    assert zookeeper_server.host == "127.0.0.1"
    assert zk.four_letter_word("127.0.0.1", zookeeper_server.port, b"ruok") == b"imok"
    assert b"Zookeeper version" in zk.four_letter_word("127.0.0.1", zookeeper_server.port, b"srvr")


def test_shared_server_is_one_per_process(zookeeper_server):
    assert zk.shared_server() is zookeeper_server


def test_fresh_chroots_are_distinct_and_empty(zookeeper_server):
    a, b = zk.fresh_chroot("x"), zk.fresh_chroot("x")
    assert a != b and a.startswith("/x-")
    assert zk.dump_tree(zookeeper_server.hosts, a) == []


def test_dump_tree_paths_payloads_ephemeral(zk_chroot):
    hosts, chroot = zk_chroot
    client = zk.kazoo_client(zk.chroot_hosts(chroot, hosts))
    try:
        client.create("/a/b", b"\x00payload\xff", makepath=True)
        client.create("/a/e", b"eph", ephemeral=True)
        client.ensure_path("/z")
        assert zk.dump_tree(hosts, chroot) == [
            ("/a", b"", False), ("/a/b", b"\x00payload\xff", False), ("/a/e", b"eph", True), ("/z", b"", False)]
    finally:
        client.stop()
        client.close()
    # the session closed: its ephemeral node is gone
    assert [p for p, _, _ in zk.dump_tree(hosts, chroot)] == ["/a", "/a/b", "/z"]


def test_dump_tree_whole_server_skips_zookeeper_node(zk_chroot):
    hosts, chroot = zk_chroot
    paths = [p for p, _, _ in zk.dump_tree(hosts, "/")]
    assert chroot in paths and not any(p.startswith("/zookeeper") for p in paths)


def test_own_server_starts_and_stops_its_process_group():
    t0 = time.monotonic()
    with zk.ZooKeeperServer() as server:
        pid = server.process.pid
        assert zk.four_letter_word("127.0.0.1", server.port, b"ruok") == b"imok"
        workdir = server.workdir
        assert (workdir / "zoo.cfg").read_text().count("clientPortAddress=127.0.0.1") == 1
    assert time.monotonic() - t0 < 25
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    assert not workdir.exists()


def test_missing_package_names_the_fix(monkeypatch):
    monkeypatch.setattr(zk, "ZOOKEEPER_JARS", ("/nonexistent/zookeeper.jar",))
    monkeypatch.delenv("MONOLITH_PARITY_ZOOKEEPER_JAR", raising=False)
    with pytest.raises(zk.ZooKeeperUnavailable, match="apt-get install zookeeper"):
        zk.ZooKeeperServer().start()


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_server_dies_with_the_process_that_started_it(how, tmp_path):
    """A harness process killed from outside (no atexit) must not leave its ZooKeeper running."""
    import signal
    import subprocess
    import sys

    zk.find_zookeeper()  # not installed: this fails with the install command (a test dependency, never a skip)
    script = ("import sys, time\n"
              "from pytest_monolith_parity.services import zookeeper as zk\n"
              "server = zk.shared_server()\n"
              "print(server.process.pid, flush=True)\n"
              "time.sleep(120)\n")
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        java = int(owner.stdout.readline())
        os.kill(java, 0)  # running
        owner.send_signal(getattr(signal, how))
        owner.wait(30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(java, 0)
            except ProcessLookupError:
                break
            with open(f"/proc/{java}/stat") as stat:  # a zombie nobody reaps yet is gone too
                if stat.read().split(") ", 1)[1].startswith("Z"):
                    break
            time.sleep(0.1)
        else:
            os.killpg(java, signal.SIGKILL)
            pytest.fail(f"ZooKeeper (pid {java}) outlived its owner killed by {how}")
    finally:
        if owner.poll() is None:
            owner.kill()
