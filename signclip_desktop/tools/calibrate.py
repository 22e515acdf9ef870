"""Calibrate the grading score by signer-disjoint cross-validation on the shared data; print the table.

    python -m signclip_desktop.tools.calibrate --data ../shared/data --pack PACK [--write]

Only signers the pack's encoder never saw make attempts: its held-out signers
(``provenance.heldout_signers``; use a pack trained with held-out signers). Everything the
grader may know about a target word comes from the *other* signers: reference motions
(``references.derive`` medoids) for the parts, and the bank of all their recordings'
embeddings (``grading.SignBank``) for the score. Each attempt is graded as its own word and
as ``--others`` different words, through the same verdict the app uses (not graded when the
signing hand is not seen, near-zero parts cap the total). One logistic model per variant
(DTW only / + bank evidence / + the pack's label), a per-word offset that puts every word's
pass mark at the same different-sign pass rate, and the global pass mark at ``--target-false``.
Pass rates, ROC AUC and the per-word table are cross-validated by signer fold (fit on the
other folds' signers). ``--write`` fits on all held-out signers and writes
``resources/grading_calibration.json``; ``--bank-for PACK`` writes ``resources/grading_bank.npz``
(PACK's embeddings of every recording of its words) for the app.
"""
from __future__ import annotations

import argparse
import json
import math
import pickle
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from .evaldata import signer_folds
from ..practice.grading import (
    VARIANTS,
    Calibration,
    SignBank,
    align,
    dominant_slot_motion,
    embedding_features,
    feature_values,
    label_features,
    motion_from_frames,
)
from ..practice.grading.parts import part_scores
from ..practice.grading.verdict import CAP_BELOW_PASS, NEAR_ZERO, hand_seen_enough

_STATE: dict = {}


def _pair_rows(task):
    """One attempt (both orientations) against some target words -> feature rows."""
    ai, targets = task
    cal: Calibration = _STATE["cal"]
    bank: SignBank | None = _STATE["bank"]
    label_emb, label_index = _STATE["label_emb"], _STATE["label_index"]
    rows = []
    for o in (0, 1):
        a = _STATE["motions"][ai][o]
        for word, same in targets:
            best = None
            for ri in _STATE["refs_by_word"][word]:
                ref = _STATE["motions"][ri][0]
                dom = dominant_slot_motion(ref)
                al = align(ref, a, dom, cal.scales)
                if best is None or al.total < best[1].total:
                    best = (ref, al, dom)
            ref, al, dom = best
            emb = lab = None
            if bank is not None and a.embedding is not None:
                emb = embedding_features(a.embedding, word, bank)
                if word in label_index:
                    lab = label_features(a.embedding, label_emb, label_index[word])
            vals = feature_values(al, cal, emb, lab)
            rows.append((ai, word, int(same), o, vals, dict(al.part_costs), al.timing_cost,
                         hand_seen_enough(ref, a, dom)))
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


def _logit(p):
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def _z(model: dict, vals: dict, word: str | None = None) -> float:
    z = model["bias"] + sum(w * vals.get(f, 0.0) for f, w in model["weights"].items())
    return z + (model.get("word_bias", {}).get(word, 0.0) if word is not None else 0.0)


def verdicts(rows, model: dict, variant: str, cal: Calibration) -> dict:
    """Per (attempt, word): the app's verdict -> (score or None, same). Max over the orientations
    in which the signing hand is seen; a near-zero part caps the score."""
    by = defaultdict(list)
    for r in rows:
        by[(r[0], r[1])].append(r)
    out = {}
    for key, rs in by.items():
        seen = [r for r in rs if r[7]]
        if not seen:
            out[key] = (None, rs[0][2])  # not graded
            continue
        best = max(seen, key=lambda r: _z(model, r[4], key[1]))
        score = 100.0 / (1.0 + math.exp(-max(-40.0, min(40.0, _z(model, best[4], key[1])))))
        parts = part_scores(best[5], best[6], cal)
        if any(np.isfinite(v) and v < NEAR_ZERO for v in parts.values()):
            score = min(score, cal.pass_score - CAP_BELOW_PASS)
        out[key] = (score, best[2])
    return out


def fit_variant(rows, variant: str, cal: Calibration, target_false: float, word_shrink: float = 30.0,
                word_q: float = 0.9) -> dict:
    feats = VARIANTS[variant]
    best = {}  # per (attempt, word) the orientation with the lower DTW total
    for r in rows:
        k = (r[0], r[1])
        if r[7] and (k not in best or r[4]["total"] < best[k][4]["total"]):
            best[k] = r
    rs = [r for r in best.values() if variant != "encoder_label" or "label_sim" in r[4]]
    X = np.array([[r[4].get(f, 0.0) for f in feats] for r in rs])
    y = np.array([r[2] for r in rs], float)
    w, b = fit_logistic(X, y)
    model = {"bias": b, "weights": {f: float(x) for f, x in zip(feats, w)}}
    if variant != "dtw":
        # per word: shift so that its different-sign attempts sit like everyone else's (shrunk to 0
        # for words with few of them): the pass mark then means the same for every word
        neg = defaultdict(list)
        for r in rs:
            if not r[2]:
                neg[r[1]].append(_z(model, r[4]))
        allz = np.concatenate([v for v in neg.values()]) if neg else np.zeros(1)
        q = float(np.quantile(allz, word_q))
        model["word_bias"] = {wd: float(-(np.quantile(v, word_q) - q) * len(v) / (len(v) + word_shrink))
                              for wd, v in sorted(neg.items())}
    for _ in range(2):  # the pass mark: --target-false of the different-sign verdicts pass
        v = verdicts(rows, model, variant, cal)
        negs = np.array([_logit(s / 100.0) for s, same in v.values() if s is not None and not same])
        if len(negs):
            model["bias"] -= float(np.quantile(negs, 1 - target_false))
    return model


def part_good_from(rows) -> dict:
    """Typical part costs of correct attempts (a part scores 70 there): medians over same-sign rows."""
    best = {}
    for r in rows:
        k = (r[0], r[1])
        if r[2] == 1 and r[7] and (k not in best or r[4]["total"] < best[k][4]["total"]):
            best[k] = r
    pos = list(best.values())
    good = {k: float(np.nanmedian([r[5][k] for r in pos])) for k in ("handshape", "location", "movement")}
    good["timing"] = float(np.median([r[6] for r in pos]))
    return good


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC (Mann-Whitney, ties count half)."""
    if not len(pos) or not len(neg):
        return float("nan")
    allv = np.concatenate([pos, neg])
    order = allv.argsort(kind="mergesort")
    ranks = np.empty(len(allv))
    sv = allv[order]
    i = 0
    while i < len(sv):
        j = i
        while j + 1 < len(sv) and sv[j + 1] == sv[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def summarise(v: dict, signer_of, pass_score: float) -> dict:
    """Rates over verdicts {(ai, word): (score|None, same)}; not graded counts as not passed."""
    keys = sorted(v)
    sc = np.array([-1.0 if v[k][0] is None else v[k][0] for k in keys])
    same = np.array([v[k][1] for k in keys])
    ok = sc >= pass_score
    rep = {"attempts": int(same.sum()), "different_pairs": int((1 - same).sum()),
           "signers": len({signer_of(k[0]) for k in keys}),
           "not_graded": int(sum(v[k][0] is None for k in keys if v[k][1])),
           "same_sign_pass": float(ok[same == 1].mean()) if same.any() else float("nan"),
           "different_sign_pass": float(ok[same == 0].mean()) if (same == 0).any() else float("nan"),
           "auc": auc(sc[same == 1], sc[same == 0]), "ranking": _ranking(sc, same, keys)}
    per = defaultdict(lambda: [[], []])
    for k, s_, sm, o in zip(keys, sc, same, ok):
        per[k[1]][0 if sm else 1].append((s_, o))
    rep["per_word"] = {w: {"attempts": len(p), "same_sign_pass": round(float(np.mean([o for _, o in p])), 3) if p else None,
                           "different_pairs": len(n),
                           "different_sign_pass": round(float(np.mean([o for _, o in n])), 3) if n else None,
                           "auc": round(auc(np.array([s for s, _ in p]), np.array([s for s, _ in n])), 3)}
                       for w, (p, n) in sorted(per.items())}
    return rep


def print_report(name: str, r: dict, table: bool) -> None:
    print(f"{name:44s} same-sign pass {100 * r['same_sign_pass']:5.1f}% ({r['attempts']} attempts, {r['signers']} "
          f"signers, {r['not_graded']} not graded)   different-sign pass {100 * r['different_sign_pass']:5.2f}% "
          f"({r['different_pairs']} pairs)   AUC {r['auc']:.3f}   same > different {100 * r['ranking']:.1f}%")
    if table:
        print(f"  {'word':16s} {'attempts':>8s} {'same pass':>10s} {'diff pairs':>10s} {'diff pass':>10s} {'AUC':>6s}")
        for w, p in sorted(r["per_word"].items(), key=lambda kv: (kv[1]["same_sign_pass"] or 0, kv[0])):
            sp = "-" if p["same_sign_pass"] is None else f"{100 * p['same_sign_pass']:.0f}%"
            dp = "-" if p["different_sign_pass"] is None else f"{100 * p['different_sign_pass']:.1f}%"
            print(f"  {w:16s} {p['attempts']:8d} {sp:>10s} {p['different_pairs']:10d} {dp:>10s} {p['auc']:6.3f}")


def _rows(a, pack, enc, cal):
    """Feature rows of every graded (attempt, word) pair, and who signed each clip."""
    from ..stream.clip import embed_clips
    from .evaldata import load_word_clips, pack_heldout_signers, pack_is_signer_disjoint
    from .references import derive

    t0 = time.time()
    vocab = set(pack.label_ids) if pack is not None else None
    clips = load_word_clips(a.data, per_signer=a.per_signer, vocab=vocab)
    if pack is not None:
        held = set(pack_heldout_signers(pack, a.data))
        if enc is not None and not pack_is_signer_disjoint(pack):
            print("[calibrate] WARNING: this pack was trained on every signer, so the encoder terms are not "
                  "signer-disjoint; use a pack trained with held-out signers")
    else:
        from ..training.data import (
            heldout_signers,
            keep_labels_with_signers,
            load_words,
        )

        held = set(heldout_signers(keep_labels_with_signers(load_words(a.data), 2)))
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
    train = [i for i, c in enumerate(flat) if c.signer not in held]
    print(f"[calibrate] {len(flat)} clips, {len(clips)} (word, signer) groups, {len(held)} held-out signers, "
          f"{time.time() - t0:.0f}s", flush=True)
    train_groups = {k: v for k, v in clips.items() if k[1] not in held}
    refset = derive({k: [(c.frames, c.fps) for c in v] for k, v in train_groups.items()}, k=a.k, scales=cal.scales,
                    body_first=not a.hands_only_references)
    by_arr = {id(c.frames): index[id(c)] for c in flat}
    refs_by_word = defaultdict(list)
    for r in refset.refs:
        refs_by_word[r.word].append(by_arr[id(r.frames)])
    words = sorted(refs_by_word)
    bank = None
    if enc is not None:  # every recording of the other (training) signers
        bank = SignBank(emb[0][train], np.array([flat[i].word for i in train]), np.array([flat[i].signer for i in train]))
    print(f"[calibrate] {len(refset.refs)} references for {len(words)} words, bank of "
          f"{0 if bank is None else len(bank)} recordings, {time.time() - t0:.0f}s", flush=True)
    rng = np.random.default_rng(0)
    tasks = []
    for (word, signer), v in sorted(clips.items()):
        if word not in refs_by_word or signer not in held:
            continue  # only signers the encoder never saw are graded (fitting and testing)
        pick = np.linspace(0, len(v) - 1, min(a.attempts, len(v))).round().astype(int)
        for p in sorted(set(pick.tolist())):
            others = [w for w in words if w != word]
            others = list(rng.choice(others, size=min(a.others, len(others)), replace=False))
            tasks.append((index[id(v[p])], [(word, True)] + [(w, False) for w in others]))
    _STATE.update(cal=cal, motions=motions, refs_by_word=refs_by_word, bank=bank,
                  label_emb=pack.label_embeddings if enc is not None else None,
                  label_index={l: i for i, l in enumerate(pack.label_ids)} if enc is not None else {})
    from ..progress import Progress

    rows = []
    with Progress(len(tasks), "[calibrate] grading attempts") as prog:
        if a.jobs > 1:
            import multiprocessing as mp

            with mp.get_context("fork").Pool(a.jobs) as pool:
                for part in pool.imap(_pair_rows, tasks, chunksize=4):
                    rows += part
                    prog.update()
        else:
            for t in tasks:
                rows += _pair_rows(t)
                prog.update()
    signer = [c.signer for c in flat]
    print(f"[calibrate] {len(tasks)} attempts by {len({signer[t[0]] for t in tasks})} held-out signers, "
          f"{len(rows)} comparisons, {time.time() - t0:.0f}s", flush=True)
    return rows, signer, len(held)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="shared data folder (with words/)")
    ap.add_argument("--pack", help="words pack trained with held-out signers (encoder terms); without it DTW only")
    ap.add_argument("--per-signer", type=int, default=6, help="repetitions per (word, signer) loaded")
    ap.add_argument("--attempts", type=int, default=4, help="attempts per (word, signer) graded")
    ap.add_argument("--others", type=int, default=20, help="different words each attempt is graded as")
    ap.add_argument("--k", type=int, default=6, help="reference motions per word (for the parts)")
    ap.add_argument("--hands-only-references", action="store_true",
                    help="references as derived before 2026-12-07: a hands-only recording may be one where others show a body")
    ap.add_argument("--target-false", type=float, default=0.015, help="different-sign pass rate the pass mark is set at")
    ap.add_argument("--word-shrink", type=float, default=30.0,
                    help="per-word offsets are shrunk to 0 by n / (n + this) (n: the word's different-sign pairs); "
                         "a huge value turns them off")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-embedding", action="store_true", help="ignore the encoder (DTW only)")
    ap.add_argument("--write", action="store_true", help="write resources/grading_calibration.json")
    ap.add_argument("--use-stored", action="store_true",
                    help="no fitting: report the pass rates of the stored calibration (what the app uses)")
    ap.add_argument("--folds", type=int, default=4, help="signer folds of the held-out signers (cross-validation)")
    ap.add_argument("--cache", help="feature rows are kept in this file and reused when it exists")
    ap.add_argument("--table", action="store_true", help="print the per-word table")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--adopt-for", metavar="PACK",
                    help="no fitting: record that the stored calibration (fitted with a held-out run's encoder) is "
                         "used for PACK's encoder, retrained with the same recipe on all signers")
    ap.add_argument("--bank-for", metavar="PACK",
                    help="no fitting: write resources/grading_bank.npz, PACK's embeddings of every recording of "
                         "its words in --data (what the app grades against)")
    a = ap.parse_args(argv)
    if a.adopt_for:
        return _adopt(a.adopt_for)
    if not a.data:
        ap.error("--data is required")
    if a.bank_for:
        return _write_bank(a.bank_for, a.data, a.per_signer)
    t0 = time.time()
    pack = enc = None
    if a.pack:
        from ..model.encoder import Encoder
        from ..model.pack import load_pack

        pack = load_pack(a.pack)
        if not a.no_embedding:
            enc = Encoder(pack, "auto")
    cal = Calibration.load()
    if a.cache and Path(a.cache).is_file():
        rows, signer, n_held = pickle.loads(Path(a.cache).read_bytes())
        print(f"[calibrate] {len(rows)} comparisons from {a.cache}")
    else:
        rows, signer, n_held = _rows(a, pack, enc, cal)
        if a.cache:
            Path(a.cache).write_bytes(pickle.dumps((rows, signer, n_held)))
    variants = ["dtw"] + (["encoder", "encoder_label"] if enc is not None else [])
    signer_of = lambda ai: signer[ai]
    report = {}
    folds = [set(f) for f in signer_folds(sorted({signer[r[0]] for r in rows}), a.folds)]
    for v in variants:
        allv = {}
        for f in folds:  # fit on the other folds' signers, grade this fold's signers
            test = [r for r in rows if signer[r[0]] in f]
            train = [r for r in rows if signer[r[0]] not in f]
            cal_f = cal if a.use_stored else replace(cal, part_good=part_good_from(train))
            if a.use_stored:
                model = cal.models[v]
            else:
                model = fit_variant(train, v, cal_f, a.target_false, word_shrink=a.word_shrink)
            allv.update(verdicts(test, model, v, cal_f))
        name = f"{'stored calibration' if a.use_stored else f'{a.folds}-fold by signer'} / {v}"
        report[name] = summarise(allv, signer_of, cal.pass_score)
        print_report(name, report[name], a.table and v == variants[-1])
    good = part_good_from(rows)
    print(f"part 'good' costs (score 70): {json.dumps({k: round(v, 3) for k, v in good.items()})}")
    print(f"[calibrate] done in {time.time() - t0:.0f}s")
    if a.json:
        print(json.dumps(report))
    if a.write and not a.use_stored:
        from ..practice.grading import pack_fingerprint

        models = dict(cal.models)
        cal_all = replace(cal, part_good=good)
        for v in variants:
            models[v] = fit_variant(rows, v, cal_all, a.target_false, word_shrink=a.word_shrink)
        new = Calibration(models=models, scales=cal.scales, part_good=good, pass_score=50.0,
                          pack=f"{pack.name}@{pack.version}" if pack else "",
                          pack_fingerprint=pack_fingerprint(pack) if enc is not None else "",
                          notes={"heldout_signers": n_held, "references_per_word": a.k,
                                 "target_false_pass": a.target_false, "word_shrink": a.word_shrink,
                                 "fitted_on": "held-out signers (all folds)", "report": report})
        new.save()
        print("wrote resources/grading_calibration.json")
    return 0


def _write_bank(pack_path: str, data, per_signer: int) -> int:
    from ..model.encoder import Encoder
    from ..model.pack import load_pack
    from ..stream.clip import embed_clips
    from .evaldata import load_word_clips
    from ..practice.grading import pack_fingerprint
    from ..practice.grading.grader import BANK_FILE

    pack = load_pack(pack_path)
    enc = Encoder(pack, "auto")
    clips = load_word_clips(data, per_signer=per_signer, vocab=set(pack.label_ids))
    flat = [c for v in clips.values() for c in v]
    emb = embed_clips(enc, pack, [(c.frames, c.fps) for c in flat])
    bank = SignBank(emb, np.array([c.word for c in flat]), np.array([c.signer for c in flat]))
    bank.save(BANK_FILE, pack=f"{pack.name}@{pack.version}", pack_fingerprint=pack_fingerprint(pack))
    print(f"[calibrate] bank: {len(bank)} recordings of {len(bank.names)} words by "
          f"{len(set(bank.signers))} signers, embedded with {pack.name}@{pack.version} -> {BANK_FILE}")
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
