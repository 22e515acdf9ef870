"""The "Live" page: video + skeleton, current sign, top guesses, transcript, source and settings controls.

It runs one ``live.LiveSession`` (``self.session``, the door other pages use too) and listens to
it through a ``LiveBridge`` (typed Qt signals on the GUI thread); the widgets are built by
``LiveLayout`` (``live_layout.py``).

Camera policy: the camera from the settings if it opens, else the built-in demo with a
banner ("No camera found — showing the built-in demo", Retry camera / Open a file) and a
quiet retry every few seconds; a camera that stops mid-stream is handled the same way.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from . import theme
from .bridge import LiveBridge
from .live_helpers import CAMERA_RETRY_S, FILE_FILTER, html, list_cameras, list_packs, probe_camera, resolve_pack
from .live_layout import LiveLayout
from ..live import LiveConfig, LiveSession, SourceSpec
from ..live.config import MAX_TOP_K
from ..languages import short_name
from ..settings import Settings
from ..stream.transcript import Transcript, TranscriptEntry


def config_from_settings(settings: Settings, pack: str | None) -> LiveConfig:
    """The session's config from the saved settings (values out of range are clamped)."""
    # one onnxruntime thread: a window takes a few ms, and a second (spinning) ORT thread
    # would take CPU from Holistic on small machines
    return LiveConfig(pack_path=pack, top_k=max(1, min(int(settings.top_k), MAX_TOP_K)),
                      sensitivity=min(10.0, max(0.05, float(settings.sensitivity))),
                      left_handed=bool(settings.left_handed), threads=1, mirror=bool(settings.mirror))


class LivePage(LiveLayout, QWidget):
    """``settings`` is shared with the main window (which saves it); ``save`` is called after a change."""

    prediction_shown = Signal(object)  # the PredictionEvent of each shown prediction
    heavy_loaded = Signal(str)         # "pack" / "tracking": a big library finished loading
    first_frame = Signal(float)        # time.monotonic() when the first frame was drawn
    _camera_back = Signal(int)         # from the probe thread

    def __init__(self, settings: Settings, save=None, detector_factory=None, feed_factory=None,
                 pace: bool = True, camera_lister=None, camera_probe=None, parent=None):
        super().__init__(parent)
        self.setObjectName("page")
        self.settings = settings
        self._save = save or (lambda: None)
        self._pack_name = ""
        self._pace = pace
        self._camera_lister = camera_lister or list_cameras
        self._camera_probe = camera_probe or probe_camera
        pack = resolve_pack(settings.pack)
        self._pack_fallback = None
        if pack is None:  # the saved pack is gone (or was never installed): use the first one there is
            packs = list_packs()
            if packs:
                pack = packs[0][1]
                self._pack_fallback = (settings.pack, Path(pack).name)
        self.bridge = LiveBridge(parent=self)
        kw = {"detector_factory": detector_factory}
        if feed_factory is not None:
            kw["feed_factory"] = feed_factory
        self.session = LiveSession(config_from_settings(settings, pack), on_event=self.bridge.post, **kw)
        self.bridge.attach(self.session)
        self.bridge.frame.connect(self._show_frame)
        self.bridge.stats.connect(self._show_stats)
        self.bridge.status.connect(self._on_status)
        self.bridge.error.connect(self._on_error)
        self.bridge.prediction.connect(self._on_prediction)
        self.bridge.prediction_view.connect(self._paint_prediction)
        self._camera_back.connect(self._on_camera_back, Qt.ConnectionType.QueuedConnection)
        self._label_texts: dict[str, str] = {}
        self.transcript = Transcript()  # the page's, not the source's: it survives source switches
        self._first_frame_at: float | None = None
        self._camera_wanted = False       # the user wants the camera; we are on the demo meanwhile
        self._probe: threading.Thread | None = None
        self._spec: SourceSpec | None = None
        self._last_current: str | None = None
        self.updates_shown = 0
        self._build()
        self._retry_timer = QTimer(self)
        self._retry_timer.setInterval(int(CAMERA_RETRY_S * 1000))
        self._retry_timer.timeout.connect(self._quiet_retry)

    def _configure(self, **changes) -> None:
        self.session.configure(dataclasses.replace(self.session.config, **changes))

    # ------------------------------------------------------------------ start / stop
    def start(self, spec: SourceSpec | None = None) -> None:
        """Start the workers on ``spec`` (default: what the settings say)."""
        self._refresh_sources()
        self.bridge.start()
        if spec is None:
            spec = self._spec_from_settings()
        self._play(spec)
        self.session.start()

    def stop(self, timeout: float = 5.0) -> bool:
        self.bridge.stop()
        self._retry_timer.stop()
        ok = self.session.stop(timeout)
        if self._probe is not None:
            self._probe.join(timeout)
        return ok

    def _spec_from_settings(self) -> SourceSpec:
        s = self.settings
        if s.source == "file" and s.last_file and Path(s.last_file).exists():
            return SourceSpec("file", path=s.last_file, loop=s.loop, pace=self._pace)
        if s.source == "demo":
            return SourceSpec("demo", loop=True, pace=self._pace)
        return SourceSpec("camera", camera_index=s.camera_index, pace=self._pace)

    def _play(self, spec: SourceSpec) -> None:
        self._spec = spec
        self._camera_wanted = spec.kind == "camera"
        if spec.kind != "camera":
            self._retry_timer.stop()
        self.video.clear("Opening " + spec.title + "…")
        self.video_stack.setCurrentWidget(self.video)
        self._select_source_item(spec)
        self.session.set_source(spec)
        self._reset_recognition_view()

    # ------------------------------------------------------------------ user actions
    def open_file_dialog(self) -> None:
        start = str(Path(self.settings.last_file).parent) if self.settings.last_file else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a video or keypoint file", start, FILE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str, remember: bool = True) -> None:
        if remember:
            self.settings.source, self.settings.last_file = "file", str(path)
            self._save()
        self.banner.hide()
        self._play(SourceSpec("file", path=str(path), loop=self.settings.loop, pace=self._pace))
        self._refresh_sources()

    def show_demo(self, remember: bool = False) -> None:
        if remember:
            self.settings.source = "demo"
            self._save()
        self._play(SourceSpec("demo", loop=True, pace=self._pace))

    def use_camera(self, index: int, remember: bool = True) -> None:
        if remember:
            self.settings.source, self.settings.camera_index = "camera", int(index)
            self._save()
        self._play(SourceSpec("camera", camera_index=int(index), pace=self._pace))

    def retry_camera(self) -> None:
        self.banner.show_message(f"Looking for camera {self.settings.camera_index}…", [])
        self.use_camera(self.settings.camera_index, remember=False)

    def _source_chosen(self, i: int) -> None:
        data = self.source_box.itemData(i)
        if not data:
            return
        kind, value = data
        if kind == "camera":
            self.use_camera(value)
        elif kind == "demo":
            self.banner.hide()
            self.show_demo(remember=True)
        elif kind == "file":
            self.open_file(value)
        elif kind == "open":
            self._select_source_item(self._spec)
            self.open_file_dialog()

    def _pack_chosen(self, i: int) -> None:
        path = self.pack_box.itemData(i)
        if not path:
            return
        name = Path(path).name
        same = resolve_pack(name)
        self.settings.pack = name if same and Path(same).resolve() == Path(path).resolve() else path
        self._pack_fallback = None
        self._save()
        self.topk.set_note("Loading the signs…")
        self._configure(pack_path=path)
        self._reset_recognition_view()

    def _loop_changed(self, on: bool) -> None:
        self.settings.loop = bool(on)
        self._save()
        if self._spec is not None and self._spec.kind == "file":
            self.session.set_loop(bool(on))  # the capture thread reads it at the end of the file

    def _mirror_changed(self, on: bool) -> None:
        self.settings.mirror = bool(on)
        self._configure(mirror=bool(on))
        self._save()

    def _left_changed(self, on: bool) -> None:
        self.settings.left_handed = bool(on)
        self._configure(left_handed=bool(on))
        self._save()

    def _language_chosen(self, index: int) -> None:
        lang = self.lang_box.itemData(index) or ""
        if self._pack_name:
            self.settings.pack_languages[self._pack_name] = lang
        self._configure(language=lang)
        self._save()

    def _topk_changed(self, k: int) -> None:
        self.settings.top_k = int(k)
        self.topk.set_k(k)
        self._configure(top_k=int(k))
        self._save()

    def _sens_changed(self, v: int) -> None:
        self.settings.sensitivity = v / 100.0
        self._configure(sensitivity=v / 100.0)
        self._save()

    def _view_resized(self, box: tuple[int, int]) -> None:
        self.session.set_view_box(box)  # the capture thread scales pictures to this

    @property
    def pack_note(self) -> str:
        if self._pack_fallback and self._pack_fallback[0]:
            return (f"The signs “{self._pack_fallback[0]}” are not installed, so “{self._pack_fallback[1]}” is used. "
                    f"Pick other signs under Signs.")
        return ""

    # ------------------------------------------------------------------ session events
    def _on_status(self, ev) -> None:
        if ev.what == "source_opened":
            if ev.source is not None and ev.source.kind == "camera":
                self._retry_timer.stop()
                self.banner.hide()
        elif ev.what == "tracking_ready":
            self.heavy_loaded.emit("tracking")
        elif ev.what == "pack_loaded":
            self._pack_loaded(ev.pack)
        elif ev.what == "pack_missing":
            self.topk.set_note("No signs installed: nothing is recognised yet")

    def _pack_loaded(self, pack) -> None:
        self.heavy_loaded.emit("pack")
        self._pack_name = pack.name
        self._configure(language=self._fill_language_box(pack))
        self._label_texts = {lab.id: lab.display for lab in pack.labels}
        langs = sorted({lab.language for lab in pack.labels})
        langs_text = ", ".join(short_name(c) for c in langs) if len(langs) <= 3 else f"{len(langs)} sign languages"
        self.topk.set_note(f"{pack.name} · {len(pack.labels)} signs · {langs_text}")
        if self.pack_note and not self.notice.isVisible():
            self.notice.show_message(self.pack_note.strip(), [("Dismiss", self.notice.dismiss)])
        self._reset_recognition_view()

    def _on_error(self, ev) -> None:
        if ev.what in ("source_error", "source_lost"):
            if ev.source is not self._spec:  # a late report about a source the user has left already
                return
            if ev.source is not None and ev.source.kind == "camera":
                self._camera_failed(ev.source, ev.reason, lost=ev.what == "source_lost")
            elif ev.what == "source_lost":
                self.no_source.set_text("Playback stopped", ev.message)
                self.video_stack.setCurrentWidget(self.no_source)
            else:
                self.video.clear("")
                self.no_source.set_text("This cannot be played" if ev.source.kind == "file" else "The demo is missing",
                                        ev.message)
                self.video_stack.setCurrentWidget(self.no_source)
        elif ev.what == "detector_error":
            self.notice.show_message("Hand and body tracking is not available: " + ev.message,
                                     [("Dismiss", self.notice.dismiss)])
        elif ev.what == "pack_error":
            self.topk.set_note("These signs cannot be loaded")
            self.notice.show_message("These signs cannot be loaded: " + html(ev.message),
                                     [("Dismiss", self.notice.dismiss)])
        else:
            self.notice.show_message("Something went wrong: " + ev.message, [("Dismiss", self.notice.dismiss)])

    def _camera_failed(self, spec: SourceSpec, reason: str, lost: bool) -> None:
        what = "The camera stopped sending pictures" if lost else "No camera found"
        self.banner.show_message(
            f"<b>{what} — showing the built-in demo.</b><br><span style='font-size:{theme.BASE_PT}pt'>"
            f"Camera {spec.camera_index}: {html(reason)}. The app keeps looking for it; "
            f"you can also open a video or keypoint file.</span>",
            [("Retry camera", self.retry_camera), ("Open a file", self.open_file_dialog)], big=True)
        self._retry_timer.start()
        self._spec = SourceSpec("demo", loop=True, pace=self._pace)
        self._select_source_item(self._spec)
        self.session.set_source(self._spec)
        self._camera_wanted = True

    def _on_prediction(self, ev) -> None:
        """Every update: counted, and passed on when it shows something (the log, other pages)."""
        self.updates_shown += 1
        up = ev.update
        d = up.decision
        if d is not None and d.committed is not None:  # every commit, not only the painted ones
            g = d.committed
            self.transcript_panel.add(TranscriptEntry(time.time(), up.timestamp, g.label,
                                                      self._label_texts.get(g.label, g.text or g.label),
                                                      d.shown.confidence if d.shown else "maybe", g.score, g.source))
        if up.prediction is not None or up.changed:
            self.prediction_shown.emit(ev)

    def _paint_prediction(self, ev) -> None:
        """The newest update, at most every few frames (``LiveBridge.prediction_view``)."""
        up = ev.update
        if up.decision is not None:
            self._show_decision(up.decision)
            return
        self.topk.set_prediction(up.prediction, self._label_texts,
                                 idle_text="waiting for signing" if up.prediction is None else "")
        if up.changed or up.current != self._last_current:
            self._set_current(up.current)

    # ------------------------------------------------------------------ display
    def _show_frame(self, ev) -> None:
        if self.video_stack.currentWidget() is not self.video:
            self.video_stack.setCurrentWidget(self.video)
        self.video.set_frame(ev.frame)
        if self._first_frame_at is None:
            self._first_frame_at = time.monotonic()
            self.first_frame.emit(self._first_frame_at)

    def status_text(self) -> str:
        return self.format_status(self.session.stats())

    def _show_stats(self, st) -> None:
        self.status.setText(self.format_status(st))

    # ------------------------------------------------------------------ camera retry
    def _quiet_retry(self) -> None:
        if not self._camera_wanted or (self._probe is not None and self._probe.is_alive()):
            return
        index = self.settings.camera_index
        check = self._camera_probe
        back = self._camera_back

        def probe():
            try:
                ok = check(index)
            except Exception:
                ok = False
            if ok:
                back.emit(index)

        self._probe = threading.Thread(target=probe, name="signclip-camera-probe", daemon=True)
        self._probe.start()

    def _on_camera_back(self, index: int) -> None:
        if self._camera_wanted and self._spec is not None and self._spec.kind != "camera":
            self.use_camera(index, remember=False)
