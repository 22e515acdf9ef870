import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SIGNCLIP_DATA", REPO.parent / "shared" / "data"))
FIXTURES = SHARED_DATA / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_pack(tmp_path_factory) -> Path:
    """An untrained ONNX pack built on the fly (pose + hands, 16-frame windows)."""
    from signclip_desktop.model.tiny import write_tiny_pack

    return write_tiny_pack(tmp_path_factory.mktemp("packs") / "tiny")


@pytest.fixture(autouse=True)
def _gc_on_the_gui_thread(request):
    """Qt tests: run the garbage collector on the GUI thread only, as the app does
    (``gui/gcguard.py``). A page tested without the main window still runs worker threads,
    and a collection there that frees Qt wrappers crashes the process."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qapp")
    from signclip_desktop.gui.gcguard import MainThreadGC

    guard = MainThreadGC()
    guard.start()
    try:
        yield
    finally:
        guard.stop()
