"""Augmentations on encoded windows ([T, P, D] from ``encode_input``: coordinates first, the
0/1 confidence channel last). Mirroring is not done here: the trainer picks the
``encode_input(..., mirrored=True)`` copy, so mirror semantics match the app exactly.

Every function keeps the invariant of the encoded tensor: a point with confidence 0 has
all-zero coordinates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..keypoints import layout as L
from ..keypoints.features import InputSpec


@dataclass
class AugmentConfig:
    mirror_p: float = 0.5
    rotate_deg: float = 15.0
    shear: float = 0.15
    scale: tuple[float, float] = (0.85, 1.15)
    aspect: float = 0.08            # extra independent x/y scale
    translate: float = 0.0          # in normalised units (shoulder widths / palm lengths)
    noise: float = 0.015
    speed: tuple[float, float] = (0.7, 1.45)
    # log-uniform: a range as wide as 0.7-3 x (fluent signers at a video's own rate move ~3 x faster per
    # frame than the hobby loops; tools/speed_check.py) would otherwise be mostly fast
    speed_log: bool = False
    crop: tuple[float, float] = (0.7, 1.0)   # keep this fraction of the clip (contiguous)
    min_len: int = 8
    max_len: int = 48
    drop_frame_p: float = 0.08      # frame removed (camera skip)
    blank_frame_p: float = 0.04     # frame kept but nothing detected
    drop_hand_p: float = 0.15       # a hand missing over a stretch of frames
    static_len: tuple[int, int] = (6, 20)
    static_jitter_deg: float = 3.0
    swap_hands_p: float = 0.0       # MediaPipe handedness error: hands change slots, coordinates kept
    hand_yaw_deg: float = 0.0       # 3-D rotation of each hand about its wrist (needs a z channel;
    hand_pitch_deg: float = 0.0     # the trainer encodes one extra z channel and drops it after this)
    p: float = 1.0                  # probability of applying the geometric part at all

    @classmethod
    def from_dict(cls, d: dict | None) -> "AugmentConfig":
        d = dict(d or {})
        for k in ("scale", "speed", "crop", "static_len"):
            if k in d:
                d[k] = tuple(d[k])
        return cls(**d)


def hand_point_slices(spec: InputSpec) -> dict[str, slice]:
    """Where each hand sits inside the encoded point axis of ``spec``."""
    out, start = {}, 0
    for comp in L.COMPONENTS:
        if comp.name in spec.components:
            if comp.name in ("left_hand", "right_hand"):
                out[comp.name] = slice(start, start + len(comp.points))
            start += len(comp.points)
    return out


def _zero_invisible(x: np.ndarray) -> np.ndarray:
    vis = x[..., -1:] > 0
    x[..., :-1] *= vis
    return x


def affine(x: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """Random 2-D rotation, shear, scale (and translation) of the x, y channels."""
    a = np.deg2rad(rng.uniform(-cfg.rotate_deg, cfg.rotate_deg))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    sh = np.array([[1.0, rng.uniform(-cfg.shear, cfg.shear)], [rng.uniform(-cfg.shear, cfg.shear), 1.0]])
    s = rng.uniform(*cfg.scale)
    sc = np.diag([s * (1 + rng.uniform(-cfg.aspect, cfg.aspect)), s * (1 + rng.uniform(-cfg.aspect, cfg.aspect))])
    m = (rot @ sh @ sc).astype(np.float32)
    out = x.copy()
    xy = out[..., :2] @ m.T
    if cfg.translate:
        xy = xy + rng.uniform(-cfg.translate, cfg.translate, size=2).astype(np.float32)
    out[..., :2] = xy
    if out.shape[-1] > 3:  # a z channel scales with the figure
        out[..., 2:-1] *= s
    return _zero_invisible(out)


def temporal(x: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """Random contiguous crop, then resampling to a faster/slower speed (nearest frame)."""
    t = x.shape[0]
    keep = max(2, int(round(t * rng.uniform(*cfg.crop))))
    start = int(rng.integers(0, t - keep + 1))
    x = x[start:start + keep]
    lo, hi = cfg.speed
    speed = float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) if cfg.speed_log else rng.uniform(lo, hi)
    new = int(round(keep / speed))
    new = int(np.clip(new, min(cfg.min_len, keep * 2), cfg.max_len))
    idx = np.clip(np.round(np.linspace(0, keep - 1, new) + rng.uniform(-0.3, 0.3, new)), 0, keep - 1).astype(int)
    return x[np.sort(idx)]


def drop_frames(x: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    t = x.shape[0]
    keep = rng.random(t) >= cfg.drop_frame_p
    if keep.sum() >= max(2, min(cfg.min_len, t)):
        x = x[keep]
    blank = rng.random(x.shape[0]) < cfg.blank_frame_p
    if blank.sum() < x.shape[0] - 1:
        x = x.copy()
        x[blank] = 0.0
    return x


def drop_hand(x: np.ndarray, rng: np.random.Generator, hands: dict[str, slice]) -> np.ndarray:
    """One hand undetected over a random stretch, if the other parts still show something."""
    if not hands:
        return x
    name = list(hands)[int(rng.integers(0, len(hands)))]
    sl = hands[name]
    t = x.shape[0]
    if rng.random() < 0.3:  # the whole clip
        a, b = 0, t
    else:
        a = int(rng.integers(0, t))
        b = int(rng.integers(a + 1, t + 1))
    y = x.copy()
    y[a:b, sl] = 0.0
    if (y[..., -1] > 0).any(axis=1).sum() < 2:
        return x
    return y


def static_to_sequence(x: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """A static pose (all frames equal) -> a short sequence with a slow random drift in
    rotation and scale, like a held handshape in front of a webcam."""
    n = int(rng.integers(cfg.static_len[0], cfg.static_len[1] + 1))
    base = x[:1].repeat(n, axis=0).copy()
    walk = np.cumsum(rng.normal(0, 1, (n, 2)), axis=0)
    walk = walk / max(1.0, np.abs(walk).max())
    ang = np.deg2rad(cfg.static_jitter_deg) * walk[:, 0]
    sc = 1 + 0.03 * walk[:, 1]
    c, s = np.cos(ang) * sc, np.sin(ang) * sc
    xy = base[..., :2]
    base[..., 0] = c[:, None] * xy[..., 0] - s[:, None] * xy[..., 1]
    base[..., 1] = s[:, None] * xy[..., 0] + c[:, None] * xy[..., 1]
    return _zero_invisible(base)


def swap_hands(x: np.ndarray, hands: dict[str, slice]) -> np.ndarray:
    """Left and right hand slots exchanged without mirroring the coordinates (a handedness
    mistake of the detector, unlike a mirrored image)."""
    if len(hands) != 2:
        return x
    a, b = hands["left_hand"], hands["right_hand"]
    out = x.copy()
    out[:, a], out[:, b] = x[:, b], x[:, a]
    return out


def rotate_hands_3d(x: np.ndarray, rng: np.random.Generator, hands: dict[str, slice], yaw_deg: float,
                    pitch_deg: float) -> np.ndarray:
    """Turn each hand about its wrist in 3-D (channels x, y, z, ..., confidence): a new viewpoint
    on the same handshape. Pose points are left alone (their z is on another scale)."""
    out = x.copy()
    for sl in hands.values():
        a, b = np.deg2rad(rng.uniform(-yaw_deg, yaw_deg)), np.deg2rad(rng.uniform(-pitch_deg, pitch_deg))
        ry = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
        rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
        r = (ry @ rx).astype(np.float32)
        h = out[:, sl]
        wrist = h[:, :1, :3]
        h[..., :3] = (h[..., :3] - wrist) @ r.T + wrist
        out[:, sl] = h
    return _zero_invisible(out)


def noise(x: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    out = x.copy()
    out[..., :-1] += rng.normal(0, sigma, out[..., :-1].shape).astype(np.float32)
    return _zero_invisible(out)


class Augmenter:
    def __init__(self, spec: InputSpec, cfg: AugmentConfig, seed: int = 0):
        self.spec, self.cfg = spec, cfg
        self.hands = hand_point_slices(spec)
        self.rng = np.random.default_rng(seed)
        # with 3-D hand rotation and an x, y-only spec, inputs carry an extra z channel (see ``input_spec``)
        self.extra_z = self.uses_3d and "z" not in spec.dims

    @property
    def uses_3d(self) -> bool:
        return (self.cfg.hand_yaw_deg > 0 or self.cfg.hand_pitch_deg > 0) and tuple(self.spec.dims[:2]) == ("x", "y")

    def input_spec(self) -> InputSpec:
        """The spec the trainer encodes with: ``spec`` plus z when the 3-D rotation needs it
        (normalisation is the same; z is dropped again after augmentation)."""
        import dataclasses

        return dataclasses.replace(self.spec, dims=tuple(self.spec.dims) + ("z",)) if self.extra_z else self.spec

    def __call__(self, x: np.ndarray, static: bool = False) -> np.ndarray:
        """x: encoded [T, P, D] (already mirrored or not) -> augmented [T', P, D] float32."""
        rng, cfg = self.rng, self.cfg
        x = x.astype(np.float32, copy=True)
        if static:
            x = static_to_sequence(x, rng, cfg)
        else:
            x = temporal(x, rng, cfg)
        x = drop_frames(x, rng, cfg)
        if rng.random() < cfg.drop_hand_p:
            x = drop_hand(x, rng, self.hands)
        if cfg.swap_hands_p and rng.random() < cfg.swap_hands_p:
            x = swap_hands(x, self.hands)
        if self.uses_3d:
            x = rotate_hands_3d(x, rng, self.hands, cfg.hand_yaw_deg, cfg.hand_pitch_deg)
        if self.extra_z:
            x = np.concatenate([x[..., :2], x[..., 3:]], axis=-1)
        if rng.random() < cfg.p:
            x = affine(x, rng, cfg)
        if cfg.noise > 0:
            x = noise(x, rng, cfg.noise * rng.uniform(0.3, 1.0))
        return x


def pad_batch(items: list[np.ndarray], max_len: int | None = None) -> np.ndarray:
    """Zero-pad along time (padding frames have confidence 0, which the encoder masks)."""
    t = max(x.shape[0] for x in items)
    if max_len:
        t = min(t, max_len)
    out = np.zeros((len(items), t) + items[0].shape[1:], np.float32)
    for i, x in enumerate(items):
        out[i, :min(t, x.shape[0])] = x[:t]
    return out


def fit_length(x: np.ndarray, max_len: int) -> np.ndarray:
    """Uniformly subsample a clip longer than ``max_len`` frames (evaluation of long clips)."""
    if x.shape[0] <= max_len:
        return x
    idx = np.round(np.linspace(0, x.shape[0] - 1, max_len)).astype(int)
    return x[idx]
