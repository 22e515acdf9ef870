"""The compact keypoint .npz format of the project's data folder (67 points per frame:
pose 0-24, left hand, right hand; x, y, z, confidence)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from .. import limits
from ..keypoints import layout as L
from ..keypoints.normalize import hide_legs
from .base import KeypointSequence, SourceError

NPZ_POSE_POINTS = 25
NPZ_POINTS = NPZ_POSE_POINTS + 21 + 21


def npz67_to_layout(kp: np.ndarray) -> np.ndarray:
    """[T, 67, 4] -> [T, 203, 4] in the shared layout (face and legs zero)."""
    if kp.ndim != 3 or kp.shape[1:] != (NPZ_POINTS, 4):
        raise ValueError(f"expected [T, {NPZ_POINTS}, 4], got {kp.shape}")
    out = L.empty_frames(kp.shape[0])
    kp = kp.astype(np.float32)
    out[:, L.POSE.start:L.POSE.start + NPZ_POSE_POINTS] = kp[:, :NPZ_POSE_POINTS]
    out[:, L.LEFT_HAND.slice] = kp[:, NPZ_POSE_POINTS:NPZ_POSE_POINTS + 21]
    out[:, L.RIGHT_HAND.slice] = kp[:, NPZ_POSE_POINTS + 21:]
    out = np.nan_to_num(out)
    out[out[..., 3] <= 0] = 0.0  # missing means zeros with confidence 0
    return hide_legs(out)


_REQUIRED = ("keypoints", "lengths", "labels")


def load_npz_sequences(path) -> Iterator[KeypointSequence]:
    """Yield every sequence of one data .npz file (sizes, fps and lengths checked first)."""
    path = Path(path)
    try:
        limits.file_size(path)
        data = limits.read_npz(path)
        missing = [k for k in _REQUIRED if k not in data]
        if missing:
            raise SourceError(path, f"not a keypoint .npz: missing arrays {missing}")
        kp, lengths, labels = data["keypoints"], data["lengths"], data["labels"]
        n = len(labels) if labels.ndim else 0
        signer = data["signer"] if "signer" in data else np.array([path.stem] * n)
        language = data["language"] if "language" in data else np.array(["und"] * n)
        fps = limits.fps(data["fps"]) if "fps" in data else 30.0
        seq_ids = data["seq_ids"] if "seq_ids" in data else np.array([str(i) for i in range(n)])
        if kp.ndim != 4 or kp.shape[2:] != (NPZ_POINTS, 4) or kp.shape[0] != n or lengths.shape != (n,):
            raise SourceError(path, f"keypoints have shape {kp.shape} for {n} labels, expected [N, T, {NPZ_POINTS}, 4]")
        if kp.dtype.kind not in "fiu" or lengths.dtype.kind not in "iu":
            raise SourceError(path, f"keypoints ({kp.dtype}) and lengths ({lengths.dtype}) must be numbers")
        for name, arr in (("signer", signer), ("language", language), ("seq_ids", seq_ids)):
            if arr.shape != (n,):
                raise SourceError(path, f"{name} has shape {arr.shape}, expected [{n}]")
        if n and (lengths.min() < 0 or lengths.max() > kp.shape[1]):
            raise SourceError(path, f"lengths must be within [0, {kp.shape[1]}]")
        limits.frame_count(kp.shape[1], fps, "keypoints")
    except SourceError:
        raise
    except limits.Invalid as e:
        raise SourceError(path, str(e)) from None
    except OSError as e:
        raise SourceError(path, f"unreadable .npz ({e})") from e
    for i in range(n):
        t = int(lengths[i])
        yield KeypointSequence(
            frames=npz67_to_layout(kp[i, :t]), fps=fps, label=str(labels[i]), signer=str(signer[i]),
            language=str(language[i]), source=str(path), meta={"seq_id": str(seq_ids[i])},
        )
