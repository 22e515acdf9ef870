"""Inputs: webcam, video file, image folder, ``.pose``, MP_Data, Kaggle parquet, data ``.npz``.

Two kinds behind one iterator interface:

* frame sources (``kind == "frames"``) yield ``Frame``s (BGR images): ``WebcamSource``,
  ``VideoSource``, ``ImageFolderSource``;
* keypoint sources (``kind == "keypoints"``) yield ``KeypointSequence``s in the shared
  layout: ``PoseFileSource``, ``MpDataSource``, ``KaggleSource``, ``NpzSource``.

``open_source`` picks one from a path or a camera index; ``to_sequences`` turns any of
them into ``KeypointSequence``s (running the detector on frame sources).
Heavy modules (OpenCV, MediaPipe, pose-format, pyarrow) load only when a source needs them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

from .base import Frame, KeypointFrame, KeypointSequence, SourceError

__all__ = [
    "Frame", "KeypointFrame", "KeypointSequence", "SourceError", "NpzSource", "open_source", "to_sequences",
    "load_sequences", "expand_inputs", "describe_kind",
]

VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp", ".ogv")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
KEYPOINT_EXTENSIONS = (".pose", ".npz", ".parquet")


class NpzSource:
    """The project's compact data ``.npz`` (many clips per file)."""

    kind = "keypoints"

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise SourceError(self.path, "file not found")
        if self.path.stat().st_size == 0:
            raise SourceError(self.path, "file is empty (0 bytes)")

    def __iter__(self) -> Iterator[KeypointSequence]:
        from .npz import load_npz_sequences

        yield from load_npz_sequences(self.path)

    def close(self) -> None:
        pass


def _is_camera(x) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return True
    return isinstance(x, str) and x.strip().isdigit() and not Path(x).exists()


def _has(folder: Path, exts) -> bool:
    try:
        return any(p.is_file() and p.suffix.lower() in exts for p in folder.iterdir())
    except OSError:
        return False


def describe_kind(path) -> str | None:
    """What ``open_source`` would open: 'webcam', 'video', 'images', 'pose', 'npz', 'parquet',
    'mp_data', or None for something it does not know."""
    if _is_camera(path):
        return "webcam"
    p = Path(path)
    if p.is_file():
        s = p.suffix.lower()
        if s == ".pose":
            return "pose"
        if s == ".npz":
            return "npz"
        if s == ".parquet":
            return "parquet"
        if s in VIDEO_EXTENSIONS:
            return "video"
        if s in IMAGE_EXTENSIONS:
            return "images"
        return None
    if p.is_dir():
        from .mp_data import find_mp_data_root

        if find_mp_data_root(p) is not None:
            return "mp_data"
        if _has(p, IMAGE_EXTENSIONS):
            return "images"
        if _has(p, (".pose",)):
            return "pose"
        if _has(p, (".parquet",)) or (p / "train_landmark_files").is_dir():
            return "parquet"
    return None


def open_source(path_or_index, fps: float | None = None, image_fps: float = 30.0, pose_units: str = "image"):
    """A source for a camera index (int or "0"), a file or a folder; ``SourceError`` if it is
    missing or of an unknown kind."""
    if fps is not None or image_fps != 30.0:
        from .. import limits

        try:
            fps = None if fps is None else limits.fps(fps, "--fps")
            image_fps = limits.fps(image_fps, "image fps")
        except limits.Invalid as e:
            raise SourceError(path_or_index, str(e)) from None
    if _is_camera(path_or_index):
        from .webcam import WebcamSource

        return WebcamSource(int(path_or_index), fps=fps)
    p = Path(path_or_index)
    if not p.exists():
        raise SourceError(p, "not found")
    kind = describe_kind(p)
    if kind == "pose":
        from .pose_io import PoseFileSource

        return PoseFileSource(p, units=pose_units)
    if kind == "npz":
        return NpzSource(p)
    if kind == "parquet":
        from .kaggle import KaggleSource

        return KaggleSource(p)
    if kind == "mp_data":
        from .mp_data import MpDataSource

        return MpDataSource(p, fps=fps or 30.0)
    if kind == "video":
        from .video import VideoSource

        return VideoSource(p, fps=fps)
    if kind == "images":
        from .images import ImageFolderSource

        if p.is_file():
            return ImageFolderSource(p.parent, fps=fps or image_fps, files=[p])
        return ImageFolderSource(p, fps=fps or image_fps)
    if p.is_dir():
        raise SourceError(p, "folder holds no images, videos, .pose, .parquet or MP_Data sequences")
    if p.stat().st_size == 0:
        raise SourceError(p, "file is empty (0 bytes)")
    from .video import VideoSource  # last resort: whatever FFmpeg can read

    try:
        return VideoSource(p, fps=fps)
    except SourceError:
        raise SourceError(p, "unknown file type (expected a video, image folder, .pose, .npz, .parquet or MP_Data)") from None


def expand_inputs(paths: Iterable) -> list:
    """Command-line inputs -> the inputs to open one by one: a folder that is not itself
    a source is replaced by its children that are (videos, image folders, .pose, .npz, ...)."""
    out: list = []
    for x in paths:
        if _is_camera(x):
            out.append(int(x))
            continue
        p = Path(x)
        if p.is_dir() and describe_kind(p) is None:
            kids = sorted(p.iterdir(), key=lambda q: q.name)
            found = [k for k in kids if describe_kind(k) is not None]
            out.extend(found if found else [p])  # an empty/unknown folder errors later, naming it
        else:
            out.append(p)
    return out


def to_sequences(source, detector=None, progress: bool | Callable = False, max_frames: int | None = None,
                 static_image_mode: bool = False) -> Iterator[KeypointSequence]:
    """Any source -> ``KeypointSequence``s. Frame sources go through ``detector`` into one
    sequence: a new ``HolisticDetector`` (video mode unless ``static_image_mode``; closed
    afterwards) when None, else the given one after its ``reset()`` (left open).
    ``progress``: True for a stderr progress bar, or a callable ``(done, total)``."""
    from .. import limits

    if getattr(source, "kind", None) == "keypoints":
        for seq in source:
            yield _checked(seq, getattr(source, "path", ""))
        return
    import numpy as np

    from ..keypoints import layout as L

    own = detector is None
    if own:
        from ..keypoints.holistic import HolisticDetector

        detector = HolisticDetector(static_image_mode=static_image_mode)
    elif hasattr(detector, "reset"):
        detector.reset()  # a detector reused across clips must not carry tracking over
    total = None
    try:
        total = len(source) or None
    except TypeError:
        pass
    if max_frames:
        total = min(total or max_frames, max_frames)
    bar = None
    if progress is True:
        from ..progress import Progress

        bar = Progress(total, label=f"keypoints {Path(str(getattr(source, 'path', ''))).name}")
    rows, times = [], []
    width = height = 0
    try:
        for frame in source:
            if max_frames and len(rows) >= max_frames:
                break
            if len(rows) >= limits.MAX_FRAMES:
                raise SourceError(getattr(source, "path", "source"),
                                  f"more than {limits.MAX_FRAMES} frames; this app reads clips of up to "
                                  f"{limits.MAX_SECONDS / 60:.0f} minutes")
            height, width = frame.image.shape[:2]
            rows.append(detector.detect(frame.image, frame.timestamp))
            times.append(frame.timestamp)
            if bar is not None:
                bar.update()
            elif callable(progress):
                progress(len(rows), total)
    finally:
        if bar is not None:
            bar.close()
        if own:
            detector.close()
    frames = np.stack(rows).astype(np.float32) if rows else L.empty_frames(0)
    yield KeypointSequence(frames=frames, fps=float(source.fps), source=str(getattr(source, "path", "")),
                           meta={"width": int(width), "height": int(height), "timestamps": times})


def _checked(seq: KeypointSequence, path) -> KeypointSequence:
    """The shared bounds (fps, frame count and shape) for a sequence any keypoint reader made."""
    from .. import limits

    try:
        seq.frames = limits.layout_frames(seq.frames, limits.fps(seq.fps), "keypoints")
    except limits.Invalid as e:
        raise SourceError(seq.source or path, str(e)) from None
    return seq


def load_sequences(path_or_index, detector=None, progress: bool | Callable = False, **kw) -> list[KeypointSequence]:
    """``open_source`` + ``to_sequences`` for one input, as a list."""
    src = open_source(path_or_index, **kw)
    try:
        return list(to_sequences(src, detector=detector, progress=progress))
    finally:
        src.close()
