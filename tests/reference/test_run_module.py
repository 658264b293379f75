"""`python -m pytest_monolith_parity.reference.run`: an entry point as __main__ in the reference environment."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import grpc_tools  # noqa: E402,F401 - in the test extra: a missing install must fail, not skip

from pytest_monolith_parity.reference import run  # noqa: E402

REPO = Path(run.__file__).resolve().parents[2]

ENTRY = '''
    """An entry point: argv, the deferred-__init__ environment, generated protos, exit codes."""
    import sys

    from monolith.core import hyper

    def main():
        import monolith
        from monolith.agent_service import parity_fake_svc_pb2
        ping = parity_fake_svc_pb2.Ping(text="hi")
        print("argv", sys.argv[1:], sys.argv[0].endswith("monolith/tools/entry.py"))
        print("add", hyper.add(2, 3), "heavy_init_ran", "TRAINING_STACK" in vars(monolith))
        print("ping", ping.text, "name", __name__)
        if "--fail" in sys.argv:
            raise SystemExit(3)
        if "--raise" in sys.argv:
            raise ValueError("boom")

    if __name__ == "__main__":
        main()
'''

USES_CUSTOM_OP = '''
    from monolith.native_training import hash_ops

    if __name__ == "__main__":
        hash_ops.lookup(1)
'''

NEEDS_PACKAGE = '''
    import sys
    import json

    import parity_not_installed_pkg.tensorflow as hvd

    if __name__ == "__main__":
        print("imported", json.dumps([1]), type(sys.modules["json"]).__name__)
        if "--use" in sys.argv:
            hvd.rank()
'''


@pytest.fixture()
def root(fresh_root: Path) -> Path:
    for rel, text in {"monolith/tools/__init__.py": "", "monolith/tools/entry.py": ENTRY,
                      "monolith/tools/uses_custom_op.py": USES_CUSTOM_OP,
                      "monolith/tools/needs_package.py": NEEDS_PACKAGE}.items():
        path = fresh_root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return fresh_root


def launch(*args: str, env_root: Path | None = None, var: str = "MONOLITH_PARITY_REFERENCE_ROOT",
           proto_cache: Path, cwd: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MONOLITH_PARITY_REFERENCE_ROOT", "MONOLITH_ROOT",
                                                            run.STANDINS_ENV)}
    env.update(extra or {})
    env["MONOLITH_PARITY_PROTO_CACHE"] = str(proto_cache)
    # this checkout of the harness, whatever copy an editable install elsewhere would resolve from `cwd`
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    if env_root is not None:
        env[var] = str(env_root)
    return subprocess.run([sys.executable, "-m", "pytest_monolith_parity.reference.run", *args], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_runs_the_module_as_main_with_its_arguments(root, proto_cache, tmp_path):
    done = launch("monolith.tools.entry", "--x", "1", env_root=root, proto_cache=proto_cache, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["argv ['--x', '1'] True", "add 5 heavy_init_ran False",
                                        "ping hi name __main__"]


def test_monolith_root_is_the_fallback_and_a_path_names_the_module(root, proto_cache, tmp_path):
    done = launch("monolith/tools/entry.py", env_root=root, var="MONOLITH_ROOT", proto_cache=proto_cache,
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("argv [] True")


def test_exit_codes_and_tracebacks_pass_through(root, proto_cache, tmp_path):
    failed = launch("monolith.tools.entry", "--fail", env_root=root, proto_cache=proto_cache, cwd=tmp_path)
    assert failed.returncode == 3
    raised = launch("monolith.tools.entry", "--raise", env_root=root, proto_cache=proto_cache, cwd=tmp_path)
    assert raised.returncode == 1
    assert raised.stderr.rstrip().endswith("ValueError: boom")


def test_a_custom_op_makes_it_reference_unavailable(root, proto_cache, tmp_path):
    done = launch("monolith.tools.uses_custom_op", env_root=root, proto_cache=proto_cache, cwd=tmp_path)
    assert done.returncode == run.EXIT_UNAVAILABLE
    [line] = [ln for ln in done.stderr.splitlines() if ln.startswith(run.UNAVAILABLE_MARKER)]
    assert "custom op" in line and "hash_table_lookup" in line


def test_a_missing_package_makes_it_reference_unavailable_not_an_exit_1(root, proto_cache, tmp_path):
    done = launch("monolith.tools.needs_package", env_root=root, proto_cache=proto_cache, cwd=tmp_path)
    assert done.returncode == run.EXIT_UNAVAILABLE, done.stderr
    [line] = [ln for ln in done.stderr.splitlines() if ln.startswith(run.UNAVAILABLE_MARKER)]
    assert line == f"{run.UNAVAILABLE_MARKER}needs package: parity_not_installed_pkg"


def test_named_standins_let_the_entry_point_run_until_it_uses_one(root, proto_cache, tmp_path):
    names = {run.STANDINS_ENV: "parity_not_installed_pkg, parity_not_installed_pkg.tensorflow,json"}
    ran = launch("monolith.tools.needs_package", env_root=root, proto_cache=proto_cache, cwd=tmp_path, extra=names)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["imported [1] module"]  # json is installed: never replaced
    used = launch("monolith.tools.needs_package", "--use", env_root=root, proto_cache=proto_cache, cwd=tmp_path,
                  extra=names)
    assert used.returncode == run.EXIT_UNAVAILABLE, used.stderr
    [line] = [ln for ln in used.stderr.splitlines() if ln.startswith(run.UNAVAILABLE_MARKER)]
    assert line.startswith(f"{run.UNAVAILABLE_MARKER}package parity_not_installed_pkg.tensorflow is not installed")


def test_usage_errors(root, proto_cache, tmp_path):
    no_root = launch("monolith.tools.entry", proto_cache=proto_cache, cwd=tmp_path)
    assert no_root.returncode == run.EXIT_USAGE and "MONOLITH_PARITY_REFERENCE_ROOT" in no_root.stderr
    no_module = launch(env_root=root, proto_cache=proto_cache, cwd=tmp_path)
    assert no_module.returncode == run.EXIT_USAGE and "usage:" in no_module.stderr
    missing = launch("monolith.tools.nope", env_root=root, proto_cache=proto_cache, cwd=tmp_path)
    assert missing.returncode == run.EXIT_USAGE and "'monolith.tools.nope'" in missing.stderr
    bad_root = launch("monolith.tools.entry", env_root=tmp_path / "nowhere", proto_cache=proto_cache, cwd=tmp_path)
    assert bad_root.returncode == run.EXIT_USAGE and "nowhere" in bad_root.stderr


def test_module_name():
    assert run.module_name("monolith/agent_service/agent.py") == "monolith.agent_service.agent"
    assert run.module_name("monolith.agent_service.agent") == "monolith.agent_service.agent"
