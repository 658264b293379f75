"""Checkout validation: a wrong MONOLITH_ROOT fails once, naming what is missing and the fix."""

import shutil
import subprocess

import pytest

from pytest_monolith_parity.reference.checkout import Checkout, CheckoutError


def test_a_valid_checkout_opens_with_its_files(fake_root):
    checkout = Checkout.open(fake_root)
    assert checkout.root == fake_root.resolve()
    assert checkout.revision == "unknown"  # not a git work tree
    assert "monolith/core/hyper.py" in checkout.python_files()
    assert checkout.proto_files() == ["idl/matrix/proto/parity_fake_line.proto",
                                      "monolith/agent_service/parity_fake_svc.proto"]


@pytest.mark.parametrize("missing", ["monolith", "idl", "monolith-rs"])
def test_each_missing_directory_is_named_with_what_was_expected(fresh_root, missing):
    shutil.rmtree(fresh_root / missing)
    with pytest.raises(CheckoutError) as error:
        Checkout.open(fresh_root)
    message = str(error.value)
    assert f"{fresh_root / missing}/ is missing (expected" in message
    assert "MONOLITH_ROOT" in message
    others = {"monolith", "idl", "monolith-rs"} - {missing}
    assert not any(f"{fresh_root / other}/ is missing" in message for other in others)


def test_unset_and_nonexistent_roots_say_how_to_configure(tmp_path):
    with pytest.raises(CheckoutError, match="MONOLITH_ROOT.*--monolith-root.*monolith_root"):
        Checkout.open(None)
    with pytest.raises(CheckoutError, match="does not exist"):
        Checkout.open(tmp_path / "nowhere")


def test_a_parent_of_the_checkout_gets_a_hint(fake_root):
    with pytest.raises(CheckoutError, match="did you mean"):
        Checkout.open(fake_root.parent)


def test_revision_is_git_head_of_a_work_tree(fresh_root):
    git = ["git", "-C", str(fresh_root), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "fake"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert Checkout.open(fresh_root).revision == head


def test_a_checkout_inside_another_work_tree_is_not_its_revision(tmp_path, fake_root):
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    inner = tmp_path / "vendored"
    shutil.copytree(fake_root, inner)
    assert Checkout.open(inner).revision == "unknown"
