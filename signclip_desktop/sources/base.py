"""What every source yields, and the one error they raise."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

import numpy as np


class SourceError(Exception):
    """An input that cannot be read. The message names the file and what is wrong."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass
class Frame:
    """One image from a camera, a video or an image folder (BGR uint8, like OpenCV)."""
    index: int
    timestamp: float  # seconds since the source started
    image: np.ndarray


@dataclass
class KeypointFrame:
    """One frame in the shared layout: keypoints float32 [203, 4] (x, y, z, confidence)."""
    index: int
    timestamp: float
    keypoints: np.ndarray
    image: np.ndarray | None = None


@dataclass
class KeypointSequence:
    """A whole clip in the shared layout, with what is known about it."""
    frames: np.ndarray  # float32 [T, 203, 4]
    fps: float
    label: str | None = None
    signer: str | None = None
    language: str | None = None
    source: str | None = None
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.frames.shape[0])

    def keypoint_frames(self) -> Iterator[KeypointFrame]:
        for i, kp in enumerate(self.frames):
            yield KeypointFrame(i, i / self.fps, kp)


class FrameSource(Protocol):
    """Anything that yields images: webcam, video file, image folder."""
    fps: float

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...
