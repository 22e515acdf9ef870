"""Run Python's garbage collector on the GUI thread only.

CPython runs the cyclic collector in whatever thread happens to allocate when a threshold
is crossed. With worker threads (capture, inference) that can be a worker, and if the
garbage holds Qt wrappers (widgets, lambdas connected to signals) they are then destroyed
outside the GUI thread, which crashes Qt. ``MainThreadGC`` turns automatic collection off
while the window lives and collects on a GUI-thread timer instead, one generation at a
time as the usual thresholds say (cheap: milliseconds), and restores the previous state at
``stop()``. Long-lived objects (start-up, and whatever survives a full collection, e.g.
MediaPipe and onnxruntime once loaded) are frozen (``gc.freeze``) so full collections stay
short; frozen objects are released again at ``stop()``.
"""
from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer


class MainThreadGC(QObject):
    def __init__(self, interval_ms: int = 250, parent=None):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self.threshold = gc.get_threshold()
        self.max_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._active = False

    def start(self) -> None:
        if self._active:
            return
        self._active = True
        gc.collect()
        gc.freeze()
        gc.disable()
        self._timer.start()

    def freeze_now(self) -> None:
        """Move everything alive now out of the collector's sight (after MediaPipe or a pack has
        loaded: thousands of long-lived objects a full collection would otherwise scan)."""
        if self._active:
            gc.freeze()

    def check(self) -> None:
        c0, c1, c2 = gc.get_count()
        t0 = time.perf_counter()
        if c0 > self.threshold[0]:
            gen = 0
            if c1 > self.threshold[1]:
                gen = 1
                if c2 > self.threshold[2]:
                    gen = 2
            gc.collect(gen)
            if gen == 2:
                gc.freeze()  # what survived a full collection is long-lived: keep later full passes short
            self.max_ms = max(self.max_ms, (time.perf_counter() - t0) * 1000)

    def stop(self) -> None:
        if not self._active:
            return
        self._active = False
        self._timer.stop()
        gc.collect()  # on this (the GUI) thread, while the workers are gone
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()
