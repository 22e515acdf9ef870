"""Screenshots of the real window for looking at (a developer tool in gui/, which alone may import Qt).

    xvfb-run -s "-screen 0 3840x2160x24" python -m signclip_desktop.gui.screenshots --out DIR

Plays the built-in demo through the shipped words pack and saves, for each size and theme,
the window after a few seconds of recognition, plus the Help dialog and the file dialog."""
from __future__ import annotations

import argparse
from pathlib import Path

SHOTS = (  # name, width, height, theme, zoom
    ("1024x640-dark", 1024, 640, "dark", 1.0),
    ("1366x768-contrast", 1366, 768, "high-contrast", 1.0),
    ("1920x1080-dark", 1920, 1080, "dark", 1.0),
    ("1920x1080-zoom130", 1920, 1080, "dark", 1.3),
    ("3840x2160-zoom200", 3840, 2160, "dark", 2.0),
)


def qt_wait(seconds: float) -> None:
    """Let the Qt event loop run for ``seconds`` (pictures play, pages repaint) before a shot."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--pack", default="words")
    ap.add_argument("--wait", type=float, default=6.0, help="seconds of recognition before each shot")
    ap.add_argument("--only", default="", help="comma-separated shot names")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    import signclip_desktop.gui  # noqa: F401  (the PySide6 work-around first)
    from PySide6.QtWidgets import QApplication, QFileDialog

    from .help_dialog import HelpDialog
    from .main_window import MainWindow
    from ..live import SourceSpec
    from ..settings import Settings

    _app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive for the windows)

    wanted = {n for n in args.only.split(",") if n}
    for name, w, h, theme_name, zoom in SHOTS:
        if wanted and name not in wanted:
            continue
        win = MainWindow(Settings(pack=args.pack, source="demo", theme=theme_name, zoom=zoom), persist=False,
                         live_kwargs={"camera_lister": lambda: [], "camera_probe": lambda i: False})
        win.resize(w, h)
        win.show()
        win.start(SourceSpec("demo", loop=True))
        qt_wait(args.wait)
        win.grab().save(str(args.out / f"live-{name}.png"))
        if name == "1366x768-contrast" or name == "1024x640-dark":
            dlg = HelpDialog(win)
            dlg.show()
            qt_wait(0.5)
            dlg.grab().save(str(args.out / f"help-{name}.png"))
            dlg.close()
            fd = QFileDialog(win, "Open a video or keypoint file", str(Path.home()))
            fd.setOption(QFileDialog.Option.DontUseNativeDialog, True)
            fd.show()
            qt_wait(0.5)
            fd.grab().save(str(args.out / f"filedialog-{name}.png"))
            fd.close()
        win.close()
        qt_wait(0.3)
    print("\n".join(str(p) for p in sorted(args.out.glob("*.png"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
