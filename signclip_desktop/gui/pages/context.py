"""What the practice pages need from the app, in one object, and how they join the main window.

Pages never reach into the live pipeline themselves: ``PracticeContext`` gives them a keypoint
tap (the newest seconds of the live stream), lazily loaded packs and encoders, the library
path and a callback that pushes library prototypes into live recognition. Tests build a
context by hand (tiny pack, scripted tap).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QTimer


@dataclass
class PracticeContext:
    library_path: Path | None = None
    stats_path: Path | None = None
    tap: Callable | None = None                 # seconds -> (times, frames) | None
    words_pack: str | None = "words"            # name or folder (model.registry.resolve_pack)
    fingerspelling_pack: str | None = "fingerspelling"
    on_library_changed: Callable[[], None] | None = None
    providers: str = "cpu"
    _cache: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def library(self):
        from ...practice.library import Library

        return Library(self.library_path)

    def library_exists(self) -> bool:
        from ...practice.library import default_path

        return Path(self.library_path or default_path()).is_file()

    def stats(self):
        from ...practice.fingerspelling import PracticeStats

        return PracticeStats(self.stats_path)

    def pack(self, which: str = "words"):
        """A loaded pack (None when not installed)."""
        name = self.words_pack if which == "words" else self.fingerspelling_pack
        if not name:
            return None
        key = ("pack", which)
        with self._lock:
            if key not in self._cache:
                from ...model.pack import PackError, load_pack
                from ...model.registry import resolve_pack

                try:
                    self._cache[key] = load_pack(resolve_pack(name))
                except PackError:
                    self._cache[key] = None
            return self._cache[key]

    def embedder(self, which: str = "words"):
        """(pack, encoder) or (None, None)."""
        pack = self.pack(which)
        if pack is None:
            return None, None
        key = ("encoder", which)
        with self._lock:
            if key not in self._cache:
                from ...model.encoder import Encoder

                self._cache[key] = Encoder(pack, self.providers)
            return pack, self._cache[key]

    def alphabets(self) -> dict:
        from ...model.pack import Label
        from ...practice.fingerspelling import alphabets_from_labels

        pack = self.pack("fingerspelling")
        if pack is not None:
            return alphabets_from_labels(pack.labels)
        # no pack: the ASL letters, so the page still shows what it does
        return alphabets_from_labels([Label(f"ase:{c}", c, "ase") for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])

    def grader(self):
        from ...practice.grading import Grader

        pack, enc = self.embedder("words")
        return Grader(pack, enc)

    def library_changed(self) -> None:
        if self.on_library_changed:
            self.on_library_changed()


def live_tap(win):
    """The newest seconds of keypoints the live recogniser has buffered (None without a pack)."""
    def tap(seconds: float):
        rec = getattr(win.live.pipeline.inference, "recognizer", None)
        if rec is None:
            return None
        for _ in range(5):
            try:
                times, frames = rec.window.latest(seconds)
                return (times, frames) if len(times) else None
            except RuntimeError:  # the worker appended while we copied
                time.sleep(0.005)
        return None

    return tap


def install(win) -> dict:
    """Add the three practice pages to ``win`` (a ``MainWindow``) and wire them to the live pipeline."""
    from ...practice.library import pack_id
    from .common import run_async
    from .fingerspelling import FingerspellingPage
    from .grade import GradePage
    from .teach import TeachPage

    ctx = PracticeContext(tap=live_tap(win))
    state = {"rec": None}

    def apply_prototypes(force: bool = False) -> None:
        rec = getattr(win.live.pipeline.inference, "recognizer", None)
        if rec is None or (rec is state["rec"] and not force):
            return
        state["rec"] = rec
        if not ctx.library_exists():
            return
        def work():
            lib = ctx.library()
            try:
                if lib.missing_embeddings(pack_id(rec.pack)):
                    lib.reembed(rec.pack, rec.encoder)  # recordings taught with another pack
                return lib.prototypes(pack_id(rec.pack))
            finally:
                lib.close()

        def done(protos, err):
            if err is None and rec is getattr(win.live.pipeline.inference, "recognizer", None):
                try:
                    rec.scorer.set_prototypes(protos)
                except ValueError:
                    pass

        run_async(work, done, win)

    ctx.on_library_changed = lambda: apply_prototypes(force=True)
    timer = QTimer(win)  # a new recogniser (pack switched) gets the prototypes again
    timer.timeout.connect(apply_prototypes)
    timer.start(1000)

    teach = TeachPage(ctx)
    fs = FingerspellingPage(ctx)
    grade = GradePage(ctx)
    win.add_page("Teach a sign", teach, key="teach")
    win.add_page("Fingerspelling", fs, key="fingerspelling")
    win.add_page("Grade", grade, key="grade")

    # fingerspelling follows the live recogniser's top-1 while its page is shown
    win.live.prediction_shown.connect(fs.on_live_record)
    saved = {}

    def fs_shown():
        from ...model.registry import resolve_pack

        inf = win.live.pipeline.inference
        try:
            path = str(resolve_pack(ctx.fingerspelling_pack))
        except Exception:  # noqa: BLE001 - no fingerspelling pack installed: keep the live one
            return
        saved["pack_path"] = inf.pack_path
        inf.configure(pack_path=path)

    def fs_hidden():
        if "pack_path" in saved:
            win.live.pipeline.inference.configure(pack_path=saved.pop("pack_path"))

    fs.shown_hook, fs.hidden_hook = fs_shown, fs_hidden
    return {"teach": teach, "fingerspelling": fs, "grade": grade, "context": ctx}
