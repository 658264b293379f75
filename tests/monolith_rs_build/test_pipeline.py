"""Real cargo builds of a fake checkout: once, then a no-op; rebuilt on change; refused when stale.

Marked slow: the first test of a run compiles pyo3 (about a minute on two
cores); the others reuse it through the shared target dir.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
from rust_build_fakes import call_extension, make_checkout, set_answer, set_bindings_body

from pytest_monolith_parity.build_stamps import BuildError

pytestmark = pytest.mark.slow

NO_CARGO = "/nonexistent/cargo"  # any cargo invocation would fail with "cannot run cargo"


def test_builds_once_then_is_a_noop_without_cargo(fake):
    first = fake.ensure()
    assert first.results["bindings"].action == "built"
    assert first.extension == first.python_path / "monolith_parity_rs.abi3.so"
    assert first.python_path.name == "no-package"  # the fake bindings have no package features
    assert first.build_dir.parent == fake.cache
    assert call_extension(first.python_path) == 41

    start = time.perf_counter()
    second = fake.ensure(cargo_bin=NO_CARGO)
    elapsed = time.perf_counter() - start
    assert second.results["bindings"].action == "up to date"
    assert second.extension == first.extension
    assert elapsed < 2.0, f"a no-op took {elapsed:.2f}s"
    assert fake.ensure(mode="never", cargo_bin=NO_CARGO).results["bindings"].action == "skipped"


def test_a_source_change_rebuilds_and_never_refuses_it_until_then(fake):
    built = fake.ensure()
    set_answer(fake.checkout, 42)
    with pytest.raises(BuildError, match=r"stale(.|\n)*crates/monolith-core(.|\n)*build-rust --monolith-root"):
        fake.ensure(mode="never", cargo_bin=NO_CARGO)
    assert fake.ensure().results["bindings"].action == "built"
    assert call_extension(built.python_path) == 42

    set_bindings_body(fake.bindings, "monolith_core::answer() + 1000")
    assert fake.ensure().results["bindings"].action == "built"
    assert call_extension(built.python_path) == 1042


def test_never_refuses_a_missing_build(fake):
    with pytest.raises(BuildError, match=r"missing(.|\n)*monolith_parity_rs.abi3.so(.|\n)*--rust-build=auto"):
        fake.ensure(mode="never", cargo_bin=NO_CARGO)


def test_force_builds_again(fake):
    fake.ensure()
    assert fake.ensure(mode="force").results["bindings"].action == "built"


def test_two_revisions_build_side_by_side(fake, tmp_path):
    pr = make_checkout(tmp_path / "pull-request", 7)
    base = fake.ensure()
    head = fake.ensure(root=pr)
    assert base.build_dir != head.build_dir
    assert (call_extension(base.python_path), call_extension(head.python_path)) == (41, 7)
    assert fake.ensure(cargo_bin=NO_CARGO).results["bindings"].action == "up to date"
    assert fake.ensure(root=pr, cargo_bin=NO_CARGO).results["bindings"].action == "up to date"


def test_cli_binary_of_the_checkout(fake):
    artifacts = fake.ensure(what=["cli"])
    assert artifacts.results["cli"].action == "built" and artifacts.cli.name == "monolith"
    assert subprocess.run([artifacts.cli], capture_output=True, text=True).stdout == "answer 41\n"
    assert fake.ensure(what=["cli"], cargo_bin=NO_CARGO).results["cli"].action == "up to date"
    set_answer(fake.checkout, 5)
    assert fake.ensure(what=["cli"]).results["cli"].action == "built"
    assert subprocess.run([artifacts.cli], capture_output=True, text=True).stdout == "answer 5\n"


def test_a_failed_build_shows_the_compiler_output_and_keeps_the_old_extension(fake):
    built = fake.ensure()
    set_bindings_body(fake.bindings, "monolith_core::no_such_function()")
    with pytest.raises(BuildError, match=r"cargo failed(.|\n)*no_such_function(.|\n)*"):
        fake.ensure()
    assert call_extension(built.python_path) == 41
    with pytest.raises(BuildError, match="stale"):
        fake.ensure(mode="never", cargo_bin=NO_CARGO)


def test_build_rust_command_prints_paths_and_builds_once_under_concurrency(fake):
    argv = [sys.executable, "-m", "pytest_monolith_parity", "build-rust", "--monolith-root", str(fake.checkout),
            "--bindings-dir", str(fake.bindings), "--cache-dir", str(fake.cache), "--target-dir", str(fake.target),
            "--what", "all", "-q"]
    refused = subprocess.run([*argv, "--rust-build", "never"], capture_output=True, text=True)
    assert refused.returncode == 1 and "build-rust" in refused.stderr
    both = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    summaries = "".join(err for _, err in outputs)
    # "bindings [<packages>]: built in 12.3s" (the feature set in brackets, docs/rust-bindings.md)
    assert len(re.findall(r"^bindings \[[^\]]*\]: built in ", summaries, re.M)) == 1, summaries
    assert len(re.findall(r"^bindings \[[^\]]*\]: up to date in ", summaries, re.M)) == 1, summaries
    paths = dict(line.split("=", 1) for line in outputs[0][0].splitlines())
    assert set(paths) == {"build_dir", "python_path", "extension", "features", "cli"}
    assert call_extension(paths["python_path"]) == 41
    assert subprocess.run([paths["cli"]], capture_output=True, text=True).stdout == "answer 41\n"


def test_activate_puts_the_build_first_here_and_in_subprocesses(fake, tmp_path):
    built = fake.ensure()
    shadow = tmp_path / "shadow"
    (shadow / "monolith_parity_rs").mkdir(parents=True)
    (shadow / "monolith_parity_rs" / "__init__.py").write_text("def answer(): return -1\n")
    script = f"""
import subprocess, sys
from pytest_monolith_parity import monolith_rs_build
artifacts = monolith_rs_build.ensure({str(fake.checkout)!r}, mode="never", cache_dir={str(fake.cache)!r},
                              bindings_dir={str(fake.bindings)!r}, target_dir={str(fake.target)!r})
monolith_rs_build.activate(artifacts)
monolith_rs_build.verify_import(artifacts, "monolith_parity_rs")
import monolith_parity_rs
child = subprocess.run([sys.executable, "-c", "import monolith_parity_rs as m; print(m.answer())"],
                       capture_output=True, text=True)
print(monolith_parity_rs.answer(), child.stdout.strip())
"""
    env = {**__import__("os").environ, "PYTHONPATH": str(shadow)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["41", "41"]

    shadowed = script.replace("monolith_rs_build.activate(artifacts)\n", "import monolith_parity_rs\n")
    out = subprocess.run([sys.executable, "-c", shadowed], capture_output=True, text=True, env=env)
    assert out.returncode != 0 and "shadow" in out.stderr and "monolith_rs_build.activate()" in out.stderr
    assert built.extension.exists()


def test_build_rust_shows_progress_lines_off_a_tty(fake):
    fake.ensure()  # pyo3 and friends compiled; the command then rebuilds the bindings only
    set_bindings_body(fake.bindings, "monolith_core::answer() + 1")
    argv = [sys.executable, "-m", "pytest_monolith_parity", "build-rust", "--monolith-root", str(fake.checkout),
            "--bindings-dir", str(fake.bindings), "--cache-dir", str(fake.cache), "--target-dir", str(fake.target)]
    env = {**__import__("os").environ, "MONOLITH_PARITY_PROGRESS": "plain"}
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.startswith("rust bindings [no package]: ")]
    assert lines[0].startswith("rust bindings [no package]: 0/~") and lines[0].endswith(" crates, 0s"), lines
    assert lines[-1].split(", ")[-2] == "built" and "\r" not in out.stderr, lines
    assert "bindings [no package]: built in" in out.stderr  # the summary
    quiet = subprocess.run([*argv, "-q"], capture_output=True, text=True, env=env, timeout=600)
    assert quiet.returncode == 0 and "rust bindings [" not in quiet.stderr
