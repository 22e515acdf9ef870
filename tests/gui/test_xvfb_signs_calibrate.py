"""The Signs page and the Calibrate-to-me dialog on a real X server (Xvfb), at 1024x640 and
1920x1080: each screenshot must show the page (skeleton colours, text), not a blank frame.

Skips when Xvfb is not installed. Set SIGNCLIP_SCREENSHOT_DIR to keep the PNGs (look at them)."""

import numpy as np
import pytest

from xvfb_helpers import load_png, run_on_xvfb



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
    # the shipped words pack: its signs and their references
    run_on_xvfb(CHILD, [[str(tmp_path), str(w), str(h)] for w, h in ((1024, 640), (1920, 1080))], tmp_path,
                screen="2000x1200x24", drop_env=("SIGNCLIP_MODELS",))
    bg = np.array([0x15, 0x18, 0x1D])
    orange, blue = np.array([0xFF, 0x9F, 0x40]), np.array([0x4D, 0xB8, 0xFF])
    for w, h in ((1024, 640), (1920, 1080)):
        for name in ("signs_search", "signs_all", "calibrate_recording"):
            img = load_png(tmp_path / f"{name}_{w}x{h}.png")
            near = lambda c: (np.abs(img.astype(int) - c).sum(-1) < 40).sum()  # noqa: E731
            assert img.std() > 15 and (np.abs(img.astype(int) - bg).sum(-1) > 60).mean() > 0.02, name
            assert near(orange) > 30 and near(blue) > 30, name  # the animated skeleton's hands
        demo = load_png(tmp_path / f"calibrate_demo_{w}x{h}.png")
        assert demo.std() > 10  # text on the dark dialog, no skeleton: nothing is shown from the demo
        assert (np.abs(demo.astype(int) - orange).sum(-1) < 40).sum() == 0
