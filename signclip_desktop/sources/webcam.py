"""Webcams through OpenCV, by index."""
from __future__ import annotations

import glob
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from .base import Frame, SourceError


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str


def _backend():
    import cv2  # noqa: PLC0415

    if sys.platform.startswith("win"):
        return cv2.CAP_DSHOW
    if sys.platform == "darwin":
        return cv2.CAP_AVFOUNDATION
    return cv2.CAP_V4L2


def _linux_cameras() -> list[CameraInfo]:
    """/dev/videoN capture nodes, read from sysfs without opening any device (fast)."""
    out = []
    for dev in glob.glob("/dev/video*"):
        m = re.fullmatch(r"/dev/video(\d+)", dev)
        if not m:
            continue
        idx = int(m.group(1))
        sys_dir = Path(f"/sys/class/video4linux/video{idx}")
        name = f"camera {idx}"
        try:
            name = (sys_dir / "name").read_text().strip() or name
        except OSError:
            pass
        try:  # UVC cameras expose a metadata node next to each capture node; index 0 is the capture one
            if int((sys_dir / "index").read_text().strip() or 0) != 0:
                continue
        except (OSError, ValueError):
            pass
        out.append(CameraInfo(idx, name))
    return sorted(out, key=lambda c: c.index)


def list_cameras(max_probe: int = 4) -> list[CameraInfo]:
    """Cameras that can be opened. On Linux reads sysfs (no device is opened); elsewhere
    probes indices 0..max_probe-1 with OpenCV (about a second on a machine with one camera)."""
    if sys.platform.startswith("linux"):
        return _linux_cameras()
    try:
        import cv2  # noqa: PLC0415
    except ImportError:
        return []
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    found = []
    for i in range(max_probe):
        cap = cv2.VideoCapture(i, _backend())
        try:
            if cap.isOpened():
                found.append(CameraInfo(i, f"camera {i}"))
        finally:
            cap.release()
    return found


class WebcamSource:
    """Live frames from camera ``index``; timestamps are seconds since opening (monotonic clock)."""

    kind = "frames"

    def __init__(self, index: int = 0, width: int | None = None, height: int | None = None,
                 fps: float | None = None, mirror: bool = False, read_timeout_s: float = 5.0):
        os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
        import cv2  # noqa: PLC0415

        self.index = int(index)
        self.path = f"camera {self.index}"
        self.mirror = mirror
        if sys.platform.startswith("linux") and not os.path.exists(f"/dev/video{self.index}"):
            raise SourceError(self.path, "no such camera (is it plugged in? `signclip-desktop doctor` lists cameras)")
        cap = cv2.VideoCapture(self.index, _backend())
        if not cap.isOpened():
            cap.release()
            raise SourceError(self.path, "cannot be opened (missing, or busy in another program)")
        if width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        if fps:
            cap.set(cv2.CAP_PROP_FPS, fps)
        self._cap = cap
        rep = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = float(fps or (rep if 1 <= rep <= 240 else 30.0))
        self._timeout = read_timeout_s
        self._t0: float | None = None

    def read(self) -> Frame | None:
        """One frame, or None when the camera delivered nothing this time."""
        if self._cap is None:
            raise SourceError(self.path, "camera is closed")
        ok, img = self._cap.read()
        if not ok or img is None:
            return None
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
            self._i = 0
        if self.mirror:
            img = np.ascontiguousarray(img[:, ::-1])
        f = Frame(self._i, now - self._t0, img)
        self._i += 1
        return f

    def __iter__(self) -> Iterator[Frame]:
        last_ok = time.monotonic()
        while self._cap is not None:
            f = self.read()
            if f is None:
                if time.monotonic() - last_ok > self._timeout:
                    raise SourceError(self.path, f"no frame for {self._timeout:.0f} s (camera unplugged or busy)")
                time.sleep(0.01)
                continue
            last_ok = time.monotonic()
            yield f

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
