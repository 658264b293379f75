"""A project's own build command, cached: once when sources change, refused when stale under --rust-build=never."""

import pytest

from pytest_monolith_parity.build_stamps import BuildError
from pytest_monolith_parity.command_build import build_with_command


@pytest.fixture()
def project(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "lib.rs").write_text("fn main() {}\n")
    (tmp_path / "target").mkdir()
    log = tmp_path / "builds.log"
    return src, log, f"echo built >> {log}", tmp_path / ".parity-build" / "stamp.json"


def builds(log):
    return log.read_text().count("built") if log.exists() else 0


def test_auto_builds_once_until_sources_change(project):
    src, log, command, stamp = project
    assert build_with_command("auto", command, [src], stamp).action == "built"
    assert build_with_command("auto", command, [src], stamp).action == "up to date"
    assert builds(log) == 1
    (src / "lib.rs").write_text("fn main() { let _ = 1; }\n")
    assert build_with_command("auto", command, [src], stamp).action == "built"
    assert builds(log) == 2


def test_build_outputs_do_not_count_as_sources(project):
    src, log, command, stamp = project
    build_with_command("auto", command, [src.parent / "src"], stamp)
    (src / "target").mkdir()
    (src / "target" / "out.rs").write_text("generated")
    assert build_with_command("auto", command, [src], stamp).action == "up to date"


def test_force_always_builds(project):
    src, log, command, stamp = project
    build_with_command("force", command, [src], stamp)
    build_with_command("force", command, [src], stamp)
    assert builds(log) == 2


def test_never_refuses_a_stale_build(project):
    src, log, command, stamp = project
    build_with_command("auto", command, [src], stamp)
    assert build_with_command("never", command, [src], stamp).action == "skipped"
    (src / "lib.rs").write_text("changed\n")
    with pytest.raises(BuildError, match="stale.*--rust-build=auto"):
        build_with_command("never", command, [src], stamp)
    assert builds(log) == 1


def test_failed_build_shows_its_output(project):
    src, log, _, stamp = project
    with pytest.raises(BuildError, match=r"exit status 3(.|\n)*compiler says no"):
        build_with_command("auto", "echo compiler says no; exit 3", [src], stamp)
    assert not stamp.exists()
