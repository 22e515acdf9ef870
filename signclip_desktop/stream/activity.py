"""Is the person signing? Hands in view and moving; idle windows are not classified."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..keypoints import layout as L
from ..keypoints.normalize import HELD_LOW_BELOW_SHOULDERS, hands_held_low, hands_signing, normalize_shoulders


@dataclass(frozen=True)
class Activity:
    hands_visible: float  # fraction of frames with at least one hand (not resting)
    motion: float         # mean per-frame hand movement, in shoulder widths per second
    signing: bool


@dataclass(frozen=True)
class ActivityDetector:
    min_hands_visible: float = 0.3
    min_motion: float = 0.05
    # a hand held up and still (a fingerspelled letter) is signing too
    static_hand_ok: bool = True
    # Hands held this low (shoulder widths under the shoulders: at the waist, in the lap) rest, in
    # view or not; None: no such rule. Without it a learner resting their hands at the waist saw a
    # guess or "not a sign I know" in most windows, and stray transcript entries (docs/GUI.md).
    held_low_below: float | None = HELD_LOW_BELOW_SHOULDERS

    def __call__(self, frames: np.ndarray, fps: float) -> Activity:
        if len(frames) == 0:
            return Activity(0.0, 0.0, False)
        hands = hands_signing(frames)  # a hand resting on the desk in view is not signing
        any_hand = hands.any(axis=1)
        if self.held_low_below is not None:
            any_hand &= ~hands_held_low(frames, self.held_low_below)
        visible = float(any_hand.mean())
        motion = 0.0
        if len(frames) > 1 and any_hand.sum() > 1:
            norm = normalize_shoulders(frames)
            wrists = norm[:, [L.LEFT_HAND.start, L.RIGHT_HAND.start], :2]
            both = hands[1:] & hands[:-1]
            if both.any():
                step = np.linalg.norm(wrists[1:] - wrists[:-1], axis=-1)[both]
                motion = float(step.mean() * fps)
        signing = visible >= self.min_hands_visible and (motion >= self.min_motion or self.static_hand_ok)
        return Activity(visible, motion, signing)
