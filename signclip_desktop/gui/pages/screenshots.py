"""Screenshots of the practice pages for looking at (developer tool, never imported by the app).

    xvfb-run -a -s "-screen 0 1920x1080x24" python -m signclip_desktop.gui.pages.screenshots \
        --data ../shared/data --out DIR

For each size: Teach, Grade and Fingerspelling with no camera (the demo plays: "No camera",
Open a file / Retry camera), then with a real recording opened as a file (you with the
skeleton, hands in view, "I see"), Teach while recording, Grade after grading a real clip, and
Fingerspelling with a real letter stream part-way through a word."""
from __future__ import annotations

import argparse
from pathlib import Path

SIZES = ((1024, 640), (1920, 1080))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--data", type=Path, required=True, help="the shared data folder (a real recording to play)")
    ap.add_argument("--only", default="", help="one size, e.g. 1024x640")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    import signclip_desktop.gui  # noqa: F401  (the PySide6 work-around first)
    from PySide6.QtWidgets import QApplication

    from ..main_window import MainWindow
    from ..screenshots import qt_wait
    from . import install_practice_pages
    from ...keypoints import layout as L
    from ...live import SourceSpec
    from ...practice.references import ReferenceSet
    from ...settings import Settings
    from ...sources.npz import load_npz_sequences

    app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive for the windows)

    refs = ReferenceSet.load()
    word = "hello" if "hello" in refs.words else refs.words[0]
    ref = refs.get(word)
    letters = {}
    for seq in load_npz_sequences(args.data / "fingerspelling" / "letters" / "traduttore__traduttore-model.npz"):
        letters.setdefault(seq.label, seq)
    for w, h in SIZES:
        tag = f"{w}x{h}"
        if args.only and args.only != tag:
            continue
        win = MainWindow(Settings(pack="words", source="camera", calibration_offered=True), persist=False,
                         live_kwargs={"camera_lister": lambda: [], "camera_probe": lambda i: False})
        got = install_practice_pages(win)
        win.resize(w, h)
        win.show()
        win.start(SourceSpec("camera", camera_index=97))  # no such camera: the demo plays
        qt_wait(3.0)
        for key in ("teach", "grade", "fingerspelling"):
            win.show_page(key)
            qt_wait(1.0)
            win.grab().save(str(args.out / f"{key}_demo_{tag}.png"))
        win.live.open_file(str(args.data / "words" / "Kizum1__calhacks2023.npz"), remember=False)  # real signing
        qt_wait(2.5)
        teach = got["teach"]
        win.show_page("teach")
        qt_wait(1.5)
        teach.countdown.count_s = 0
        teach.countdown.seconds = 6.0
        teach.record()
        qt_wait(1.2)
        win.grab().save(str(args.out / f"teach_recording_{tag}.png"))
        teach.countdown.cancel()
        grade = got["grade"]
        win.show_page("grade")
        qt_wait(1.0)
        grade.select_sign(word)
        grade.grade_frames(ref[-1].frames, 30.0)
        for _ in range(60):
            qt_wait(0.5)
            if grade.result is not None and not grade.busy:
                break
        qt_wait(1.5)
        win.grab().save(str(args.out / f"grade_graded_{tag}.png"))
        grade.grade_frames(L.empty_frames(40), 30.0)  # nobody in view
        qt_wait(2.0)
        win.grab().save(str(args.out / f"grade_not_graded_{tag}.png"))
        fs = got["fingerspelling"]
        win.show_page("fingerspelling")
        qt_wait(2.0)
        fs.source.setCurrentIndex(1)
        fs.typed.setText("cab")
        fs.start()
        fs.next_word("cab")
        for lab in ("ase:C", "ase:C", None, "ase:K", "ase:K"):
            fs.feed(lab)
        qt_wait(1.5)
        win.grab().save(str(args.out / f"fingerspelling_live_{tag}.png"))
        win.close()
        qt_wait(0.5)
    print("\n".join(str(p) for p in sorted(args.out.glob("*.png"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
