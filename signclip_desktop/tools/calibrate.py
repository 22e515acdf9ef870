"""Calibrate the grading score on signer-disjoint splits of the shared data and print pass rates.

    python -m signclip_desktop.tools.calibrate --data ../shared/data --pack PACK [--write]

Only signers the pack's encoder never saw are graded: its held-out signers
(``provenance.heldout_signers``; use a pack trained with held-out signers). References are
medoid motions of the *other* signers (``references.derive``), so reference and attempt never
share a signer. One logistic score model per variant (DTW only / + encoder similarity / + the
pack's own label) is fitted and its pass mark (50) placed so that ``--target-false`` of the
different-sign attempts pass. The printed pass rates are cross-validated by signer (fit on
the other folds' signers, grade this fold's); ``--write`` then fits on all held-out signers.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from collections import defaultdict

import numpy as np

from ..practice.grading import VARIANTS, Calibration, align, dominant_slot_motion, feature_values, label_features, \
    motion_from_frames

_STATE: dict = {}


def _pair_rows(task):
    """One attempt (both orientations) against the references of some words -> feature rows."""
    ai, targets = task
    cal: Calibration = _STATE["cal"]
    att = _STATE["motions"][ai]
    label_emb, label_index = _STATE["label_emb"], _STATE["label_index"]
    rows = []
    for word, same in targets:
        for ri in _STATE["refs_by_word"][word]:
            if _STATE["signer"][ri] == _STATE["signer"][ai]:
                continue
            ref = _STATE["motions"][ri][0]
            dom = dominant_slot_motion(ref)
            for o in (0, 1):
                a = att[o]
                al = align(ref, a, dom, cal.scales)
                sim = None if ref.embedding is None else float(np.dot(ref.embedding, a.embedding))
                lab = None
                if sim is not None and word in label_index:
                    lab = label_features(a.embedding, label_emb, label_index[word])
                vals = feature_values(sim, al, cal, lab)
                rows.append((ai, word, int(same), ri, o, vals, al.part_costs, al.timing_cost))
    return rows


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 50) -> tuple[np.ndarray, float]:
    """Class-balanced L2 logistic regression (Newton steps); (w, b) in raw feature units."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mu) / sd
    zb = np.hstack([z, np.ones((len(z), 1))])
    sw = np.where(y > 0, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    beta = np.zeros(zb.shape[1])
    reg = l2 * np.diag(np.r_[np.ones(len(beta) - 1), 0])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(zb @ beta, -40, 40)))
        g = zb.T @ (sw * (p - y)) / len(y) + reg @ beta
        h = (zb * (sw * p * (1 - p))[:, None]).T @ zb / len(y) + reg
        step = np.linalg.solve(h + 1e-9 * np.eye(len(beta)), g)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    w = beta[:-1] / sd
    return w, float(beta[-1] - (beta[:-1] * mu / sd).sum())


def _prob(model: dict, vals: dict) -> float:
    z = model["bias"] + sum(w * vals.get(f, 0.0) for f, w in model["weights"].items())
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def best_scores(rows, model: dict, variant: str):
    """max over references and orientations of the probability, per (attempt, word)."""
    best, same = defaultdict(float), {}
    for ai, word, s, ri, o, vals, *_ in rows:
        if variant == "encoder_label" and "label_sim" not in vals:
            continue
        p = _prob(model, vals)
        if p > best[(ai, word)]:
            best[(ai, word)] = p
        same[(ai, word)] = s
    keys = sorted(best)
    return np.array([best[k] for k in keys]), np.array([same[k] for k in keys]), keys


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--pack", help="words pack (encoder terms); without it DTW only")
    ap.add_argument("--per-signer", type=int, default=6, help="repetitions per (word, signer) loaded")
    ap.add_argument("--attempts", type=int, default=3, help="attempts per (word, signer) graded")
    ap.add_argument("--others", type=int, default=12, help="different words each attempt is graded against")
    ap.add_argument("--k", type=int, default=6, help="references per word")
    ap.add_argument("--target-false", type=float, default=0.015, help="different-sign pass rate on calibration signers")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-embedding", action="store_true", help="ignore the encoder (DTW only)")
    ap.add_argument("--write", action="store_true", help="write resources/grading_calibration.json")
    ap.add_argument("--use-stored", action="store_true",
                    help="no fitting: report the pass rates of the stored calibration (what the app uses)")
    ap.add_argument("--folds", type=int, default=4, help="signer folds of the held-out signers (cross-validation)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--adopt-for", metavar="PACK",
                    help="no fitting: record that the stored calibration (fitted with a held-out run's encoder) is "
                         "used for PACK's encoder, retrained with the same recipe on all signers")
    a = ap.parse_args(argv)
    if a.adopt_for:
        return _adopt(a.adopt_for)
    t0 = time.time()
    from ..stream.clip import embed_clips
    from .evaldata import load_word_clips, pack_heldout_signers, pack_is_signer_disjoint, signer_folds
    from .references import derive

    pack = enc = None
    vocab = None
    if a.pack:
        from ..model.encoder import Encoder
        from ..model.pack import load_pack

        pack = load_pack(a.pack)
        vocab = set(pack.label_ids)
        if not a.no_embedding:
            enc = Encoder(pack, "auto")
    clips = load_word_clips(a.data, per_signer=a.per_signer, vocab=vocab)
    if pack is not None:
        held = set(pack_heldout_signers(pack, a.data))
        if enc is not None and not pack_is_signer_disjoint(pack):
            print("[calibrate] WARNING: this pack was trained on every signer, so the encoder terms are not "
                  "signer-disjoint; use a pack trained with held-out signers")
    else:
        from ..training.data import heldout_signers, keep_labels_with_signers, load_words

        held = set(heldout_signers(keep_labels_with_signers(load_words(a.data), 2)))
    cal = Calibration.load()
    flat = [c for v in clips.values() for c in v]
    index = {id(c): i for i, c in enumerate(flat)}
    emb = [None, None]
    if enc is not None:
        emb = [embed_clips(enc, pack, [(c.frames, c.fps) for c in flat], mirrored=m) for m in (False, True)]
    motions = []
    for i, c in enumerate(flat):
        pair = []
        for o in (0, 1):
            m = motion_from_frames(c.frames, c.fps, mirrored=bool(o), trim_clip=False,
                                   embedding=None if emb[o] is None else emb[o][i])
            m.frames = None
            pair.append(m)
        motions.append(pair)
    print(f"[calibrate] {len(flat)} clips, {len(clips)} (word, signer) groups, {len(held)} held-out signers, "
          f"{time.time() - t0:.0f}s", flush=True)
    train_groups = {k: v for k, v in clips.items() if k[1] not in held}
    refset = derive({k: [(c.frames, c.fps) for c in v] for k, v in train_groups.items()}, k=a.k, scales=cal.scales)
    by_arr = {id(c.frames): index[id(c)] for c in flat}
    refs_by_word = defaultdict(list)
    for r in refset.refs:
        refs_by_word[r.word].append(by_arr[id(r.frames)])
    words = sorted(refs_by_word)
    print(f"[calibrate] {len(refset.refs)} references for {len(words)} words, {time.time() - t0:.0f}s", flush=True)
    rng = np.random.default_rng(0)
    tasks = []
    for (word, signer), v in sorted(clips.items()):
        if word not in refs_by_word or signer not in held:
            continue  # only signers the encoder never saw are graded (fitting and testing)
        pick = np.linspace(0, len(v) - 1, min(a.attempts, len(v))).round().astype(int)
        for p in sorted(set(pick.tolist())):
            ai = index[id(v[p])]
            others = [w for w in words if w != word]
            others = list(rng.choice(others, size=min(a.others, len(others)), replace=False))
            tasks.append((ai, [(word, True)] + [(w, False) for w in others]))
    _STATE.update(cal=cal, motions=motions, refs_by_word=refs_by_word, signer=[c.signer for c in flat],
                  label_emb=pack.label_embeddings if (pack is not None and enc is not None) else None,
                  label_index={l: i for i, l in enumerate(pack.label_ids)} if (pack is not None and enc is not None) else {})
    if a.jobs > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(a.jobs) as pool:
            parts = pool.map(_pair_rows, tasks, chunksize=4)
    else:
        parts = [_pair_rows(t) for t in tasks]
    rows = [r for p in parts for r in p]
    print(f"[calibrate] {len(tasks)} attempts by {len({flat[t[0]].signer for t in tasks})} held-out signers, "
          f"{len(rows)} comparisons, {time.time() - t0:.0f}s", flush=True)
    variants = ["dtw"] + (["encoder", "encoder_label"] if enc is not None else [])
    signer_of = lambda r: flat[r[0]].signer  # noqa: E731

    def fit(rs_all, variant):
        best = {}  # per (attempt, reference) the orientation with the lower DTW total
        for r in rs_all:
            k = (r[0], r[3])
            if k not in best or r[5]["total"] < best[k][5]["total"]:
                best[k] = r
        feats = VARIANTS[variant]
        rs = [r for r in best.values() if variant != "encoder_label" or "label_sim" in r[5]]
        X = np.array([[r[5].get(f, 0.0) for f in feats] for r in rs])
        y = np.array([r[2] for r in rs], float)
        w, b = fit_logistic(X, y)
        model = {"bias": b, "weights": {f: float(x) for f, x in zip(feats, w)}}
        sc, same, _ = best_scores(rs_all, model, variant)
        q = float(np.quantile(sc[same == 0], 1 - a.target_false))
        q = min(max(q, 1e-12), 1 - 1e-12)
        model["bias"] = float(b - math.log(q / (1 - q)))  # the (1 - target) quantile of negatives -> 50
        return model

    def rates(sc, same, keys):
        return {"attempts": int((same == 1).sum()), "different_pairs": int((same == 0).sum()),
                "same_sign_pass": float((sc[same == 1] >= 0.5).mean()) if (same == 1).any() else float("nan"),
                "different_sign_pass": float((sc[same == 0] >= 0.5).mean()) if (same == 0).any() else float("nan"),
                "signers": len({flat[ai].signer for ai, _ in keys}), "ranking": _ranking(sc, same, keys)}

    report = {}
    folds = [set(f) for f in signer_folds(sorted({signer_of(r) for r in rows}), a.folds)]
    for v in variants:
        # cross-validated by signer: fit on the other folds' signers, grade this fold's signers
        sc_all, same_all, keys_all = [], [], []
        for f in folds:
            model = fit([r for r in rows if signer_of(r) not in f], v)
            sc, same, keys = best_scores([r for r in rows if signer_of(r) in f], model, v)
            sc_all.append(sc)
            same_all.append(same)
            keys_all += keys
        report[f"held-out signers, {a.folds}-fold by signer / {v}"] = rates(np.concatenate(sc_all),
                                                                           np.concatenate(same_all), keys_all)
        per_word = defaultdict(list)
        for (ai, word), sc_, sm in zip(keys_all, np.concatenate(sc_all), np.concatenate(same_all)):
            if sm:
                per_word[word].append(sc_ >= 0.5)
        report[f"held-out signers, {a.folds}-fold by signer / {v}"]["per_word_same_sign_pass"] = {
            w: round(float(np.mean(x)), 3) for w, x in sorted(per_word.items())}
        if a.use_stored:
            sc, same, keys = best_scores(rows, cal.models[v], v)
            report[f"held-out signers, stored calibration (in-sample) / {v}"] = rates(sc, same, keys)
    models = dict(cal.models)
    if not a.use_stored:
        for v in variants:
            models[v] = fit(rows, v)
    best = {}
    for r in rows:
        k = (r[0], r[3])
        if r[2] == 1 and (k not in best or r[5]["total"] < best[k][5]["total"]):
            best[k] = r
    pos = list(best.values())
    good = {k: float(np.nanmedian([r[6][k] for r in pos])) for k in ("handshape", "location", "movement")}
    good["timing"] = float(np.median([r[7] for r in pos]))
    if a.use_stored:
        good = cal.part_good
        from ..practice.grading import pack_fingerprint

        if pack is not None and cal.pack_fingerprint and cal.pack_fingerprint != pack_fingerprint(pack):
            print(f"[calibrate] note: the stored calibration was fitted with another encoder ({cal.pack})")
    for k, v in report.items():
        print(f"{k:58s} same-sign pass {100 * v['same_sign_pass']:5.1f}% ({v['attempts']} attempts, "
              f"{v['signers']} signers)   different-sign pass {100 * v['different_sign_pass']:5.2f}% "
              f"({v['different_pairs']} pairs)   same > different {100 * v['ranking']:.1f}%")
    last = report.get(f"held-out signers, {a.folds}-fold by signer / {variants[-1]}", {}).get("per_word_same_sign_pass")
    if last:
        order = sorted(last.items(), key=lambda kv: kv[1])
        print(f"per word ({variants[-1]}), same-sign pass: " + ", ".join(f"{w} {100 * p:.0f}%" for w, p in order))
    print(f"part 'good' costs (score 70): {json.dumps({k: round(v, 3) for k, v in good.items()})}")
    print(f"[calibrate] done in {time.time() - t0:.0f}s")
    if a.json:
        print(json.dumps(report))
    if a.write and not a.use_stored:
        from ..practice.grading import pack_fingerprint

        new = Calibration(models=models, scales=cal.scales, part_good=good, pass_score=50.0,
                          pack=f"{pack.name}@{pack.version}" if pack else "",
                          pack_fingerprint=pack_fingerprint(pack) if enc is not None else "",
                          notes={"heldout_signers": len(held), "references_per_word": a.k,
                                 "target_false_pass": a.target_false, "fitted_on": "held-out signers (all folds)",
                                 "report": report})
        new.save()
        print("wrote resources/grading_calibration.json")
    return 0


def _ranking(s, same, keys) -> float:
    """Fraction of (same-sign, different-sign) score pairs of one attempt ranked right."""
    by = defaultdict(lambda: ([], []))
    for (ai, _w), v, sm in zip(keys, s, same):
        by[ai][0 if sm else 1].append(v)
    win = tot = 0
    for pos, neg in by.values():
        for p in pos:
            for n in neg:
                win += p > n
                tot += 1
    return win / tot if tot else float("nan")



def _adopt(pack_path: str) -> int:
    from ..model.pack import load_pack
    from ..practice.grading import Calibration, pack_fingerprint

    cal = Calibration.load()
    pack = load_pack(pack_path)
    fp = pack_fingerprint(pack)
    if fp == cal.pack_fingerprint:
        print("[calibrate] the stored calibration was fitted with this very encoder; nothing to adopt")
        return 0
    prov = pack.provenance
    why = (f"{pack.name}@{pack.version} ({fp}): retrained on all signers ({prov.get('config', '?')}, "
           f"config {prov.get('config_hash', '?')}); the calibration was fitted with encoder {cal.pack_fingerprint} "
           f"of the held-out run, on its {cal.notes.get('heldout_signers', '?')} unseen signers")
    cal.adopted_for[fp] = why
    cal.save()
    print(f"[calibrate] adopted: {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
