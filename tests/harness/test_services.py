"""Services the harness starts die mid-run: the verdict names the service, never blames a side; the next case runs.

The sample's framed worker is killed between calls and during one; a real ZooKeeper server
and a gRPC server are killed while a case uses them, and ZooKeeper is also broken at start.
"""

import os
import textwrap

#: Kills every live sample worker -- between two items (teardown of KILL_AFTER), or during one (KILL_DURING,
#: a second into its call, from another thread: as `kill -9 <pid>` from a shell would).
KILLER_CONFTEST = textwrap.dedent('''
    import os, signal, threading, time
    import pytest
    from pytest_monolith_parity.collect import SESSION_KEY

    def kill_workers(config, wait=0.0):
        time.sleep(wait)
        for service in list(config.stash[SESSION_KEY].workers._services.values()):
            if service.worker is not None and service.worker.alive:
                os.kill(service.worker.process.pid, signal.SIGKILL)

    def pytest_runtest_teardown(item):
        if item.name == os.environ.get("KILL_AFTER"):
            kill_workers(item.config)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(item):
        if item.name == os.environ.get("KILL_DURING"):
            threading.Thread(target=kill_workers, args=(item.config, 1.0), daemon=True).start()
        return (yield)
''')

HANG = textwrap.dedent('''
    from pytest_monolith_parity import Case, example, python_call, worker
    Case(id="hang", covers="sample_reference/__init__.py", python=python_call("sample_reference:countdown"),
         rust=worker("countdown"), golden=False, timeout=20,
         examples=[example(3, id="warm"), example(-1, id="killed"), example(5, id="after")])
''')


def records(sample):
    return {c["nodeid"].split("::")[1]: c for c in sample.report()["cases"]}


def test_a_worker_killed_between_cases_is_restarted_and_nobody_is_blamed(sample, monkeypatch):
    (sample.root / "conftest.py").write_text(KILLER_CONFTEST)
    sample.write_case_file("hang.py", HANG.replace('example(-1, id="killed"), ', ""))
    monkeypatch.setenv("KILL_AFTER", "hang[warm]")
    result = sample.run("-k", "hang")
    assert result.ret == 0, result.stdout.str()
    after = records(sample)["hang[after]"]
    assert after["outcome"] == "match"
    assert any("sample-worker" in note and "before this call; it was restarted" in note for note in after["notes"])


def test_a_worker_killed_during_a_call_is_a_harness_error_naming_it_then_the_next_case_runs(sample, monkeypatch):
    (sample.root / "conftest.py").write_text(KILLER_CONFTEST)
    sample.write_case_file("hang.py", HANG)
    monkeypatch.setenv("KILL_DURING", "hang[killed]")
    result = sample.run("-k", "hang")
    assert result.ret == 6  # harness error
    killed = records(sample)["hang[killed]"]
    assert (killed["outcome"], killed["raw"]) == ("harness error", "harness error")  # not "timeout", not "crashed"
    assert "sample-worker" in killed["message"] and "killed by SIGKILL (signal 9)" in killed["message"]
    assert "outside the harness" in killed["message"] and "restarted for the next case" in killed["message"]
    assert records(sample)["hang[after]"]["outcome"] == "match"
    result.stdout.fnmatch_lines(["GATE: FAIL (1 failing, 0 unexpected pass, 1 harness error)"])


ZOOKEEPER_CASES = textwrap.dedent('''
    """Both sides write and read a node of the harness's real ZooKeeper (the Rust side: a Python stand-in)."""
    import os, signal, uuid
    from pytest_monolith_parity import Case, ReferenceUnavailable, divergence, driver, example
    from pytest_monolith_parity.services import zookeeper as zk

    def server():  # exactly what cases/agent_service/_support/zk_ops.server() does
        try:
            return zk.shared_server()
        except zk.ZooKeeperUnavailable as error:  # not installed: a static reason
            raise ReferenceUnavailable(str(error)) from error

    def roundtrip(payload, kill=False):
        hosts = server().hosts
        client = zk.kazoo_client(hosts, timeout=3)
        try:
            path = f"/parity-{uuid.uuid4().hex}"
            client.create(path, payload.encode())
            if kill:  # the server dies while the case uses it
                process = server().process
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
            return client.get(path)[0].decode()
        finally:
            client.stop()
            client.close()

    def python_side(payload, kill=False):
        return roundtrip(payload, kill)

    def rust_side(payload, kill=False):
        return roundtrip(payload)

    Case(id="zk", covers="sample_reference/__init__.py", python=python_side, rust=driver(rust_side),
         examples=[example("a", id="before"), example("b", kill=True, id="killed"), example("c", id="after")])
''')


def _zookeeper_goldens(sample):
    """Goldens for the ZooKeeper case: record them first (the stand-in question needs one)."""
    result = sample.run("-k", "zk and not killed", "--update-golden")
    assert result.ret == 0, result.stdout.str()


def test_zookeeper_killed_during_a_case_is_a_harness_error_and_is_restarted_for_the_next(sample):
    sample.write_case_file("zookeeper.py", ZOOKEEPER_CASES)
    _zookeeper_goldens(sample)
    result = sample.run("-k", "zk", "--unused-goldens", "ignore")
    assert result.ret == 6, result.stdout.str()
    verdicts = records(sample)
    assert verdicts["zk[before]"]["outcome"] == "match" and verdicts["zk[after]"]["outcome"] == "match"
    killed = verdicts["zk[killed]"]
    assert killed["outcome"] == "harness error" and "ZooKeeper 127.0.0.1:" in killed["message"]
    assert "killed by SIGKILL (signal 9)" in killed["message"] or "restarted while this call used it" in killed["message"]
    assert "rust raised" not in killed["message"] and "python raised" not in killed["message"]


def test_zookeeper_that_fails_to_start_is_never_reference_unavailable_and_no_golden_stands_in(sample, monkeypatch,
                                                                                          tmp_path):
    sample.write_case_file("zookeeper.py", ZOOKEEPER_CASES)
    _zookeeper_goldens(sample)
    broken_java = tmp_path / "java"
    broken_java.write_text("#!/bin/sh\necho 'Error: could not create the Java Virtual Machine' >&2\nexit 1\n")
    broken_java.chmod(0o755)
    monkeypatch.setenv("MONOLITH_PARITY_JAVA", str(broken_java))  # installed, but it dies at start
    result = sample.run("-k", "zk and before", "--unused-goldens", "ignore")
    assert result.ret == 6, result.stdout.str()
    before = records(sample)["zk[before]"]
    assert before["outcome"] == "harness error" and before["against"] == "python"
    assert "service ZooKeeper: failed to start" in before["message"] and "exited (exit status 1)" in before["message"]
    assert not any("the golden stands in" in note for note in before["notes"])


GRPC_CASES = textwrap.dedent('''
    """A shared gRPC server both sides wait on; one example stops it behind the harness's back."""
    from concurrent import futures
    import grpc
    from pytest_monolith_parity import Case, driver, example
    from pytest_monolith_parity.services import grpc_servers as gs

    SERVERS = []

    def start():
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        SERVERS.append(server)
        return gs.Handle(port=port, stop=lambda: server.stop(None))

    def ready(kill=False):
        handle = gs.shared("parity-test/server", start)
        if kill:
            SERVERS[-1].stop(None).wait()  # it dies (not through the harness)
        gs.wait_ready(gs.shared("parity-test/server", start).target, timeout=5)
        return "ready"

    Case(id="grpc", covers="sample_reference/__init__.py", python=ready, rust=driver(ready), golden=False,
         examples=[example(id="before"), example(kill=True, id="killed"), example(id="after")])
''')


def test_a_grpc_server_that_dies_during_a_case_is_a_harness_error_then_restarted(sample):
    sample.write_case_file("grpc_cases.py", GRPC_CASES)
    result = sample.run("-k", "grpc")
    assert result.ret == 6, result.stdout.str()
    verdicts = records(sample)
    assert verdicts["grpc[before]"]["outcome"] == "match" and verdicts["grpc[after]"]["outcome"] == "match"
    killed = verdicts["grpc[killed]"]
    assert killed["outcome"] == "harness error" and "gRPC server parity-test/server at 127.0.0.1:" in killed["message"]
    assert "does not accept connections" in killed["message"]


def test_services_are_not_blamed_when_nothing_happens(sample):
    """The control: the same cases, nothing killed, all match."""
    sample.write_case_file("grpc_cases.py", GRPC_CASES.replace('example(kill=True, id="killed"), ', ""))
    sample.write_case_file("zookeeper.py", ZOOKEEPER_CASES.replace('example("b", kill=True, id="killed"), ', ""))
    _zookeeper_goldens(sample)
    result = sample.run("-k", "grpc or zk", "--unused-goldens", "ignore")
    assert result.ret == 0, result.stdout.str()
    assert {c["outcome"] for c in sample.report()["cases"]} == {"match"}
    assert os.environ.get("KILL_DURING") is None
