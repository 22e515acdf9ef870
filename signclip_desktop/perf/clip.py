"""The benchmark's clip: a short camera-like video of a real person, made at bench time.

* ``--source PATH``: any video the app reads;
* ``--data DIR`` (the shared data folder): the silfa photos (``images/silfa/J`` and ``Z``,
  real video frames of a signer, MIT) written as a video in a temp folder;
* otherwise the bundled self-test photo (``resources/selftest/signer.jpg``) animated
  with a small camera shake.

Each sign is followed by a short gap without anybody in view (a crop of the empty
wall), so hands go down and the recogniser emits its *final* guess: that is where the
bench measures the guess latency. Nothing written here is ever committed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import resources_dir, selftest_image_path  # noqa: F401 - re-exported for callers

SIZE = (640, 360)  # width, height: a common webcam mode


@dataclass
class Clip:
    path: Path
    fps: float
    frames: int
    width: int
    height: int
    kind: str           # "source", "silfa", "selftest"
    signs: int          # signing segments (each ends with hands out of view)
    sign_mask: list | None = None  # per frame: a signer is in view (None: unknown)

    @property
    def sign_ends(self) -> list[int]:
        """Index of the last frame of each signing segment."""
        m = self.sign_mask or []
        return [i for i in range(len(m) - 1) if m[i] and not m[i + 1]]  # a gap follows: hands went down


def _empty_frame(img: np.ndarray) -> np.ndarray:
    """The wall left of the signer, stretched to a full frame: nobody in view."""
    import cv2

    h, w = img.shape[:2]
    crop = img[: h // 2, : max(8, w // 5)]
    return cv2.resize(crop, (w, h), interpolation=cv2.INTER_LINEAR)


def _shake(img: np.ndarray, i: int) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    dx, dy = 6 * np.sin(i / 5.0), 4 * np.cos(i / 7.0)
    s = 1.0 + 0.02 * np.sin(i / 11.0)
    m = np.float32([[s, 0, dx + (1 - s) * w / 2], [0, s, dy + (1 - s) * h / 2]])
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT)


def _write(frames, path: Path, fps: float) -> None:
    import cv2

    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    if not vw.isOpened():
        raise RuntimeError(f"cannot write {path}")
    for f in frames:
        vw.write(f)
    vw.release()


def make_clip(out_dir, data: str | os.PathLike | None = None, fps: float = 30.0, gap_frames: int = 15,
              repeats: int = 2) -> Clip:
    """Write the bench clip into ``out_dir`` (a temp folder) and describe it."""
    import cv2

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    segments: list[list[np.ndarray]] = []
    kind = "selftest"
    silfa = Path(data) / "images" / "silfa" if data else None
    if silfa is not None and (silfa / "J").is_dir():
        kind = "silfa"
        for letter in ("J", "Z"):
            files = sorted((silfa / letter).glob("*.jpg"))
            imgs = [cv2.imread(str(f)) for f in files]
            imgs = [cv2.resize(im, SIZE, interpolation=cv2.INTER_AREA) for im in imgs if im is not None]
            if imgs:
                segments.append(imgs)
    if not segments:
        img = cv2.imread(str(selftest_image_path()))
        if img is None:
            raise FileNotFoundError(f"bench clip: {selftest_image_path()} is missing")
        img = cv2.resize(img, SIZE, interpolation=cv2.INTER_AREA)
        segments = [[_shake(img, i) for i in range(45)], [_shake(img, 100 + i) for i in range(45)]]
    frames: list[np.ndarray] = []
    mask: list[bool] = []
    for _ in range(repeats):
        for seg in segments:
            frames.extend(seg)
            empty = _empty_frame(seg[-1])
            frames.extend(_shake(empty, k) for k in range(gap_frames))
            mask += [True] * len(seg) + [False] * gap_frames
    path = out_dir / f"bench_{kind}.avi"
    _write(frames, path, fps)
    h, w = frames[0].shape[:2]
    return Clip(path, fps, len(frames), w, h, kind, len(segments) * repeats, mask)


def source_clip(path) -> Clip:
    from ..sources.video import VideoSource

    with VideoSource(path) as v:
        return Clip(Path(path), v.fps, len(v), v.width, v.height, "source", 0)
