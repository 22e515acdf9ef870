"""Reading and writing ``.pose`` files (pose-format) in the app's conventions.

Writing (``extract``): a holistic header reduced to the shared layout: POSE_LANDMARKS (33,
legs zero), FACE_LANDMARKS (the 128 face-contour points; point names are the face-mesh
indices as strings, like pose-format's ``reduce_holistic``), LEFT_HAND_LANDMARKS,
RIGHT_HAND_LANDMARKS; format XYZC. Coordinates follow pose-format's holistic convention:
**pixels** (x * width, y * height of the source video) and z as MediaPipe gives it;
the header carries width and height.

Reading: ``sources.posefile.pose_to_layout`` maps any holistic ``.pose`` onto the layout
as stored; ``read_pose_sequence(units="image")`` then divides x and y by the header's
width and height, so a file written by ``extract`` reads back as the detector's own
output (MediaPipe image coordinates, 0..1), the units of the training data.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .. import limits
from ..keypoints import layout as L
from .base import KeypointSequence, SourceError
from .posefile import pose_to_layout


def _connections():
    from ..keypoints.holistic import import_holistic  # noqa: PLC0415

    h = import_holistic()
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_CONTOURS  # noqa: PLC0415

    pos = {m: k for k, m in enumerate(L.FACE_CONTOUR_MESH_INDICES)}
    face = sorted((pos[a], pos[b]) for a, b in FACEMESH_CONTOURS)
    body = sorted((int(a), int(b)) for a, b in h.POSE_CONNECTIONS)
    hand = sorted((int(a), int(b)) for a, b in h.HAND_CONNECTIONS)
    return body, face, hand


def layout_header(width: int, height: int, depth: int = 0):
    """The reduced holistic ``PoseHeader`` matching the 203-point layout."""
    from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions  # noqa: PLC0415

    body, face, hand = _connections()
    hand_colors = [(192, 0, 0), (192, 192, 0), (0, 192, 0), (0, 192, 192), (0, 0, 192)]
    limbs = {"pose": body, "face": face, "left_hand": hand, "right_hand": hand}
    colors = {"pose": [(255, 0, 0)], "face": [(128, 0, 0)], "left_hand": hand_colors, "right_hand": hand_colors}
    comps = [PoseHeaderComponent(name=c.pose_format_name, points=list(c.points), limbs=limbs[c.name],
                                 colors=colors[c.name], point_format="XYZC") for c in L.COMPONENTS]
    return PoseHeader(version=0.2, dimensions=PoseHeaderDimensions(width=int(width), height=int(height), depth=depth),
                      components=comps)


def layout_to_pose(frames: np.ndarray, fps: float, width: int, height: int):
    """[T, 203, 4] in MediaPipe image coordinates -> pose-format ``Pose`` in pixels."""
    from pose_format import Pose  # noqa: PLC0415
    from pose_format.numpy import NumPyPoseBody  # noqa: PLC0415

    frames = np.asarray(frames, np.float32)
    if frames.ndim != 3 or frames.shape[1:] != (L.NUM_POINTS, L.NUM_CHANNELS):
        raise ValueError(f"expected [T, {L.NUM_POINTS}, 4], got {frames.shape}")
    data = frames[:, None, :, :3].astype(np.float32).copy()
    data[..., 0] *= width
    data[..., 1] *= height
    conf = frames[:, None, :, 3].astype(np.float32).copy()
    data[conf <= 0] = 0.0
    body = NumPyPoseBody(fps=float(fps), data=np.ma.masked_array(data, mask=np.zeros_like(data, bool)),
                         confidence=conf)
    return Pose(layout_header(width, height), body)


def write_pose_file(path, frames: np.ndarray, fps: float, width: int, height: int) -> Path:
    """Write a ``.pose`` file atomically (temp file, fsync, replace)."""
    import os  # noqa: PLC0415

    path = Path(path)
    pose = layout_to_pose(frames, fps, width, height)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        pose.write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def read_pose(path):
    """The pose-format ``Pose`` of a file, or ``SourceError``."""
    from pose_format import Pose  # noqa: PLC0415

    path = Path(path)
    if not path.is_file():
        raise SourceError(path, "file not found")
    try:
        limits.file_size(path)
    except limits.Invalid as e:
        raise SourceError(path, str(e)) from None
    data = path.read_bytes()
    try:
        pose = Pose.read(data)
    except Exception as e:  # pose-format raises assorted errors on a bad buffer
        raise SourceError(path, f"not a readable .pose file ({e.__class__.__name__}: {str(e)[:120]})") from e
    check_pose(path, pose)
    return pose


def pose_fps(path, pose) -> float:
    """The body's frame rate within [1, 240] fps (0 means unknown: 25, pose-format's default)."""
    raw = pose.body.fps
    try:
        return 25.0 if raw == 0 else limits.fps(raw, "body fps")
    except limits.Invalid as e:
        raise SourceError(path, str(e)) from None


def check_pose(path, pose) -> None:
    """Bounds a ``Pose`` must meet before it is mapped (frames, fps; sizes before allocation)."""
    try:
        shape = tuple(pose.body.data.shape)
        if len(shape) != 4:
            raise limits.Invalid(f"body data has shape {shape}, expected [frames, people, points, dims]")
        limits.frame_count(shape[0], pose_fps(path, pose), "body")
    except limits.Invalid as e:
        raise SourceError(path, str(e)) from None


def read_pose_sequence(path, units: str = "image", label: str | None = None) -> KeypointSequence:
    """A ``.pose`` file -> ``KeypointSequence``. ``units='image'`` gives MediaPipe image
    coordinates (x / width, y / height; z as stored), ``'pixels'`` the file's own values."""
    if units not in ("image", "pixels"):
        raise ValueError("units must be 'image' or 'pixels'")
    path = Path(path)
    pose = read_pose(path)
    try:
        frames = pose_to_layout(pose)
    except Exception as e:
        raise SourceError(path, f"pose data cannot be mapped to the keypoint layout ({e})") from e
    if not any(c.name in {x.pose_format_name for x in L.COMPONENTS} for c in pose.header.components):
        raise SourceError(path, "has no MediaPipe Holistic components (POSE_LANDMARKS, hands, face)")
    w, h = int(pose.header.dimensions.width or 0), int(pose.header.dimensions.height or 0)
    if units == "image" and w > 0 and h > 0:
        vis = frames[..., 3] > 0
        frames[..., 0] = np.where(vis, frames[..., 0] / np.float32(w), 0.0)
        frames[..., 1] = np.where(vis, frames[..., 1] / np.float32(h), 0.0)
    return KeypointSequence(frames=frames, fps=pose_fps(path, pose), label=label, source=str(path),
                            meta={"width": w, "height": h, "units": units})


class PoseFileSource:
    """One ``.pose`` file, or every ``.pose`` under a folder (sorted), as sequences."""

    kind = "keypoints"

    def __init__(self, path, units: str = "image"):
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(self.path, "not found")
        self.files = sorted(self.path.rglob("*.pose")) if self.path.is_dir() else [self.path]
        if not self.files:
            raise SourceError(self.path, "no .pose files in this folder")
        self.units = units

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self):
        for f in self.files:
            yield read_pose_sequence(f, self.units)

    def close(self) -> None:
        pass


def load_pose_file(path, label: str | None = None, signer: str | None = None,
                   language: str | None = None) -> KeypointSequence:
    """Read one ``.pose`` file into a ``KeypointSequence`` in the shared layout, in image
    units with the header's picture size in ``meta``: what the app reads (``read_pose_sequence``)."""
    return dataclasses.replace(read_pose_sequence(path, "image", label), signer=signer, language=language)
