"""The Live page's widgets and how they show things (no session logic here): built by
``LiveLayout._build`` and filled by the small ``_set_*`` / ``_refresh_*`` helpers."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSlider, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from . import theme
from .live_helpers import list_packs
from .guesses import TopKPanel
from .transcript_view import TranscriptPanel
from .widgets import Banner, NoSourceScreen, VideoView
from ..languages import full_name, language_name
from ..live import SourceSpec
from ..stream.stable import IDLE, UNKNOWN

UNKNOWN_TEXT = "Not a sign I know"


def sensitivity_words(v: float) -> str:
    """What the sensitivity slider does, in words, with its value."""
    if v >= 1.3:
        what = "shows signs sooner, guesses more"
    elif v <= 0.75:
        what = "waits until it is more certain"
    else:
        what = "balanced"
    return f"{v:.2f}× · {what}"


class LiveLayout:
    """Mixed into ``LivePage`` (a QWidget): the layout, the lists and the recognition view."""

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(12, 10, 12, 8)
        root.setSpacing(8)
        self.notice = Banner("notice")
        self.banner = Banner("banner")
        root.addWidget(self.notice)
        root.addWidget(self.banner)
        root.addLayout(self._build_source_bar())

        body = QHBoxLayout()
        body.setSpacing(12)
        left = QVBoxLayout()
        left.setSpacing(10)
        self.video_stack = QStackedWidget()
        self.video = VideoView()
        self.video.show_face = self.settings.show_face
        self.video.on_box_changed = self._view_resized
        self.no_source = NoSourceScreen(self.open_file_dialog, self.retry_camera, self.show_demo)
        self.video_stack.addWidget(self.video)
        self.video_stack.addWidget(self.no_source)
        left.addWidget(self.video_stack, 4)
        self.transcript_panel = TranscriptPanel(self.transcript)
        self.transcript_panel.setMinimumHeight(130)
        left.addWidget(self.transcript_panel, 1)
        body.addLayout(left, 3)

        side = QVBoxLayout()
        side.setSpacing(10)
        side.addWidget(self._build_current_card())
        self.topk = TopKPanel()
        self.topk.set_k(self.settings.top_k)
        side.addWidget(self.topk, 1)
        side.addWidget(self._build_settings_card())
        sidew = QWidget()
        sidew.setObjectName("page")
        sidew.setLayout(side)
        # on a small screen (or zoomed in) the side column scrolls instead of squeezing its rows
        self.side_scroll = QScrollArea()
        self.side_scroll.setWidget(sidew)
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._size_side()
        body.addWidget(self.side_scroll)
        root.addLayout(body, 1)

        self.status = QLabel("")
        self.status.setObjectName("status")
        root.addWidget(self.status)
        self._set_current(None)
        self._refresh_packs()

    def _build_source_bar(self) -> QHBoxLayout:
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
        return bar

    def _build_current_card(self) -> QFrame:
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
        self.current_hint = QLabel("")
        self.current_hint.setObjectName("dim")
        self.current_hint.setWordWrap(True)
        cl.addWidget(self.current_hint)
        return card

    def _build_settings_card(self) -> QFrame:
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
        self.sens_slider.valueChanged.connect(lambda v: self.sens_value.setText(sensitivity_words(v / 100.0)))
        grid.addWidget(self.sens_slider, 3, 1, 1, 3)
        self.sens_value = QLabel(sensitivity_words(self.sens_slider.value() / 100.0))
        self.sens_value.setObjectName("dim")
        grid.addWidget(self.sens_value, 4, 1, 1, 3)
        grid.setColumnStretch(3, 1)
        return settings_card

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
        current = self.session.config.pack_path
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

    def _fill_language_box(self, pack) -> str:
        """The pack's languages in the box; returns the language to use ("" = all)."""
        counts: dict[str, int] = {}
        for label in pack.labels:
            counts[label.language] = counts.get(label.language, 0) + 1
        self.lang_box.clear()
        self.lang_box.addItem(f"All ({len(pack.labels)} signs)", "")
        for code in sorted(counts, key=lambda c: (-counts[c], c)):
            self.lang_box.addItem(f"{full_name(code)} · {counts[code]}", code)
            self.lang_box.setItemData(self.lang_box.count() - 1, language_name(code), Qt.ItemDataRole.ToolTipRole)
        # the user's choice for this pack, else the pack's own (an alphabet pack scores within one alphabet)
        want = self.settings.pack_languages.get(pack.name, getattr(pack, "main_language", ""))
        i = self.lang_box.findData(want)
        self.lang_box.setCurrentIndex(max(i, 0))
        return want if i > 0 else ""

    # ------------------------------------------------------------------ recognition view
    def _reset_recognition_view(self) -> None:
        """A new source or pack: no current sign yet (the transcript keeps what was signed)."""
        self.topk.set_prediction(None)
        self._set_current(None)

    def _show_decision(self, decision) -> None:
        """The current sign and the guesses that go with it, from one ``Decision``."""
        if decision.state == UNKNOWN:
            self._set_current(None, UNKNOWN_TEXT)
            self.current_hint.setText("Closest signs are listed below. Teach it under “Teach a sign”.")
        else:
            self._set_current(decision.label)
            self.current_hint.setText("" if decision.label or decision.state != IDLE or decision.shown is None
                                      else "Sign again; the last result stays below.")
        self.topk.set_prediction(decision.shown, self._label_texts, stale=not decision.fresh,
                                 idle_text="waiting for signing" if decision.shown is None else "")

    def _set_current(self, label: str | None, placeholder: str = "—") -> None:
        """The stable current sign; long names get a smaller size, the line height never changes."""
        self._last_current, self._current_placeholder = label, placeholder
        text = placeholder if label is None else self._label_texts.get(label, label)
        font = QFont(self._current_font)
        if label is None and placeholder != "—":
            font.setPointSize(max(14, theme.CURRENT_PT // 2))
        width = max(200, self.current.width() - 4)
        while font.pointSize() > 14 and QFontMetrics(font).horizontalAdvance(text) > width:
            font.setPointSize(font.pointSize() - 2)
        self.current.setFont(font)
        self.current.setStyleSheet(f"color:{theme.TEXT_DIM};" if label is None else f"color:{theme.TEXT};")
        self.current.setText(text)
        self.current.setToolTip(text)

    SIDE_WIDTH = 380

    def _size_side(self) -> None:
        """380 px (zoomed) on a small screen, up to a quarter of a wide window: long glosses
        ("good morning", "see you later") fit in the guesses instead of being cut."""
        bar = self.side_scroll.verticalScrollBar().sizeHint().width()
        base = round(self.SIDE_WIDTH * theme.ZOOM)
        wide = min(round(self.width() * 0.27), round(560 * theme.ZOOM))
        self.side_scroll.setFixedWidth(max(base, wide) + bar)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        if hasattr(self, "side_scroll"):
            self._size_side()

    def apply_theme(self) -> None:
        """Type sizes and colours after a theme or zoom change."""
        self._size_side()
        self._current_font.setPointSize(theme.CURRENT_PT)
        self.current.setFixedHeight(QFontMetrics(self._current_font).height() + 8)
        self.topk.apply_theme()
        self._set_current(self._last_current, getattr(self, "_current_placeholder", "—"))

    @staticmethod
    def format_status(st) -> str:
        """The status line for a ``StatsEvent``."""
        prov = st.provider or "—"
        inf = f"{st.inference_ms:.1f} ms" if st.inference_ms else "—"
        pool = f" ({st.pool_workers} detectors)" if getattr(st, "pool_workers", 0) else ""
        return (f"{st.source or 'Source'} {st.source_fps:5.1f} fps   ·   Landmarks {st.landmark_fps:5.1f} fps{pool}   ·   "
                f"Inference {inf}   ·   {prov}")
