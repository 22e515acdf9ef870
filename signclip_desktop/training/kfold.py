"""K-fold cross-validation by signer, with words held out per fold (open-set calibration).

    python -m signclip_desktop.training.kfold CONFIG --data ../shared/data --folds 5 --out runs/kfold_x

Per fold: train on the other folds' signers minus the fold's held-out words (``folds.py``, recipe in
``recipe.py``), then embed the fold's signers (known words), every clip of the held-out words and a
sample of another pack's signs (fingerspelled letters for the words pack; ``kfold.negatives``).
Any config kind works: for ``fingerspelling`` the report adds top-1 within the clip's own alphabet. A fold's embeddings are saved in
``OUT/fold<i>.npz``, so an interrupted run resumes, and its model in ``OUT/fold<i>.pt``. Then ``kfold_report.py`` pools the folds:
top-1 (text labels vs text + signer variants), per-word and per-signer tables, calibration, the
open-set threshold, few-shot with the signer's own examples -> ``OUT/kfold.json`` + ``OUT/kfold.md``.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ..keypoints.features import InputSpec
from . import data as D
from . import folds as F
from .evaluate import embed_samples
from .train import _log, load_config

VARIANT_CLIPS_PER_SIGNER = 4   # training clips per (signer, label) embedded for the variant clusters
NEGATIVES = 600                # clips of another pack's signs (open-set negatives)


def config_samples(cfg: dict, data_dir) -> list:
    """Every clip of the config's kind and sources whose label has ``min_signers`` signers."""
    return D.keep_labels_with_signers(D.load_kind(cfg["kind"], data_dir, cfg.get("sources")),
                                      int(cfg.get("min_signers", 1)))


def load_samples(cfg: dict, data_dir):
    """The config's clips, plus a sample of another kind's clips as open-set negatives
    (``kfold.negatives``: ``"letters"`` (the words default), ``"words"``, or null: none)."""
    samples = config_samples(cfg, data_dir)
    kind = cfg.get("kfold", {}).get("negatives", "letters" if cfg["kind"] == "words" else None)
    negatives = []
    try:
        if kind == "letters":
            negatives = D.load_letters(data_dir)
        elif kind == "words":
            negatives = D.load_words(data_dir, max_per_file=8)
    except (OSError, FileNotFoundError):
        pass
    rng = np.random.default_rng(0)
    if len(negatives) > NEGATIVES:
        negatives = [negatives[i] for i in sorted(rng.choice(len(negatives), NEGATIVES, replace=False))]
    return samples, negatives


def variant_subset(samples, idx: np.ndarray, per: int = VARIANT_CLIPS_PER_SIGNER, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    by = {}
    for i in idx:
        by.setdefault((samples[i].label, samples[i].signer), []).append(int(i))
    out = []
    for v in by.values():
        out += list(rng.choice(v, min(per, len(v)), replace=False))
    return np.array(sorted(out), np.int64)


def training_clip_embeddings(embed, samples, idx: np.ndarray, spec, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``variant_subset`` of ``idx`` and its embeddings: the input of the variant clusters and the
    open-set rule's bank (``neighbour_embeddings``), alike for a fold, the twin and the shipped pack."""
    vix = variant_subset(samples, idx, seed=seed)
    return vix, embed_samples(embed, [samples[i] for i in vix], spec)


def outlier_set(cfg: dict, data_dir, spec):
    """The ``train.outliers`` clips, encoded (None without that key). Spreadthesign's alphabets for the
    words pack: other signers than the letters the open-set rule is measured on."""
    kind = cfg["train"].get("outliers", {}).get("kind")
    if not kind:
        return None
    from .recipe import Encoded

    try:
        clips = D.load_fingerspelling(data_dir, sources=(kind,))
    except KeyError:
        raise ValueError(f"train.outliers.kind must be a fingerspelling source (letters, spreadthesign, "
                         f"asl_static), not {kind!r}") from None
    return Encoded(clips, spec, cfg.get("augment"))


def fewer_signers(samples, idx: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """``idx`` kept to about ``fraction`` of its signers (a learning curve: what more signers would
    give), plus one signer back for any word that lost all of its own."""
    rng = np.random.default_rng(seed)
    signers = sorted({samples[i].signer for i in idx})
    keep = set(rng.choice(signers, max(1, round(fraction * len(signers))), replace=False))
    for word in sorted({samples[i].label for i in idx}):
        own = sorted({samples[i].signer for i in idx if samples[i].label == word})
        if not keep & set(own):
            keep.add(own[int(rng.integers(len(own)))])
    return np.array([i for i in idx if samples[i].signer in keep], np.int64)


def run_fold(cfg, fold: int, samples, letters, enc, fold_of, unseen_words, labels, text_all, out: Path,
             threads: int, log, train_signers: float = 1.0, teacher_runs=(), outliers=None) -> Path:
    from .recipe import embed_fn, label_embeddings, train_encoder

    path = out / f"fold{fold}.npz"
    if path.exists():
        log(f"fold {fold}: {path} exists, reusing it")
        return path
    lab = [s.label for s in samples]
    sg = [s.signer for s in samples]
    ix = F.fold_indices(lab, sg, fold_of, unseen_words, fold)
    cap = cfg.get("kfold", {}).get("max_test_per_signer_label")
    if cap:  # e.g. the 10,508 static ASL frames of one signer weigh like one webcam signer's clips
        ix["test"] = variant_subset(samples, ix["test"], per=int(cap), seed=fold)
    if train_signers < 1.0:
        ix["train"] = fewer_signers(samples, ix["train"], train_signers, seed=fold)
    known = sorted({lab[i] for i in ix["train"]})
    kpos = [labels.index(k) for k in known]
    log(f"fold {fold}: train {len(ix['train'])} clips / {len({sg[i] for i in ix['train']})} signers / "
        f"{len(known)} words; test {len(ix['test'])} clips / {len({sg[i] for i in ix['test']})} signers; "
        f"unseen words {unseen_words} ({len(ix['unseen'])} clips)")
    import torch

    # ready teachers of the same fold, instead of training them here
    teachers = [torch.load(Path(r) / f"fold{fold}.pt", weights_only=False) for r in teacher_runs] or None
    model, secs = train_encoder(cfg, enc, samples, ix["train"], known, text_all[kpos], threads=threads, log=log,
                                teachers=teachers, outliers=outliers)
    torch.save(model, out / f"fold{fold}.pt")   # the fold's model: a teacher for distillation (``recipe.py``)
    spec = enc.spec
    f = embed_fn(model, spec, bool(cfg.get("model", {}).get("symmetric", True)))
    vix, variant_emb = training_clip_embeddings(f, samples, ix["train"], spec)
    emb = {k: embed_samples(f, [samples[i] for i in ix[k]], spec) for k in ("test", "unseen")}
    emb["variant"] = variant_emb
    emb["letters"] = embed_samples(f, letters, spec)   # other packs' signs (the name kept from the words runs)
    emb = {k: v if len(v) else np.zeros((0, emb["test"].shape[1]), np.float32) for k, v in emb.items()}
    np.savez(path, known=np.array(known), label_emb=label_embeddings(model, text_all[kpos]),
             test_idx=ix["test"], unseen_idx=ix["unseen"], variant_idx=vix, unseen_words=np.array(unseen_words),
             seconds=secs, **{f"emb_{k}": v for k, v in emb.items()})
    log(f"fold {fold}: trained in {secs:.0f}s, saved {path}")
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.training.kfold", description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--data", required=True)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads; keep 1 on a shared machine (2 threads under load cost ~25x the CPU per step)")
    ap.add_argument("--only", type=int, nargs="*", help="train only these folds (then report what exists)")
    ap.add_argument("--steps", type=int, help="override train.steps")
    ap.add_argument("--teachers", nargs="*", default=(),
                    help="k-fold runs of the same folds whose fold<i>.pt teach this run (with train.distill)")
    ap.add_argument("--seed", type=int, help="override the training seed (the folds stay those of kfold.seed)")
    ap.add_argument("--train-signers", type=float, default=1.0,
                    help="train each fold on this fraction of its training signers (a learning curve)")
    a = ap.parse_args(argv)
    if not 0.0 < a.train_signers <= 1.0:
        ap.error(f"--train-signers must be in (0, 1], not {a.train_signers}")
    cfg = load_config(a.config)
    if a.steps:
        cfg["train"]["steps"] = a.steps
    if a.teachers and not cfg["train"].get("distill"):
        ap.error("--teachers needs a config with train.distill")
    if a.seed is not None:
        cfg["seed"] = a.seed
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    log = lambda m: _log(m, out / "kfold.log")  # noqa: E731
    t0 = time.time()
    from .recipe import Encoded
    from .text import embed_texts

    samples, letters = load_samples(cfg, a.data)
    table = D.label_table(samples, cfg["kind"])
    labels = [l.id for l in table]
    text_all = embed_texts([l.prompt for l in table])
    lab = [s.label for s in samples]
    sg = [s.signer for s in samples]
    kcfg = cfg.get("kfold", {})
    fold_of = F.signer_folds(lab, sg, a.folds, seed=int(kcfg.get("seed", 0)))
    groups = F.heldout_word_groups(lab, sg, a.folds, int(kcfg.get("common_min_signers", 8)),
                                   float(kcfg.get("unseen_fraction", 1.0)), seed=int(kcfg.get("seed", 0)))
    (out / "folds.json").write_text(json.dumps({"signer_fold": fold_of, "unseen_words": groups}, indent=1))
    spec = InputSpec.from_dict(cfg["input"])
    log(f"{len(samples)} clips, {len(labels)} labels, {len(set(sg))} signers "
        f"({sum(v < 0 for v in fold_of.values())} only ever in training), {len(letters)} negative clips")
    enc = outliers = None
    for fold in range(a.folds):
        if a.only is not None and fold not in a.only:
            continue
        if enc is None and not (out / f"fold{fold}.npz").exists():
            enc = Encoded(samples, spec, cfg.get("augment"))   # only when a fold still has to be trained
            outliers = outlier_set(cfg, a.data, spec)
            log(f"encoded in {time.time() - t0:.0f}s")
        run_fold(cfg, fold, samples, letters, enc, fold_of, groups[fold], labels, text_all, out, a.threads, log,
                 a.train_signers, a.teachers, outliers)
    write_report(out, samples, labels, cfg, a.folds,
                 "python -m signclip_desktop.training.kfold " + " ".join(argv or __import__("sys").argv[1:]), log)
    log(f"({time.time() - t0:.0f}s in all)")
    return 0


def write_report(out: Path, samples, labels: list[str], cfg: dict, k: int, command: str, log=print) -> dict:
    """Pool ``out``'s folds into ``OUT/kfold.json`` + ``OUT/kfold.md`` (and print the markdown)."""
    from .kfold_report import markdown, report

    rep = report(out, samples, labels, cfg, k)
    rep["command"] = command
    rep["steps"] = int(cfg["train"]["steps"])
    (out / "kfold.json").write_text(json.dumps(rep, indent=1))
    (out / "kfold.md").write_text(markdown(rep))
    log(f"report: {out / 'kfold.md'}")
    print(markdown(rep))
    return rep


if __name__ == "__main__":
    raise SystemExit(main())
