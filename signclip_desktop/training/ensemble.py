"""What an ensemble of encoders would give on the k-fold, before paying for one (issue 14's "fold
ensembles distilled into one small model": worth distilling only if the ensemble itself gains).

    python -m signclip_desktop.training.ensemble words_v7.json --data ../shared/data \\
        --runs runs/kfold_v7s0 runs/kfold_v7s1 --out runs/kfold_v7ens

Each run is a ``kfold`` output of the same folds (the same config and ``kfold.seed``; e.g. another
``--seed``). Per fold, every embedding (held-out clips, unseen words, negatives, training bank, label
texts) becomes the concatenation of the runs' unit embeddings divided by sqrt(n): a unit vector
whose cosine to another is the mean of the runs' cosines, so the report's scoring, open-set bank and
few-shot prototypes all see the ensemble as one encoder of n times the width.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .variants import _unit as unit_rows

SAME = ("known", "test_idx", "unseen_idx", "variant_idx", "unseen_words")   # must agree across runs
EMBEDDINGS = ("label_emb", "emb_test", "emb_unseen", "emb_variant", "emb_letters")


def merge_fold(paths: list[Path]) -> dict:
    """The ensemble of one fold's npz files; refuses runs that did not hold out the same clips."""
    zs = [np.load(p, allow_pickle=False) for p in paths]
    for key in SAME:
        for p, z in zip(paths[1:], zs[1:]):
            if not np.array_equal(z[key], zs[0][key]):
                raise ValueError(f"{p}: '{key}' differs from {paths[0]}: not the same folds")
    out = {key: zs[0][key] for key in SAME}
    scale = 1.0 / np.sqrt(len(zs))
    for key in EMBEDDINGS:
        out[key] = np.concatenate([unit_rows(z[key]) for z in zs], axis=1) * scale
    out["seconds"] = float(sum(float(z["seconds"]) for z in zs))
    return out


def merge_runs(runs: list[Path], out: Path, k: int) -> list[int]:
    """Write ``out/fold<i>.npz`` for every fold that all runs have; returns those folds."""
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for f in range(k):
        paths = [r / f"fold{f}.npz" for r in runs]
        if all(p.exists() for p in paths):
            np.savez(out / f"fold{f}.npz", **merge_fold(paths))
            done.append(f)
    return done


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.training.ensemble", description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", nargs="+", required=True, help="kfold output folders of the same folds")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    if len(a.runs) < 2:
        ap.error("an ensemble needs at least two --runs")
    from . import data as D
    from .kfold import config_samples, write_report
    from .train import load_config

    cfg = load_config(a.config)
    done = merge_runs([Path(r) for r in a.runs], Path(a.out), a.folds)
    if not done:
        raise SystemExit(f"no fold is in every one of {a.runs}")
    samples = config_samples(cfg, a.data)
    labels = [lab.id for lab in D.label_table(samples, cfg["kind"])]
    write_report(Path(a.out), samples, labels, cfg, a.folds,
                 "python -m signclip_desktop.training.ensemble " + " ".join(argv or __import__("sys").argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
