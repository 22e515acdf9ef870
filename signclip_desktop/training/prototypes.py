"""Label embeddings from training clips (visual prototypes), measured on held-out signers.

SignCLIP-style text embeddings give one point per label, while many words are signed in several
variants by different signers. This module builds label embeddings from the *training* signers'
clips embedded by a run's encoder, and compares them with the text embeddings on the run's
held-out signers (clips of held-out signers are never used to build labels):

- ``text``: the pack's own label embeddings (baseline);
- ``clip_mean``: normalise(mean of the label's training clip embeddings);
- ``signer_mean``: normalise(mean over training signers of each signer's mean clip embedding),
  so every signer weighs the same however many clips they recorded;
- ``text+A*clip_mean`` / ``text+A*signer_mean``: normalise(text + A * visual prototype).

The best variant gets the full held-out report (``evaluate.report``: temperature refitted by min NLL,
margins). ``--apply-to`` writes that recipe into a shipped pack, computed from *every* signer's clips
through that pack's own encoder (``--final-run``'s pack, or the target pack), with the held-out
run's refitted calibration::

    python -m signclip_desktop.training.prototypes --run runs/words_heldout --data ../shared/data \\
        [--apply-to models/words --final-run runs/words_all] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from . import data as D
from .evaluate import embed_samples, report, retrieval

ALPHAS = (0.5, 1.0, 2.0)
FOCUS_MIN_SIGNERS = 8


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-8)


def visual_prototypes(emb: np.ndarray, y: np.ndarray, n_labels: int, signers: np.ndarray | None = None,
                      fallback: np.ndarray | None = None) -> np.ndarray:
    """[n_labels, E] unit prototypes, row ``c`` for label index ``c`` (order of the label table).

    ``signers`` None: normalised mean of the label's (unit) clip embeddings. With ``signers``: each
    signer's clips are averaged first and the signer means are averaged (signers weigh equally).
    A label without clips takes its row of ``fallback`` (e.g. the text embedding), else zeros."""
    emb = _normalise(emb)
    out = np.zeros((n_labels, emb.shape[1]), np.float32)
    for c in range(n_labels):
        m = y == c
        if not m.any():
            if fallback is not None:
                out[c] = fallback[c]
            continue
        if signers is None:
            out[c] = emb[m].mean(axis=0)
        else:
            out[c] = np.mean([emb[m & (signers == s)].mean(axis=0) for s in np.unique(signers[m])], axis=0)
    return _normalise(out)


def blend(text: np.ndarray, visual: np.ndarray, alpha: float) -> np.ndarray:
    """normalise(text + alpha * visual), rows in the same label order."""
    return _normalise(_normalise(text) + alpha * _normalise(visual))


def variants(text: np.ndarray, emb: np.ndarray, y: np.ndarray, signers: np.ndarray,
             alphas=ALPHAS) -> dict[str, np.ndarray]:
    """Every candidate label-embedding matrix, keyed by recipe name (see module docstring)."""
    text = _normalise(text)
    n = len(text)
    vis = {"clip_mean": visual_prototypes(emb, y, n, fallback=text),
           "signer_mean": visual_prototypes(emb, y, n, signers, fallback=text)}
    out = {"text": text, **vis}
    for name, v in vis.items():
        for a in alphas:
            out[f"text+{a:g}*{name}"] = blend(text, v, a)
    return out


def recipe(name: str, text: np.ndarray, emb: np.ndarray, y: np.ndarray, signers: np.ndarray) -> np.ndarray:
    """The label embeddings of one named recipe (``variants`` keys)."""
    if name == "text":
        return _normalise(text)
    if "*" in name:
        a, vis = name.split("+", 1)[1].split("*")
        return variants(text, emb, y, signers, alphas=(float(a),))[name]
    return variants(text, emb, y, signers, alphas=())[name]


def _embed(pack, samples, threads: int) -> np.ndarray:
    from ..model.encoder import Encoder

    return embed_samples(Encoder(pack, providers="cpu", threads=threads).embed_batch, samples, pack.input)


def _pack_samples(pack, data_dir) -> tuple[list, list]:
    """(all word samples with a pack label, same before the pack's label filter) -- the second is what
    ``pack_eval`` counts signers per label on."""
    samples = D.load_words(data_dir)
    index = set(pack.label_ids)
    return [s for s in samples if s.label in index], samples


def measure(run_dir, data_dir, threads: int = 2, alphas=ALPHAS, log=print) -> dict:
    """Score every variant on the held-out signers of ``run_dir`` (labels from its training signers)."""
    from ..model.pack import load_pack

    pack = load_pack(Path(run_dir) / "pack")
    train_signers = set(pack.provenance.get("train_signers", []))
    if not train_signers:
        raise SystemExit(f"{run_dir}/pack records no train_signers")
    known, everything = _pack_samples(pack, data_dir)
    index = {l: i for i, l in enumerate(pack.label_ids)}
    train = [s for s in known if s.signer in train_signers]
    test = [s for s in known if s.signer not in train_signers]
    log(f"{len(train)} training clips ({len(train_signers)} signers), {len(test)} held-out clips "
        f"({len({s.signer for s in test})} signers); embedding with {pack.encoder_file}")
    e_tr, e_te = _embed(pack, train, threads), _embed(pack, test, threads)
    y_tr = np.array([index[s.label] for s in train])
    s_tr = np.array([s.signer for s in train])
    y_te = np.array([index[s.label] for s in test])
    s_te = np.array([s.signer for s in test])
    n = D.signers_per_label(everything)
    focus_ids = sorted(l for l, c in n.items() if c >= FOCUS_MIN_SIGNERS and l in index)
    cand = np.array([index[l] for l in focus_ids])
    rows = {}
    cands = variants(pack.label_embeddings, e_tr, y_tr, s_tr, alphas)
    for name, le in cands.items():
        full = retrieval(e_te, y_te, le, pack.label_ids)
        foc = retrieval(e_te, y_te, le, pack.label_ids, cand)
        rows[name] = {"top1": full["top1"], "balanced_top1": full["balanced_top1"],
                      f"labels_with_{FOCUS_MIN_SIGNERS}plus_signers_top1": foc["top1"]}
        log(f"{name:24s} top-1 {full['top1']:.3f}  balanced {full['balanced_top1']:.3f}  "
            f"{len(cand)} words with >= {FOCUS_MIN_SIGNERS} signers {foc['top1']:.3f}")
    fk = f"labels_with_{FOCUS_MIN_SIGNERS}plus_signers_top1"
    best = max(rows, key=lambda k: (rows[k]["top1"] + rows[k][fk], rows[k]["top1"]))
    labels = pack.labels
    focus = {f"labels_with_{FOCUS_MIN_SIGNERS}plus_signers": focus_ids}
    reports = {}
    for name in dict.fromkeys(["text", best]):
        reports[name] = report(e_te, y_te, s_te, cands[name], pack.label_ids, [l.text for l in labels],
                               [l.language for l in labels], focus)
    base, new = rows["text"], rows[best]
    better = (new["top1"] - base["top1"] >= 0.02) and (new[fk] - base[fk] >= 0.02)
    c = reports[best]["calibration"]
    log(f"best: {best}: top-1 {base['top1']:.3f} -> {new['top1']:.3f}, {fk} {base[fk]:.3f} -> {new[fk]:.3f}; "
        f"refitted temperature {c['temperature']:.4f} (NLL {c['nll']:.3f}), sure {c['sure_margin']}, "
        f"maybe {c['maybe_margin']}; clearly better (>= +0.02 on both): {better}")
    return {"run": str(run_dir), "data": str(data_dir), "train_clips": len(train), "train_signers": len(train_signers),
            "heldout_clips": len(test), "heldout_signers": sorted({s.signer for s in test}),
            "focus_labels": focus_ids, "variants": rows, "best": best, "clearly_better": better,
            "reports": reports}


def apply(result: dict, dest, data_dir, final_run=None, threads: int = 2, log=print) -> Path:
    """Write ``result['best']`` into the pack at ``dest``: label embeddings from every signer's clips
    through the encoder of ``dest`` (which must be ``final_run``'s, when given), calibration from
    the held-out refit."""
    from ..model.pack import load_pack

    dest = Path(dest)
    pack = load_pack(dest)
    if final_run is not None:
        src = Path(final_run) / "pack" / "encoder.onnx"
        if src.read_bytes() != pack.encoder_file.read_bytes():
            raise SystemExit(f"{dest} does not ship the encoder of {final_run}")
    known, _ = _pack_samples(pack, data_dir)
    index = {l: i for i, l in enumerate(pack.label_ids)}
    log(f"applying {result['best']} to {dest}: {len(known)} clips of {len({s.signer for s in known})} signers")
    emb = _embed(pack, known, threads)
    le = recipe(result["best"], _text_embeddings(pack), emb, np.array([index[s.label] for s in known]),
                np.array([s.signer for s in known]))
    np.savez(dest / "labels.npz", embeddings=le.astype(np.float32), labels=np.array(pack.label_ids))
    m = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    c = result["reports"][result["best"]]["calibration"]
    m["calibration"] = {"temperature": c["temperature"], "sure_margin": c["sure_margin"],
                        "maybe_margin": c["maybe_margin"]}
    m.setdefault("provenance", {})["label_embeddings"] = {
        "recipe": result["best"], "clips": len(known), "signers": len({s.signer for s in known}),
        "text_labels": "labels_text.npz"}
    (dest / "manifest.json").write_text(json.dumps(m, indent=2, ensure_ascii=False), encoding="utf-8")
    load_pack(dest)  # still a valid pack
    return dest


def _text_embeddings(pack) -> np.ndarray:
    """The pack's text label embeddings: kept in ``labels_text.npz`` once a recipe has been applied
    (so re-applying starts from text again), else the current ``labels.npz``."""
    p = Path(pack.path) / "labels_text.npz"
    if not p.exists():
        np.savez(p, embeddings=pack.label_embeddings.astype(np.float32), labels=np.array(pack.label_ids))
    with np.load(p, allow_pickle=False) as z:
        if [str(x) for x in z["labels"]] != pack.label_ids:
            raise SystemExit(f"{p} does not match the pack's labels")
        return _normalise(z["embeddings"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="held-out run folder (with pack/ recording train_signers)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the measurements here")
    ap.add_argument("--apply-to", help="pack folder to rewrite with the best recipe if it is clearly better")
    ap.add_argument("--final-run", help="run whose encoder the --apply-to pack ships (checked)")
    ap.add_argument("--force", action="store_true", help="apply even if not clearly better")
    a = ap.parse_args(argv)
    r = measure(a.run, a.data, a.threads)
    if a.json:
        Path(a.json).write_text(json.dumps(r, indent=2, default=_jd), encoding="utf-8")
    if a.apply_to:
        if r["clearly_better"] or a.force:
            print(apply(r, a.apply_to, a.data, a.final_run, a.threads))
        else:
            print(f"not applied: {r['best']} is not >= +0.02 better on both numbers")
    return 0


def _jd(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


if __name__ == "__main__":
    raise SystemExit(main())
