import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """No test touches the real home folder or picks up the developer's extra banks."""
    home = tmp_path / "home"
    monkeypatch.setenv("SCR_CPD_HOME", str(home))
    monkeypatch.delenv("SCR_CPD_BANKS", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return home
