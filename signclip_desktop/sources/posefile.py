"""pose-format ``.pose`` files -> the shared 203-point layout.

Components are matched by name (POSE_LANDMARKS, FACE_LANDMARKS, LEFT_HAND_LANDMARKS,
RIGHT_HAND_LANDMARKS) and points by point name, so a full holistic file (468 face
points) and a reduced one (128 contour points) both map onto the layout. Points that
are absent, masked or non-finite become zeros with confidence 0; legs are hidden.
"""
from __future__ import annotations

import numpy as np

from ..keypoints import layout as L
from ..keypoints.normalize import hide_legs


def pose_to_layout(pose, person: int = 0) -> np.ndarray:
    """A pose-format ``Pose`` -> float32 [T, 203, 4] (x, y, z, confidence)."""
    data = pose.body.data  # masked array [T, people, points, dims]
    conf = np.asarray(pose.body.confidence, np.float32)  # [T, people, points]
    values = np.asarray(np.ma.getdata(data), np.float32)
    mask = np.ma.getmaskarray(data)
    t = values.shape[0]
    out = L.empty_frames(t)
    if t == 0 or values.shape[1] <= person:
        return out
    values, mask, conf = values[:, person], mask[:, person], conf[:, person]
    dims = min(values.shape[-1], 3)
    offset = 0
    for comp in pose.header.components:
        ours = next((c for c in L.COMPONENTS if c.pose_format_name == comp.name), None)
        if ours is not None:
            pos = {name: k for k, name in enumerate(ours.points)}
            for k, name in enumerate(comp.points):
                j = pos.get(str(name))
                if j is None:
                    continue
                src = offset + k
                dst = ours.start + j
                out[:, dst, :dims] = values[:, src, :dims]
                ok = ~mask[:, src].any(axis=-1) & (conf[:, src] > 0) & np.isfinite(values[:, src, :dims]).all(axis=-1)
                out[:, dst, 3] = np.where(ok, conf[:, src], 0.0)
        offset += len(comp.points)
    out = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
    out[out[..., 3] <= 0] = 0.0
    return hide_legs(out)
