"""Qt tests: offscreen, isolated config folder, fakes for the camera and the detector."""
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import signclip_desktop.gui  # noqa: E402,F401  (applies the PySide6/Python 3.11 None refcount work-around first)
from gui_fakes import CameraControl, FakeDetector, signclip_threads  # noqa: E402


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


@pytest.fixture
def make_window(qtbot, tiny_pack):
    made = []

    from signclip_desktop.gui.main_window import MainWindow
    from signclip_desktop.settings import Settings, settings_path

    def make(settings=None, camera=None, notice=None, persist=False, **kw):
        settings = settings or Settings(pack=str(tiny_pack), source="demo")
        cam = camera or CameraControl(available=False)
        live = dict(detector_factory=FakeDetector, feed_factory=cam, camera_lister=lambda: [], camera_probe=cam.probe)
        live.update(kw)
        win = MainWindow(settings, settings_path(), persist=persist, notice=notice, live_kwargs=live)
        qtbot.addWidget(win)
        made.append(win)
        win.show()
        return win

    yield make
    for w in made:
        w.close()
    assert signclip_threads() == []
