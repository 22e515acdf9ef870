"""The transcript: every sign the live view committed, with its time and confidence.

Plain Python (no Qt). It belongs to the app, not to a source: switching pages or sources
keeps it; only ``clear()`` empties it. ``max_entries`` bounds memory in a long session.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_atomic


@dataclass(frozen=True)
class TranscriptEntry:
    wall_time: float     # time.time() when the sign was committed
    stream_time: float   # the source's timestamp (seconds into the clip or session)
    label: str           # label id (e.g. "thank-you")
    text: str            # as shown ("thank you")
    confidence: str      # sure / maybe
    score: float         # calibrated probability of the label
    source: str = "pack"  # "pack" or "personal"

    def clock(self) -> str:
        return time.strftime("%H:%M:%S", time.localtime(self.wall_time))

    def line(self) -> str:
        return f"{self.clock()}  {self.text}  ({self.confidence}, {round(self.score * 100)}%)"


class Transcript:
    def __init__(self, max_entries: int = 5000):
        self._lock = threading.Lock()
        self._entries: list[TranscriptEntry] = []
        self.max_entries = int(max_entries)

    def append(self, entry: TranscriptEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            if len(self._entries) > self.max_entries:
                del self._entries[: len(self._entries) - self.max_entries]

    def entries(self) -> list[TranscriptEntry]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def words(self) -> str:
        """Just the signs, as a sentence-like line (what Copy puts on the clipboard)."""
        return " ".join(e.text for e in self.entries())

    def to_text(self) -> str:
        """One line per sign with its time and confidence (what Save writes)."""
        return "".join(e.line() + "\n" for e in self.entries())

    def save(self, path: Path | str) -> Path:
        return write_atomic(path, self.to_text())
