"""``Throttled``: call a slot at most once per interval with the newest value (repaint pacing).

The first call goes through at once; calls within the interval are folded into one
trailing call with the newest value, so a burst of updates repaints once, and the last
value is never lost. (superqt's ``qthrottled`` does the same; it is not a dependency here.)
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer

_NOTHING = object()


class Throttled(QObject):
    def __init__(self, slot: Callable[[Any], None], interval_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._slot = slot
        self._pending: Any = _NOTHING
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(interval_ms))
        self._timer.timeout.connect(self._flush)
        self.calls = 0        # how often the slot ran (tests, --stats)

    def __call__(self, value: Any) -> None:
        if self._timer.isActive():
            self._pending = value  # folded into the trailing call
            return
        self._run(value)
        self._timer.start()

    def _run(self, value: Any) -> None:
        self.calls += 1
        self._slot(value)

    def _flush(self) -> None:
        if self._pending is not _NOTHING:
            value, self._pending = self._pending, _NOTHING
            self._run(value)
            self._timer.start()

    def cancel(self) -> None:
        self._timer.stop()
        self._pending = _NOTHING
