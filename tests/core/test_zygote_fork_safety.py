"""Forking after TensorFlow's import never hangs and never changes a result: the shipped pre-import set, for real.

The classic deadlock of a fork after ``import tensorflow`` (or after grpc started) is a thread that held a lock,
or that a pool waits for, missing in the child.  This test starts a zygote with the default pre-imports
(``DEFAULT_PRELOAD``: numpy, absl, protobuf, TensorFlow, Keras, estimator), checks the state it forks from
(no Python thread, every native thread parked, grpc not running), then runs TensorFlow (eager ops on its thread
pools, a graph session) and a grpc server and channel in several forks at once, each within a timeout, and
compares them with the same command spawned.
"""

from __future__ import annotations

import concurrent.futures
import textwrap

import grpc  # noqa: F401 - in the test extra: a missing install must fail, not skip
import tensorflow  # noqa: F401 - likewise

from pytest_monolith_parity import cli
from pytest_monolith_parity.cases import Args
from pytest_monolith_parity.config import Settings
from pytest_monolith_parity.runners.base import RunContext
from pytest_monolith_parity.runners.workers import WorkerPool
from pytest_monolith_parity.runners.zygote import DEFAULT_PRELOAD

WORK = textwrap.dedent('''
    import sys
    from concurrent import futures

    import grpc
    import tensorflow as tf

    eager = tf.reduce_sum(tf.linalg.matmul(tf.ones((128, 128)), tf.ones((128, 128))))
    with tf.Graph().as_default():
        graph_value = tf.compat.v1.Session().run(tf.reduce_sum(tf.range(1000)))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    grpc.channel_ready_future(grpc.insecure_channel("127.0.0.1:%d" % port)).result(timeout=60)
    server.stop(None)
    print(float(eager), int(graph_value), sys.argv[1:])
''')


def context_for(tmp_path, zygote):
    settings = Settings(rootdir=tmp_path, reference_zygote=zygote, reference_preload=list(DEFAULT_PRELOAD))
    return RunContext(settings=settings, workers=WorkerPool(start_timeout=300), timeout=240.0,
                      scratch_dir=str(tmp_path))


def test_tensorflow_and_grpc_run_in_concurrent_forks_of_the_default_zygote_as_in_a_spawn(tmp_path):
    forked, spawned = context_for(tmp_path, "auto"), context_for(tmp_path, "off")
    try:
        def call(context, n):
            return cli(["{python}", "-c", WORK, str(n)], side="python").run(Args(()), context)

        warm = call(forked, 0)  # starts the zygote
        [facts] = forked.workers.zygotes.facts()
        assert [step["error"] for step in facts["steps"] if step["step"] == "tensorflow"] == [""]
        assert facts["python_threads"] == [] and not facts["grpc_imported"]
        assert all(thread["state"] == "S" for thread in facts["threads"]), facts["threads"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = [warm, *pool.map(lambda n: call(forked, n), range(1, 7))]
        reference = call(spawned, 1)
        for n, result in enumerate(results):
            assert result.notes == [], result.notes
            assert result.kind is reference.kind, (result.kind, result.message)
            assert result.value["exit_code"] == reference.value["exit_code"] == 0
            assert result.value["stdout"] == f"2097152.0 499500 ['{n}']\n"
        assert reference.notes == [] and reference.value["stdout"] == "2097152.0 499500 ['1']\n"
    finally:
        forked.workers.close()
        spawned.workers.close()
