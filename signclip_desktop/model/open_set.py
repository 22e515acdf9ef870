"""The pack's "not a sign I know" rule (manifest ``open_set``), applied by ``scorer.Scorer``.

Measures of how well a window matches what the pack knows (higher = more known):
- ``similarity``: cosine similarity of the best label; ``margin``: best minus second best;
- ``probability``: the calibrated probability of the best label;
- ``neighbours``: mean cosine similarity to the ``k`` nearest embeddings of the pack's own training
  clips (``labels.npz`` ``neighbour_embeddings``). A clip of a sign the encoder never saw lands far
  from every training clip even when one label happens to be its nearest text; measured by k-fold
  (``training/kfold_report.py``) it separates unseen words far better than the label scores.
``training/openset.py`` fits the threshold with the very functions below, so training and the app agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

OPEN_SET_MEASURES = ("similarity", "probability", "margin", "neighbours")
MAX_NEIGHBOURS_K = 1000


def neighbour_scores(emb: np.ndarray, bank: np.ndarray, k: int, chunk: int = 2048) -> np.ndarray:
    """[N, E] unit embeddings -> [N] mean cosine similarity to their ``k`` nearest rows of ``bank``."""
    emb = np.atleast_2d(np.asarray(emb, np.float32))
    if not len(bank):
        return np.full(len(emb), -1.0, np.float32)
    k = max(1, min(int(k), len(bank)))
    out = np.empty(len(emb), np.float32)
    for s in range(0, len(emb), chunk):
        sims = emb[s:s + chunk] @ bank.T
        out[s:s + chunk] = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
    return out


@dataclass(frozen=True)
class OpenSet:
    """The top guess is known when its ``measure`` reaches ``threshold``. For ``neighbours`` the
    bank is the pack's training-clip embeddings; a personal sign the user taught is known when the
    window is as close to the user's own examples as the threshold asks of the bank."""
    threshold: float
    measure: str = "similarity"
    k: int = 10
    bank: np.ndarray | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_manifest(cls, d, bank: np.ndarray | None = None) -> "OpenSet | None":
        if not isinstance(d, dict) or "threshold" not in d:
            return None
        measure = str(d.get("measure", "similarity"))
        if measure not in OPEN_SET_MEASURES:
            raise ValueError(f"unknown open_set measure {measure!r} (known: {', '.join(OPEN_SET_MEASURES)})")
        threshold = float(d["threshold"])
        if not np.isfinite(threshold):
            raise ValueError("open_set threshold is not a finite number")
        k = d.get("k", 10)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_NEIGHBOURS_K:
            raise ValueError(f"open_set k must be an integer from 1 to {MAX_NEIGHBOURS_K}, not {k!r}")
        if measure == "neighbours" and (bank is None or not len(bank)):
            raise ValueError("open_set measure 'neighbours' needs the pack's neighbour_embeddings (labels.npz)")
        return cls(threshold, measure, k, bank if measure == "neighbours" else None)

    def known(self, sims_sorted: np.ndarray, probs_sorted: np.ndarray, embedding: np.ndarray | None = None,
              personal_similarity: float | None = None) -> bool:
        """``sims_sorted`` / ``probs_sorted``: the labels' scores, best first; ``embedding``: the unit
        window embedding (needed for ``neighbours``); ``personal_similarity``: the top guess's
        similarity when the user's own examples won it."""
        if not sims_sorted.size:
            return False
        if self.measure == "similarity":
            v = float(sims_sorted[0])
        elif self.measure == "probability":
            v = float(probs_sorted[0])
        elif self.measure == "margin":
            v = float(sims_sorted[0] - (sims_sorted[1] if sims_sorted.size > 1 else 0.0))
        else:
            if embedding is None:
                raise ValueError("the neighbours measure needs the window embedding")
            v = float(neighbour_scores(embedding, self.bank, self.k)[0])
            if personal_similarity is not None:
                v = max(v, float(personal_similarity))
        return v >= self.threshold
