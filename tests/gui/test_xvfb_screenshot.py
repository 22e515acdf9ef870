"""The real window on a real X server (Xvfb): the screen must show the app, not a blank frame.

Skips when Xvfb is not installed (`scripts/setup` installs it with apt). Set
SIGNCLIP_SCREENSHOT_DIR to keep the PNGs."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

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


def _free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    pytest.skip("no free X display number")


def _load_png(path):
    from PySide6.QtGui import QImage

    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, img.bytesPerLine() * img.height()).reshape(img.height(), img.bytesPerLine())
    return arr[:, :img.width() * 3].reshape(img.height(), img.width(), 3).copy()


@pytest.mark.xvfb
@pytest.mark.slow
def test_screenshot_under_xvfb_is_not_blank(tmp_path, tiny_pack):
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (scripts/setup installs it)")
    n = _free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.1)
        env = dict(os.environ, DISPLAY=f":{n}", QT_QPA_PLATFORM="xcb", SIGNCLIP_HOME=str(tmp_path / "home"))
        r = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), str(tiny_pack)], env=env,
                           capture_output=True, text=True, timeout=90)
        if r.returncode != 0 and "could not connect to display" in r.stderr + r.stdout:
            pytest.skip("Xvfb did not start")
        assert r.returncode == 0, r.stderr[-3000:]
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    keep = os.environ.get("SIGNCLIP_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for p in tmp_path.glob("*.png"):
            shutil.copy(p, Path(keep) / p.name)
    screen = _load_png(tmp_path / "screen.png")
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
        root = _load_png(tmp_path / "root.png")
        assert root.std() > 20 and (np.abs(root.astype(int) - bg).sum(-1) > 60).mean() > 0.03
