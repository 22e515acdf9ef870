"""Starting the app: QApplication, the main window, and the headless controls for automation
(``--quit-after``, ``--log-predictions``, ``--stats``)."""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

from ..live import SourceSpec


def process_age() -> float | None:
    """Seconds since this process started (Linux), else None."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class LagProbe:
    """A 10 ms timer on the GUI thread; how late it fires is how long the GUI thread was busy."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import QElapsedTimer, Qt, QTimer

        self.interval = interval_ms
        self.max_ms = 0.0
        self.lags: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._last = None

    def start(self) -> None:
        self._clock.start()
        self._last = self._clock.nsecsElapsed()
        self._timer.start(self.interval)

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed()
        lag = max(0.0, (now - self._last) / 1e6 - self.interval)
        self._last = now
        self.lags.append((time.monotonic(), lag))
        self.max_ms = max(self.max_ms, lag)

    def summary(self, steady_from: float | None = None) -> dict:
        """Lag statistics; ``steady_from`` (time.monotonic()) also reports the part after start-up."""
        def stats(xs, prefix):
            xs = sorted(xs)
            if not xs:
                return {}
            return {f"{prefix}max_gui_lag_ms": round(xs[-1], 2), f"{prefix}p99_gui_lag_ms": round(xs[int(0.99 * (len(xs) - 1))], 2),
                    f"{prefix}gui_lag_samples": len(xs), f"{prefix}gui_blocks_over_50ms": sum(x > 50 for x in xs)}

        out = stats([lag for _t, lag in self.lags], "")
        if steady_from is not None:
            out.update(stats([lag for t, lag in self.lags if t >= steady_from], "steady_"))
        t0 = self.lags[0][0] if self.lags else 0.0
        out["gui_blocks_over_50ms_at_s"] = [[round(t - t0, 2), round(lag, 1)] for t, lag in self.lags if lag > 50][:20]
        return out


def _needs_offscreen() -> bool:
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(args) -> int:
    t_start = time.monotonic()
    age0 = process_age() or 0.0
    headless = getattr(args, "quit_after", None) is not None
    if headless and _needs_offscreen():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif _needs_offscreen() and not os.environ.get("QT_QPA_PLATFORM"):
        print("signclip-desktop: no display found (DISPLAY / WAYLAND_DISPLAY is not set). Start it from a "
              "desktop session, or add --quit-after SECONDS to run it unattended (offscreen).", file=sys.stderr)
        return 1
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ..settings import load_settings, settings_path
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("SignCLIP Desktop")
    app.setApplicationDisplayName("SignCLIP Desktop")
    settings, notice = load_settings()
    overrides = False
    if getattr(args, "pack", None):
        settings.pack, overrides = args.pack, True
    if getattr(args, "left_handed", False):
        settings.left_handed, overrides = True, True
    if getattr(args, "top_k", None):
        settings.top_k, overrides = int(args.top_k), True
    pace = not getattr(args, "no_pace", False)
    spec = None
    if getattr(args, "source", None):
        src = str(args.source)
        if src.isdigit() and not Path(src).exists():
            spec = SourceSpec("camera", camera_index=int(src), pace=pace)
        elif src == "demo":
            spec = SourceSpec("demo", pace=pace)
        else:
            spec = SourceSpec("file", path=src, loop=not getattr(args, "no_loop", False), pace=pace)
        overrides = True
    persist = not headless and not overrides
    win = MainWindow(settings, settings_path(), persist=persist, notice=notice, live_kwargs={"pace": pace})
    # The practice pages (Teach a sign, Fingerspelling, Grade, Signs: gui/pages/, added through add_page)
    # are built on the event loop's first turn, after the window's first paint: ~0.2 s of widgets the
    # live view need not wait for. Their navigation shows from the start, so nothing moves when they come.
    win.nav.setVisible(True)

    def install_pages() -> None:
        try:
            from .pages import install_practice_pages

            install_practice_pages(win)
        except Exception as e:  # noqa: BLE001 - the live page must start even if a practice page cannot
            win.nav.setVisible(win.nav.count() > 1)
            print(f"signclip-desktop: practice pages unavailable ({e.__class__.__name__}: {e})", file=sys.stderr)

    log_file = None
    n_logged = 0
    if getattr(args, "log_predictions", None):
        p = Path(args.log_predictions)
        p.parent.mkdir(parents=True, exist_ok=True)
        log_file = open(p, "w", encoding="utf-8")

        def log(ev) -> None:  # a PredictionEvent; its record is built by Prediction.to_json
            nonlocal n_logged
            log_file.write(json.dumps(ev.to_record(), ensure_ascii=False) + "\n")
            log_file.flush()
            n_logged += 1

        win.live.prediction_shown.connect(log)

    first = {}
    win.live.first_frame.connect(lambda t: first.setdefault("t", t))
    probe = LagProbe()
    win.show()
    # the event loop's first turn comes after the window's first paint: "window shown"
    QTimer.singleShot(0, lambda: first.setdefault("shown", time.monotonic()))
    QTimer.singleShot(0, install_pages)
    probe.start()
    win.start(spec)
    final: dict = {}
    quit_after = getattr(args, "quit_after", None)
    if quit_after is not None:
        def finish():
            probe.stop()  # closing joins the workers: that wait is shutdown, not a stall while running
            final["stats"] = win.live.session.stats()
            final["t_end"] = time.monotonic()
            win.close()

        QTimer.singleShot(int(float(quit_after) * 1000), finish)
    # Ctrl+C in the terminal closes the window cleanly (Python handles signals only between Qt events)
    import signal

    signal.signal(signal.SIGINT, lambda *_a: win.close())
    tick = QTimer()
    tick.timeout.connect(lambda: None)
    tick.start(250)
    rc = app.exec()
    tick.stop()
    probe.stop()
    t_end = final.get("t_end", time.monotonic())
    at_end = final.get("stats") or win.live.session.stats()
    tracking, landmarks = at_end.tracking, at_end.landmark_frames
    ok = win.shutdown()
    if log_file is not None:
        log_file.close()
    stats = win.live.session.stats()
    first_t = first.get("t")
    report = {
        "window_shown_s": round(age0 + first["shown"] - t_start, 3) if first.get("shown") else None,
        "first_frame_s": round(age0 + first_t - t_start, 3) if first_t else None,
        "first_frame_after_command_s": round(first_t - t_start, 3) if first_t else None,
        "landmark_frames": landmarks,
        "tracking": tracking,
        # from the first frame with landmarks (after Holistic has loaded) to the end
        "landmark_fps_mean": round((landmarks - 1) / max(1e-6, t_end - stats.first_landmark_at), 2)
        if stats.first_landmark_at and landmarks > 1 else None,
        "frames_drawn": win.live.video.frames_drawn,
        "display_dropped": stats.display_dropped,
        "keypoints_dropped": stats.keypoints_dropped,
        "updates": win.live.updates_shown,
        "predictions_logged": n_logged,
        "provider": stats.provider,
        "detect_ms_last": round(stats.detect_ms, 2),
        "pool_workers": at_end.pool_workers,  # detectors of its pool while it ran (0: one detector)
        "threads_left": [t.name for t in threading.enumerate() if t.name.startswith("signclip-") and t.is_alive()],
        "clean_shutdown": ok,
        "gc_max_ms": round(win.gc_guard.max_ms, 2),
        **probe.summary(steady_from=(first_t + 2.0) if first_t else None),
    }
    if getattr(args, "stats", None):
        Path(args.stats).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if headless:
        print(json.dumps(report), file=sys.stderr)
    return int(rc or 0)
