"""Signer-disjoint evaluation: retrieval (video->text, text->video), per-class accuracy,
confusion matrix, few-shot prototypes, and calibration (temperature + confidence margins).

Works on any embedding function, so the same code scores the torch model during training
and a finished pack's ONNX encoder (``signclip-desktop evaluate``).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

import numpy as np

from ..keypoints.features import InputSpec, encode_input
from .augment import fit_length, pad_batch

EmbedFn = Callable[[np.ndarray], np.ndarray]  # [B, T, P, D] -> [B, E]


def embed_samples(embed: EmbedFn, samples, spec: InputSpec, max_len: int = 128, batch: int = 64,
                  mirrored: bool = False) -> np.ndarray:
    """Embed whole clips (clips longer than ``max_len`` are uniformly subsampled)."""
    xs = [fit_length(encode_input(s.frames, spec, mirrored=mirrored), max_len) for s in samples]
    order = np.argsort([x.shape[0] for x in xs], kind="stable")
    out = np.zeros((len(xs), 0), np.float32)
    chunks = {}
    for i in range(0, len(order), batch):
        idx = order[i:i + batch]
        chunks[i] = (idx, embed(pad_batch([xs[j] for j in idx])))
    if not chunks:
        return out
    dim = next(iter(chunks.values()))[1].shape[1]
    out = np.zeros((len(xs), dim), np.float32)
    for idx, e in chunks.values():
        out[idx] = e
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-8)


def _ranks(sims: np.ndarray, true_idx: np.ndarray) -> np.ndarray:
    """1-based rank of the true column in each row (ties broken pessimistically)."""
    true = sims[np.arange(len(true_idx)), true_idx]
    return (sims > true[:, None]).sum(axis=1) + 1


def retrieval(video: np.ndarray, y: np.ndarray, label_emb: np.ndarray, label_ids: list[str],
              candidates: np.ndarray | None = None) -> dict:
    """video->text over the label set (optionally restricted to ``candidates`` label indices)
    and text->video over the evaluated clips (each label present queries all clips)."""
    cand = np.arange(len(label_ids)) if candidates is None else np.asarray(candidates)
    keep = np.isin(y, cand)
    video, y = video[keep], y[keep]
    pos = {c: k for k, c in enumerate(cand)}
    yc = np.array([pos[v] for v in y])
    sims = video @ label_emb[cand].T
    r = _ranks(sims, yc)
    pred = cand[sims.argmax(axis=1)]
    out = {"n": int(len(y)), "labels": int(len(cand)), "top1": float((pred == y).mean()) if len(y) else 0.0}
    out["v2t"] = {f"R@{k}": float((r <= k).mean()) for k in (1, 5, 10)} | {"median_rank": float(np.median(r))}
    # text -> video: for each label present, rank of its first correct clip among all clips
    t_ranks = []
    for c in np.unique(y):
        s = video @ label_emb[c]
        order = np.argsort(-s, kind="stable")
        t_ranks.append(int(np.nonzero(y[order] == c)[0][0]) + 1)
    t_ranks = np.array(t_ranks)
    out["t2v"] = {f"R@{k}": float((t_ranks <= k).mean()) for k in (1, 5, 10)} | {"median_rank": float(np.median(t_ranks))}
    per = defaultdict(list)
    for a, b in zip(y, pred):
        per[label_ids[a]].append(a == b)
    out["per_class"] = {k: {"acc": float(np.mean(v)), "n": len(v)} for k, v in sorted(per.items())}
    out["balanced_top1"] = float(np.mean([v["acc"] for v in out["per_class"].values()])) if per else 0.0
    out["_pred"] = pred
    out["_y"] = y
    return out


def text_match_top1(video: np.ndarray, y: np.ndarray, label_emb: np.ndarray, texts: list[str]) -> float:
    """Top-1 where any label with the same text counts (``gsg:A`` for ``ase:A``)."""
    pred = (video @ label_emb.T).argmax(axis=1)
    return float(np.mean([texts[p] == texts[t] for p, t in zip(pred, y)])) if len(y) else 0.0


def confusion_png(y: np.ndarray, pred: np.ndarray, label_ids: list[str], path, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    used = sorted(set(y.tolist()) | set(pred.tolist()))
    pos = {c: k for k, c in enumerate(used)}
    m = np.zeros((len(used), len(used)))
    for a, b in zip(y, pred):
        m[pos[a], pos[b]] += 1
    m = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    n = len(used)
    size = max(6, 0.28 * n + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(m, cmap="Blues", vmin=0, vmax=1)
    names = [label_ids[c] for c in used]
    ax.set_xticks(range(n), names, rotation=90, fontsize=7)
    ax.set_yticks(range(n), names, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "confusion (row-normalised)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def few_shot(video: np.ndarray, y: np.ndarray, signers: np.ndarray, label_emb: np.ndarray,
             shots=(1, 5, 10), repeats: int = 5, seed: int = 0) -> dict:
    """Mean-embedding prototypes from ``k`` support clips per class, held-out signers only.

    ``cross_signer``: supports from one held-out signer, queries from the other held-out signers
    (classes with at least two held-out signers). ``same_signer``: supports and queries from the
    same held-out signer (what the app's personal prototypes do). Both report prototype-only
    accuracy and ``with_text`` = pack labels + prototypes (a label scores its best vector)."""
    rng = np.random.default_rng(seed)
    out = {}
    classes = np.unique(y)
    for k in shots:
        res = {"cross_signer": [], "cross_signer_with_text": [], "same_signer": [], "same_signer_with_text": []}
        for _ in range(repeats):
            # cross-signer
            protos, qmask, valid = {}, np.zeros(len(y), bool), []
            for c in classes:
                idx = np.nonzero(y == c)[0]
                sg = np.unique(signers[idx])
                if len(sg) < 2:
                    continue
                s = rng.choice(sg)
                own = idx[signers[idx] == s]
                sup = rng.choice(own, size=min(k, len(own)), replace=False)
                protos[c] = video[sup].mean(axis=0)
                qmask |= (y == c) & (signers != s)
                valid.append(c)
            if len(valid) >= 2 and qmask.any():
                res["cross_signer"].append(_proto_acc(video[qmask], y[qmask], protos, None))
                res["cross_signer_with_text"].append(_proto_acc(video[qmask], y[qmask], protos, label_emb))
            # same-signer
            accs, accs_t = [], []
            for s in np.unique(signers):
                idx = np.nonzero(signers == s)[0]
                protos, qs = {}, []
                for c in np.unique(y[idx]):
                    ci = idx[y[idx] == c]
                    if len(ci) < k + 1:
                        continue
                    sup = rng.choice(ci, size=k, replace=False)
                    protos[c] = video[sup].mean(axis=0)
                    qs.extend(sorted(set(ci) - set(sup)))
                if len(protos) >= 2 and qs:
                    qs = np.array(qs)
                    accs.append(_proto_acc(video[qs], y[qs], protos, None))
                    accs_t.append(_proto_acc(video[qs], y[qs], protos, label_emb))
            if accs:
                res["same_signer"].append(float(np.mean(accs)))
                res["same_signer_with_text"].append(float(np.mean(accs_t)))
        out[f"{k}-shot"] = {kk: (float(np.mean(v)) if v else None) for kk, v in res.items()}
    return out


def _proto_acc(q: np.ndarray, y: np.ndarray, protos: dict, label_emb: np.ndarray | None) -> float:
    cls = np.array(sorted(protos))
    p = np.stack([protos[c] for c in cls])
    p = p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-8)
    s = q @ p.T
    if label_emb is None:
        return float((cls[s.argmax(axis=1)] == y).mean())
    st = q @ label_emb.T  # all pack labels compete too
    best_text = st.argmax(axis=1)
    use_text = st.max(axis=1) > s.max(axis=1)
    pred = np.where(use_text, best_text, cls[s.argmax(axis=1)])
    return float((pred == y).mean())


# ---------------------------------------------------------------- calibration

def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(sims: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Temperature minimising the NLL of softmax(similarity / T) (grid search), and that NLL."""
    best = (0.07, np.inf)
    for t in np.exp(np.linspace(np.log(0.005), np.log(1.0), 200)):
        p = _softmax(sims / t)
        nll = float(-np.log(np.maximum(p[np.arange(len(y)), y], 1e-12)).mean())
        if nll < best[1]:
            best = (float(t), nll)
    return best


def fit_margins(sims: np.ndarray, y: np.ndarray, temperature: float, sure_precision: float = 0.95,
                maybe_precision: float = 0.8) -> dict:
    """Smallest top1-top2 probability margins whose predictions reach the wanted precision."""
    p = _softmax(sims / temperature)
    srt = np.sort(p, axis=1)[:, ::-1]
    margin = srt[:, 0] - srt[:, 1]
    correct = p.argmax(axis=1) == y

    def thr(prec: float, default: float) -> tuple[float, float, float]:
        for m in np.linspace(0.0, 0.95, 96):
            sel = margin >= m
            if sel.sum() >= max(5, 0.05 * len(y)) and correct[sel].mean() >= prec:
                return float(m), float(correct[sel].mean()), float(sel.mean())
        return default, float(correct[margin >= default].mean()) if (margin >= default).any() else 0.0, float((margin >= default).mean())

    sure, sure_p, sure_cov = thr(sure_precision, 0.5)
    maybe, maybe_p, maybe_cov = thr(maybe_precision, 0.15)
    sure = max(sure, 0.2)
    maybe = min(max(maybe, 0.05), sure)
    return {"sure_margin": round(sure, 4), "maybe_margin": round(maybe, 4),
            "sure_precision": sure_p, "sure_coverage": sure_cov, "maybe_precision": maybe_p, "maybe_coverage": maybe_cov}


def calibrate(video: np.ndarray, y: np.ndarray, label_emb: np.ndarray) -> dict:
    sims = video @ label_emb.T
    t, nll = fit_temperature(sims, y)
    p = _softmax(sims / t)
    conf = p.max(axis=1)
    correct = p.argmax(axis=1) == y
    bins = np.linspace(0, 1, 11)
    ece = 0.0
    for a, b in zip(bins[:-1], bins[1:]):
        sel = (conf > a) & (conf <= b)
        if sel.any():
            ece += sel.mean() * abs(conf[sel].mean() - correct[sel].mean())
    return {"temperature": round(t, 5), "nll": nll, "ece": float(ece), **fit_margins(sims, y, t)}


def report(video: np.ndarray, y: np.ndarray, signers: np.ndarray, label_emb: np.ndarray, label_ids: list[str],
           texts: list[str], languages: list[str], focus: dict[str, list[str]] | None = None,
           confusion_path=None, title: str = "", few_shot_repeats: int = 5) -> dict:
    """All metrics for embeddings of held-out clips. ``focus`` maps a name to a list of label ids
    that get their own restricted-candidate numbers (e.g. the words with >= 8 signers)."""
    full = retrieval(video, y, label_emb, label_ids)
    out = {"all_labels": {k: v for k, v in full.items() if not k.startswith("_")}}
    out["all_labels"]["text_match_top1"] = text_match_top1(video, y, label_emb, texts)
    index = {l: i for i, l in enumerate(label_ids)}
    for name, ids in (focus or {}).items():
        cand = np.array([index[i] for i in ids if i in index])
        if cand.size == 0 or not np.isin(y, cand).any():
            continue
        r = retrieval(video, y, label_emb, label_ids, cand)
        sub = np.isin(y, cand)
        fr = retrieval(video[sub], y[sub], label_emb, label_ids)  # same clips, all labels compete
        out[name] = {"restricted": {k: v for k, v in r.items() if not k.startswith("_") and k != "per_class"},
                     "all_labels_top1": fr["top1"], "all_labels_balanced_top1": fr["balanced_top1"]}
    # per-language candidate sets (fingerspelling: the signer's alphabet only)
    langs = sorted({languages[c] for c in np.unique(y)})
    if len(set(languages)) > 1:
        out["per_language_restricted"] = {}
        for lang in langs:
            cand = np.array([i for i, l in enumerate(languages) if l == lang])
            sub = np.isin(y, cand)
            if sub.any():
                r = retrieval(video[sub], y[sub], label_emb, label_ids, cand)
                out["per_language_restricted"][lang] = {"top1": r["top1"], "n": r["n"], "labels": r["labels"],
                                                        "balanced_top1": r["balanced_top1"]}
    out["few_shot"] = few_shot(video, y, signers, label_emb, repeats=few_shot_repeats)
    out["calibration"] = calibrate(video, y, label_emb)
    per_signer = {}
    pred = full["_pred"]
    for s in np.unique(signers):
        m = signers == s
        per_signer[str(s)] = {"top1": float((pred[m] == y[m]).mean()), "n": int(m.sum())}
    out["per_signer"] = per_signer
    if confusion_path is not None:
        confusion_png(full["_y"], pred, label_ids, confusion_path, title)
    return out
