"""`make demo`: self-contained (an exported checkout does not leak in) and exits with the run's status."""

import re
import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def make_demo(tmp_path, extra_addopts=""):
    env = dict(os.environ)
    env.pop("CI", None)
    env.update({
        "MONOLITH_ROOT": str(tmp_path / "a-real-users-checkout"),  # as the README tells users to export
        "MONOLITH_PARITY_RUST_WORKER": "/nonexistent/worker",
        "MONOLITH_PARITY_GOLDEN_DIR": "/nonexistent/goldens",
        # keep the demo's reports out of the repository while the test runs
        "PYTEST_ADDOPTS": f"--parity-report-dir={tmp_path / 'report'} --parity-history={tmp_path / 'history.jsonl'} "
                          + extra_addopts,
    })
    return subprocess.run(["make", "-s", "demo", f"PYTHON={sys.executable}"], cwd=REPOSITORY, env=env,
                          capture_output=True, text=True, timeout=1800)


def test_make_demo_ignores_the_users_monolith_settings_and_passes(tmp_path):
    result = make_demo(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GATE: PASS (0 failing, 0 unexpected pass, 0 harness error)" in result.stdout
    assert "open " in result.stdout.splitlines()[-1] and "parity-report.html" in result.stdout.splitlines()[-1]


def test_make_demo_exits_with_the_gates_status(tmp_path):
    empty = tmp_path / "no-goldens"
    empty.mkdir()
    result = make_demo(tmp_path, f"--golden-dir={empty}")  # every example: golden missing
    assert result.returncode != 0 and "GATE: FAIL (" in result.stdout, result.stdout + result.stderr
    assert "open " in result.stdout.splitlines()[-1]  # the report's location is still printed
    # make reports the failing status ("make[1]: ***" when the tests themselves run under make, as in CI)
    assert re.search(r"make(\[\d+\])?: \*\*\* \[Makefile", result.stderr), result.stderr
