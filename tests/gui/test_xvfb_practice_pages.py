"""The practice pages on a real X server (Xvfb) at 1024x640: the screenshot tool runs (demo, a real
file playing, recording, graded and not graded, a letter stream) and every picture shows the page.

Skips when Xvfb or the shared data is missing. Set SIGNCLIP_SCREENSHOT_DIR to keep the PNGs."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("teach_demo", "grade_demo", "fingerspelling_demo", "teach_recording", "grade_graded", "grade_not_graded",
         "fingerspelling_live")


@pytest.mark.xvfb
@pytest.mark.slow
def test_practice_page_screenshots_under_xvfb(tmp_path, shared_data):
    if not shutil.which("xvfb-run"):
        pytest.skip("xvfb-run is not installed")
    if not (ROOT / "models" / "words" / "manifest.json").is_file():
        pytest.skip("no words pack")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", SIGNCLIP_HOME=str(tmp_path / "home"))
    env.pop("SIGNCLIP_MODELS", None)
    r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, "-m",
                        "signclip_desktop.gui.pages.screenshots", "--data", str(shared_data), "--out",
                        str(tmp_path / "shots"), "--only", "1024x640"], env=env, capture_output=True, text=True,
                       timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    keep = os.environ.get("SIGNCLIP_SCREENSHOT_DIR")
    if keep:
        shutil.copytree(tmp_path / "shots", keep, dirs_exist_ok=True)
    from PySide6.QtGui import QImage

    for name in NAMES:
        img = QImage(str(tmp_path / "shots" / f"{name}_1024x640.png"))
        assert (img.width(), img.height()) == (1024, 640), name
        img = img.convertToFormat(QImage.Format.Format_RGB888)
        arr = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * img.height())
        arr = arr.reshape(img.height(), img.bytesPerLine())[:, :img.width() * 3].reshape(640, 1024, 3)
        assert arr.std() > 15, name  # text and skeletons on the dark page, not a blank frame
