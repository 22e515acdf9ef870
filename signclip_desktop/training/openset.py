"""The "not a sign I know" rule: a threshold on one score of the best label, fitted on clips of
known words by unseen signers (should be known) vs clips of words the encoder never saw and other
packs' signs (should be unknown). Stored in the pack manifest as ``open_set``; applied by
``model.scorer.Scorer``."""
from __future__ import annotations

import numpy as np

MEASURES = ("similarity", "probability", "margin")


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
    """Threshold maximising balanced accuracy (known rate on ``pos`` + unknown rate on ``neg``) / 2."""
    cand = np.unique(np.concatenate([pos, neg]))
    if len(cand) > 2000:
        cand = np.quantile(cand, np.linspace(0, 1, 2001))
    best = None
    for t in cand:
        kr, ur = float((pos >= t).mean()), float((neg < t).mean())
        if best is None or (kr + ur) / 2 > best["balanced"]:
            best = {"threshold": float(t), "known_rate": kr, "unknown_rate": ur, "balanced": (kr + ur) / 2}
    return best


def rates(pos: np.ndarray, neg: np.ndarray, threshold: float) -> dict:
    return {"known_rate": float((pos >= threshold).mean()) if len(pos) else None,
            "unknown_rate": float((neg < threshold).mean()) if len(neg) else None}
