"""The API scanner's own unit tests (rust_bindings/api-scan, `cargo test`): modules, cfgs, visibility, signatures.

Marked slow: compiles syn for the test profile once per run (the shared target dir keeps it).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

API_SCAN = Path(__file__).resolve().parents[2] / "rust_bindings" / "api-scan"


def test_api_scan_unit_tests_pass(shared_target):
    out = subprocess.run(["cargo", "test", "-j", "2", "--manifest-path", str(API_SCAN / "Cargo.toml"),
                          "--target-dir", str(shared_target / "api-scan")],
                         capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    assert "test result: ok. 4 passed" in out.stdout, out.stdout[-2000:]
