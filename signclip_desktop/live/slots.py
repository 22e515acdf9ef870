"""Hand-offs between the live threads: a latest-value slot, a bounded mailbox, a rate meter,
the keypoint tap and the counters a session reports. Plain threads, no Qt."""
from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..keypoints import layout as L


class LatestSlot:
    """Holds only the newest value. ``put`` never blocks and overwrites; ``wait_newer``
    returns the newest value after a given sequence number (or None on timeout/close)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._value = None
        self._seq = 0
        self._closed = False
        self._taken = 0
        self.dropped = 0  # values overwritten before anyone took them

    def put(self, value) -> None:
        with self._cond:
            if self._value is not None and self._seq > self._taken:
                self.dropped += 1
            self._value = value
            self._seq += 1
            self._cond.notify_all()

    def peek(self) -> tuple[int, Any]:
        with self._cond:
            return self._seq, self._value

    def take(self, after: int) -> tuple[int, Any]:
        """(seq, value) if newer than ``after`` else (after, None); marks it taken."""
        with self._cond:
            if self._seq > after:
                self._taken = self._seq
                return self._seq, self._value
            return after, None

    def wait_newer(self, after: int, timeout: float) -> tuple[int, Any]:
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after or self._closed, timeout)
            if self._seq > after:
                self._taken = self._seq
                return self._seq, self._value
            return after, None

    def clear(self) -> None:
        with self._cond:
            self._value = None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


class Mailbox:
    """A bounded FIFO that drops the oldest item when full (never grows without limit)."""

    def __init__(self, maxlen: int):
        self._items: collections.deque = collections.deque(maxlen=maxlen)
        self._cond = threading.Condition()
        self._closed = False
        self.dropped = 0

    def put(self, item) -> None:
        with self._cond:
            if len(self._items) == self._items.maxlen:
                self.dropped += 1
            self._items.append(item)
            self._cond.notify()

    def take_all(self, timeout: float) -> list:
        with self._cond:
            self._cond.wait_for(lambda: self._items or self._closed, timeout)
            out = list(self._items)
            self._items.clear()
            return out

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def __len__(self) -> int:
        return len(self._items)


class RateMeter:
    """Events per second over the last ``window`` seconds (thread-safe enough under the GIL)."""

    def __init__(self, window: float = 2.0):
        self.window = window
        self._t: collections.deque = collections.deque(maxlen=1024)
        self.count = 0

    def tick(self, now: float | None = None) -> None:
        self._t.append(time.monotonic() if now is None else now)
        self.count += 1

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        ts = [t for t in list(self._t) if t >= now - self.window]
        if len(ts) < 2:
            return 0.0
        span = max(now - ts[0], ts[-1] - ts[0])
        return (len(ts) - 1) / span if span > 0 else 0.0

    def reset(self) -> None:
        self._t.clear()
        self.count = 0


class KeypointTap:
    """The newest seconds of keypoint frames, for pages that record (Teach a sign, Grade).

    Written by the inference thread, read by any thread: each (time, frame) pair is one
    item of one deque and ``latest`` copies it under the lock, so times and frames always
    have the same length."""

    def __init__(self, keep_seconds: float = 10.0):
        self.keep_seconds = float(keep_seconds)
        self._items: collections.deque = collections.deque()
        self._lock = threading.Lock()

    def push(self, timestamp: float, keypoints: np.ndarray) -> None:
        with self._lock:
            self._items.append((float(timestamp), keypoints))
            while self._items and self._items[0][0] < timestamp - self.keep_seconds:
                self._items.popleft()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def latest(self, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(times [T], frames [T, 203, 4]) of the last ``seconds`` (all kept by default); copies."""
        with self._lock:
            items = list(self._items)
        if not items:
            return np.zeros(0), L.empty_frames(0)
        if seconds is not None:
            cut = items[-1][0] - seconds - 1e-9
            items = [it for it in items if it[0] >= cut]
        times = np.fromiter((t for t, _ in items), np.float64, len(items))
        return times, np.stack([np.asarray(kp, np.float32) for _, kp in items])


@dataclass
class Stats:
    source_fps: RateMeter = field(default_factory=RateMeter)
    landmark_fps: RateMeter = field(default_factory=RateMeter)
    inference_ms: float = 0.0
    detect_ms: float = 0.0
    provider: str = ""
    source_kind: str = ""
    first_frame_at: float | None = None     # time.monotonic() of the first published frame
    first_landmark_at: float | None = None  # ... of the first frame with landmarks
    frames_recognised: int = 0              # keypoint frames the inference thread took
