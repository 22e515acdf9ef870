"""Small real media made on the fly for tests (videos from the silfa photos)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def silfa_frames(shared_data: Path, letter: str = "A", n: int = 6) -> list[np.ndarray]:
    import cv2

    files = sorted((shared_data / "images" / "silfa" / letter).glob("*.jpg"))[:n]
    return [cv2.imread(str(f)) for f in files]


def make_video(path: Path, frames: list[np.ndarray], fps: float = 10.0) -> Path:
    """Write frames to an .avi (MJPG, always available in OpenCV's wheels)."""
    import cv2

    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert vw.isOpened(), "OpenCV cannot write MJPG"
    for f in frames:
        vw.write(f)
    vw.release()
    return path
