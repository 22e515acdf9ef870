"""The compact keypoint .npz format of the project's data folder (67 points per frame:
pose 0-24, left hand, right hand; x, y, z, confidence)."""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np

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
    """Yield every sequence of one data .npz file."""
    path = Path(path)
    try:
        data = np.load(path, allow_pickle=False)
        missing = [k for k in _REQUIRED if k not in data.files]
        if missing:
            raise SourceError(path, f"not a keypoint .npz: missing arrays {missing}")
        kp, lengths, labels = data["keypoints"], data["lengths"], data["labels"]
        n = len(labels)
        signer = data["signer"] if "signer" in data.files else np.array([path.stem] * n)
        language = data["language"] if "language" in data.files else np.array(["und"] * n)
        fps = float(data["fps"]) if "fps" in data.files else 30.0
        seq_ids = data["seq_ids"] if "seq_ids" in data.files else np.array([str(i) for i in range(n)])
    except SourceError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as e:
        raise SourceError(path, f"unreadable .npz ({e})") from e
    if kp.ndim != 4 or kp.shape[2:] != (NPZ_POINTS, 4) or kp.shape[0] != n or len(lengths) != n:
        raise SourceError(path, f"keypoints have shape {kp.shape}, expected [N, T, {NPZ_POINTS}, 4]")
    for i in range(n):
        t = int(lengths[i])
        yield KeypointSequence(
            frames=npz67_to_layout(kp[i, :t]), fps=fps, label=str(labels[i]), signer=str(signer[i]),
            language=str(language[i]), source=str(path), meta={"seq_id": str(seq_ids[i])},
        )
