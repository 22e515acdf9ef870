"""You, as the recogniser sees you, on every practice page.

``LiveMirror`` shows the live camera (or the opened file) with the skeleton, whether hands are in
view, what the recogniser sees now ("I see: B · maybe") and the recording state (countdown,
"● Recording"). With the built-in demo playing it says so and offers "Open a file" / "Retry
camera" (``PracticeContext.open_file`` / ``retry_camera``): nothing is recorded from the demo.
``install`` feeds it the Live page's ``bridge.frame`` and ``bridge.prediction`` signals (the
same ``DisplayFrame`` the Live page draws). ``bind_record_keys`` gives a page Space (start /
stop) and Esc (cancel) for its recorder.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout)

from ...keypoints import layout as L
from ...keypoints.normalize import to_reference_aspect
from ...model.pack import Label
from ...stream.clip import hands_up
from ..widgets import VideoView
from .calibrate_me import NO_CAMERA as NO_CAMERA_TEXT  # one wording on every page

BANNER_TEXT = "No camera: the demo is playing. Nothing is recorded from it."
NO_SOURCE_TEXT = "Nothing is playing: start the camera or open a file on the Live page."
HANDS_MISSING_S = 0.5  # hands gone this long before the indicator says so (MediaPipe drops single frames)


def hands_in_view(points: np.ndarray | None, aspect: float | None = None) -> bool:
    """A hand up to sign (a hand resting on the desk in view does not count: ``stream.clip.hands_up``).
    ``points`` are the display's (the picture's own x); ``aspect`` reads them as the model does."""
    if points is None or len(points) < L.NUM_POINTS or not (points[list(L.HAND_WRISTS), 3] > 0).any():
        return False  # no hand at all: no copy, no geometry (this runs per frame on the GUI thread)
    return bool(hands_up(to_reference_aspect(np.asarray(points, np.float32)[None], aspect))[0])


def seen_text(prediction, label_text=None, choose=None) -> str:
    """"I see: B · maybe" (or "I see: nothing yet" while nobody signs). ``choose(guesses)`` picks
    the guess to show (a page may only care about some labels, e.g. one alphabet's letters)."""
    if prediction is None or not prediction.top:
        return "I see: nothing yet"
    g = choose(prediction.top) if choose else prediction.top[0]
    if g is None:
        return "I see: nothing I know here"
    # a gloss as the Live page shows it ("thank you", not "thank-you")
    text = (label_text(g) if label_text else None) or Label(g.label, g.text or g.label).display
    return f"I see: {text} · {prediction.confidence}"


class LiveMirror(QFrame):
    hands_changed = Signal(bool)
    frame_seen = Signal(float, bool)   # monotonic time, hands in view (every frame while shown)

    def __init__(self, ctx, parent=None, title: str = "YOU (LIVE)", min_size=(280, 200)):
        super().__init__(parent)
        self.setObjectName("card")
        self.ctx = ctx
        self.hands = False
        self._hands_at = 0.0
        self.frames_shown = 0
        self.recording = False
        self.label_text = None  # optional Guess -> display text (a page may name letters its own way)
        self.choose = None      # optional [Guess] -> the Guess to show (or None)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        h = QLabel(title)
        h.setObjectName("heading")
        lay.addWidget(h)
        # "no camera" with its two ways out, stacked so that it fits a narrow column
        self.banner = QFrame()
        self.banner.setObjectName("banner")
        bv = QVBoxLayout(self.banner)
        self.banner_text = QLabel("")
        self.banner_text.setWordWrap(True)
        self.banner_text.setStyleSheet("font-size: 10pt;")
        bv.addWidget(self.banner_text)
        row = QHBoxLayout()
        self.buttons = {}
        for text, fn in (("Open a file", ctx.open_file), ("Retry camera", ctx.retry_camera)):
            if fn is not None:
                b = QPushButton(text)
                b.setStyleSheet("padding: 3px 6px; font-size: 9pt;")
                b.clicked.connect(fn)
                row.addWidget(b)
                self.buttons[text] = b
        row.addStretch(1)
        bv.addLayout(row)
        self.banner.hide()
        lay.addWidget(self.banner)
        self.video = VideoView()
        self.video.setMinimumSize(*min_size)
        self.video.clear("Waiting for the camera…")
        lay.addWidget(self.video, 1)
        self.hands_label = QLabel("")
        self.hands_label.setAccessibleName("Hands in view")
        lay.addWidget(self.hands_label)
        self.sees = QLabel("I see: nothing yet")
        self.sees.setAccessibleName("What the recogniser sees")
        self.sees.setObjectName("history")
        self.sees.setWordWrap(True)
        lay.addWidget(self.sees)
        self.state = QLabel("")
        self.state.setWordWrap(True)
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.state)
        self._set_hands(False)
        self.refresh_source()

    # ------------------------------------------------------------------ live input
    def on_frame(self, ev) -> None:
        """A ``live.FrameEvent`` (the Live page's ``bridge.frame``); ignored while hidden."""
        if not self.isVisible():
            return
        self.video.set_frame(ev.frame)
        self.frames_shown += 1
        now = time.monotonic()
        if hands_in_view(ev.frame.points, ev.frame.aspect):
            self._hands_at = now
            self._set_hands(True)
        elif now - self._hands_at > HANDS_MISSING_S:
            self._set_hands(False)
        self.frame_seen.emit(now, self.hands)

    def on_prediction(self, ev) -> None:
        """A ``live.PredictionEvent`` (``bridge.prediction``)."""
        if self.isVisible():
            self.sees.setText(seen_text(ev.prediction, self.label_text, self.choose))

    def _set_hands(self, seen: bool) -> None:
        changed = seen != self.hands or not self.hands_label.text()
        self.hands = seen
        if changed:
            self.hands_label.setText("● hands in view" if seen else "○ no hands in view")
            self.hands_label.setStyleSheet("color: #7bd88f; font-weight: 600;" if seen else "color: #f0b53c;")
            self.hands_changed.emit(seen)

    # ------------------------------------------------------------------ source and recording state
    def refresh_source(self) -> bool:
        """Show "no camera" (with its two ways out) unless a camera or a file plays; True when one does."""
        if self.ctx.can_record():
            self.banner.hide()
            return True
        self.banner_text.setText(BANNER_TEXT if self.ctx.is_demo() else NO_SOURCE_TEXT)
        self.banner_text.setToolTip(NO_CAMERA_TEXT)
        self.banner.show()
        return False

    def set_state(self, text: str, recording: bool = False) -> None:
        self.recording = recording
        self.state.setText(text)
        self.state.setVisible(bool(text))
        colour = "#ff5c5c" if recording else "#cfd6df"
        self.state.setStyleSheet(f"color: {colour}; font-size: 13pt; font-weight: 700;")
        self.video.setStyleSheet("border: 3px solid #ff5c5c; border-radius: 6px;" if recording else "")


class MirrorRecording:
    """Record / Space toggle / failure wording shared by the pages that record what their
    ``LiveMirror`` shows through a ``Countdown`` (Teach, Grade). The page has ``mirror``,
    ``countdown`` and ``ctx`` and says things with ``_tell``."""

    def _tell(self, text: str) -> None:  # pragma: no cover - every page has its own
        raise NotImplementedError

    def _before_recording(self) -> None:
        """What the page notes when a recording starts (Teach: where it comes from)."""

    def record(self) -> None:
        if not self.mirror.refresh_source():
            self._tell(NO_CAMERA_TEXT if self.ctx.is_demo() else "Nothing is playing: nothing to record.")
            return
        self._before_recording()
        self.countdown.start()

    def _toggle(self) -> None:
        if self.countdown.busy:
            self.countdown.toggle()
        else:
            self.record()

    def _failed(self, reason: str) -> None:
        self.mirror.set_state("")
        self.mirror.refresh_source()
        self._tell(NO_CAMERA_TEXT if self.ctx.is_demo() else reason)


def bind_record_keys(page, toggle, cancel) -> None:
    """Space starts / stops the page's recording, Esc cancels it (typing in a text box still types)."""
    def space():
        fw = QApplication.focusWidget()
        if isinstance(fw, QLineEdit):
            fw.insert(" ")
            return
        if isinstance(fw, QComboBox) and fw.isEditable() and fw.lineEdit() is not None:
            fw.lineEdit().insert(" ")
            return
        toggle()

    for key, fn in ((Qt.Key.Key_Space, space), (Qt.Key.Key_Escape, cancel)):
        sc = QShortcut(QKeySequence(key), page)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(fn)
