"""Which keypoints are joined by lines when the skeleton is drawn (plain data, no Qt).

Indices are into the shared 203-point layout (``keypoints/layout.py``).
"""
from __future__ import annotations

from ..keypoints import layout as L

# MediaPipe's 21-point hand graph.
HAND_EDGES = (
    (0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10), (10, 11), (11, 12),
    (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (0, 17), (17, 18), (18, 19), (19, 20),
)
# Upper body (legs are hidden in the layout) and the few pose points of the face.
_P = {name: i for i, name in enumerate(L.POSE_POINTS)}
POSE_BODY_EDGES = tuple((L.POSE.start + _P[a], L.POSE.start + _P[b]) for a, b in (
    ("LEFT_SHOULDER", "RIGHT_SHOULDER"), ("LEFT_SHOULDER", "LEFT_ELBOW"), ("LEFT_ELBOW", "LEFT_WRIST"),
    ("RIGHT_SHOULDER", "RIGHT_ELBOW"), ("RIGHT_ELBOW", "RIGHT_WRIST"),
    ("LEFT_SHOULDER", "LEFT_HIP"), ("RIGHT_SHOULDER", "RIGHT_HIP"), ("LEFT_HIP", "RIGHT_HIP"),
))
# The pose model's own small hand (used only when the hand model found no hand).
POSE_HAND_EDGES = {
    "left": tuple((L.POSE.start + _P[a], L.POSE.start + _P[b]) for a, b in (
        ("LEFT_WRIST", "LEFT_PINKY"), ("LEFT_WRIST", "LEFT_INDEX"), ("LEFT_PINKY", "LEFT_INDEX"),
        ("LEFT_WRIST", "LEFT_THUMB"))),
    "right": tuple((L.POSE.start + _P[a], L.POSE.start + _P[b]) for a, b in (
        ("RIGHT_WRIST", "RIGHT_PINKY"), ("RIGHT_WRIST", "RIGHT_INDEX"), ("RIGHT_PINKY", "RIGHT_INDEX"),
        ("RIGHT_WRIST", "RIGHT_THUMB"))),
}
POSE_FACE_EDGES = tuple((L.POSE.start + _P[a], L.POSE.start + _P[b]) for a, b in (
    ("NOSE", "LEFT_EYE_INNER"), ("LEFT_EYE_INNER", "LEFT_EYE"), ("LEFT_EYE", "LEFT_EYE_OUTER"),
    ("LEFT_EYE_OUTER", "LEFT_EAR"), ("NOSE", "RIGHT_EYE_INNER"), ("RIGHT_EYE_INNER", "RIGHT_EYE"),
    ("RIGHT_EYE", "RIGHT_EYE_OUTER"), ("RIGHT_EYE_OUTER", "RIGHT_EAR"), ("MOUTH_LEFT", "MOUTH_RIGHT"),
))
# MediaPipe's FACEMESH_CONTOURS re-indexed into the 128 face-contour points (face, lips, eyes, brows).
_FACE_LOCAL = (
    (0, 70), (1, 57), (2, 98), (3, 88), (4, 90), (5, 89), (6, 14), (7, 1), (7, 66), (8, 0), (9, 8), (10, 9),
    (11, 13), (12, 19), (13, 12), (14, 33), (16, 38), (17, 43), (17, 63), (18, 34), (19, 15), (20, 35), (21, 36), (22, 18),
    (23, 32), (23, 64), (24, 25), (25, 26), (26, 3), (27, 5), (28, 4), (29, 61), (30, 62), (31, 65), (32, 29), (33, 21),
    (34, 20), (36, 2), (37, 56), (38, 31), (40, 58), (41, 42), (42, 48), (43, 30), (44, 60), (45, 46), (46, 40), (47, 44),
    (48, 49), (49, 50), (50, 39), (51, 59), (52, 51), (53, 52), (54, 53), (55, 54), (56, 6), (57, 41), (58, 16), (59, 39),
    (60, 45), (61, 28), (62, 27), (63, 10), (64, 24), (65, 37), (66, 55), (67, 118), (68, 117), (69, 67), (69, 127), (70, 71),
    (71, 72), (72, 124), (73, 75), (74, 81), (75, 74), (76, 68), (78, 119), (80, 96), (81, 77), (82, 97), (83, 95), (84, 80),
    (86, 125), (87, 86), (88, 87), (89, 123), (90, 122), (91, 94), (92, 105), (93, 100), (94, 85), (95, 76), (96, 82), (98, 83),
    (99, 126), (100, 78), (102, 108), (103, 104), (104, 109), (105, 79), (106, 47), (107, 121), (108, 107), (109, 110), (110, 111), (111, 101),
    (112, 120), (113, 112), (114, 113), (115, 114), (116, 115), (117, 99), (118, 103), (119, 102), (120, 101), (121, 106), (122, 91), (123, 92),
    (124, 79), (125, 85), (126, 93), (127, 116),
)
FACE_EDGES = tuple((L.FACE.start + a, L.FACE.start + b) for a, b in _FACE_LOCAL)
LEFT_HAND_EDGES = tuple((L.LEFT_HAND.start + a, L.LEFT_HAND.start + b) for a, b in HAND_EDGES)
RIGHT_HAND_EDGES = tuple((L.RIGHT_HAND.start + a, L.RIGHT_HAND.start + b) for a, b in HAND_EDGES)
