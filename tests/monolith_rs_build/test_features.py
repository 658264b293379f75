"""Package features and the build graph, without cargo: which crates a feature set compiles, and how many units."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_monolith_parity.monolith_rs_build import RustSetupError
from pytest_monolith_parity.monolith_rs_build.graph import analyse
from pytest_monolith_parity.monolith_rs_build.pipeline import (_check_features, _enabled_dependencies,
                                                              _monolith_dependencies, feature_key)
from pytest_monolith_parity.monolith_rs_build.template import BindingsTemplate
from pytest_monolith_parity.monolith_rs_build.workspace import RustWorkspace

from rust_build_fakes import make_api_bindings, make_api_checkout

REPO = Path(__file__).resolve().parents[2]


def test_feature_keys_are_readable_and_bounded():
    assert feature_key(["native_training", "agent_service"]) == "agent_service+native_training"
    assert feature_key([]) == "no-package"
    long = feature_key([f"package_{i}" for i in range(20)])
    assert long.startswith("features-") and len(long) == len("features-") + 12


def test_the_committed_features_name_the_crates_of_each_package():
    template = BindingsTemplate.load(REPO / "rust_bindings")
    assert _enabled_dependencies(template, ["agent_service"]) >= {"monolith-serving", "monolith-proto"}
    assert "monolith-training" not in _enabled_dependencies(template, ["agent_service"])
    # native_training's cases reach monolith-training and, for its layers/, monolith-layers; protos through prost
    assert _enabled_dependencies(template, ["native_training"]) == {"monolith-training", "monolith-layers",
                                                                    "monolith-proto", "prost"}
    assert _enabled_dependencies(template, ["core"]) == {"monolith-core"}
    assert _check_features(template, None) == sorted(template.features)


def test_only_the_enabled_packages_crates_count(tmp_path):
    workspace = RustWorkspace.open(make_api_checkout(tmp_path / "pr", "pr"))
    template = BindingsTemplate.load(make_api_bindings(tmp_path / "bindings"))
    assert _monolith_dependencies(workspace, template, ["core"]) == ["monolith-core"]
    assert _monolith_dependencies(workspace, template, ["core", "extra"]) == ["monolith-core", "monolith-extra"]
    assert _monolith_dependencies(workspace, template, []) == []
    with pytest.raises(RustSetupError, match=r"no feature 'nope'.*lists core, extra \(one per monolith package\)"):
        _check_features(template, ["nope"])


def package(pid, name, manifest, kinds=("lib",), build_script=False):
    targets = [{"name": name.replace("-", "_"), "kind": list(kinds)}]
    if build_script:
        targets.append({"name": "build-script-build", "kind": ["custom-build"]})
    return {"id": pid, "name": name, "manifest_path": manifest, "targets": targets}


def test_the_graph_counts_units_and_finds_checkout_crates_with_their_features(tmp_path):
    rs = tmp_path / "checkout" / "monolith-rs"
    meta = {
        "workspace_members": ["bindings", "cli"],
        "packages": [
            package("bindings", "monolith-parity-rs", str(tmp_path / "build/bindings/Cargo.toml"), ("cdylib",), True),
            package("cli", "monolith-parity-cli", str(tmp_path / "build/cli/Cargo.toml"), ("bin",)),
            package("core", "monolith-core", str(rs / "crates/monolith-core/Cargo.toml")),
            package("syn", "syn", "/registry/syn/Cargo.toml"),
            package("pyo3", "pyo3", "/registry/pyo3/Cargo.toml", build_script=True),
            package("clap", "clap", "/registry/clap/Cargo.toml"),
            package("tempfile", "tempfile", "/registry/tempfile/Cargo.toml"),
            package("derive", "derive", "/registry/derive/Cargo.toml", ("proc-macro",)),
            package("quote", "quote", "/registry/quote/Cargo.toml"),
        ],
        "resolve": {"nodes": [
            {"id": "bindings", "features": ["core"], "deps": [
                {"pkg": "core", "dep_kinds": [{"kind": None}]}, {"pkg": "pyo3", "dep_kinds": [{"kind": None}]},
                {"pkg": "syn", "dep_kinds": [{"kind": "build"}]},
                {"pkg": "tempfile", "dep_kinds": [{"kind": "dev"}]},
                {"pkg": "derive", "dep_kinds": [{"kind": None}]}]},
            {"id": "cli", "features": [], "deps": [{"pkg": "clap", "dep_kinds": [{"kind": None}]}]},
            {"id": "core", "features": ["zk", "default"], "deps": [{"pkg": "quote", "dep_kinds": [{"kind": None}]}]},
            {"id": "derive", "features": [], "deps": [{"pkg": "quote", "dep_kinds": [{"kind": None}]}]},
            {"id": "quote", "features": [], "deps": []},
            {"id": "pyo3", "features": [], "deps": []}, {"id": "syn", "features": [], "deps": []},
            {"id": "clap", "features": [], "deps": []}, {"id": "tempfile", "features": [], "deps": []},
        ]},
    }
    graph = analyse(meta, "monolith-parity-rs", rs)
    # bindings (+ its build script), core, pyo3 (+ build script), syn (host), the proc macro derive (host), quote
    # twice (for core on the target, for derive on the host); not the CLI's clap, not dev-only tempfile
    assert graph.units == 9
    assert [(c.lib, c.features) for c in graph.crates] == [("monolith_core", ("default", "zk"))]
    assert graph.api_crates_text().splitlines()[1] == f"monolith_core\t{rs / 'crates/monolith-core'}\tdefault,zk"
    with pytest.raises(KeyError):
        analyse(meta, "nope", rs)
