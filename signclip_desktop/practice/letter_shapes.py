"""The target handshape of a fingerspelled letter: one small hand recording per (alphabet, letter).

``resources/letter_shapes.npz`` is derived from the shared data by the dev tool
``python -m signclip_desktop.tools.letter_shapes DATA`` (one representative recording per letter;
a still letter keeps one frame, a moving one such as J or Z a few). The app only loads it; a
missing file or letter is ``None`` (the page then says it has no picture), never a guess.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..paths import package_resources_dir

SHAPES_FILE = package_resources_dir() / "letter_shapes.npz"  # the checkout's or a bundle's


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    p = Path(path)
    if not p.is_file():
        return {}
    with np.load(p, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def shape_key(language: str, letter: str) -> str:
    return f"{language}:{letter}"


def has_shapes(language: str, path: Path = SHAPES_FILE) -> bool:
    return any(k.startswith(language + ":") for k in _load(str(path)))


def letter_hand(language: str, letter: str, path: Path = SHAPES_FILE) -> np.ndarray | None:
    """[T, 21, 3] (x, y, seen) of the hand, x and y in 0..1 of its box; None when not shipped."""
    arr = _load(str(path)).get(shape_key(language, letter))
    return None if arr is None else arr.astype(np.float32)


def letter_frames(language: str, letter: str, path: Path = SHAPES_FILE) -> np.ndarray | None:
    """The handshape as layout frames [T, 203, 4] (the hand in the right-hand slot), for a skeleton player."""
    hand = letter_hand(language, letter, path)
    if hand is None:
        return None
    out = L.empty_frames(len(hand))
    out[:, L.RIGHT_HAND.slice, 0:2] = hand[..., :2]
    out[:, L.RIGHT_HAND.slice, 3] = hand[..., 2]
    return out


def hand_shape(hand_xyc: np.ndarray, max_frames: int = 12, moving_span: float = 1.0,
               moving: bool | None = None) -> np.ndarray | None:
    """One recording's hand [T, 21, >=3: x, y, .., c] -> the stored form [T', 21, 3] float16
    (normalised to its box; one frame when the wrist stays put, else up to ``max_frames``)."""
    seen = hand_xyc[..., -1] > 0
    rows = np.flatnonzero(seen.all(axis=1))
    if len(rows) == 0:
        return None
    rows = rows[len(rows) // 4: max(len(rows) // 4 + 1, 3 * len(rows) // 4)]  # the hold, not the hand coming up
    h = hand_xyc[rows][..., :2].astype(np.float32)
    lo = h.reshape(-1, 2).min(axis=0)
    span = float((h.reshape(-1, 2).max(axis=0) - lo).max()) or 1.0
    size = np.median([(f.max(axis=0) - f.min(axis=0)).max() for f in h]) or 1.0
    wrist = h[:, 0]
    if moving is None:
        moving = float((wrist.max(axis=0) - wrist.min(axis=0)).max()) / size > moving_span
    pick = np.unique(np.linspace(0, len(h) - 1, max_frames).round().astype(int)) if moving else [len(h) // 2]
    out = np.zeros((len(pick), 21, 3), np.float32)
    out[..., :2] = (h[pick] - lo) / span
    out[..., 2] = 1.0
    return out.astype(np.float16)
