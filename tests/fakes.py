"""Stand-ins for tests, the fault suite and the soak: fake detectors, cameras and keypoints.

Importable in a spawned worker (``HolisticPool(factory="fakes:FakeDetector")``: pytest puts
``tests/`` on ``sys.path`` and spawn hands it to the child). Never used by the app itself.
"""
from __future__ import annotations

import os
import time
from typing import Iterator

import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.normalize import hide_legs
from signclip_desktop.sources.base import Frame, SourceError


class FakeDetector:
    """Sleeps ``delay`` s per frame and returns keypoints that encode the frame: every
    point's x = the image's first pixel / 255, confidence 1 (so order can be checked).
    An image whose first pixel is ``crash_value`` kills the process (a native crash);
    ``raise_value`` raises."""

    def __init__(self, delay: float = 0.01, crash_value: int | None = None, raise_value: int | None = None,
                 crash_once_file: str | None = None):
        self.delay, self.crash_value, self.raise_value = delay, crash_value, raise_value
        self.crash_once_file = crash_once_file

    def detect(self, image_bgr: np.ndarray, timestamp: float | None = None) -> np.ndarray:
        v = int(np.asarray(image_bgr).reshape(-1)[0])
        if self.crash_value is not None and v == self.crash_value:
            if self.crash_once_file is None or not os.path.exists(self.crash_once_file):
                if self.crash_once_file:
                    open(self.crash_once_file, "w").close()
                os._exit(3)
        if self.raise_value is not None and v == self.raise_value:
            raise RuntimeError(f"fake detector failure on value {v}")
        time.sleep(self.delay)
        kp = np.zeros((L.NUM_POINTS, L.NUM_CHANNELS), np.float32)
        kp[:, 0] = v / 255.0
        kp[:, 3] = 1.0
        return kp

    def close(self) -> None:
        pass


def wait_for(cond, timeout: float = 20.0, step: float = 0.02) -> bool:
    """Poll ``cond`` until it is true or ``timeout`` seconds pass; its last answer."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return bool(cond())


def value_image(v: int, size=(48, 64)) -> np.ndarray:
    """A BGR image whose first pixel is ``v`` (0..255)."""
    img = np.zeros((*size, 3), np.uint8)
    img.reshape(-1)[0] = v
    return img


class FakeCamera:
    """A frame source that behaves like a webcam: ``missing`` (no device), ``busy``
    (opened elsewhere), or ``vanish_after`` frames (unplugged mid-stream) -> SourceError."""

    kind = "frames"

    def __init__(self, frames: int = 30, fps: float = 30.0, missing: bool = False, busy: bool = False,
                 vanish_after: int | None = None, size=(360, 640)):
        self.fps, self.frames, self.vanish_after, self.size = fps, frames, vanish_after, size
        if missing:
            raise SourceError("camera 0", "no camera found (is it plugged in?)")
        if busy:
            raise SourceError("camera 0", "the camera is in use by another application")

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self.frames):
            if self.vanish_after is not None and i >= self.vanish_after:
                raise SourceError("camera 0", f"the camera stopped delivering frames after {i} frames (unplugged?)")
            img = np.full((*self.size, 3), i % 256, np.uint8)
            yield Frame(i, i / self.fps, img)

    def close(self) -> None:
        pass


def synthetic_signing(n: int, fps: float = 30.0, seed: int = 0, sign_len: int = 45, gap: int = 20) -> np.ndarray:
    """[n, 203, 4] plausible layout frames: a still body, hands that appear, move for
    ``sign_len`` frames and drop out of view for ``gap`` frames, repeatedly."""
    rng = np.random.default_rng(seed)
    base = np.zeros((L.NUM_POINTS, L.NUM_CHANNELS), np.float32)
    base[L.POSE.slice, 0] = 0.5 + 0.1 * rng.standard_normal(len(L.POSE_POINTS))
    base[L.POSE.slice, 1] = 0.4 + 0.1 * rng.standard_normal(len(L.POSE_POINTS))
    base[L.POSE.slice, 3] = 0.9
    base[L.LEFT_SHOULDER, :2], base[L.RIGHT_SHOULDER, :2] = (0.62, 0.55), (0.38, 0.55)
    base[L.FACE.slice, :2] = 0.5 + 0.03 * rng.standard_normal((len(L.FACE_CONTOUR_MESH_INDICES), 2))
    base[L.FACE.slice, 3] = 1.0
    hand = 0.05 * rng.standard_normal((21, 3)).astype(np.float32)
    out = np.repeat(base[None], n, axis=0)
    period = sign_len + gap
    for t in range(n):
        ph = t % period
        if ph < sign_len:
            c = np.array([0.5 + 0.1 * np.sin(t / 4), 0.6 + 0.1 * np.cos(t / 5), 0.0], np.float32)
            for comp in (L.LEFT_HAND, L.RIGHT_HAND):
                out[t, comp.slice, :3] = c + hand
                out[t, comp.slice, 3] = 1.0
    return hide_legs(out)
