"""Running a child Python on a real X server (Xvfb) for the screenshot tests, and reading the PNGs."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest


def _free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    pytest.skip("no free X display number")


def run_on_xvfb(child: str, runs: list[list[str]], out: Path, screen: str = "1400x900x24", timeout: float = 120,
                env_extra: dict | None = None, drop_env: tuple = ()) -> None:
    """Start Xvfb, run ``python -c child *args`` once per ``args`` in ``runs`` (each must exit 0),
    stop Xvfb. Skips when Xvfb is missing or does not start. ``SIGNCLIP_SCREENSHOT_DIR`` keeps
    the PNGs written to ``out``."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (scripts/setup installs it)")
    n = _free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", screen, "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.1)
        env = dict(os.environ, DISPLAY=f":{n}", QT_QPA_PLATFORM="xcb", SIGNCLIP_HOME=str(out / "home"),
                   **(env_extra or {}))
        for k in drop_env:
            env.pop(k, None)
        for args in runs:
            r = subprocess.run([sys.executable, "-c", child, *args], env=env, capture_output=True, text=True,
                               timeout=timeout)
            if r.returncode != 0 and "could not connect to display" in r.stderr + r.stdout:
                pytest.skip("Xvfb did not start")
            assert r.returncode == 0, r.stderr[-3000:]
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    keep = os.environ.get("SIGNCLIP_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for p in out.glob("*.png"):
            shutil.copy(p, Path(keep) / p.name)


def load_png(path):
    from PySide6.QtGui import QImage

    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, img.bytesPerLine() * img.height()).reshape(img.height(), img.bytesPerLine())
    return arr[:, :img.width() * 3].reshape(img.height(), img.width(), 3).copy()
