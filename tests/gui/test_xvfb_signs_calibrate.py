"""The Signs page and the Calibrate-to-me dialog on a real X server (Xvfb), at 1024x640 and
1920x1080: each screenshot must show the page (skeleton colours, text), not a blank frame.

Skips when Xvfb is not installed. Set SIGNCLIP_SCREENSHOT_DIR to keep the PNGs (look at them)."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest



def _free_display() -> int:
    for n in range(140, 190):  # another range than test_xvfb_screenshot, so both can run at once
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    pytest.skip("no free X display number")


def _load_png(path):
    from PySide6.QtGui import QImage

    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * img.height())
    return arr.reshape(img.height(), img.bytesPerLine())[:, :img.width() * 3].reshape(img.height(), img.width(), 3).copy()

CHILD = r"""
import sys
import signclip_desktop.gui
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from signclip_desktop.settings import Settings
from signclip_desktop.gui.main_window import MainWindow
from signclip_desktop.gui.pages import install_practice_pages
from signclip_desktop.gui.pages.calibrate_me import open_calibrate_me
from signclip_desktop.live import SourceSpec

out, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
app = QApplication([])
win = MainWindow(Settings(pack="words", source="camera", calibration_offered=True), persist=False,
                 live_kwargs={"camera_lister": lambda: [], "camera_probe": lambda i: False})
got = install_practice_pages(win)
win.resize(w, h)
win.show()
win.start(SourceSpec("camera", camera_index=97))  # no such camera: the demo plays
ctx, signs, tag, state = got["context"], got["signs"], f"{w}x{h}", {}
steps = []
def step(ms):
    def deco(fn):
        steps.append((ms, fn))
        return fn
    return deco
@step(2500)
def _():
    win.show_page("signs")
@step(500)
def _():
    if signs.vocab is None or len(signs.shown) < 10:  # the live pack has not loaded yet: look again
        return False
    signs.search.setText("thanks a lot")
@step(800)
def _():
    win.grab().save(f"{out}/signs_search_{tag}.png")
    signs.search.setText("")
@step(800)
def _():
    signs.list.setCurrentRow(signs.list.count() - 1)
@step(800)
def _():
    win.grab().save(f"{out}/signs_all_{tag}.png")
    win.show_page("live")
    state["dlg"] = open_calibrate_me(win)
@step(1200)
def _():
    d = state["dlg"]
    d.grab().save(f"{out}/calibrate_demo_{tag}.png")
    d.start()  # refused: the demo plays
    ctx.source = lambda: SourceSpec("file", path="/home/me/my-signing.mp4")  # as if a file played
    d._say("")
    d.start()
@step(1300)
def _():
    state["dlg"].grab().save(f"{out}/calibrate_recording_{tag}.png")
    state["dlg"].close()
    win.close()
    app.quit()
def run(i=0):
    if i < len(steps):
        ms, fn = steps[i]
        QTimer.singleShot(ms, lambda: run(i) if fn() is False else run(i + 1))
run()
app.exec()
"""


@pytest.mark.xvfb
@pytest.mark.slow
def test_signs_and_calibrate_screenshots_under_xvfb(tmp_path):
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (scripts/setup installs it)")
    n = _free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "2000x1200x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.1)
        env = dict(os.environ, DISPLAY=f":{n}", QT_QPA_PLATFORM="xcb", SIGNCLIP_HOME=str(tmp_path / "home"))
        env.pop("SIGNCLIP_MODELS", None)  # the shipped words pack: its 57 signs and their references
        for w, h in ((1024, 640), (1920, 1080)):
            r = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), str(w), str(h)], env=env,
                               capture_output=True, text=True, timeout=120)
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
    bg = np.array([0x15, 0x18, 0x1D])
    orange, blue = np.array([0xFF, 0x9F, 0x40]), np.array([0x4D, 0xB8, 0xFF])
    for w, h in ((1024, 640), (1920, 1080)):
        for name in ("signs_search", "signs_all", "calibrate_recording"):
            img = _load_png(tmp_path / f"{name}_{w}x{h}.png")
            near = lambda c: (np.abs(img.astype(int) - c).sum(-1) < 40).sum()  # noqa: E731
            assert img.std() > 15 and (np.abs(img.astype(int) - bg).sum(-1) > 60).mean() > 0.02, name
            assert near(orange) > 30 and near(blue) > 30, name  # the animated skeleton's hands
        demo = _load_png(tmp_path / f"calibrate_demo_{w}x{h}.png")
        assert demo.std() > 10  # text on the dark dialog, no skeleton: nothing is shown from the demo
        assert (np.abs(demo.astype(int) - orange).sum(-1) < 40).sum() == 0
