"""A tiny progress printer for long CLI work (stderr, no dependency).

Draws a one-line bar on a terminal; when stderr is not a terminal it prints at most
one line every few seconds (and one at the end) so logs stay short. ``enabled=False``
makes it silent.
"""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int | None = None, label: str = "", enabled: bool = True, stream=None,
                 min_interval: float | None = None):
        self.total = total if total and total > 0 else None
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        try:
            self.tty = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self.tty = False
        self.min_interval = min_interval if min_interval is not None else (0.1 if self.tty else 5.0)
        self.n = 0
        self._t0 = time.monotonic()
        self._last = 0.0 if self.tty else self._t0  # logs: first line after min_interval
        self._drawn = False

    def update(self, n: int = 1, label: str | None = None) -> None:
        self.n += n
        if label is not None:
            self.label = label
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last >= self.min_interval:
            self._last = now
            self._draw()

    def _text(self) -> str:
        dt = max(time.monotonic() - self._t0, 1e-9)
        rate = self.n / dt
        if self.total:
            frac = min(self.n / self.total, 1.0)
            bar = "#" * int(frac * 24)
            return f"{self.label} [{bar:<24}] {self.n}/{self.total} {rate:.1f}/s"
        return f"{self.label} {self.n} {rate:.1f}/s"

    def _draw(self) -> None:
        try:
            if self.tty:
                self.stream.write("\r" + self._text()[:120].ljust(60))
            else:
                self.stream.write(self._text() + "\n")
            self.stream.flush()
            self._drawn = True
        except (OSError, ValueError):
            self.enabled = False

    def close(self) -> None:
        if not self.enabled:
            return
        if self.tty:
            if self._drawn or self.n:
                self._draw()
                self.stream.write("\n")
                self.stream.flush()
        elif self._drawn or time.monotonic() - self._t0 > 2.0:
            self._draw()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
