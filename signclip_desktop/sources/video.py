"""Video files (anything OpenCV's FFmpeg backend reads) -> timestamped ``Frame``s."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import numpy as np

from ..limits import MAX_VIDEO_PIXELS
from .base import Frame, SourceError

VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp", ".ogv")


def _quiet_opencv() -> None:
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    try:
        import cv2  # noqa: PLC0415

        cv2.setLogLevel(2)  # errors only
    except (ImportError, AttributeError):
        pass


class VideoSource:
    """Frames of one video file, in order, with timestamps in seconds.

    Raises ``SourceError`` naming the file when it is missing, empty, not a video, has no
    frames, or stops decoding well before the frame count its container announces
    (a truncated download)."""

    kind = "frames"

    def __init__(self, path, fps: float | None = None, truncation_tolerance: float = 0.1):
        _quiet_opencv()
        import cv2  # noqa: PLC0415

        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(self.path, "file not found")
        if self.path.is_dir():
            raise SourceError(self.path, "is a folder, not a video file")
        if self.path.stat().st_size == 0:
            raise SourceError(self.path, "file is empty (0 bytes)")
        from ..keypoints.holistic import silenced_stderr  # FFmpeg prints "moov atom not found" & co.

        with silenced_stderr():
            self._cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(self.path, "cannot be read as a video (unknown format or damaged file)")
        native = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.native_fps = native if 1.0 <= native <= 240.0 else 0.0
        self.fps = float(fps or self.native_fps or 30.0)
        self.frame_count = max(0, int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if self.width * self.height > MAX_VIDEO_PIXELS:
            self._cap.release()
            raise SourceError(self.path, f"frames of {self.width}x{self.height} pixels are larger than 8K")
        self._tolerance = truncation_tolerance
        self._used = False

    def __len__(self) -> int:
        return self.frame_count

    def __iter__(self) -> Iterator[Frame]:
        import cv2  # noqa: PLC0415

        if self._cap is None:
            raise SourceError(self.path, "video is closed")
        if self._used:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        self._used = True
        i = 0
        try:
            while True:
                try:
                    ok, img = self._cap.read()
                except cv2.error as e:
                    raise SourceError(self.path, f"video decoding failed at frame {i} ({str(e)[:120]})") from e
                if not ok or img is None:
                    break
                if img.ndim == 2:
                    img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
                yield Frame(i, i / self.fps, np.ascontiguousarray(img))
                i += 1
        finally:
            pass
        if i == 0:
            raise SourceError(self.path, "no frame could be decoded (damaged or truncated video)")
        expected = self.frame_count
        if expected > 0 and i < expected - max(2, int(expected * self._tolerance)):
            raise SourceError(self.path, f"video is truncated or damaged: decoded {i} of {expected} frames")

    def read_all(self) -> list[Frame]:
        return list(self)

    # one picture at a time, for the live player (live/feeds.py), which paces and skips itself
    def read_image(self) -> np.ndarray | None:
        """The next decoded picture (BGR uint8), or None at the end of the file."""
        import cv2  # noqa: PLC0415

        if self._cap is None:
            return None
        try:
            ok, img = self._cap.read()
        except cv2.error as e:
            raise SourceError(self.path, f"video decoding failed ({str(e)[:120]})") from e
        if not ok or img is None:
            return None
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img

    def skip(self) -> bool:
        """Pass over the next picture without decoding it (a player that fell behind)."""
        return self._cap is not None and bool(self._cap.grab())

    def rewind(self) -> bool:
        """Back to the first picture; False if the container cannot seek."""
        import cv2  # noqa: PLC0415

        return self._cap is not None and bool(self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0))

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
