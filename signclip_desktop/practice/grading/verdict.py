"""The verdict: graded or not, the capped score, pass or not, and advice that agrees with the parts.

Rules (the verdict can never contradict its parts):
- no frames, no person, or the signing hand seen in too few frames: *not graded* (no score);
- a part near 0 (below ``NEAR_ZERO``) caps the total below the pass mark and is named first;
- a pass with a weak part says what to polish; a fail names the weakest part, or, when every
  part is fine, the sign the attempt looks more like.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...keypoints import layout as L
from ...stream.clip import hands_up
from .dtw import Alignment
from .motion import Motion
from .parts import PART_TITLES, PARTS, PartResult

NEAR_ZERO = 15.0          # a part scored below this caps the total
CAP_BELOW_PASS = 10.0     # ... at this many points below the pass mark
MIN_HAND_FRAMES = 4       # signing hand seen in at least this many frames (at DTW_FPS, ~0.27 s) ...
MIN_HAND_SHARE = 0.3      # ... and in at least this share of the frames the reference shows it
NOT_SEEN = "not graded: I could not see your hand"


def not_graded_reason(frames: np.ndarray) -> tuple[str, str] | None:
    """(code, sentence) when the raw attempt cannot be graded at all, else None."""
    if frames is None or len(frames) == 0:
        return "no_frames", "not graded: the recording has no frames"
    person = bool((frames[:, L.POSE.slice, 3] > 0).any()) if len(frames) else False
    hands = (frames[:, list(L.HAND_WRISTS), 3] > 0).any()
    if not hands and not person:
        return "no_person", "not graded: I could not see anyone in the recording"
    if not hands:
        return "hand_not_seen", NOT_SEEN + " (no hand in any frame)"
    if not hands_up(frames).any():
        return "hand_not_seen", NOT_SEEN + " (only a hand resting far below the shoulders)"
    return None


def hand_seen_enough(ref: Motion, att: Motion, dom: int) -> bool:
    """The attempt shows the signing hand long enough to judge it."""
    n_att = int(att.vis[dom].sum())
    n_ref = int(ref.vis[dom].sum())
    return n_att >= MIN_HAND_FRAMES and n_att >= MIN_HAND_SHARE * n_ref


@dataclass
class GradeResult:
    score: float | None            # 0-100; None when not graded
    passed: bool
    parts: dict[str, PartResult]
    similarity: float | None
    mirrored: bool
    alignment: Alignment | None
    reference: Motion | None
    attempt: Motion | None
    reference_name: str = ""
    summary: str = ""
    graded: bool = True
    reason: str = ""               # why not graded, or why the score was capped
    reason_code: str = ""          # no_frames | no_person | hand_not_seen | capped | ""
    advice: list[str] = field(default_factory=list)   # most important first
    looks_like: str | None = None  # the sign the attempt is closest to, when not the target
    raw_score: float | None = None  # the model's score before a cap
    pass_score: float = 50.0        # the pass mark (the same for every sign: the scores are calibrated)

    def to_json(self) -> dict:
        al = self.alignment
        return {
            "graded": self.graded, "reason": self.reason or None,
            "score": None if self.score is None else round(self.score, 1), "passed": self.passed,
            "pass_score": self.pass_score,
            "reference": self.reference_name, "summary": self.summary, "advice": list(self.advice),
            "mirrored": self.mirrored, "looks_like": self.looks_like,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "duration_ratio": None if al is None else round(al.duration_ratio, 3),
            "parts": {k: v.to_json() for k, v in self.parts.items()},
        }


def ungraded(code: str, reason: str, reference_name: str = "") -> GradeResult:
    parts = {k: PartResult(float("nan"), float("nan"), "", available=False) for k in PARTS}
    return GradeResult(None, False, parts, None, False, None, None, None, reference_name,
                       summary=reason[0].upper() + reason[1:] + ".", graded=False, reason=reason,
                       reason_code=code)


def cap_score(score: float, part_values: dict[str, float], pass_score: float) -> tuple[float, str | None]:
    """(score after the near-zero cap, the part that capped it or None)."""
    low = [(v, k) for k, v in part_values.items() if np.isfinite(v) and v < NEAR_ZERO]
    if not low:
        return score, None
    worst = min(low)[1]
    return min(score, pass_score - CAP_BELOW_PASS), worst


def decide(score: float, parts: dict[str, PartResult], pass_score: float, looks_like: str | None = None
           ) -> tuple[float, bool, str, list[str], str, str]:
    """(score, passed, summary, advice, reason, reason_code) from the model's score and the parts."""
    capped, worst = cap_score(score, {k: p.score for k, p in parts.items() if p.available}, pass_score)
    avail = sorted(((p.score, k) for k, p in parts.items() if p.available and np.isfinite(p.score)))
    weak = [k for s, k in avail if s < 70]
    if worst is not None:
        weak = [worst] + [k for k in weak if k != worst]
    advice = [f"{PART_TITLES[k]}: {parts[k].feedback}" for k in weak]
    passed = capped >= pass_score
    reason, code = "", ""
    if worst is not None:
        reason, code = f"capped: {PART_TITLES[worst].lower()} scored {parts[worst].score:.0f}", "capped"
        summary = f"Not yet. {parts[worst].feedback}"
    elif passed:
        summary = "Well done!" + (f" To polish: {parts[weak[0]].feedback}" if weak else "")
    elif weak:
        summary = f"Not yet. {parts[weak[0]].feedback}" + (f" As a whole it looks more like {looks_like!r}."
                                                          if looks_like else "")
    else:
        summary = "Not yet: each part is close, but as a whole it looks like another sign" + \
                  (f" ({looks_like!r})." if looks_like else ".")
        advice = [summary]
    return capped, passed, summary, advice, reason, code
