"""The one keypoint layout every part of the app and of training uses.

SignCLIP's reduced MediaPipe Holistic layout: 203 points =
pose 33 (legs hidden) + face contour 128 + left hand 21 + right hand 21.
A frame is stored as float32 [203, 4]: x, y, z, confidence. A missing part is
zeros with confidence 0. The layout is data (component table), not scattered
index constants.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POSE_POINTS = (
    "NOSE", "LEFT_EYE_INNER", "LEFT_EYE", "LEFT_EYE_OUTER", "RIGHT_EYE_INNER", "RIGHT_EYE",
    "RIGHT_EYE_OUTER", "LEFT_EAR", "RIGHT_EAR", "MOUTH_LEFT", "MOUTH_RIGHT", "LEFT_SHOULDER",
    "RIGHT_SHOULDER", "LEFT_ELBOW", "RIGHT_ELBOW", "LEFT_WRIST", "RIGHT_WRIST", "LEFT_PINKY",
    "RIGHT_PINKY", "LEFT_INDEX", "RIGHT_INDEX", "LEFT_THUMB", "RIGHT_THUMB", "LEFT_HIP",
    "RIGHT_HIP", "LEFT_KNEE", "RIGHT_KNEE", "LEFT_ANKLE", "RIGHT_ANKLE", "LEFT_HEEL",
    "RIGHT_HEEL", "LEFT_FOOT_INDEX", "RIGHT_FOOT_INDEX",
)
HAND_POINTS = (
    "WRIST", "THUMB_CMC", "THUMB_MCP", "THUMB_IP", "THUMB_TIP", "INDEX_FINGER_MCP",
    "INDEX_FINGER_PIP", "INDEX_FINGER_DIP", "INDEX_FINGER_TIP", "MIDDLE_FINGER_MCP",
    "MIDDLE_FINGER_PIP", "MIDDLE_FINGER_DIP", "MIDDLE_FINGER_TIP", "RING_FINGER_MCP",
    "RING_FINGER_PIP", "RING_FINGER_DIP", "RING_FINGER_TIP", "PINKY_MCP", "PINKY_PIP",
    "PINKY_DIP", "PINKY_TIP",
)
# sorted(set(FACEMESH_CONTOURS)) of MediaPipe's face mesh: the points pose-format's
# reduce_holistic keeps. tests/keypoints/test_layout.py checks it against MediaPipe.
FACE_CONTOUR_MESH_INDICES = (
    0, 7, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78,
    80, 81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146, 148,
    149, 150, 152, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163, 172, 173, 176, 178, 181, 185,
    191, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295, 296,
    297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334, 336, 338, 356, 361, 362,
    365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385, 386, 387, 388, 389, 390, 397, 398,
    400, 402, 405, 409, 415, 454, 466,
)
# Mirror partner of each face contour point (by mesh index). Measured by running
# Holistic on frontal photos and on their horizontal flips, then solving the
# assignment; it is an involution (checked in tests).
FACE_CONTOUR_MIRROR = (
    0, 249, 10, 13, 14, 17, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295,
    296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334, 336, 338, 356, 361,
    362, 365, 373, 374, 375, 377, 378, 379, 152, 380, 381, 382, 384, 385, 386, 387, 388, 389, 390,
    397, 398, 400, 402, 405, 409, 415, 454, 466, 7, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61,
    63, 65, 66, 67, 70, 78, 80, 81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133,
    136, 144, 145, 146, 148, 149, 150, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163, 172, 173,
    176, 178, 181, 185, 191, 234, 246,
)
LEG_POINTS = tuple(p for p in POSE_POINTS if any(k in p for k in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT")))

CHANNELS = ("x", "y", "z", "confidence")


@dataclass(frozen=True)
class Component:
    name: str            # our short name
    pose_format_name: str  # component name in a .pose file (MediaPipe Holistic)
    points: tuple[str, ...]
    start: int

    @property
    def stop(self) -> int:
        return self.start + len(self.points)

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)


def _build() -> tuple[Component, ...]:
    parts = [
        ("pose", "POSE_LANDMARKS", POSE_POINTS),
        ("face", "FACE_LANDMARKS", tuple(str(i) for i in FACE_CONTOUR_MESH_INDICES)),
        ("left_hand", "LEFT_HAND_LANDMARKS", HAND_POINTS),
        ("right_hand", "RIGHT_HAND_LANDMARKS", HAND_POINTS),
    ]
    out, start = [], 0
    for name, pf, pts in parts:
        out.append(Component(name, pf, pts, start))
        start += len(pts)
    return tuple(out)


COMPONENTS: tuple[Component, ...] = _build()
COMPONENT_BY_NAME = {c.name: c for c in COMPONENTS}
NUM_POINTS = COMPONENTS[-1].stop  # 203
NUM_CHANNELS = len(CHANNELS)

POSE = COMPONENT_BY_NAME["pose"]
FACE = COMPONENT_BY_NAME["face"]
LEFT_HAND = COMPONENT_BY_NAME["left_hand"]
RIGHT_HAND = COMPONENT_BY_NAME["right_hand"]

LEFT_SHOULDER = POSE.start + POSE_POINTS.index("LEFT_SHOULDER")
RIGHT_SHOULDER = POSE.start + POSE_POINTS.index("RIGHT_SHOULDER")
LEFT_WRIST = POSE.start + POSE_POINTS.index("LEFT_WRIST")
RIGHT_WRIST = POSE.start + POSE_POINTS.index("RIGHT_WRIST")
LEG_INDICES = tuple(POSE.start + POSE_POINTS.index(p) for p in LEG_POINTS)
HAND_WRIST = HAND_POINTS.index("WRIST")
HAND_MIDDLE_MCP = HAND_POINTS.index("MIDDLE_FINGER_MCP")
# A hand's wrist carries its confidence: "is this hand in view?" reads these two points.
HAND_WRISTS = (LEFT_HAND.start + HAND_WRIST, RIGHT_HAND.start + HAND_WRIST)

# Named subsets a pack may select. Order of points inside a subset follows the layout.
SUBSETS: dict[str, tuple[str, ...]] = {
    "holistic": ("pose", "face", "left_hand", "right_hand"),
    "body_hands": ("pose", "left_hand", "right_hand"),
    "hands": ("left_hand", "right_hand"),
    "dominant_hand": ("right_hand",),
}


def component_indices(names) -> np.ndarray:
    """Point indices (into the 203) for a list of component names, in layout order."""
    unknown = [n for n in names if n not in COMPONENT_BY_NAME]
    if unknown:
        raise ValueError(f"unknown keypoint component(s) {unknown}; known: {sorted(COMPONENT_BY_NAME)}")
    wanted = set(names)
    return np.concatenate([np.arange(c.start, c.stop) for c in COMPONENTS if c.name in wanted])


def _mirror_permutation() -> np.ndarray:
    perm = np.arange(NUM_POINTS)
    for i, name in enumerate(POSE_POINTS):
        if name.startswith("LEFT_"):
            j = POSE_POINTS.index("RIGHT_" + name[5:])
            perm[POSE.start + i], perm[POSE.start + j] = POSE.start + j, POSE.start + i
    pos = {m: k for k, m in enumerate(FACE_CONTOUR_MESH_INDICES)}
    for k, m in enumerate(FACE_CONTOUR_MIRROR):
        perm[FACE.start + k] = FACE.start + pos[m]
    perm[LEFT_HAND.slice] = np.arange(RIGHT_HAND.start, RIGHT_HAND.stop)
    perm[RIGHT_HAND.slice] = np.arange(LEFT_HAND.start, LEFT_HAND.stop)
    return perm


# frames_mirrored[:, i] = frames[:, MIRROR_PERMUTATION[i]] with x negated (after normalisation).
MIRROR_PERMUTATION: np.ndarray = _mirror_permutation()


def empty_frames(n: int) -> np.ndarray:
    return np.zeros((n, NUM_POINTS, NUM_CHANNELS), np.float32)
