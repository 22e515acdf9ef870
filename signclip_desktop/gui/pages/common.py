"""Widgets the practice pages share: an animated skeleton player, side-by-side replay,
a countdown recorder over the live keypoint stream, and a background-task helper."""
from __future__ import annotations

import threading
import time
import traceback

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ...stream.window import resample
from .. import theme
from ...live import DisplayFrame, display_transform
from ..widgets import VideoView

# inputs, lists and tables in the app's dark theme (the main style sheet covers buttons and combos)
PAGE_STYLE = f"""
QLineEdit {{ background: {theme.PANEL_2}; color: {theme.TEXT}; border: 1px solid #3a424d; border-radius: 6px;
            padding: 4px 8px; min-height: 26px; }}
QLineEdit:focus {{ border: 2px solid {theme.ACCENT}; }}
QListWidget, QTableWidget {{ background: {theme.PANEL_2}; color: {theme.TEXT}; border: 1px solid #3a424d;
            border-radius: 6px; alternate-background-color: {theme.PANEL}; gridline-color: #3a424d; }}
QListWidget::item:selected, QTableWidget::item:selected {{ background: #244a6b; color: {theme.TEXT}; }}
QHeaderView::section {{ background: {theme.PANEL}; color: {theme.TEXT_DIM}; border: none; padding: 4px; }}
QTableCornerButton::section {{ background: {theme.PANEL}; border: none; }}
"""


def page_body(page: QWidget, min_size=(760, 520)) -> QWidget:
    """The page's content inside a scroll area: below ``min_size`` the page scrolls instead of
    squeezing labels on top of each other (1024x640 with the navigation is about that size)."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setStyleSheet("QScrollArea { background: transparent; } QScrollArea > QWidget > QWidget { background: transparent; }")
    body = QWidget()
    body.setMinimumSize(*min_size)
    area.setWidget(body)
    outer.addWidget(area)
    return body


def to_display(frames: np.ndarray, offset, scale) -> np.ndarray:
    out = np.array(frames, np.float32, copy=True)
    vis = out[..., 3] > 0
    out[..., :2] = np.where(vis[..., None], out[..., :2] * scale + offset, 0.0)
    return out


class SkeletonPlayer(QWidget):
    """Plays a keypoint clip [T, 203, 4] as an animated skeleton (loops)."""

    def __init__(self, title: str = "", parent=None, loop: bool = True):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(title)
        self.title.setObjectName("heading")
        self.view = VideoView()
        self.view.setMinimumSize(240, 200)
        self.view.show_face = False
        lay.addWidget(self.title)
        lay.addWidget(self.view, 1)
        self.loop = loop
        self.frames: np.ndarray | None = None
        self.fps = 30.0
        self.index = 0
        self._aspect = 4 / 3
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.view.clear("No sign chosen")

    def set_clip(self, frames: np.ndarray | None, fps: float = 30.0, play: bool = True, fit: np.ndarray | None = None) -> None:
        self._timer.stop()
        if frames is None or len(frames) == 0:
            self.frames = None
            self.view.clear("Nothing to show")
            return
        offset, scale, self._aspect = display_transform(fit if fit is not None else frames)
        self.frames = to_display(frames, offset, scale)
        self.fps = float(fps) or 30.0
        self.index = 0
        self.show_index(0)
        if play:
            self.play()

    def play(self) -> None:
        if self.frames is not None:
            self._timer.start(max(15, int(1000 / self.fps)))

    def stop(self) -> None:
        self._timer.stop()

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def show_index(self, i: int, caption: str = "") -> None:
        if self.frames is None:
            return
        self.index = int(np.clip(i, 0, len(self.frames) - 1))
        self.view.set_frame(DisplayFrame(self.index, self.index / self.fps, None, self.frames[self.index], self._aspect,
                                         "keypoints", caption=caption, has_landmarks=True))

    def _tick(self) -> None:
        if self.frames is None:
            return
        nxt = self.index + 1
        if nxt >= len(self.frames):
            if not self.loop:
                self._timer.stop()
                return
            nxt = 0
        self.show_index(nxt)


class SideBySide(QWidget):
    """Reference and attempt replayed together along the DTW alignment path."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.left = SkeletonPlayer("Reference", loop=False)
        self.right = SkeletonPlayer("Your attempt", loop=False)
        lay.addWidget(self.left, 1)
        lay.addWidget(self.right, 1)
        self.path: list[tuple[int, int]] = []
        self.step = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.fps = 15.0

    def set_pair(self, ref: np.ndarray | None, att: np.ndarray | None, path, fps: float = 15.0) -> None:
        if ref is None or att is None:  # nothing to replay (not graded)
            self._timer.stop()
            self.left.set_clip(None)
            self.right.set_clip(None)
            self.path = []
            return
        self.left.loop = self.right.loop = False
        both = np.concatenate([ref, att])
        self.left.set_clip(ref, fps, play=False, fit=both)
        self.right.set_clip(att, fps, play=False, fit=both)
        self.path = list(path)
        self.fps = fps
        self.replay()

    def replay(self) -> None:
        self.step = 0
        if self.path:
            self._timer.start(max(15, int(1000 / self.fps)))

    def _tick(self) -> None:
        if self.step >= len(self.path):
            self._timer.stop()
            return
        i, j = self.path[self.step]
        self.left.show_index(i)
        self.right.show_index(j)
        self.step += 1


class Countdown(QObject):
    """Countdown, then a recording of ``seconds`` from a live keypoint tap.

    ``tap(seconds) -> (times [N], frames [N, 203, 4]) | None`` returns the newest frames of the
    live stream; ``can_record() -> bool`` (optional) refuses to start when the source is not a
    camera or a file (never the demo). Emits ``tick(text)`` while counting and recording,
    ``phase(name)`` (idle | count | recording), ``recorded(frames, fps)`` at the end (frames
    resampled to ``fps``), or ``failed(reason)``. ``toggle()`` is Space: start, or during the
    countdown start recording now, or during the recording stop it (keeping what was signed)."""
    tick = Signal(str)
    phase = Signal(str)
    recorded = Signal(object, float)
    failed = Signal(str)

    def __init__(self, tap, count_s: int = 3, seconds: float = 3.0, fps: float = 30.0, parent=None,
                 can_record=None, refuse_text: str = "No camera: nothing is recorded from the built-in demo."):
        super().__init__(parent)
        self.tap, self.count_s, self.seconds, self.fps = tap, int(count_s), float(seconds), float(fps)
        self.can_record, self.refuse_text = can_record, refuse_text
        self._left = 0
        self._rec_start = 0.0
        self.state = "idle"
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._step)
        self._rec = QTimer(self)
        self._rec.timeout.connect(self._rec_step)

    @property
    def busy(self) -> bool:
        return self.state != "idle"

    def _set(self, state: str) -> None:
        self.state = state
        self.phase.emit(state)

    def start(self) -> None:
        if self.busy:
            return
        if self.tap is None:
            self.failed.emit("No live source: open the camera on the Live page first, or add files.")
            return
        if self.can_record is not None and not self.can_record():
            self.failed.emit(self.refuse_text)
            return
        self._left = self.count_s
        self._set("count")
        self._step()
        if self.state == "count":
            self._timer.start(1000)

    def toggle(self) -> None:
        if self.state == "idle":
            self.start()
        elif self.state == "count":
            self._timer.stop()
            self._left = 0
            self._step()
        else:
            self._finish(time.monotonic() - self._rec_start)

    def cancel(self) -> None:
        was = self.busy
        self._timer.stop()
        self._rec.stop()
        self._set("idle")
        self.tick.emit("Cancelled." if was else "")

    def _step(self) -> None:
        if self._left > 0:
            self.tick.emit(f"Get ready… {self._left}")
            self._left -= 1
            return
        self._timer.stop()
        self._rec_start = time.monotonic()
        self._set("recording")
        self._rec_step()
        self._rec.start(max(20, min(250, int(self.seconds * 250))))

    def _rec_step(self) -> None:
        left = self.seconds - (time.monotonic() - self._rec_start)
        if left <= 0:
            self._finish(self.seconds)
            return
        self.tick.emit(f"● Recording · {left:.0f} s left\nSign now!" if left >= 1 else "● Recording\nSign now!")

    def _finish(self, seconds: float) -> None:
        self._rec.stop()
        if self.state != "recording":
            return
        self._set("idle")
        try:
            got = self.tap(max(0.2, min(self.seconds, seconds)))
        except Exception as e:  # noqa: BLE001 - a broken tap must not kill the page
            self.tick.emit("")
            self.failed.emit(f"Recording failed: {e}")
            return
        if got is None or len(got[0]) < 2:
            self.tick.emit("")
            self.failed.emit("Nothing was recorded: is the camera running on the Live page?")
            return
        times, frames = got
        n = max(2, int(round((times[-1] - times[0]) * self.fps)) + 1)
        out = resample(np.asarray(frames, np.float32), np.asarray(times, np.float64), self.fps, n)
        self.tick.emit("Recorded.")
        self.recorded.emit(out, self.fps)


class _Bridge(QObject):
    done = Signal(object, object)


def run_async(fn, on_done, parent: QObject) -> threading.Thread:
    """Run ``fn()`` on a thread; ``on_done(result, error_text)`` runs on the GUI thread."""
    bridge = _Bridge(parent)
    bridge.done.connect(lambda r, e: (on_done(r, e), bridge.deleteLater()), Qt.ConnectionType.QueuedConnection)

    def work():
        try:
            r = fn()
            bridge.done.emit(r, None)
        except Exception as e:  # noqa: BLE001
            msg = str(e) or e.__class__.__name__
            if not isinstance(e, (ValueError, OSError)) and "Error" not in e.__class__.__name__:
                msg += "\n" + traceback.format_exc(limit=3)
            bridge.done.emit(None, msg)

    t = threading.Thread(target=work, daemon=True, name="signclip-practice")
    t.start()
    return t
