"""Measure the live window against a bare Holistic loop on the same clip.

    python -m signclip_desktop.gui.bench CLIP.mp4 [--seconds 15] [--rounds 2] [--pack P]

Each round runs, in fresh processes and one after the other (so both see the same machine load):

* **bare**: OpenCV reads the clip (looping) and one ``HolisticDetector`` processes every frame;
* **app**: ``signclip-desktop gui --source CLIP --no-pace --quit-after S --stats F`` (the real
  window, offscreen when there is no display, with both workers and the pack).

It prints landmark fps of both and their ratio, the app's first-frame time (from process
start), and the GUI thread's longest stall (a 10 ms timer-lag probe), as one JSON object.
A paced run (real-time playback, as a user sees it) is added for the first-frame and lag numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def bare_loop(clip: str, seconds: float) -> dict:
    import cv2

    from ..keypoints.holistic import HolisticDetector

    det = HolisticDetector()
    cap = cv2.VideoCapture(clip, cv2.CAP_FFMPEG)
    ok, img = cap.read()
    det.detect(img)  # warm-up, like the app's first frames
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        ok, img = cap.read()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        det.detect(img)
        n += 1
    dt = time.perf_counter() - t0
    cap.release()
    det.close()
    return {"frames": n, "seconds": round(dt, 2), "fps": round(n / dt, 2)}


def idle_qt_lag(seconds: float) -> dict:
    """The same lag probe in an empty Qt window: what the machine itself costs (scheduling)."""
    from . import _compat  # noqa: F401

    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    from .app import LagProbe

    app = QApplication.instance() or QApplication([])
    w = QLabel("idle")
    w.show()
    probe = LagProbe()
    probe.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    probe.stop()
    return probe.summary()


def _run_app(clip: str, seconds: float, pack: str | None, pace: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "stats.json"
        cmd = [sys.executable, "-m", "signclip_desktop", "gui", "--source", clip, "--quit-after", str(seconds),
               "--stats", str(stats)]
        if not pace:
            cmd.append("--no-pace")
        if pack:
            cmd += ["--pack", pack]
        env = dict(os.environ, SIGNCLIP_HOME=tmp)
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=seconds + 60)
        return json.loads(stats.read_text())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clip")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--pack", default=None)
    ap.add_argument("--bare-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--idle-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.bare_only:
        print(json.dumps(bare_loop(a.clip, a.seconds)))
        return 0
    if a.idle_only:
        print(json.dumps(idle_qt_lag(a.seconds)))
        return 0
    rounds = []
    for _ in range(a.rounds):
        out = subprocess.run([sys.executable, "-m", "signclip_desktop.gui.bench", a.clip, "--seconds", str(a.seconds),
                              "--bare-only"], capture_output=True, text=True, check=True, timeout=a.seconds + 60)
        bare = json.loads(out.stdout.strip().splitlines()[-1])
        app = _run_app(a.clip, a.seconds, a.pack, pace=False)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        rounds.append({"bare_fps": bare["fps"], "app_fps": app["landmark_fps_mean"],
                       "ratio": round(app["landmark_fps_mean"] / bare["fps"], 3) if app["landmark_fps_mean"] else None,
                       "app_steady_max_gui_lag_ms": app.get("steady_max_gui_lag_ms"), "load_avg_1min": load})
    paced = _run_app(a.clip, a.seconds, a.pack, pace=True)
    out = subprocess.run([sys.executable, "-m", "signclip_desktop.gui.bench", a.clip, "--seconds", str(a.seconds),
                          "--idle-only"], capture_output=True, text=True, check=True, timeout=a.seconds + 60)
    idle = json.loads(out.stdout.strip().splitlines()[-1])
    ratios = [r["ratio"] for r in rounds if r["ratio"]]
    print(json.dumps({
        "rounds": rounds,
        "median_ratio": round(statistics.median(ratios), 3) if ratios else None,
        "paced": {k: paced.get(k) for k in ("first_frame_s", "landmark_fps_mean", "max_gui_lag_ms",
                                            "steady_max_gui_lag_ms", "steady_p99_gui_lag_ms",
                                            "gui_blocks_over_50ms_at_s", "gc_max_ms", "clean_shutdown", "threads_left")},
        "idle_qt_window_lag": {k: idle.get(k) for k in ("max_gui_lag_ms", "p99_gui_lag_ms", "gui_blocks_over_50ms")},
        "cpu_count": os.cpu_count(),
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
