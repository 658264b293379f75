"""Real cargo builds of bindings with API facts and package features over fake checkouts of two revisions.

The bindings use the real ``rust_bindings/build.rs`` and ``api-scan``; the
checkouts differ like master and the branch: a function only one has, a
signature that changed, an item behind a crate feature or in a test module.
Marked slow (cargo).
"""

from __future__ import annotations

import json

import pytest
from rust_build_fakes import make_api_bindings, make_api_checkout, python_in

from pytest_monolith_parity.build_stamps import BuildError
from pytest_monolith_parity.monolith_rs_build import RustSetupError

pytestmark = pytest.mark.slow

NO_CARGO = "/nonexistent/cargo"


@pytest.fixture()
def api(tmp_path, shared_target):
    bindings = make_api_bindings(tmp_path / "bindings")

    def ensure(checkout, **kwargs):
        from pytest_monolith_parity.monolith_rs_build import ensure as build

        kwargs.setdefault("cache_dir", tmp_path / "cache")
        kwargs.setdefault("target_dir", shared_target)
        return build(checkout, bindings_dir=bindings, **kwargs)

    return ensure


def wrapper(artifacts, name):
    return artifacts.api["wrappers"][name]


def test_one_source_tree_builds_against_both_revisions(api, tmp_path):
    base = api(make_api_checkout(tmp_path / "base", "base"), features=["core"])
    pr = api(make_api_checkout(tmp_path / "pr", "pr"), features=["core"])

    # the function only the branch has: absent on the base, with the symbol the verdict quotes
    assert wrapper(base, "only_on_pr")["status"] == "missing"
    assert wrapper(base, "only_on_pr")["message"] == "monolith_core::api::only_on_pr not in this checkout"
    assert wrapper(pr, "only_on_pr")["status"] == "present"
    assert python_in(base.python_path, "print(hasattr(m, 'only_on_pr'), m.__parity_api__ == json.load("
                                       f"open({str(base.python_path / 'parity_api.json')!r})))") == "False True"
    assert python_in(pr.python_path, "print(m.only_on_pr())") == "7"

    # the changed signature: each build compiles its variant, and the behaviour is each revision's own
    assert python_in(base.python_path, "print(m.shape(21))") == "42"
    assert python_in(pr.python_path, "print(m.shape(21))") == "42"
    assert "PanicException" in python_in(base.python_path,
                                         "try: m.shape(-1)\nexcept BaseException as e: print(type(e).__name__)")
    assert python_in(pr.python_path, "try: m.shape(-1)\nexcept ValueError as e: print(e)") == "negative: -1"

    facts = {f["value"]: f for f in base.api["facts"]}
    assert facts["monolith_core::api::shape -> i64"]["holds"] is True
    assert facts["monolith_core::api::shape -> Result"]["found"] == ["fn shape(x: i64) -> i64"]
    summary = [line for line in base.describe() if line.startswith("api facts: ")]
    assert len(summary) == 1 and "; false in this checkout: " in summary[0], base.describe()
    absent = summary[0].split("; false in this checkout: ", 1)[1].split(", ")
    assert "monolith_core::api::only_on_pr" in absent and absent == sorted(absent), summary


def test_cfg_gated_items_follow_the_crate_features_cargo_enables(api, tmp_path):
    pr = api(make_api_checkout(tmp_path / "pr", "pr"), features=["core"])
    assert wrapper(pr, "gated")["status"] == "missing"  # monolith-core's feature zk is off in this build
    crates = (pr.build_dir / "api-crates-core.tsv").read_text()
    assert "monolith_core\t" in crates and "monolith_extra" not in crates


def test_only_the_selected_packages_compile_and_each_feature_set_keeps_its_artifact(api, tmp_path):
    checkout = make_api_checkout(tmp_path / "pr", "pr")
    core = api(checkout, features=["core"])
    assert wrapper(core, "extra_answer")["status"] == "not built"
    log = (core.build_dir / "logs" / "bindings-core.log").read_text()
    assert "monolith-core" in log and "monolith-extra" not in log, log[-2000:]
    both = api(checkout, features=["core", "extra"])
    assert both.extension != core.extension and both.extension.parent.name == "core+extra"
    assert python_in(both.python_path, "print(m.extra_answer(), m.only_on_pr())") == "99 7"
    # switching back to the first selection rebuilds nothing: its artifact and stamp are its own
    again = api(checkout, features=["core"], cargo_bin=NO_CARGO)
    assert again.results["bindings"].action == "up to date"
    assert python_in(again.python_path, "print(hasattr(m, 'extra_answer'))") == "False"


def test_a_signature_no_variant_handles_is_named_not_guessed(api, tmp_path):
    odd = api(make_api_checkout(tmp_path / "odd", "pr", shape_returns="Option"), features=["core"])
    shape = wrapper(odd, "shape")
    assert shape["status"] == "signature"
    assert "fn shape(x: i64) -> Option<i64>" in shape["message"] and "-> i64 or -> Result" in shape["message"]


def test_unknown_features_are_refused_with_the_list(api, tmp_path):
    with pytest.raises(RustSetupError, match=r"no feature 'training'.*lists core, extra"):
        api(make_api_checkout(tmp_path / "pr", "pr"), features=["training"])


def test_content_changed_with_old_mtimes_is_rebuilt(api, tmp_path):
    import os

    checkout = make_api_checkout(tmp_path / "pr", "pr")
    api(checkout, features=["extra"])
    source = checkout / "monolith-rs/crates/monolith-extra/src/lib.rs"
    before = source.stat()
    source.write_text("pub fn extra() -> i64 { 100 }\n")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or `rsync -a` would leave it
    rebuilt = api(checkout, features=["extra"])
    assert rebuilt.results["bindings"].action == "built"
    assert python_in(rebuilt.python_path, "print(m.extra_answer())") == "100"


def test_a_build_failure_is_reported_not_hidden(api, tmp_path):
    checkout = make_api_checkout(tmp_path / "pr", "pr")
    (checkout / "monolith-rs/crates/monolith-core/src/lib.rs").write_text("pub mod api { pub fn shape( }\n")
    with pytest.raises(BuildError, match=r"cargo failed(.|\n)*monolith-core/src/lib.rs"):
        api(checkout, features=["core"])


def test_parity_api_json_is_the_one_compiled_in(api, tmp_path):
    built = api(make_api_checkout(tmp_path / "pr", "pr"), features=["core"])
    on_disk = json.loads((built.python_path / "parity_api.json").read_text())
    assert on_disk == built.api and on_disk["features"] == ["core"]


def test_a_fresh_artifact_of_more_packages_serves_a_narrower_selection(api, tmp_path):
    checkout = make_api_checkout(tmp_path / "pr", "pr")
    both = api(checkout, features=["core", "extra"])
    # `-k` over one package after a whole run: the built superset is reused, cargo never starts
    narrow = api(checkout, features=["extra"], cargo_bin=NO_CARGO)
    assert narrow.results["bindings"].action == "up to date"
    assert narrow.features == ("core", "extra") and narrow.extension == both.extension
    assert python_in(narrow.python_path, "print(m.extra_answer())") == "99"


def test_a_stale_superset_is_not_reused(api, tmp_path):
    checkout = make_api_checkout(tmp_path / "pr", "pr")
    api(checkout, features=["core", "extra"])
    source = next((checkout / "monolith-rs").rglob("*.rs"))
    source.write_text(source.read_text() + "\n// changed\n")
    with pytest.raises(BuildError, match="missing"):  # the narrow set was never built, the superset is stale
        api(checkout, features=["extra"], mode="never", cargo_bin=NO_CARGO)
