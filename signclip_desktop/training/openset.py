"""The "not a sign I know" rule: a threshold on one score of the best label, or on the mean
similarity to the nearest training clips (``neighbours``: ``model.open_set.neighbour_scores``, the
app's own function), fitted on clips of known words by unseen signers (should be known) vs clips of words the
encoder never saw and other packs' signs (should be unknown). Stored in the pack manifest as
``open_set``; applied by ``model.scorer.Scorer``."""
from __future__ import annotations

import numpy as np

MEASURES = ("similarity", "probability", "margin")   # scores of the best label; plus NEIGHBOURS
NEIGHBOURS = "neighbours"
NEIGHBOURS_K = 10   # k-fold on words 2.0.0: k = 5..20 within 0.01 balanced accuracy, 1 and 50 worse


def scores(sims: np.ndarray, measure: str, temperature: float) -> np.ndarray:
    """[N, L] best-per-label cosine similarities -> [N] score of the top label (higher = more known)."""
    if measure == "similarity":
        return sims.max(axis=1)
    if measure == "margin":
        s = np.sort(sims, axis=1)
        return s[:, -1] - s[:, -2] if sims.shape[1] > 1 else s[:, -1]
    if measure == "probability":
        z = sims / temperature
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return (z / z.sum(axis=1, keepdims=True)).max(axis=1)
    raise ValueError(f"unknown open-set measure {measure!r}")


def fit_threshold(pos: np.ndarray, neg: np.ndarray) -> dict:
    """The threshold with the best worse-of-two rate: the live view's target asks for both a known
    rate on ``pos`` and an unknown rate on ``neg`` (>= 0.80 each), so neither side is given up for
    the other; ties go to the better balanced accuracy."""
    cand = np.unique(np.concatenate([pos, neg]))
    if len(cand) > 2000:
        cand = np.quantile(cand, np.linspace(0, 1, 2001))
    best = None
    for t in cand:
        kr, ur = float((pos >= t).mean()), float((neg < t).mean())
        key = (min(kr, ur), kr + ur)
        if best is None or key > best["_key"]:
            best = {"threshold": float(t), "known_rate": kr, "unknown_rate": ur, "balanced": (kr + ur) / 2,
                    "worst": min(kr, ur), "_key": key}
    best.pop("_key")
    return best


def rates(pos: np.ndarray, neg: np.ndarray, threshold: float) -> dict:
    return {"known_rate": float((pos >= threshold).mean()) if len(pos) else None,
            "unknown_rate": float((neg < threshold).mean()) if len(neg) else None}
