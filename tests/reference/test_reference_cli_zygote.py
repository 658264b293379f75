"""``reference_cli`` forked from the reference zygote gives what the spawned launcher gives, on the fake checkout."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import grpc_tools  # noqa: F401 - in the test extra: a missing install must fail, not skip

from pytest_monolith_parity import cli, reference_cli
from pytest_monolith_parity.cases import Args
from pytest_monolith_parity.config import Settings
from pytest_monolith_parity.outcomes import SideKind
from pytest_monolith_parity.runners.base import RunContext
from pytest_monolith_parity.runners.workers import WorkerPool

ENTRY = '''
    import sys

    from monolith.core import hyper

    if __name__ == "__main__":
        print("argv", sys.argv[1:], sys.argv[0].endswith("monolith/tools/entry.py"), "add", hyper.add(2, 3))
        if "--fail" in sys.argv:
            raise SystemExit(3)
        if "--raise" in sys.argv:
            raise ValueError("boom")
'''

USES_CUSTOM_OP = '''
    from monolith.native_training import hash_ops

    if __name__ == "__main__":
        hash_ops.lookup(1)
'''


@pytest.fixture()
def contexts(fresh_root: Path, proto_cache: Path, tmp_path, monkeypatch):
    for rel, text in {"monolith/tools/__init__.py": "", "monolith/tools/entry.py": ENTRY,
                      "monolith/tools/uses_custom_op.py": USES_CUSTOM_OP}.items():
        path = fresh_root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    monkeypatch.setenv("MONOLITH_PARITY_PROTO_CACHE", str(proto_cache))  # the zygote's and every launcher's
    made = {}
    for path, zygote in (("fork", "auto"), ("spawn", "off")):
        settings = Settings(rootdir=tmp_path, monolith_root=str(fresh_root), reference_zygote=zygote,
                            reference_preload=["numpy"])  # TensorFlow's import is what a real run saves
        made[path] = RunContext(settings=settings, workers=WorkerPool(start_timeout=60), timeout=60.0,
                                scratch_dir=str(tmp_path))
    yield made
    for context in made.values():
        context.workers.close()


def both(contexts, make_runner):
    fork, spawn = (make_runner().run(Args(()), contexts[path]) for path in ("fork", "spawn"))
    assert fork.notes == [] == spawn.notes
    for field in ("kind", "value", "error_type", "message"):
        assert getattr(fork, field) == getattr(spawn, field), field
    return fork


def test_an_entry_point_forked_or_spawned_gives_the_same_streams_and_exit(contexts):
    ran = both(contexts, lambda: reference_cli("monolith.tools.entry", ["--x", "1"]))
    assert ran.value == {"exit_code": 0, "stdout": "argv ['--x', '1'] True add 5\n", "stderr": "", "files": {}}
    assert both(contexts, lambda: reference_cli("monolith.tools.entry", ["--fail"])).value["exit_code"] == 3
    raised = both(contexts, lambda: reference_cli("monolith.tools.entry", ["--raise"])).value
    assert raised["exit_code"] == 1 and raised["stderr"].endswith("ValueError: boom\n")
    assert contexts["fork"].workers.zygotes.facts(), "the fork path had no zygote"


def test_reference_unavailable_on_both_paths(contexts):
    unavailable = both(contexts, lambda: reference_cli("monolith.tools.uses_custom_op"))
    assert unavailable.kind is SideKind.UNAVAILABLE and "hash_table_lookup" in unavailable.message


def test_a_plain_python_command_does_not_see_the_reference_environment(contexts):
    """A spawned ``python -c`` has no ``monolith`` to import; the fork drops the zygote's environment for it."""
    failed = both(contexts, lambda: cli(["{python}", "-c", "import monolith.core.hyper"], side="python"))
    assert failed.value["exit_code"] == 1 and "No module named 'monolith'" in failed.value["stderr"]
