"""Sliding windows over a live keypoint stream.

A ring buffer keeps the last few seconds of frames with their timestamps; a window
is resampled (nearest frame in time) to the pack's fps, so a 15 fps webcam and a
30 fps video give the encoder the same time scale.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from ..keypoints import layout as L


def _nearest(frames: np.ndarray, times: np.ndarray, want: np.ndarray, fps: float) -> np.ndarray:
    idx = np.clip(np.searchsorted(times, want), 0, len(times) - 1)
    prev = np.clip(idx - 1, 0, len(times) - 1)
    pick = np.where(np.abs(times[prev] - want) <= np.abs(times[idx] - want), prev, idx)
    out = frames[pick].copy()
    out[want < times[0] - 0.5 / fps] = 0.0  # before the stream started: nothing seen
    return out


def resample(frames: np.ndarray, times: np.ndarray, fps: float, n: int, end: float | None = None) -> np.ndarray:
    """Nearest-in-time resampling of [T, 203, 4] frames taken at ``times``: exactly n
    frames at ``fps`` ending at ``end`` (default: the last timestamp)."""
    if len(frames) == 0:
        return L.empty_frames(n)
    times = np.asarray(times, np.float64)
    end = float(times[-1]) if end is None else end
    return _nearest(frames, times, end - np.arange(n - 1, -1, -1) / fps, fps)


def resample_sequence(frames: np.ndarray, src_fps: float, dst_fps: float) -> np.ndarray:
    """Whole-clip resampling from one frame rate to another (duration kept)."""
    if abs(src_fps - dst_fps) < 1e-6 or len(frames) == 0:
        return frames
    n = max(1, int(round(len(frames) * dst_fps / src_fps)))
    return _nearest(frames, np.arange(len(frames)) / src_fps, np.arange(n) / dst_fps, dst_fps)


class KeypointWindow:
    """Ring buffer of timestamped layout frames that yields fixed-length windows.

    ``window`` and ``stride`` are in frames of the target ``fps`` (use
    ``from_seconds`` for seconds). ``first`` (default: a whole window) is how many frames of a
    new stream are due before its first window, so the first guess need not wait a whole
    window; ``frames_seen`` says how many of them there are (a shorter first window)."""

    def __init__(self, fps: float, window: int, stride: int, keep_seconds: float = 10.0, first: int | None = None):
        if window < 1 or stride < 1 or fps <= 0:
            raise ValueError("window, stride and fps must be positive")
        self.fps, self.window_frames, self.stride_frames = float(fps), int(window), int(stride)
        self.first_frames = self.window_frames if first is None else min(self.window_frames, max(1, int(first)))
        # one deque of (time, frame) pairs: a copy taken while another thread appends still
        # has times and frames of equal length (two deques copied one after the other did not)
        self._items: deque[tuple[float, np.ndarray]] = deque()
        self._keep = max(keep_seconds, 2 * window / fps)
        self._next_emit: float | None = None

    @classmethod
    def from_seconds(cls, fps: float, window_s: float, stride_s: float, **kw) -> "KeypointWindow":
        return cls(fps, max(1, round(window_s * fps)), max(1, round(stride_s * fps)), **kw)

    @property
    def window_seconds(self) -> float:
        return self.window_frames / self.fps

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()
        self._next_emit = None

    def push(self, timestamp: float, keypoints: np.ndarray) -> None:
        items = self._items
        if items and timestamp <= items[-1][0]:
            if timestamp < items[-1][0] - 1.0:  # the source restarted (looped file, new camera)
                self.clear()
            else:
                timestamp = items[-1][0] + 1e-6
        items.append((float(timestamp), np.asarray(keypoints, np.float32)))
        while items and items[0][0] < timestamp - self._keep:
            items.popleft()
        if self._next_emit is None:
            self._next_emit = items[0][0] + (self.first_frames - 1) / self.fps

    def due(self) -> bool:
        """True once per stride, as soon as a full window of time has been seen."""
        if not self._items or self._next_emit is None:
            return False
        last = self._items[-1][0]
        if last + 0.5 / self.fps >= self._next_emit:
            self._next_emit = max(self._next_emit + self.stride_frames / self.fps, last + 0.5 / self.fps)
            return True
        return False

    def frames_seen(self, end: float | None = None) -> int:
        """Frames of time (at ``fps``) from the stream's first frame to ``end`` (default: the
        newest), at most a window: the length of a window that holds no time before the stream."""
        items = self._items
        if not items:
            return 0
        last = items[-1][0] if end is None else end
        return int(min(self.window_frames, max(1, round((last - items[0][0]) * self.fps) + 1)))

    def latest(self, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Raw (times, frames) of the last ``seconds`` (all buffered by default), of equal length."""
        items = _snapshot(self._items)
        if not items:
            return np.zeros(0), L.empty_frames(0)
        t = np.fromiter((it[0] for it in items), np.float64, len(items))
        start = 0 if seconds is None else int(np.searchsorted(t, t[-1] - seconds - 1e-9))
        return t[start:], np.stack([it[1] for it in items[start:]])

    def window(self, n: int | None = None, end: float | None = None) -> np.ndarray:
        """``n`` (default: window) frames ending at ``end`` (default: the newest), resampled
        to fps: [n, 203, 4]."""
        n = n or self.window_frames
        t, kp = self.latest()
        if end is not None:
            keep = t <= end + 1e-9
            t, kp = t[keep], kp[keep]
        return resample(kp, t, self.fps, n, end)


def _snapshot(items: deque) -> list:
    """A list copy of a deque another thread may be appending to (it raises RuntimeError
    when it changed mid-copy: then try again)."""
    for _ in range(100):
        try:
            return list(items)
        except RuntimeError:
            continue
    return list(items)
