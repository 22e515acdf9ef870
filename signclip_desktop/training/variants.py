"""Sign variants: several embeddings per label (how different signers make it).

A label's variants are k-means centres of its training signers' mean clip embeddings (one
point per signer, so a signer who recorded 30 clips does not outweigh one who recorded 10),
next to the label's text embedding. Scoring takes each label's best row (``best_per_label``),
exactly what ``model.scorer.Scorer`` does with a pack's ``labels.npz`` variant arrays.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np


def _unit(x):
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-8)


def kmeans_cosine(x: np.ndarray, k: int, iters: int = 25, seed: int = 0) -> np.ndarray:
    """Spherical k-means (k-means++ start); returns [k', E] unit centres (k' <= k, no empty ones)."""
    x = _unit(x)
    k = min(k, len(x))
    rng = np.random.default_rng(seed)
    centres = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d = np.clip(1.0 - np.max(x @ np.stack(centres).T, axis=1), 0.0, None)
        if d.sum() <= 1e-9:
            break
        centres.append(x[rng.choice(len(x), p=d / d.sum())])
    c = np.stack(centres)
    for _ in range(iters):
        a = np.argmax(x @ c.T, axis=1)
        c = _unit(np.stack([x[a == j].mean(axis=0) for j in range(len(c)) if (a == j).any()]))
    return c


def signer_variants(emb: np.ndarray, labels: list[str], signers: list[str], label_ids: list[str],
                    per_signers: int = 4, max_k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(variant embeddings [M, E], label index [M]): up to ``max_k`` clusters per label, one per
    ``per_signers`` training signers (at least one)."""
    by = defaultdict(list)
    for e, lab, sg in zip(emb, labels, signers):
        by[(lab, sg)].append(e)
    per_label = defaultdict(list)
    for (lab, sg), es in by.items():
        per_label[lab].append(np.mean(es, axis=0))
    rows, idx = [], []
    for i, lab in enumerate(label_ids):
        pts = per_label.get(lab)
        if not pts:
            continue
        k = max(1, min(max_k, len(pts) // per_signers))
        c = kmeans_cosine(np.stack(pts), k, seed=seed + i)
        rows.append(c)
        idx += [i] * len(c)
    if not rows:
        return np.zeros((0, emb.shape[1]), np.float32), np.zeros(0, np.int64)
    return np.concatenate(rows).astype(np.float32), np.array(idx, np.int64)


def best_per_label(video: np.ndarray, label_emb: np.ndarray, variants: np.ndarray | None = None,
                   variant_label: np.ndarray | None = None) -> np.ndarray:
    """[N, L] cosine similarity of each clip to each label's best row (text embedding or a variant)."""
    sims = _unit(video) @ _unit(label_emb).T
    if variants is not None and len(variants):
        vs = _unit(video) @ _unit(variants).T
        for j in np.unique(variant_label):
            cols = variant_label == j
            sims[:, j] = np.maximum(sims[:, j], vs[:, cols].max(axis=1))
    return sims
