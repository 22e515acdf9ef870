"""What grading compares: a clip's hands and wrists, normalised, at a fixed frame rate."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...keypoints import layout as L
from ...keypoints.normalize import mirror, normalize_hands, normalize_shoulders
from ...stream.window import resample_sequence
from ...paths import package_resources_dir
from ...stream.clip import trim

RESOURCES = package_resources_dir()  # resolved by paths.py (checkout or frozen bundle)
DTW_FPS = 15.0          # keypoints are compared at this frame rate
_HANDS = (L.LEFT_HAND, L.RIGHT_HAND)


@dataclass
class Motion:
    """What grading compares, for one clip in one orientation (plain or mirrored)."""
    frames: np.ndarray        # [T, 203, 4] shoulder-normalised frames at DTW_FPS (for replay)
    shape: np.ndarray         # [2, T, 21, 3] hand-normalised points per hand slot (0 left, 1 right)
    vis: np.ndarray           # [2, T] hand seen
    wrist: np.ndarray         # [2, T, 2] wrist xy in shoulder widths
    vel: np.ndarray           # [2, T, 2] wrist velocity, shoulder widths per second
    has_body: bool            # shoulders seen (location is meaningful)
    duration: float           # seconds
    embedding: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.shape.shape[1])


def dominant_slot(frames: np.ndarray) -> int:
    """0 (left slot) or 1 (right slot): the hand seen most and moving most."""
    score = []
    for comp in _HANDS:
        w = frames[:, comp.start + L.HAND_WRIST]
        vis = w[:, 3] > 0
        mv = 0.0
        if vis.sum() > 1:
            xy = w[vis, :2]
            mv = float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum())
        score.append(vis.mean() + 5.0 * mv)
    return int(np.argmax(score))


def motion_from_frames(frames: np.ndarray, fps: float, mirrored: bool = False, trim_clip: bool = True,
                       embedding: np.ndarray | None = None) -> Motion:
    fr = trim(frames, fps) if trim_clip else frames
    if len(fr) < 2:
        fr = frames if len(frames) >= 2 else np.concatenate([frames, frames]) if len(frames) else L.empty_frames(2)
    duration = len(fr) / fps
    fr = resample_sequence(fr, fps, DTW_FPS)
    if len(fr) < 2:
        fr = np.concatenate([fr, fr])
    has_body = bool(((fr[:, L.LEFT_SHOULDER, 3] > 0) & (fr[:, L.RIGHT_SHOULDER, 3] > 0)).any())
    norm = normalize_shoulders(fr)
    hn = normalize_hands(fr)
    if mirrored:
        norm = mirror(norm)
        hn = mirror(hn)  # hand-centred coordinates: reflect about the wrist (x -> -x)
    t = len(fr)
    shape = np.zeros((2, t, 21, 3), np.float32)
    vis = np.zeros((2, t), bool)
    wrist = np.zeros((2, t, 2), np.float32)
    for k, comp in enumerate(_HANDS):
        vis[k] = norm[:, comp.start + L.HAND_WRIST, 3] > 0
        shape[k] = hn[:, comp.slice, :3]
        wrist[k] = norm[:, comp.start + L.HAND_WRIST, :2]
    vel = np.zeros_like(wrist)
    for k in range(2):
        v = vis[k]
        w = wrist[k].copy()
        if v.any():  # fill gaps with the nearest seen position so velocity is defined
            idx = np.flatnonzero(v)
            near = idx[np.clip(np.searchsorted(idx, np.arange(t)), 0, len(idx) - 1)]
            w = w[near]
            # light smoothing
            w = (np.concatenate([w[:1], w[:-1]]) + 2 * w + np.concatenate([w[1:], w[-1:]])) / 4
            vel[k] = np.gradient(w, axis=0) * DTW_FPS
    return Motion(norm.astype(np.float32), shape, vis, wrist, vel, has_body, float(duration), embedding)


def dominant_slot_motion(m: Motion) -> int:
    score = []
    for k in range(2):
        v = m.vis[k]
        mv = float(np.linalg.norm(m.vel[k][v], axis=-1).mean()) if v.any() else 0.0
        score.append(v.mean() + 0.2 * mv)
    return int(np.argmax(score))
