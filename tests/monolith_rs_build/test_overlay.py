"""The overlay workspace: generated outside the checkout, nothing checkout-specific committed (no cargo run)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pytest_monolith_parity.monolith_rs_build import RustSetupError, build_key
from pytest_monolith_parity.monolith_rs_build.overlay import write_overlay
from pytest_monolith_parity.monolith_rs_build.template import BindingsTemplate
from pytest_monolith_parity.monolith_rs_build.workspace import RustWorkspace

from rust_build_fakes import make_bindings, make_checkout, write

REPO = Path(__file__).resolve().parents[2]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def load(path: Path) -> dict:
    return tomllib.loads(path.read_text())


@pytest.fixture()
def pair(tmp_path):
    checkout = make_checkout(tmp_path / "checkout", 41)
    bindings = make_bindings(tmp_path / "bindings")
    return RustWorkspace.open(checkout), BindingsTemplate.load(bindings), tmp_path / "build"


def test_overlay_points_into_the_checkout_and_writes_nothing_there(pair):
    workspace, template, build = pair
    before = snapshot(workspace.monolith_root)
    overlay = write_overlay(workspace, template, build)
    assert snapshot(workspace.monolith_root) == before

    root = load(build / "Cargo.toml")
    assert root["workspace"]["members"] == ["bindings", "cli"]
    assert root["profile"]["release"] == {"panic": "unwind"}
    bindings = load(build / "bindings" / "Cargo.toml")
    assert bindings["lib"] == {"name": "monolith_parity_rs", "crate-type": ["cdylib"],
                               "path": str(template.directory / "src" / "lib.rs")}
    assert bindings["dependencies"]["monolith-core"] == {"path": str(workspace.root / "crates" / "monolith-core")}
    assert bindings["dependencies"]["pyo3"]["features"] == ["abi3-py311"]
    cli = load(build / "cli" / "Cargo.toml")
    assert cli["bin"] == [{"name": "monolith", "path": str(workspace.root / "crates/monolith-cli/src/main.rs")}]
    assert cli["dependencies"]["monolith-cli"] == {"path": str(workspace.root / "crates" / "monolith-cli")}
    assert cli["package"]["version"] == "0.1.0"
    assert (overlay.cli_package, overlay.cli_bin) == ("monolith-parity-cli", "monolith")


def test_workspace_dependencies_keep_the_checkout_versions_and_merge_features(pair):
    workspace, template, build = pair
    manifest = workspace.root / "Cargo.toml"
    manifest.write_text(manifest.read_text() + 'serde = { version = "1.0.100", features = ["derive"] }\n')
    text = (template.path.read_text()
            .replace("[dependencies]\n", '[dependencies]\nserde = { workspace = true, features = ["rc"] }\n'))
    template.path.write_text(text)
    write_overlay(RustWorkspace.open(workspace.monolith_root), BindingsTemplate.load(template.directory), build)
    serde = load(build / "bindings" / "Cargo.toml")["dependencies"]["serde"]
    assert serde == {"version": "1.0.100", "features": ["derive", "rc"]}


def test_the_checkout_lockfile_seeds_the_overlay_once_per_change(pair):
    workspace, template, build = pair
    (workspace.root / "Cargo.lock").write_text("# checkout lock v1\n")
    write_overlay(workspace, template, build)
    assert (build / "Cargo.lock").read_text() == "# checkout lock v1\n"
    (build / "Cargo.lock").write_text("# checkout lock v1\n# + what cargo added\n")
    write_overlay(workspace, template, build)
    assert "what cargo added" in (build / "Cargo.lock").read_text(), "an unchanged checkout lock is not recopied"
    (workspace.root / "Cargo.lock").write_text("# checkout lock v2\n")
    write_overlay(workspace, template, build)
    assert (build / "Cargo.lock").read_text() == "# checkout lock v2\n"


def test_closure_follows_path_dependencies(pair):
    workspace, _, _ = pair
    crates = workspace.root / "crates"
    assert workspace.closure([crates / "monolith-cli"]) == [crates / "monolith-cli", crates / "monolith-core"]


def test_committed_template_names_no_checkout():
    template = BindingsTemplate.load(REPO / "rust_bindings")
    text = template.path.read_text()
    assert "path" not in template.manifest["lib"]
    for table in ("dependencies", "build-dependencies"):
        for name, spec in template.manifest.get(table, {}).items():
            if isinstance(spec, dict) and "path" in spec:  # only our own helpers, inside rust_bindings/
                resolved = (template.directory / spec["path"]).resolve()
                assert resolved.is_relative_to(template.directory), f"{name} must not name a path outside"
            if name.startswith("monolith-"):
                assert spec.get("workspace") is True and set(spec) <= {"workspace", "optional"}, \
                    f"{name} must come from the checkout's workspace"
    features = template.manifest["features"]
    assert {"agent_service", "native_training"} <= set(features), "one feature per monolith package"
    assert "/work/" not in text and "checkouts" not in text and "MONOLITH_ROOT=" not in text


def test_unknown_workspace_dependency_names_the_fix(pair):
    workspace, template, build = pair
    template.path.write_text(template.path.read_text().replace(
        "[dependencies]\n", "[dependencies]\nmonolith-serving = { workspace = true }\n"))
    with pytest.raises(RustSetupError, match=r"monolith-serving.*no \[workspace.dependencies\] entry"):
        write_overlay(workspace, BindingsTemplate.load(template.directory), build)


def test_missing_pieces_are_explained(tmp_path):
    with pytest.raises(RustSetupError, match=r"monolith-rs/Cargo.toml does not exist.*MONOLITH_ROOT"):
        RustWorkspace.open(tmp_path)
    with pytest.raises(RustSetupError, match=r"--bindings-dir"):
        BindingsTemplate.load(tmp_path)
    write(tmp_path / "b" / "bindings.toml", '[package]\nname = "x"\n[lib]\nname = "x"\npath = "/abs/lib.rs"\n')
    write(tmp_path / "b" / "src" / "lib.rs", "")
    with pytest.raises(RustSetupError, match=r"remove \[lib\] path"):
        BindingsTemplate.load(tmp_path / "b")


def test_build_keys_differ_by_location_and_revision(tmp_path):
    a, b = tmp_path / "master", tmp_path / "pr"
    assert build_key(a, "unknown") == build_key(a, "unknown")
    assert build_key(a, "unknown") != build_key(b, "unknown")
    assert build_key(a, "abc") != build_key(a, "def")
    assert build_key(a, "abc").startswith("master-")
