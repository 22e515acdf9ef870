"""Old pack vs a k-fold run on the very same clips: the signers the old pack never saw (its
``provenance.train_signers`` lack them), each of whom one fold's encoder also never saw.

    python -m signclip_desktop.training.compare --pack models/words --kfold runs/kfold_v2 --data ../shared/data

Scores both among the words both know (top-1 over those words; and over the commonest words).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from . import data as D
from .evaluate import embed_samples


def compare(pack_dir, kfold_dir, data_dir, common_min_signers: int = 8) -> dict:
    from ..model.encoder import Encoder
    from ..model.pack import load_pack

    pack = load_pack(pack_dir)
    samples = D.keep_labels_with_signers(D.load_words(data_dir), 2)
    n_sig = D.signers_per_label(samples)
    seen = set(pack.provenance.get("train_signers", []))
    pidx = {l: i for i, l in enumerate(pack.label_ids)}
    res = {"pack": str(pack_dir), "kfold": str(kfold_dir), "old_pack": {}, "kfold_run": {}}
    rows_old, ys = [], []
    for f in sorted(Path(kfold_dir).glob("fold*.npz")):
        z = np.load(f, allow_pickle=False)
        known = [str(x) for x in z["known"]]
        both = [w for w in known if w in pidx]
        keep = [j for j, i in enumerate(z["test_idx"]) if samples[i].signer not in seen and samples[i].label in both]
        if not keep:
            continue
        clips = [samples[int(z["test_idx"][j])] for j in keep]
        y = np.array([both.index(s.label) for s in clips])
        le = z["label_emb"][[known.index(w) for w in both]]
        new = z["emb_test"][keep] @ (le / np.linalg.norm(le, axis=1, keepdims=True)).T
        enc = Encoder(pack, providers="cpu", threads=1)
        old = embed_samples(enc.embed_batch, clips, pack.input) @ pack.label_embeddings[[pidx[w] for w in both]].T
        common = [k for k, w in enumerate(both) if n_sig[w] >= common_min_signers]
        for name, sims in (("old_pack", old), ("kfold_run", new)):
            r = res[name].setdefault(f.stem, {})
            r["top1_shared_words"] = float((sims.argmax(1) == y).mean())
            m = np.isin(y, common)
            r["top1_common"] = float((np.array(common)[sims[m][:, common].argmax(1)] == y[m]).mean()) if m.any() else None
            r["clips"], r["common_clips"], r["words"] = len(y), int(m.sum()), len(both)
            r["signers"] = len({s.signer for s in clips})
        rows_old.append(old)
        ys.append(y)
    for name in ("old_pack", "kfold_run"):
        folds = res[name]
        n = sum(v["clips"] for v in folds.values())
        nc = sum(v["common_clips"] for v in folds.values())
        res[name]["pooled"] = {
            "top1_shared_words": sum(v["top1_shared_words"] * v["clips"] for v in folds.values()) / max(n, 1),
            "top1_common": sum((v["top1_common"] or 0) * v["common_clips"] for v in folds.values()) / max(nc, 1),
            "clips": n, "common_clips": nc}
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.training.compare", description=__doc__.split("\n")[0])
    ap.add_argument("--pack", required=True)
    ap.add_argument("--kfold", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    r = compare(a.pack, a.kfold, a.data)
    if a.json:
        Path(a.json).write_text(json.dumps(r, indent=1), encoding="utf-8")
    for name in ("old_pack", "kfold_run"):
        p = r[name]["pooled"]
        print(f"{name}: top-1 {p['top1_shared_words']:.3f} over shared words ({p['clips']} clips), "
              f"{p['top1_common']:.3f} among the commonest words ({p['common_clips']} clips)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
