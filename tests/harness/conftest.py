"""Drive the plugin as users do: a copy of the sample pair's parity project, run by pytester."""

import pytest

from sample_project import SampleProject


@pytest.fixture()
def sample(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> SampleProject:
    return SampleProject(pytester, monkeypatch)
