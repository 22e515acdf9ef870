"""Normalisation and mirroring of keypoint windows: the single implementation that
training and inference share.

Shoulder normalisation follows pose-format's ``Pose.normalize`` for holistic poses:
centre = mean over the window of the shoulder midpoints, scale = 1 / mean shoulder
distance (3-D, like pose-format), both over frames where the points are present.
Missing points stay exactly zero with confidence 0.
"""
from __future__ import annotations

import numpy as np

from . import layout as L

# Shoulder width is about this many palm lengths (wrist -> middle-finger MCP), measured
# on the words data with `python -m signclip_desktop.tools.shoulder_palm --measure DATA`.
# Used only when a window has no shoulders (hand-only sources, body out of view).
SHOULDER_PER_PALM = 2.7
_EPS = 1e-6

# MediaPipe's x (and z) is a fraction of the picture's *width*, y of its height, so one body
# filmed at 16:9 or on an upright phone gets other x values than at 4:3. The training data
# (webcam capture loops at OpenCV's default 640x480) stores no picture size: the model reads
# every source as if it were 4:3 (``to_reference_aspect``).
REFERENCE_ASPECT = 4 / 3
ASPECT_RANGE = (0.2, 5.0)  # width / height outside this is not a picture size we trust


def to_reference_aspect(frames: np.ndarray, aspect: float | None) -> np.ndarray:
    """Copy of [T, P, 4] image-coordinate frames from pictures of ``aspect`` (width / height)
    with x (about the centre) and z rescaled to read as a REFERENCE_ASPECT picture: the same
    body at the same shape, whatever the camera. ``aspect`` None or out of range: unchanged."""
    out = np.array(frames, np.float32, copy=True)
    try:
        a = float(aspect) if aspect is not None else None
    except (TypeError, ValueError):
        a = None
    if a is None or not np.isfinite(a) or not ASPECT_RANGE[0] <= a <= ASPECT_RANGE[1]:
        return out
    k = np.float32(a / REFERENCE_ASPECT)
    vis = out[..., 3] > 0
    out[..., 0] = np.where(vis, 0.5 + (out[..., 0] - 0.5) * k, 0.0)
    out[..., 2] = np.where(vis, out[..., 2] * k, 0.0)
    return out


def visible(frames: np.ndarray) -> np.ndarray:
    """Boolean [T, P]: which points are present."""
    return frames[..., 3] > 0


def shoulder_reference(frames: np.ndarray) -> tuple[np.ndarray, float] | None:
    """(centre xyz, mean shoulder distance) over a window, or None without shoulders."""
    ls, rs = frames[:, L.LEFT_SHOULDER], frames[:, L.RIGHT_SHOULDER]
    ok = (ls[:, 3] > 0) & (rs[:, 3] > 0)
    if not ok.any():
        return None
    a, b = ls[ok, :3].astype(np.float64), rs[ok, :3].astype(np.float64)
    centre = ((a + b) / 2).mean(axis=0)
    dist = float(np.linalg.norm(a - b, axis=-1).mean())
    if dist < _EPS:
        return None
    return centre, dist


def palm_lengths(frames: np.ndarray) -> np.ndarray:
    """Wrist->middle-MCP length of every visible hand in the window (flat array)."""
    out = []
    for comp in (L.LEFT_HAND, L.RIGHT_HAND):
        w = frames[:, comp.start + L.HAND_WRIST]
        m = frames[:, comp.start + L.HAND_MIDDLE_MCP]
        ok = (w[:, 3] > 0) & (m[:, 3] > 0)
        out.append(np.linalg.norm(w[ok, :3] - m[ok, :3], axis=-1))
    return np.concatenate(out) if out else np.zeros(0)


def hand_reference(frames: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Fallback reference from the hands when no shoulders are in the window."""
    hands = np.concatenate([frames[:, L.LEFT_HAND.slice], frames[:, L.RIGHT_HAND.slice]], axis=1)
    vis = hands[..., 3] > 0
    if not vis.any():
        return None
    centre = hands[vis][:, :3].astype(np.float64).mean(axis=0)
    palms = palm_lengths(frames)
    palms = palms[palms > _EPS]
    if palms.size == 0:
        return None
    return centre, float(palms.mean()) * SHOULDER_PER_PALM


def _apply(frames: np.ndarray, centre: np.ndarray, dist: float) -> np.ndarray:
    out = frames.astype(np.float32, copy=True)
    vis = out[..., 3] > 0
    out[..., :3] = np.where(vis[..., None], (out[..., :3] - centre.astype(np.float32)) / np.float32(dist), 0.0)
    return out


def normalize_shoulders(frames: np.ndarray) -> np.ndarray:
    """Shoulder-normalised copy of a [T, 203, 4] window (hand fallback, else unchanged zeros)."""
    ref = shoulder_reference(frames) or hand_reference(frames)
    if ref is None:
        out = frames.astype(np.float32, copy=True)
        out[..., :3] = 0.0
        out[..., 3] = 0.0
        return out
    return _apply(frames, *ref)


def _centre_hands(frames: np.ndarray, per_frame: bool) -> np.ndarray:
    """Each seen hand moved to its wrist and scaled by its palm length: frame by frame, or by the
    mean wrist and palm over the window. Body and face are left as they are."""
    out = frames.astype(np.float32, copy=True)
    for comp in (L.LEFT_HAND, L.RIGHT_HAND):
        h = out[:, comp.slice]
        wrist = h[:, L.HAND_WRIST, :3]
        palm = np.linalg.norm(h[:, L.HAND_MIDDLE_MCP, :3] - wrist, axis=-1)
        ok = (h[:, L.HAND_WRIST, 3] > 0) & (palm > _EPS)
        vis = (h[..., 3] > 0) & ok[:, None]
        if per_frame:
            centre, scale = wrist[:, None, :], np.where(ok, palm, 1.0)[:, None, None]
        elif ok.any():
            centre, scale = wrist[ok].mean(axis=0), float(palm[ok].mean())
        else:  # no frame with this hand: every point is zeroed below
            centre, scale = np.zeros(3, np.float32), 1.0
        h[..., :3] = np.where(vis[..., None], (h[..., :3] - centre) / scale, 0.0)
        h[..., 3] = np.where(vis, h[..., 3], 0.0)
        out[:, comp.slice] = h
    return out


def normalize_hands(frames: np.ndarray) -> np.ndarray:
    """Hand-centred copy: each hand, each frame, moved to its wrist and scaled by its palm
    length. Shape is kept; body and face are left as they are (packs that use this select
    hand components only)."""
    return _centre_hands(frames, per_frame=True)


# A hand at rest in view (on the desk, in the lap) is not part of the sign, but the training
# signers mostly kept it out of frame, so a model reads it as part of the sign (2.2.0's words
# top-1 on held-out signers fell from 0.71 to 0.34 with a resting hand put in; docs/TRAINING.md).
# A hand whose centre is this many shoulder widths below the shoulder midpoint rests: 0.5 % of
# the words data's frames have a hand as low (the silfa signer's hand on the desk: 2.0-2.2;
# ``python -m signclip_desktop.tools.resting_hand --stats``).
REST_BELOW_SHOULDERS = 1.4
# Fingerspelling: two hands further apart than this many palm lengths are not spelling
# together, and the lower one rests. The letters and Spreadthesign both-hand
# frames are under 5 in 99 % of frames (two-handed Indian letters: 90 % under 2.0).
REST_HAND_PALMS = 5.0


def _hand_centres(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per frame, for the left and right hand: seen (wrist), centre x, y of the seen points."""
    seen, centres = [], []
    for comp in (L.LEFT_HAND, L.RIGHT_HAND):
        h = frames[:, comp.slice]
        vis = (h[..., 3] > 0)[..., None]
        seen.append(h[:, L.HAND_WRIST, 3] > 0)
        centres.append((h[..., :2] * vis).sum(axis=1) / np.maximum(vis.sum(axis=1), 1))
    return seen[0], seen[1], centres[0], centres[1]


def below_shoulders(frames: np.ndarray) -> np.ndarray:
    """[T, 2]: how far each hand's centre is below the shoulder midpoint, in shoulder widths
    (NaN where that hand or a shoulder is not seen)."""
    ls, rs = frames[:, L.LEFT_SHOULDER], frames[:, L.RIGHT_SHOULDER]
    width = np.linalg.norm(ls[:, :2] - rs[:, :2], axis=-1)
    ok = (ls[:, 3] > 0) & (rs[:, 3] > 0) & (width > _EPS)
    mid_y = (ls[:, 1] + rs[:, 1]) / 2
    sl, sr, cl, cr = _hand_centres(frames)
    out = np.full((len(frames), 2), np.nan)
    for j, (seen, c) in enumerate(((sl, cl), (sr, cr))):
        m = ok & seen
        out[m, j] = (c[m, 1] - mid_y[m]) / width[m]
    return out


def hands_apart(frames: np.ndarray) -> np.ndarray:
    """[T]: centre-to-centre distance of the two hands in palm lengths (NaN unless both are seen)."""
    sl, sr, cl, cr = _hand_centres(frames)
    palms = [np.linalg.norm(frames[:, c.slice][:, L.HAND_MIDDLE_MCP, :2] - frames[:, c.slice][:, L.HAND_WRIST, :2],
                            axis=-1) for c in (L.LEFT_HAND, L.RIGHT_HAND)]
    d = np.linalg.norm(cl - cr, axis=-1) / np.maximum((palms[0] + palms[1]) / 2, _EPS)
    return np.where(sl & sr, d, np.nan)


REST_RULES = ("below", "apart")


def resting_hands(frames: np.ndarray, rule: str) -> np.ndarray:
    """[T, 2] bool (left, right): the hand rests in that frame. ``below``: its centre is more
    than ``REST_BELOW_SHOULDERS`` shoulder widths below the shoulders (words: body in view).
    ``apart``: the lower of two hands more than ``REST_HAND_PALMS`` palm lengths apart
    (fingerspelling: needs no body; the Spreadthesign signers' hands rise from low in the
    picture, so ``below`` would drop 13-48 % of some alphabets' frames)."""
    if rule not in REST_RULES:
        raise ValueError(f"unknown resting-hand rule {rule!r}")
    with np.errstate(invalid="ignore"):
        if rule == "below":
            return below_shoulders(frames) > REST_BELOW_SHOULDERS
        far = hands_apart(frames) > REST_HAND_PALMS
    _, _, cl, cr = _hand_centres(frames)
    left_lower = cl[:, 1] > cr[:, 1]
    return np.stack([far & left_lower, far & ~left_lower], axis=1)


# Hands held in view this many shoulder widths or more below the shoulders (at the waist, in the
# lap) rest at the start or end of a clip. Only 1 % of the word data's frames have their highest
# hand this low, so the model's own rule (``REST_BELOW_SHOULDERS``) can stay where it is; this one
# trims clips' ends (``stream/clip.trim_span``; ``tools/rest_check --hands-low 1.2``: with 1 s of
# hands still at the waist each side, held-out top-1 through ``predict`` is 0.53 reading every
# frame and 0.71 trimmed) and tells the live recogniser nobody is signing (``stream/activity.py``).
HELD_LOW_BELOW_SHOULDERS = 0.9


def hands_held_low(frames: np.ndarray, below: float = HELD_LOW_BELOW_SHOULDERS) -> np.ndarray:
    """Boolean [T]: shoulders and a hand are seen and every seen hand is ``below`` shoulder
    widths or more under the shoulders' midpoint."""
    b = below_shoulders(frames)
    seen = ~np.isnan(b)
    with np.errstate(invalid="ignore"):
        return seen.any(axis=1) & ((b >= below) | ~seen).all(axis=1)


def hands_signing(frames: np.ndarray) -> np.ndarray:
    """[T, 2] bool (left, right): the hand is seen and not resting far below the shoulders
    (``below``): what "hands in view", signing activity and the hands-up trim count."""
    return (frames[:, list(L.HAND_WRISTS), 3] > 0) & ~resting_hands(frames, "below")


def drop_resting_hand(frames: np.ndarray, rule: str = "apart") -> np.ndarray:
    """Copy with each resting hand (``resting_hands``) marked missing (zeros, confidence 0)."""
    out = frames.astype(np.float32, copy=True)
    rest = resting_hands(out, rule)
    for j, comp in enumerate((L.LEFT_HAND, L.RIGHT_HAND)):
        out[rest[:, j], comp.slice] = 0.0
    return out


def normalize_signing_hands(frames: np.ndarray) -> np.ndarray:
    """``normalize_hands`` of the signing hands only (the lower of two far-apart hands left
    out): fingerspelling."""
    return normalize_hands(drop_resting_hand(frames, "apart"))


def normalize_hands_path(frames: np.ndarray) -> np.ndarray:
    """Like ``normalize_hands``, but each hand is moved by its mean wrist over the window and
    scaled by its mean palm length, not frame by frame: the handshape stays and so does the
    hand's path. Per-frame centring put every wrist at the origin, so the moving letters (J's
    hook, Z's zigzag) lost their movement and read as I and D."""
    return _centre_hands(frames, per_frame=False)


def normalize_signing_hands_path(frames: np.ndarray) -> np.ndarray:
    """``normalize_hands_path`` of the signing hands only (fingerspelling, moving letters)."""
    return normalize_hands_path(drop_resting_hand(frames, "apart"))


def normalize_signing_shoulders(frames: np.ndarray) -> np.ndarray:
    """``normalize_shoulders`` with a hand far below the shoulders left out (words). The apart
    rule is not used: two-handed signs may hold the hands far apart."""
    return normalize_shoulders(drop_resting_hand(frames, "below"))


NORMALIZERS = {"shoulders": normalize_shoulders, "hands": normalize_hands,
               "signing_shoulders": normalize_signing_shoulders, "signing_hands": normalize_signing_hands,
               "signing_hands_path": normalize_signing_hands_path}


def normalize(frames: np.ndarray, method: str) -> np.ndarray:
    try:
        fn = NORMALIZERS[method]
    except KeyError:
        raise ValueError(f"unknown normalisation {method!r}; known: {sorted(NORMALIZERS)}") from None
    return fn(frames)


def mirror(frames: np.ndarray, about: float = 0.0) -> np.ndarray:
    """Left/right mirror: swap left and right points and reflect x about ``about``
    (0 for normalised windows, 0.5 for MediaPipe image coordinates)."""
    out = frames[:, L.MIRROR_PERMUTATION].astype(np.float32, copy=True)
    vis = out[..., 3] > 0
    out[..., 0] = np.where(vis, 2 * about - out[..., 0], 0.0)
    return out


def hide_legs(frames: np.ndarray) -> np.ndarray:
    frames[:, list(L.LEG_INDICES)] = 0.0
    return frames
