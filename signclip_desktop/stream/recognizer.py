"""Keypoint frames in, live guesses out: window -> activity -> encoder -> scorer -> stable sign.

Plain Python, no Qt: the GUI's inference worker, the CLI and the benchmark all use it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..keypoints import layout as L
from ..keypoints.features import encode_input
from ..keypoints.normalize import hands_held_low, hands_signing
from ..model.scorer import Prediction, Scorer
from ..sources.base import KeypointFrame
from .activity import Activity, ActivityDetector
from .stable import Decision, StableSign
from .window import KeypointWindow


@dataclass
class RecognitionUpdate:
    timestamp: float            # of the last frame in the window
    prediction: Prediction | None  # None while nobody is signing
    activity: Activity
    current: str | None         # the stable "current sign"
    changed: bool               # current changed with this update
    history: list[str]
    inference_ms: float
    final: bool                 # the window that closes a signing segment (hands went down)
    decision: Decision | None = None  # current sign + the guesses that go with it + transcript entry


class Recognizer:
    def __init__(self, pack, encoder, scorer: Scorer | None = None, top_k: int = 5, sensitivity: float = 1.0,
                 left_handed: bool = False, activity: ActivityDetector | None = None, stride_frames: int | None = None):
        self.pack, self.encoder = pack, encoder
        self.scorer = scorer or Scorer.from_pack(pack)
        self.top_k, self.left_handed = top_k, left_handed
        spec = pack.input
        # The first window of a stream comes after half a window (training crops start at 10
        # frames), not a whole one: the first guess shows ~0.5 s sooner.
        self.window = KeypointWindow(spec.fps, spec.window_frames, stride_frames or pack.stride_frames,
                                     first=max(spec.min_frames, spec.window_frames // 2))
        self.activity = activity or ActivityDetector()
        self.stable = StableSign(sensitivity=sensitivity)
        self._was_signing = False
        self._last_hand_t: float | None = None

    @property
    def sensitivity(self) -> float:
        return self.stable.sensitivity

    @sensitivity.setter
    def sensitivity(self, v: float) -> None:
        self.stable.sensitivity = float(v)

    def reset(self) -> None:
        self.window.clear()
        self.stable.reset()
        self._was_signing = False
        self._last_hand_t = None

    def classify(self, frames: np.ndarray) -> tuple[Prediction, float]:
        """One window of layout frames -> prediction (and encoder+scoring ms)."""
        t0 = time.perf_counter()
        emb = self.encoder.embed(encode_input(frames, self.pack.input, mirrored=self.left_handed))
        pred = self.scorer.predict(emb, self.top_k, self.sensitivity)
        return pred, (time.perf_counter() - t0) * 1000

    def push(self, frame: KeypointFrame) -> RecognitionUpdate | None:
        kp = frame.keypoints
        if kp.size and not np.isfinite(kp).all():  # a damaged keypoint file: such points are missing
            kp = np.where(np.isfinite(kp).all(axis=-1, keepdims=True), kp, 0.0).astype(np.float32)
        # a hand resting far below the shoulders is hands down (the geometry only when a wrist is seen)
        hands = bool(kp.size and kp[list(L.HAND_WRISTS), 3].max() > 0 and hands_signing(kp[None]).any())
        low = self.activity.held_low_below
        if hands and low is not None:  # hands brought down to the waist end a sign as hands out of view do
            hands = not hands_held_low(kp[None], low)[0]
        self.window.push(frame.timestamp, kp)
        if hands:
            self._last_hand_t = frame.timestamp
        # Hands just went down after signing: classify the segment now, not a stride later.
        if not hands and self._was_signing:
            self._was_signing = False
            return self._run(frame.timestamp, final=True, end=self._last_hand_t)
        if self.window.due():
            return self._run(frame.timestamp, final=False, hands_now=hands)
        return None

    def _run(self, t: float, final: bool, end: float | None = None, hands_now: bool = False) -> RecognitionUpdate:
        # no time before the stream in a first, shorter window (but never under the pack's minimum)
        frames = self.window.window(n=max(1, self.pack.input.min_frames, self.window.frames_seen(end)), end=end)
        act = self.activity(frames, self.window.fps)
        if not final:
            self._was_signing = act.signing and hands_now
        pred, ms = (None, 0.0)
        if act.signing:
            pred, ms = self.classify(frames)
        changed = self.stable.update(pred, t, final=final)
        return RecognitionUpdate(t, pred, act, self.stable.current, changed, list(self.stable.history), ms, final,
                                 self.stable.decision)
