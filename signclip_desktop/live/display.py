"""What the video view draws, prepared on the capture thread (no Qt here)."""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DisplayFrame:
    """What the video view draws (frozen: it crosses from the capture thread to the GUI).
    ``points`` are the keypoints in display coordinates (x, y in 0..1 of the picture, or of
    the canvas when there is no picture)."""
    seq: int
    timestamp: float
    image: np.ndarray | None          # BGR uint8, unmirrored (the view mirrors it)
    points: np.ndarray                # float32 [203, 4]
    aspect: float                     # width / height of the picture or canvas
    source_kind: str                  # frames | keypoints (the sources/ vocabulary)
    live: bool = False                # from a camera
    mirror: bool = False
    caption: str = ""
    has_landmarks: bool = False
    note: str = ""                    # e.g. "Starting hand tracking…"
    view_image: np.ndarray | None = None  # ``image`` already scaled to the view (and mirrored if ``mirror``)


def fit_size(box: tuple[int, int], aspect: float) -> tuple[int, int]:
    """Largest (w, h) of ``aspect`` inside ``box`` (same rule as the view's fit_rect)."""
    w, h = box
    if w <= 0 or h <= 0:
        return 0, 0
    if w / h > aspect:
        return max(1, int(round(h * aspect))), h
    return w, max(1, int(round(w / aspect)))


def prepare_view_image(img: np.ndarray, box: tuple[int, int] | None, mirror: bool) -> np.ndarray | None:
    """Scale (and mirror) a picture for the view on the worker thread, so the GUI thread only
    copies pixels. OpenCV releases the GIL while it works."""
    if box is None:
        return None
    import cv2

    tw, th = fit_size(box, img.shape[1] / max(1, img.shape[0]))
    if tw < 2 or th < 2:
        return None
    interp = cv2.INTER_AREA if tw < img.shape[1] else cv2.INTER_LINEAR
    out = cv2.resize(img, (tw, th), interpolation=interp)
    if mirror:
        out = cv2.flip(out, 1)
    # BGRA bytes are Qt's native RGB32 on little-endian machines: the GUI blits without converting
    return cv2.cvtColor(out, cv2.COLOR_BGR2BGRA) if sys.byteorder == "little" else out


def display_transform(frames: np.ndarray, margin: float = 0.08) -> tuple[np.ndarray, np.ndarray, float]:
    """For keypoints without a picture: (offset, scale, aspect) that fit every visible point
    of the clip into a canvas with a margin (same scale on x and y)."""
    vis = frames[..., 3] > 0
    pts = frames[vis][:, :2] if vis.any() else np.zeros((0, 2), np.float32)
    if len(pts) == 0:
        return np.zeros(2, np.float32), np.ones(2, np.float32), 4 / 3
    lo, hi = np.percentile(pts, 0.5, axis=0), np.percentile(pts, 99.5, axis=0)
    size = np.maximum(hi - lo, 1e-6)
    # canvas: at least 4:3 wide, at most 16:9; square pixels
    aspect = float(np.clip(size[0] / size[1], 4 / 3, 16 / 9)) if size[1] > 0 else 4 / 3
    span = max(size[0] / aspect, size[1]) * (1 + 2 * margin)  # in data units per canvas height
    centre = (lo + hi) / 2
    scale = np.array([1 / (span * aspect), 1 / span], np.float32)
    offset = np.array([0.5, 0.5], np.float32) - centre * scale
    return offset.astype(np.float32), scale, aspect
