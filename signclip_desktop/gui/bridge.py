"""``LiveBridge``: the one place where a ``live.LiveSession`` meets Qt.

Worker threads call ``bridge.post(event)`` (the session's ``on_event``); a queued signal
carries the event to the GUI thread, where it is re-emitted as a typed signal:

* ``prediction(PredictionEvent)``: every update (the prediction log, fingerspelling);
* ``prediction_view(PredictionEvent)``: the same, throttled for repaint (newest wins);
* ``status(StatusEvent)`` / ``error(ErrorEvent)``: source, tracking and pack news;
* ``frame(FrameEvent)``: the newest picture, taken from the session's latest-value slot
  on a timer (frames are never queued, so a busy GUI thread never falls behind);
* ``stats(StatsEvent)``: the counters, twice a second.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ..live import ErrorEvent, PredictionEvent, StatusEvent
from .throttle import Throttled


class LiveBridge(QObject):
    frame = Signal(object)
    prediction = Signal(object)
    prediction_view = Signal(object)
    stats = Signal(object)
    status = Signal(object)
    error = Signal(object)
    _incoming = Signal(object)

    def __init__(self, frame_ms: int = 15, stats_ms: int = 500, repaint_ms: int = 50, parent=None):
        super().__init__(parent)
        self._session = None
        self._incoming.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._view = Throttled(self.prediction_view.emit, repaint_ms, self)
        self._frame_timer = QTimer(self)
        self._frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._frame_timer.setInterval(frame_ms)
        self._frame_timer.timeout.connect(self._pull_frame)
        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(stats_ms)
        self._stats_timer.timeout.connect(self._pull_stats)

    def post(self, event) -> None:
        """Thread-safe: hand an event to the GUI thread (the session's ``on_event``)."""
        self._incoming.emit(event)

    def attach(self, session) -> None:
        """The session whose frames and stats are pulled."""
        self._session = session

    def start(self) -> None:
        self._frame_timer.start()
        self._stats_timer.start()

    def stop(self) -> None:
        self._frame_timer.stop()
        self._stats_timer.stop()
        self._view.cancel()

    def _dispatch(self, event) -> None:
        if isinstance(event, PredictionEvent):
            self.prediction.emit(event)
            self._view(event)
        elif isinstance(event, StatusEvent):
            self.status.emit(event)
        elif isinstance(event, ErrorEvent):
            self.error.emit(event)

    def _pull_frame(self) -> None:
        if self._session is not None:
            ev = self._session.take_frame()
            if ev is not None:
                self.frame.emit(ev)

    def _pull_stats(self) -> None:
        if self._session is not None:
            self.stats.emit(self._session.stats())
