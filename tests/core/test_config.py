"""Precedence: option > environment > pyproject > default, and clear errors for bad values."""

from pathlib import Path

import pytest

from pytest_monolith_parity import config


def test_precedence_order(tmp_path):
    pyproject = {"timeout": 5, "rust_module": "from_pyproject", "golden_dir": "g"}
    environ = {"MONOLITH_PARITY_TIMEOUT": "7", "MONOLITH_PARITY_RUST_MODULE": "from_env"}
    options = {"timeout": "9"}
    settings = config.resolve(tmp_path, options, environ, pyproject)
    assert settings.timeout == 9.0 and settings.sources["timeout"] == "option --parity-timeout"
    assert settings.rust_module == "from_env" and "MONOLITH_PARITY_RUST_MODULE" in settings.sources["rust_module"]
    assert settings.golden_dir == "g" and "pyproject" in settings.sources["golden_dir"]
    assert settings.report_dir == "parity-report" and settings.sources["report_dir"] == "default"
    assert settings.golden_path == tmp_path / "g"


def test_hypothesis_profile_defaults_to_ci_under_ci(tmp_path):
    assert config.resolve(tmp_path, {}, {"CI": "true"}).hypothesis_profile == "ci"
    assert config.resolve(tmp_path, {}, {}).hypothesis_profile == "dev"


@pytest.mark.parametrize("key,value,needle", [
    ("timeout", "-1", "positive"),
    ("rust_build", "sometimes", "auto, never, force"),
    ("unused_goldens", "shout", "warn, fail, ignore"),
])
def test_bad_values_name_the_setting_and_source(tmp_path, key, value, needle):
    with pytest.raises(config.SettingsError) as info:
        config.resolve(tmp_path, {key: value}, {})
    assert key in str(info.value) and needle in str(info.value) and "option" in str(info.value)


def test_unknown_pyproject_key_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.monolith_parity]\ntimeuot = 3\n")
    with pytest.raises(config.SettingsError, match="timeuot"):
        config.load_pyproject(tmp_path)


def test_readme_documents_every_setting():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for spec in config.SETTINGS:
        assert f"`{spec.option}`" in readme and f"`{spec.env}`" in readme, spec.name
