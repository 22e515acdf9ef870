"""What the practice pages need from the app, in one object, and how they join the main window.

Pages never reach into the live pipeline themselves: ``PracticeContext`` gives them a keypoint
tap (``LiveSession.tap``: a copy of the newest seconds of the live stream), lazily loaded packs
and encoders, the library path and a callback that pushes library prototypes into live
recognition (``LiveSession.set_prototypes``, applied on the inference thread). Tests build a
context by hand (tiny pack, scripted tap).
"""
from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable



@dataclass
class PracticeContext:
    library_path: Path | None = None
    stats_path: Path | None = None
    tap: Callable | None = None                 # seconds -> (times, frames) | None
    words_pack: str | None = "words"            # name or folder (model.registry.resolve_pack)
    fingerspelling_pack: str | None = "fingerspelling"
    on_library_changed: Callable[[], None] | None = None
    providers: str = "cpu"
    source: Callable | None = None              # () -> live.SourceSpec | None (what the live session plays)
    peek_frame: Callable | None = None          # () -> live.FrameEvent | None (the newest live frame)
    live_pack: Callable | None = None           # () -> the pack live recognition runs, or None
    open_file: Callable | None = None           # () -> None: the Live page's "Open a file" dialog
    retry_camera: Callable | None = None        # () -> None: the Live page's "Retry camera"
    _cache: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def source_kind(self) -> str | None:
        """camera | file | demo, or None when nothing is playing (or the context cannot tell)."""
        spec = self.source() if self.source else None
        return getattr(spec, "kind", None)

    def is_demo(self) -> bool:
        return self.source_kind() == "demo"

    def can_record(self) -> bool:
        """Only a real camera or a file is recorded: never the built-in demo, never an unknown source."""
        return self.source_kind() in ("camera", "file")

    def source_title(self) -> str:
        """Where a recording comes from, for the library ("camera 0", "clip.mp4")."""
        spec = self.source() if self.source else None
        if spec is None:
            return ""
        return f"camera {spec.camera_index}" if spec.kind == "camera" else spec.title

    def current_pack(self):
        """The pack live recognition runs, else the words pack (None when neither is there)."""
        pack = self.live_pack() if self.live_pack else None
        return pack if pack is not None else self.pack("words")

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

    def encoder_for(self, pack):
        """An encoder of ``pack`` for this context (the live one stays on its own thread)."""
        key = ("encoder-for", str(pack.path))
        with self._lock:
            if key not in self._cache:
                from ...model.encoder import Encoder

                self._cache[key] = Encoder(pack, self.providers)
            return self._cache[key]

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


def install(win) -> dict:
    """Add the practice pages (Teach a sign, Fingerspelling, Grade, Signs) to ``win`` (a ``MainWindow``) and wire them to the live session.

    Everything goes through ``win.live.session`` (``tap``, ``set_prototypes``, ``configure``)
    and the Live page's signals (``bridge.status``, ``prediction_shown``)."""
    from ...practice.library import pack_id
    from .common import run_async
    from .fingerspelling import FingerspellingPage
    from .grade import GradePage
    from .teach import TeachPage

    from .calibrate_me import offer_once
    from .signs import SignsPage

    session = win.live.session
    live = {"pack": None, "pack_path": None}  # what the live recogniser runs (from its pack_loaded event)
    pages: dict = {}
    ctx = PracticeContext(tap=session.tap, source=lambda: session.source, peek_frame=session.peek_frame,
                          live_pack=lambda: live["pack"], open_file=getattr(win.live, "open_file_dialog", None),
                          retry_camera=getattr(win.live, "retry_camera", None))
    win.practice_context = ctx  # calibrate_me.open_calibrate_me(win) finds it here

    def apply_prototypes() -> None:
        pack, pack_path = live["pack"], live["pack_path"]
        if pack is None or not ctx.library_exists():
            return

        def work():
            lib = ctx.library()
            try:
                if lib.missing_embeddings(pack_id(pack)):
                    lib.reembed(pack, ctx.encoder_for(pack))  # recordings taught with another pack
                return lib.prototypes(pack_id(pack), dim=pack.embedding_dim), lib.notice, list(lib.dropped or [])
            finally:
                lib.close()

        def done(result, err):
            if err is not None:
                win.live.notice.show_message(f"Your own signs could not be loaded: {err}",
                                             [("Dismiss", win.live.notice.dismiss)])
                return
            protos, notice, dropped = result
            session.set_prototypes(protos, pack_path)  # applied on the inference thread
            if notice or dropped:  # a damaged library set aside, read-only, or signs left out
                left_out = f" Left out (damaged): {', '.join(map(str, dropped))}." if dropped else ""
                win.live.notice.show_message(f"{notice or ''}{left_out}".strip(), [("Dismiss", win.live.notice.dismiss)])

        run_async(work, done, win)

    def on_status(ev) -> None:
        if ev.what == "pack_loaded":  # a new recogniser (pack switched) gets the prototypes again
            live["pack"], live["pack_path"] = ev.pack, ev.pack_path
            apply_prototypes()
            if "signs" in pages:
                pages["signs"].pack_changed()
        elif ev.what == "source_opened" and getattr(ev.source, "kind", None) == "camera":
            offer_once(win)  # "calibrate to me", once per user, when a real camera first plays
        if ev.what == "source_opened":
            for p in (teach, fs, grade):
                p.mirror.refresh_source()

    if session.pack is not None and session.applied_config is not None:
        live["pack"], live["pack_path"] = session.pack, session.applied_config.pack_path
        apply_prototypes()
    win.live.bridge.status.connect(on_status)
    teach = TeachPage(ctx)
    fs = FingerspellingPage(ctx)
    grade = GradePage(ctx)
    signs = pages["signs"] = SignsPage(ctx)

    def library_changed() -> None:
        apply_prototypes()
        signs.library_changed()

    ctx.on_library_changed = library_changed
    for p in (teach, fs, grade):  # you see yourself on every practice page (the Live page's frames)
        win.live.bridge.frame.connect(p.mirror.on_frame)
        win.live.bridge.prediction.connect(p.mirror.on_prediction)
    win.add_page("Teach a sign", teach, key="teach")
    win.add_page("Fingerspelling", fs, key="fingerspelling")
    win.add_page("Grade", grade, key="grade")
    win.add_page("Signs", signs, key="signs")

    # fingerspelling follows the live recogniser's top-1 while its page is shown
    win.live.prediction_shown.connect(fs.on_live_prediction)
    saved = {}

    def fs_shown():
        from ...model.registry import resolve_pack

        try:
            path = str(resolve_pack(ctx.fingerspelling_pack))
        except Exception:  # noqa: BLE001 - no fingerspelling pack installed: keep the live one
            return
        cfg = session.config
        saved["pack_path"] = cfg.pack_path
        session.configure(dataclasses.replace(cfg, pack_path=path))

    def fs_hidden():
        if "pack_path" in saved:
            session.configure(dataclasses.replace(session.config, pack_path=saved.pop("pack_path")))

    fs.shown_hook, fs.hidden_hook = fs_shown, fs_hidden
    return {"teach": teach, "fingerspelling": fs, "grade": grade, "signs": signs, "context": ctx}
