"""Settings writes off the GUI thread, debounced: one write after the user stops changing things.

``save_settings`` (settings.py) writes atomically with two fsyncs; done on every slider tick
it blocks the GUI thread for a disk round trip each time. ``SettingsSaver.request(settings)``
takes a copy (cheap, on the caller's thread) and returns at once; one writer thread writes the
newest copy once no request came for ``delay`` seconds. ``flush()`` (on close) writes what
is pending now and stops the thread. Plain Python, no Qt.
"""
from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Callable

from .settings import Settings, save_settings


class SettingsSaver:
    def __init__(self, path: Path | str | None = None, delay: float = 0.4,
                 on_error: Callable[[OSError], None] | None = None, writer=save_settings):
        self.path = path
        self.delay = float(delay)
        self.on_error = on_error
        self._writer = writer
        self._cond = threading.Condition()
        self._pending: Settings | None = None
        self._due = 0.0
        self._closed = False
        self.writes = 0          # files written (tests, the measurement script)
        self._thread = threading.Thread(target=self._run, name="signclip-settings-writer", daemon=True)
        self._thread.start()

    def request(self, settings: Settings) -> None:
        """Save ``settings`` soon (a copy is taken now; later requests replace it)."""
        snap = copy.deepcopy(settings)
        with self._cond:
            closed = self._closed
            if not closed:
                self._pending = snap
                self._due = time.monotonic() + self.delay
                self._cond.notify_all()
        if closed:  # after flush (a page saving while the window closes): write here, now
            self._write(snap)

    def _write(self, snap: Settings) -> None:
        try:
            self._writer(snap, self.path)
            self.writes += 1
        except OSError as e:
            if self.on_error is not None:
                try:
                    self.on_error(e)
                except Exception:
                    pass

    @property
    def pending(self) -> bool:
        with self._cond:
            return self._pending is not None

    def flush(self, timeout: float = 5.0) -> bool:
        """Write what is pending now, stop the writer thread; True when it has ended."""
        with self._cond:
            self._closed = True
            self._due = 0.0
            self._cond.notify_all()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._pending is not None and (self._closed or time.monotonic() >= self._due):
                        break
                    if self._pending is None and self._closed:
                        return
                    wait = None if self._pending is None else max(0.0, self._due - time.monotonic())
                    self._cond.wait(wait)
                snap, self._pending = self._pending, None
            self._write(snap)
