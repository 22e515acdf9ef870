"""Fixes applied to a k-fold run's embeddings after training (no retraining): do any of them help
on held-out signers?

    python -m signclip_desktop.tools.adapt_check words_v7.json --data ../shared/data --kfold runs/kfold_v7s0 \\
        [--folds 0 1] [--json F]

1. Top-1 over all known words (text labels) as the run scored it, then with each held-out signer's
   mean embedding moved part or all of the way onto the training clips' mean (an unsupervised
   "adapt to this signer"), with every embedding centred on the training mean, and with labels
   ranked per signer with the CSLS hubness correction (2 cos - the label's mean cosine to its k
   nearest clips of that signer).
2. The open-set rule with the nearest-training-clips similarity plus ``lam`` x the best label's
   similarity, each fold's threshold fitted on the other folds (as ``kfold_report`` does).

A dev tool: the app never imports it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..training.variants import _unit
from . import write_json

SHIFTS = (0.5, 1.0)
CSLS_K = (5, 10)
LAMBDAS = (0.0, 0.25, 0.5, 1.0)


def signer_shift(emb: np.ndarray, signers: np.ndarray, target: np.ndarray, amount: float) -> np.ndarray:
    """Each signer's embeddings moved by ``amount`` x (target - that signer's mean), re-normalised."""
    out = emb.copy()
    for s in set(signers.tolist()):
        m = signers == s
        out[m] = emb[m] + amount * (target - emb[m].mean(axis=0))
    return _unit(out)


def csls(emb: np.ndarray, labels: np.ndarray, signers: np.ndarray, k: int) -> np.ndarray:
    """[N, L] scores: 2 cos minus each label's mean cosine to its k nearest clips of the same signer."""
    out = np.zeros((len(emb), len(labels)))
    for s in set(signers.tolist()):
        m = signers == s
        sim = emb[m] @ labels.T
        r = np.sort(sim, axis=0)[-min(k, int(m.sum())):].mean(axis=0)
        out[m] = 2 * sim - r
    return out


def top1_fixes(fold: dict) -> dict:
    e, y, sg = _unit(fold["emb"]), fold["y"], fold["signers"]
    lab, bank_mean = _unit(fold["label_emb"]), _unit(fold["bank"]).mean(axis=0)

    def acc(scores):
        return float((scores.argmax(axis=1) == y).mean())
    r = {"as_run": acc(e @ lab.T), "centred_on_training_mean": acc(_unit(e - bank_mean) @ lab.T)}
    r.update({f"signer_mean_shift_{a}": acc(signer_shift(e, sg, bank_mean, a) @ lab.T) for a in SHIFTS})
    r.update({f"csls_k{k}": acc(csls(e, lab, sg, k)) for k in CSLS_K})
    return r


def open_set_mix(loaded: list[dict], lam: float) -> dict:
    """Leave-one-fold-out known / unknown rates of neighbours + lam x best label similarity."""
    from ..training import openset as O

    scored = []
    for f in loaded:
        best = [f["sims"]["text"], *f["neg"]["text"]]
        scored.append([n + lam * (b.max(axis=1) if len(b) else np.zeros(0)) for n, b in zip(f["nn"], best)])
    known, unknown = [], []
    for i, (pos, *negs) in enumerate(scored):
        rest = [s for j, s in enumerate(scored) if j != i]
        t = O.fit_threshold(np.concatenate([s[0] for s in rest]),
                            np.concatenate([np.concatenate(s[1:]) for s in rest]))["threshold"]
        known.append(float((pos >= t).mean()))
        unknown.append(float((np.concatenate(negs) < t).mean()))
    return {"known": float(np.mean(known)), "unknown": float(np.mean(unknown))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.tools.adapt_check", description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--data", required=True)
    ap.add_argument("--kfold", required=True, help="a kfold output folder")
    ap.add_argument("--folds", type=int, nargs="*", help="the folds for part 1 (default: all); part 2 uses all")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    from ..training.kfold import config_samples
    from ..training.kfold_report import _load_folds
    from ..training.train import load_config

    cfg = load_config(a.config)
    samples = config_samples(cfg, a.data)
    loaded = _load_folds(Path(a.kfold), samples, 20)
    for f in loaded:
        z = np.load(Path(a.kfold) / f"fold{f['fold']}.npz", allow_pickle=False)
        f["label_emb"], f["bank"] = z["label_emb"], z["emb_variant"]
    out = {"top1": {}, "open_set": {}}
    for f in loaded:
        if a.folds is None or f["fold"] in a.folds:
            out["top1"][f["fold"]] = r = top1_fixes(f)
            print(f"fold {f['fold']}: " + ", ".join(f"{k} {v:.3f}" for k, v in r.items()))
    for lam in LAMBDAS:
        out["open_set"][lam] = r = open_set_mix(loaded, lam)
        print(f"open set, neighbours + {lam} x best label (thresholds from the other folds): "
              f"known {r['known']:.3f} / unknown {r['unknown']:.3f}")
    if a.json:
        write_json(a.json, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
