"""Qt tests: offscreen, isolated config folder, fakes for the camera and the detector."""
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import signclip_desktop.gui  # noqa: E402,F401  (applies the PySide6/Python 3.11 None refcount work-around first)
from gui_fakes import CameraControl  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Never touch the real user's settings or packs."""
    home = tmp_path / "signclip-home"
    monkeypatch.setenv("SIGNCLIP_HOME", str(home))
    monkeypatch.setenv("SIGNCLIP_MODELS", str(tmp_path / "no-built-in-packs"))  # tests use the tiny pack only
    return home


@pytest.fixture
def camera():
    return CameraControl()
