"""The real window on a real X server (Xvfb): the screen must show the app, not a blank frame.

Skips when Xvfb is not installed (`scripts/setup` installs it with apt). Set
SIGNCLIP_SCREENSHOT_DIR to keep the PNGs."""

import numpy as np
import pytest

from xvfb_helpers import load_png, run_on_xvfb

CHILD = r"""
import sys, os
import signclip_desktop.gui
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from signclip_desktop.settings import Settings
from signclip_desktop.gui.main_window import MainWindow
from signclip_desktop.live import SourceSpec
out, pack = sys.argv[1], sys.argv[2]
app = QApplication([])
win = MainWindow(Settings(pack=pack, source="camera"), persist=False,
                 live_kwargs={"camera_lister": lambda: [], "camera_probe": lambda i: False})
win.show()
win.start(SourceSpec("camera", camera_index=97))  # no such camera: the banner and the demo
def shot():
    import shutil, subprocess
    app.primaryScreen().grabWindow(0).save(out + "/screen.png")
    win.grab().save(out + "/window.png")
    if shutil.which("import"):  # ImageMagick reads the X server's own framebuffer
        subprocess.run(["import", "-window", "root", out + "/root.png"], timeout=30, capture_output=True)
    win.close()
QTimer.singleShot(4000, shot)
app.exec()
"""


@pytest.mark.xvfb
@pytest.mark.slow
def test_screenshot_under_xvfb_is_not_blank(tmp_path, tiny_pack):
    run_on_xvfb(CHILD, [[str(tmp_path), str(tiny_pack)]], tmp_path, screen="1400x900x24", timeout=90)
    screen = load_png(tmp_path / "screen.png")
    assert screen.shape[0] >= 600 and screen.shape[1] >= 1000
    assert screen.std() > 20  # not one flat colour
    bg = np.array([0x15, 0x18, 0x1D])  # the window background (theme.BG)
    far = np.abs(screen.astype(int) - bg).sum(-1) > 60
    assert far.mean() > 0.03  # text, banner, skeleton, bars
    orange, blue = np.array([0xFF, 0x9F, 0x40]), np.array([0x4D, 0xB8, 0xFF])
    near = lambda c: (np.abs(screen.astype(int) - c).sum(-1) < 40).sum()  # noqa: E731
    assert near(orange) > 30 and near(blue) > 30  # the legend and the hands of the skeleton
    banner = np.array([0xF0, 0xB5, 0x3C])  # the "No camera found" banner border
    assert near(banner) > 200
    if (tmp_path / "root.png").exists():
        root = load_png(tmp_path / "root.png")
        assert root.std() > 20 and (np.abs(root.astype(int) - bg).sum(-1) > 60).mean() > 0.03
