"""Per-part scores (hand shape, location, movement, timing) and the feedback sentence of each."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .calibration import Calibration
from .dtw import Alignment
from .motion import Motion

PARTS = ("handshape", "location", "movement", "timing")
PART_TITLES = {"handshape": "Dominant-hand shape", "location": "Hand location", "movement": "Movement",
               "timing": "Timing"}
FINGERS = {"thumb": (1, 2, 3, 4), "index finger": (5, 6, 7, 8), "middle finger": (9, 10, 11, 12),
           "ring finger": (13, 14, 15, 16), "little finger": (17, 18, 19, 20)}


@dataclass
class PartResult:
    score: float       # 0-100
    cost: float
    feedback: str
    available: bool = True

    def to_json(self) -> dict:
        return {"score": round(self.score, 1) if np.isfinite(self.score) else None,
                "cost": None if not np.isfinite(self.cost) else round(self.cost, 4),
                "feedback": self.feedback, "available": self.available}


def part_score(cost: float, good: float) -> float:
    """0-100: a cost equal to ``good`` (typical for a correct attempt) gives 70."""
    if not np.isfinite(cost):
        return float("nan")
    return float(100.0 * math.exp(-cost / max(good, 1e-6) * math.log(1 / 0.7)))


def _where(per_step: np.ndarray, path) -> str:
    n = len(per_step)
    if n < 3:
        return ""
    third = int(np.argmax([per_step[: n // 3].mean(), per_step[n // 3: 2 * n // 3].mean(), per_step[2 * n // 3:].mean()]))
    return (" at the start", " in the middle", " at the end")[third]


def feedback(ref: Motion, att: Motion, al: Alignment, dom: int, cal: Calibration) -> dict[str, PartResult]:
    ii = np.array([p[0] for p in al.path])
    jj = np.array([p[1] for p in al.path])
    out = {}
    # hand shape: which finger differs most
    c = al.part_costs["handshape"]
    s = part_score(c, cal.part_good["handshape"])
    both = ref.vis[dom][ii] & att.vis[dom][jj]
    if not att.vis[dom].any():
        msg = "Your signing hand was not seen: keep it in view of the camera."
    elif s >= 70:
        msg = "Hand shape matches the reference."
    elif both.any():
        diffs = {name: float(np.linalg.norm(ref.shape[dom][ii[both]][:, list(idx)] - att.shape[dom][jj[both]][:, list(idx)],
                                           axis=-1).mean()) for name, idx in FINGERS.items()}
        worst = max(diffs, key=diffs.get)
        msg = f"Hand shape differs{_where(al.per_step['handshape'], al.path)}: check your {worst}."
    else:
        msg = "Your hand is in view at different moments than in the reference."
    if not att.vis[dom].any():
        s = 0.0
    out["handshape"] = PartResult(s, c, msg)
    # location: mean offset of the dominant wrist along the path
    c = al.part_costs["location"]
    if not np.isfinite(c):
        out["location"] = PartResult(float("nan"), c, "Location not graded: shoulders not in view.", False)
    else:
        s = part_score(c, cal.part_good["location"])
        if s >= 70 or not both.any():
            msg = "Hands are in the right place." if s >= 70 else "Hand location differs from the reference."
        else:
            off = (att.wrist[dom][jj[both]] - ref.wrist[dom][ii[both]]).mean(axis=0)
            words = []
            if abs(off[1]) > 0.15:
                words.append("lower" if off[1] > 0 else "higher")
            if abs(off[0]) > 0.15:
                words.append("further left in the picture" if off[0] < 0 else "further right in the picture")
            msg = f"Your hand is {' and '.join(words)} than in the reference{_where(al.per_step['location'], al.path)}." \
                if words else f"Hand position differs{_where(al.per_step['location'], al.path)}."
        out["location"] = PartResult(s, c, msg)
    # movement: size of the movement
    c = al.part_costs["movement"]
    s = part_score(c, cal.part_good["movement"])

    def _path_len(m: Motion) -> float:
        w = m.wrist[dom][m.vis[dom]]
        return float(np.linalg.norm(np.diff(w, axis=0), axis=1).sum()) if len(w) > 1 else 0.0

    r_len, a_len = _path_len(ref), _path_len(att)
    if s >= 70:
        msg = "Movement matches the reference."
    elif a_len < 0.6 * r_len:
        msg = "Make the movement bigger."
    elif a_len > 1.6 * max(r_len, 0.05):
        msg = "Make the movement smaller." if r_len > 0.1 else "The reference hand stays still: hold it steadier."
    else:
        msg = f"Movement path differs{_where(al.per_step['movement'], al.path)}."
    out["movement"] = PartResult(s, c, msg)
    # timing
    c = al.timing_cost
    s = part_score(c, cal.part_good["timing"])
    r = al.duration_ratio
    if s >= 70:
        msg = "Timing is good."
    elif r > 1.3:
        msg = f"A bit slow: {r:.1f}x the reference's length."
    elif r < 0.77:
        msg = f"A bit fast: {r:.1f}x the reference's length."
    else:
        msg = "Uneven speed: keep an even pace through the sign."
    out["timing"] = PartResult(s, c, msg)
    return out


def part_scores(part_costs: dict, timing_cost: float, cal: Calibration) -> dict[str, float]:
    """The four part scores from the alignment's costs (nan: not available)."""
    out = {k: part_score(part_costs[k], cal.part_good[k]) for k in ("handshape", "location", "movement")}
    out["timing"] = part_score(timing_cost, cal.part_good["timing"])
    return out
