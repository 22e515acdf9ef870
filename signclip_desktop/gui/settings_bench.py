"""How long the GUI thread spends in the sensitivity slider's handler, and how many fsyncs it does.

    python -m signclip_desktop.gui.settings_bench [--ticks 100] [--rounds 2]

Two ways of saving, in alternating rounds (sync, debounced, debounced, sync, ...) on the same
offscreen Live page (no workers started) and a settings file in a temp folder:

* **sync**: ``save_settings`` on the GUI thread on every tick (the app before the change);
* **debounced**: ``SettingsSaver.request`` (``MainWindow.save_settings``): a copy on the GUI
  thread, one atomic write on the writer thread once the ticks stop.

Prints one JSON object: per mode, the median and max ms per tick, the total ms in the handler
for all ticks, fsync calls made on the GUI thread during the ticks, and fsyncs in all (after
the writer was flushed).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


def _run(mode: str, ticks: int, folder: Path) -> dict:
    from ..settings import Settings, save_settings
    from ..settings_saver import SettingsSaver
    from .live_page import LivePage

    path = folder / f"{mode}.json"
    settings = Settings(pack="", source="demo")
    saver = SettingsSaver(path) if mode == "debounced" else None
    save = (lambda: saver.request(settings)) if saver else (lambda: save_settings(settings, path))
    page = LivePage(settings, save=save, camera_lister=lambda: [], camera_probe=lambda i: False)
    gui = threading.current_thread()
    calls = {"gui": 0, "all": 0}
    real_fsync = os.fsync

    def counting_fsync(fd):
        calls["all"] += 1
        if threading.current_thread() is gui:
            calls["gui"] += 1
        return real_fsync(fd)

    os.fsync = counting_fsync
    try:
        per_tick = []
        for i in range(ticks):
            t0 = time.perf_counter()
            page.sens_slider.setValue(50 + (i % 200))  # valueChanged -> the page's handler, synchronously
            per_tick.append((time.perf_counter() - t0) * 1000)
        gui_fsyncs = calls["gui"]
        if saver is not None:
            saver.flush(10.0)
    finally:
        os.fsync = real_fsync
        page.stop(1.0)
        page.deleteLater()
    return {"ms_per_tick_median": statistics.median(per_tick), "ms_per_tick_max": max(per_tick),
            "ms_in_handler_total": sum(per_tick), "gui_thread_fsyncs": gui_fsyncs, "fsyncs_total": calls["all"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ticks", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import signclip_desktop.gui  # noqa: F401  (the PySide6 work-around first)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out: dict = {"ticks": a.ticks, "rounds": a.rounds, "sync": [], "debounced": []}
    with tempfile.TemporaryDirectory(prefix="signclip-settings-bench-") as td:
        os.environ["SIGNCLIP_HOME"] = td  # never the user's settings
        for k in range(a.rounds):
            for mode in (("sync", "debounced") if k % 2 == 0 else ("debounced", "sync")):
                out[mode].append(_run(mode, a.ticks, Path(td)))
                app.processEvents()
    for mode in ("sync", "debounced"):
        runs = out[mode]
        out[mode] = {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0]}
    s, d = out["sync"]["ms_in_handler_total"], out["debounced"]["ms_in_handler_total"]
    out["handler_time_ratio_sync_over_debounced"] = round(s / d, 1) if d else None
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
