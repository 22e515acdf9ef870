"""The "Live" page: video + skeleton, current sign, history, top guesses, source and settings controls.

Runs a ``LivePipeline`` (capture + Holistic worker, inference worker). Worker events arrive
through ``_Bridge.event`` (a queued signal); frames are pulled from the pipeline's
latest-value slot by a display timer, so the GUI thread only draws.

Camera policy: the camera from the settings if it opens, else the built-in demo with a
banner ("No camera found — showing the built-in demo", Retry camera / Open a file) and a
quiet retry every few seconds; a camera that stops mid-stream is handled the same way.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSlider, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from . import theme
from .pipeline import InferenceConfig, LivePipeline, SourceSpec
from .widgets import Banner, NoSourceScreen, TopKPanel, VideoView
from ..languages import language_name
from ..settings import Settings

FILE_FILTER = ("Videos and keypoint files (*.mp4 *.mov *.avi *.mkv *.webm *.m4v *.pose *.npz);;"
               "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;Keypoint files (*.pose *.npz);;All files (*)")
CAMERA_RETRY_S = 5.0


class _Bridge(QObject):
    event = Signal(str, object)


def list_cameras() -> list[tuple[int, str]]:
    try:
        from ..sources.webcam import list_cameras as _list

        return [(c.index, c.name) for c in _list()]
    except Exception:
        return []


def list_packs() -> list[tuple[str, str]]:
    """(display name, folder) of every usable pack."""
    try:
        from ..model.registry import list_packs as _list

        return [(p.path.name if p.name == p.path.name else f"{p.path.name} — {p.name}", str(p.path))
                for p in _list() if p.error is None]
    except Exception:
        return []


def probe_camera(index: int) -> bool:
    """Can camera ``index`` be opened right now? (opened and closed again at once)"""
    try:
        from ..sources.webcam import WebcamSource

        WebcamSource(index).close()
        return True
    except Exception:
        return False


def resolve_pack(name_or_path: str) -> str | None:
    if not name_or_path:
        return None
    try:
        from ..model.registry import resolve_pack as _resolve

        return str(_resolve(name_or_path))
    except Exception:
        p = Path(name_or_path)
        return str(p) if (p / "manifest.json").is_file() else None


class LivePage(QWidget):
    """``settings`` is shared with the main window (which saves it); ``save`` is called after a change."""

    prediction_shown = Signal(object)  # the JSON record (a dict) of each shown prediction
    heavy_loaded = Signal(str)        # "pack" / "tracking": a big library finished loading
    first_frame = Signal(float)       # time.monotonic() when the first frame was drawn

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
        self._bridge = _Bridge()
        self._bridge.event.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        kw = {"detector_factory": detector_factory}
        if feed_factory is not None:
            kw["feed_factory"] = feed_factory
        pack = resolve_pack(settings.pack)
        self._pack_fallback = None
        if pack is None:  # the saved pack is gone (or was never installed): use the first one there is
            packs = list_packs()
            if packs:
                pack = packs[0][1]
                self._pack_fallback = (settings.pack, Path(pack).name)
        # one onnxruntime thread: a window takes a few ms, and a second (spinning) ORT thread
        # would take CPU from Holistic on small machines
        self.pipeline = LivePipeline(self._bridge.event.emit, InferenceConfig(
            pack_path=pack, top_k=settings.top_k, sensitivity=settings.sensitivity,
            left_handed=settings.left_handed, threads=1), **kw)
        self.pipeline.capture.mirror = settings.mirror
        self._label_texts: dict[str, str] = {}
        self._display_seq = 0
        self._first_frame_at: float | None = None
        self._camera_wanted = False       # the user wants the camera; we are on the demo meanwhile
        self._probe: threading.Thread | None = None
        self._spec: SourceSpec | None = None
        self._last_current: str | None = None
        self.updates_shown = 0
        self._build()
        self._display_timer = QTimer(self)
        self._display_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._display_timer.timeout.connect(self._pull_frame)
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(self._update_status)
        self._retry_timer = QTimer(self)
        self._retry_timer.setInterval(int(CAMERA_RETRY_S * 1000))
        self._retry_timer.timeout.connect(self._quiet_retry)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(12, 10, 12, 8)
        root.setSpacing(8)
        self.notice = Banner("notice")
        self.banner = Banner("banner")
        root.addWidget(self.notice)
        root.addWidget(self.banner)

        bar = QHBoxLayout()
        bar.setSpacing(10)
        bar.addWidget(QLabel("Source"))
        self.source_box = QComboBox()
        self.source_box.setMinimumWidth(260)
        self.source_box.activated.connect(self._source_chosen)
        bar.addWidget(self.source_box)
        self.open_button = QPushButton("Open a file…")
        self.open_button.clicked.connect(self.open_file_dialog)
        bar.addWidget(self.open_button)
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setChecked(self.settings.loop)
        self.loop_box.toggled.connect(self._loop_changed)
        bar.addWidget(self.loop_box)
        self.mirror_box = QCheckBox("Mirror camera")
        self.mirror_box.setToolTip("Show the camera like a mirror. Recognition always uses the real picture.")
        self.mirror_box.setChecked(self.settings.mirror)
        self.mirror_box.toggled.connect(self._mirror_changed)
        bar.addWidget(self.mirror_box)
        bar.addStretch(1)
        root.addLayout(bar)

        body = QHBoxLayout()
        body.setSpacing(12)
        self.video_stack = QStackedWidget()
        self.video = VideoView()
        self.video.show_face = self.settings.show_face
        self.video.on_box_changed = self._view_resized
        self.no_source = NoSourceScreen(self.open_file_dialog, self.retry_camera, self.show_demo)
        self.video_stack.addWidget(self.video)
        self.video_stack.addWidget(self.no_source)
        body.addWidget(self.video_stack, 3)

        side = QVBoxLayout()
        side.setSpacing(10)
        card = QFrame()
        card.setObjectName("card")
        cl = QVBoxLayout(card)
        cl.setContentsMargins(16, 12, 16, 14)
        h = QLabel("CURRENT SIGN")
        h.setObjectName("heading")
        cl.addWidget(h)
        self.current = QLabel("")
        self._current_font = QFont(self.font())
        self._current_font.setPointSize(theme.CURRENT_PT)
        self._current_font.setBold(True)
        self.current.setFont(self._current_font)
        self.current.setFixedHeight(QFontMetrics(self._current_font).height() + 8)
        cl.addWidget(self.current)
        h2 = QLabel("RECENT")
        h2.setObjectName("heading")
        cl.addWidget(h2)
        self.history = QLabel("")
        self.history.setObjectName("history")
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(56)
        self.history.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        cl.addWidget(self.history)
        side.addWidget(card)
        self.topk = TopKPanel()
        self.topk.set_k(self.settings.top_k)
        side.addWidget(self.topk, 1)
        settings_card = QFrame()
        settings_card.setObjectName("card")
        grid = QGridLayout(settings_card)
        grid.setContentsMargins(16, 10, 16, 10)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        grid.addWidget(QLabel("Signs"), 0, 0)
        self.pack_box = QComboBox()
        self.pack_box.setToolTip("Which signs to recognise (a model pack)")
        self.pack_box.activated.connect(self._pack_chosen)
        grid.addWidget(self.pack_box, 0, 1, 1, 3)
        grid.addWidget(QLabel("Guesses"), 1, 0)
        self.topk_spin = QSpinBox()
        self.topk_spin.setRange(1, TopKPanel.MAX_ROWS)
        self.topk_spin.setValue(self.settings.top_k)
        self.topk_spin.setToolTip("How many guesses to list")
        self.topk_spin.valueChanged.connect(self._topk_changed)
        grid.addWidget(self.topk_spin, 1, 1)
        self.left_box = QCheckBox("Left-handed")
        self.left_box.setToolTip("Your dominant hand is the left one")
        self.left_box.setChecked(self.settings.left_handed)
        self.left_box.toggled.connect(self._left_changed)
        grid.addWidget(self.left_box, 1, 2, 1, 2)
        grid.addWidget(QLabel("Language"), 2, 0)
        self.lang_box = QComboBox()
        self.lang_box.setToolTip("Recognise only the signs of one sign language (one fingerspelling alphabet)")
        self.lang_box.activated.connect(self._language_chosen)
        grid.addWidget(self.lang_box, 2, 1, 1, 3)
        grid.addWidget(QLabel("Sensitivity"), 3, 0)
        self.sens_slider = QSlider(Qt.Orientation.Horizontal)
        self.sens_slider.setRange(25, 300)
        self.sens_slider.setValue(int(round(self.settings.sensitivity * 100)))
        self.sens_slider.setToolTip("Higher shows a sign sooner; lower waits until it is more certain")
        self.sens_slider.valueChanged.connect(self._sens_changed)
        grid.addWidget(self.sens_slider, 3, 1, 1, 3)
        grid.setColumnStretch(3, 1)
        side.addWidget(settings_card)
        sidew = QWidget()
        sidew.setLayout(side)
        sidew.setFixedWidth(380)
        body.addWidget(sidew)
        root.addLayout(body, 1)

        self.status = QLabel("")
        self.status.setObjectName("status")
        root.addWidget(self.status)
        self._set_current(None)
        self._refresh_packs()

    # ------------------------------------------------------------------ start / stop
    def start(self, spec: SourceSpec | None = None) -> None:
        """Start the workers on ``spec`` (default: what the settings say)."""
        self._refresh_sources()
        self._display_timer.start(15)
        self._status_timer.start(500)
        if spec is None:
            spec = self._spec_from_settings()
        self._play(spec)
        self.pipeline.start()

    def stop(self, timeout: float = 5.0) -> bool:
        for t in (self._display_timer, self._status_timer, self._retry_timer):
            t.stop()
        ok = self.pipeline.stop(timeout)
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
        self.pipeline.set_source(spec)
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
        self.pipeline.inference.configure(pack_path=path)
        self._reset_recognition_view()

    def _loop_changed(self, on: bool) -> None:
        self.settings.loop = bool(on)
        self._save()
        if self._spec is not None and self._spec.kind == "file" and self._spec.loop != on:
            self._spec.loop = on  # the capture worker reads it at the end of the file

    def _mirror_changed(self, on: bool) -> None:
        self.settings.mirror = bool(on)
        self.pipeline.capture.mirror = bool(on)
        self._save()

    def _left_changed(self, on: bool) -> None:
        self.settings.left_handed = bool(on)
        self.pipeline.inference.configure(left_handed=bool(on))
        self._save()

    def _language_chosen(self, index: int) -> None:
        lang = self.lang_box.itemData(index) or ""
        if self._pack_name:
            self.settings.pack_languages[self._pack_name] = lang
        self.pipeline.inference.configure(language=lang)
        self._save()

    def _fill_languages(self, pack) -> None:
        counts: dict[str, int] = {}
        for label in pack.labels:
            counts[label.language] = counts.get(label.language, 0) + 1
        self.lang_box.clear()
        self.lang_box.addItem(f"All ({len(pack.labels)} signs)", "")
        for code in sorted(counts, key=lambda c: (-counts[c], c)):
            self.lang_box.addItem(f"{language_name(code)} · {counts[code]}", code)
        want = self.settings.pack_languages.get(pack.name, "")
        i = self.lang_box.findData(want)
        self.lang_box.setCurrentIndex(max(i, 0))
        self.pipeline.inference.configure(language=want if i > 0 else "")

    def _topk_changed(self, k: int) -> None:
        self.settings.top_k = int(k)
        self.topk.set_k(k)
        self.pipeline.inference.configure(top_k=int(k))
        self._save()

    def _sens_changed(self, v: int) -> None:
        self.settings.sensitivity = v / 100.0
        self.pipeline.inference.configure(sensitivity=v / 100.0)
        self._save()

    def _view_resized(self, box: tuple[int, int]) -> None:
        self.pipeline.capture.view_box = box  # the capture worker scales pictures to this

    # ------------------------------------------------------------------ lists
    def _refresh_sources(self) -> None:
        box = self.source_box
        box.blockSignals(True)
        box.clear()
        cams = self._camera_lister()
        for idx, name in cams:
            box.addItem(f"Camera {idx}: {name}", ("camera", idx))
        if not cams:
            box.addItem(f"Camera {self.settings.camera_index} (not found)", ("camera", self.settings.camera_index))
        box.addItem("Built-in demo", ("demo", None))
        if self.settings.last_file:
            box.addItem("File: " + Path(self.settings.last_file).name, ("file", self.settings.last_file))
        box.addItem("Open a file…", ("open", None))
        box.blockSignals(False)
        self._select_source_item(self._spec)

    def _select_source_item(self, spec: SourceSpec | None) -> None:
        if spec is None:
            return
        box = self.source_box
        for i in range(box.count()):
            kind, value = box.itemData(i) or (None, None)
            if kind == spec.kind and (kind == "demo" or value == (spec.camera_index if kind == "camera" else spec.path)):
                box.setCurrentIndex(i)
                return
        if spec.kind == "file":
            box.insertItem(box.count() - 1, "File: " + Path(spec.path).name, ("file", spec.path))
            box.setCurrentIndex(box.count() - 2)

    def _refresh_packs(self) -> None:
        box = self.pack_box
        box.clear()
        packs = list_packs()
        current = self.pipeline.inference._config.pack_path
        for name, path in packs:
            box.addItem(name, path)
        if current and current not in [p for _, p in packs]:
            box.addItem(Path(current).name, current)
        if box.count() == 0:
            box.addItem("No signs installed", None)
            self.topk.set_note("No signs installed: nothing is recognised yet")
            return
        for i in range(box.count()):
            if current and box.itemData(i) and Path(box.itemData(i)).resolve() == Path(current).resolve():
                box.setCurrentIndex(i)
        self.topk.set_note("Loading the signs…")

    @property
    def pack_note(self) -> str:
        if self._pack_fallback and self._pack_fallback[0]:
            return (f"The signs “{self._pack_fallback[0]}” are not installed, so “{self._pack_fallback[1]}” is used. "
                    f"Pick other signs under Signs.")
        return ""

    # ------------------------------------------------------------------ worker events
    def _on_event(self, name: str, payload) -> None:
        handler = getattr(self, "_ev_" + name, None)
        if handler is not None:
            handler(payload)

    def _ev_source_opened(self, spec: SourceSpec) -> None:
        if spec.kind == "camera":
            self._retry_timer.stop()
            self.banner.hide()

    def _camera_failed(self, spec: SourceSpec, reason: str, lost: bool) -> None:
        self._camera_wanted = True
        what = "The camera stopped sending pictures" if lost else "No camera found"
        self.banner.show_message(
            f"<b>{what} — showing the built-in demo.</b><br><span style='font-size:{theme.BASE_PT}pt'>"
            f"Camera {spec.camera_index}: {_html(reason)}. The app keeps looking for it; "
            f"you can also open a video or keypoint file.</span>",
            [("Retry camera", self.retry_camera), ("Open a file", self.open_file_dialog)], big=True)
        self._retry_timer.start()
        self._spec = SourceSpec("demo", loop=True, pace=self._pace)
        self._select_source_item(self._spec)
        self.pipeline.set_source(self._spec)
        self._camera_wanted = True

    def _ev_source_error(self, payload) -> None:
        spec, reason, message = payload
        if spec is not self._spec:  # a late report about a source the user has left already
            return
        if spec.kind == "camera":
            self._camera_failed(spec, reason, lost=False)
            return
        self.video.clear("")
        self.no_source.set_text("This cannot be played" if spec.kind == "file" else "The demo is missing", message)
        self.video_stack.setCurrentWidget(self.no_source)

    def _ev_source_lost(self, payload) -> None:
        spec, reason, message = payload
        if spec is not self._spec:
            return
        if spec is not None and spec.kind == "camera":
            self._camera_failed(spec, reason, lost=True)
        else:
            self.no_source.set_text("Playback stopped", message)
            self.video_stack.setCurrentWidget(self.no_source)

    def _ev_source_ended(self, spec) -> None:
        pass  # the last frame stays on screen

    def _ev_detector_error(self, message: str) -> None:
        self.notice.show_message("Hand and body tracking is not available: " + message,
                                 [("Dismiss", self.notice.dismiss)])

    def _ev_worker_error(self, message: str) -> None:
        self.notice.show_message("Something went wrong: " + message, [("Dismiss", self.notice.dismiss)])

    def _ev_tracking_ready(self, _p) -> None:
        self.heavy_loaded.emit("tracking")

    def _ev_pack_loaded(self, pack) -> None:
        self.heavy_loaded.emit("pack")
        self._pack_name = pack.name
        self._fill_languages(pack)
        self._label_texts = {l.id: l.display for l in pack.labels}
        langs = sorted({l.language for l in pack.labels})
        langs_text = ", ".join(langs) if len(langs) <= 3 else f"{len(langs)} sign languages"
        self.topk.set_note(f"{pack.name} · {len(pack.labels)} signs · {langs_text}")
        if self.pack_note and not self.notice.isVisible():
            self.notice.show_message(self.pack_note.strip(), [("Dismiss", self.notice.dismiss)])
        self._reset_recognition_view()

    def _ev_pack_missing(self, _p) -> None:
        self.topk.set_note("No signs installed: nothing is recognised yet")

    def _ev_pack_error(self, payload) -> None:
        _path, message = payload
        self.topk.set_note("These signs cannot be loaded")
        self.notice.show_message("These signs cannot be loaded: " + _html(message), [("Dismiss", self.notice.dismiss)])

    def _ev_update(self, up) -> None:
        self.topk.set_prediction(up.prediction, self._label_texts,
                                 idle_text="waiting for signing" if up.prediction is None else "")
        if up.changed or up.current != self._last_current:
            self._set_current(up.current)
            self._set_history(up.history)
        self.updates_shown += 1
        if up.prediction is not None or up.changed:
            pred = up.prediction
            self.prediction_shown.emit({
                "t": round(float(up.timestamp), 4),
                "current": up.current,
                "top": [{"label": g.label, "language": g.language, "score": round(float(g.score), 5)}
                        for g in (pred.top if pred else [])],
                "confidence": pred.confidence if pred else None,
                "final": bool(up.final),
                "inference_ms": round(float(up.inference_ms), 3),
            })

    # ------------------------------------------------------------------ display
    def _reset_recognition_view(self) -> None:
        self.topk.set_prediction(None)
        self._set_current(None)
        self._set_history([])

    def _set_current(self, label: str | None) -> None:
        """The stable current sign; long names get a smaller size, the line height never changes."""
        self._last_current = label
        text = "—" if label is None else self._label_texts.get(label, label)
        font = QFont(self._current_font)
        width = max(200, self.current.width() - 4)
        while font.pointSize() > 18 and QFontMetrics(font).horizontalAdvance(text) > width:
            font.setPointSize(font.pointSize() - 2)
        self.current.setFont(font)
        self.current.setStyleSheet(f"color:{theme.TEXT_DIM};" if label is None else f"color:{theme.TEXT};")
        self.current.setText(text)

    def _set_history(self, history) -> None:
        items = [self._label_texts.get(h, h) for h in list(history)[-self.settings.history_size:]]
        if not items:
            self.history.setText(f"<span style='color:{theme.TEXT_DIM}'>Signs you make appear here.</span>")
            return
        parts = [f"<span style='color:{theme.TEXT_DIM}'>{t}</span>" for t in items[:-1]]
        parts.append(f"<span style='color:{theme.TEXT}'>{items[-1]}</span>")
        self.history.setText("  ·  ".join(parts))

    def _pull_frame(self) -> None:
        seq, frame = self.pipeline.display.take(self._display_seq)
        if frame is None:
            return
        self._display_seq = seq
        if self.video_stack.currentWidget() is not self.video:
            self.video_stack.setCurrentWidget(self.video)
        self.video.set_frame(frame)
        if self._first_frame_at is None:
            self._first_frame_at = time.monotonic()
            self.first_frame.emit(self._first_frame_at)

    def status_text(self) -> str:
        st = self.pipeline.stats
        kind = {"camera": "Camera", "video": "Video", "keypoints": "Keypoints"}.get(st.source_kind, "Source")
        prov = st.provider or "—"
        inf = f"{st.inference_ms:.1f} ms" if st.inference_ms else "—"
        return (f"{kind} {st.source_fps.rate():5.1f} fps   ·   Landmarks {st.landmark_fps.rate():5.1f} fps   ·   "
                f"Inference {inf}   ·   {prov}")

    def _update_status(self) -> None:
        self.status.setText(self.status_text())

    # ------------------------------------------------------------------ camera retry
    def _quiet_retry(self) -> None:
        if not self._camera_wanted or (self._probe is not None and self._probe.is_alive()):
            return
        index = self.settings.camera_index
        check = self._camera_probe

        def probe():
            try:
                ok = check(index)
            except Exception:
                ok = False
            if ok:
                self._bridge.event.emit("camera_back", index)

        self._probe = threading.Thread(target=probe, name="signclip-camera-probe", daemon=True)
        self._probe.start()

    def _ev_camera_back(self, index: int) -> None:
        if self._camera_wanted and self._spec is not None and self._spec.kind != "camera":
            self.use_camera(index, remember=False)


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def record_to_json(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)
