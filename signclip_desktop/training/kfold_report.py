"""Pool the folds of a k-fold run (``kfold.py``) into numbers: mean and spread over folds, per-word
and per-signer tables, calibration, the open-set rule and few-shot with a signer's own examples.

With ``kfold.per_language`` (fingerspelling: the app judges letters within one alphabet) each clip is
also scored among the known labels of its own language only (``alpha_top1_*``, overall and per
language), and that score picks the pack's scoring."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from ..model.open_set import neighbour_scores
from . import openset as O
from .evaluate import fit_margins, fit_temperature
from .variants import _unit as unit_rows
from .variants import best_per_label, signer_variants

SHOTS = (0, 1, 2, 5)


def _ms(xs) -> dict:
    xs = [x for x in xs if x is not None]
    return {"mean": float(np.mean(xs)), "sd": float(np.std(xs, ddof=1)) if len(xs) > 1 else 0.0,
            "folds": [round(float(x), 4) for x in xs]} if xs else {"mean": None, "sd": None, "folds": []}


def _top1(sims, y, cols=None):
    if cols is not None:
        keep = np.isin(y, cols)
        if not keep.any():
            return None, keep
        s = sims[keep][:, cols]
        return float((np.asarray(cols)[s.argmax(axis=1)] == y[keep]).mean()), keep
    return float((sims.argmax(axis=1) == y).mean()), np.ones(len(y), bool)


def _alphabet_top1(sims, y, known: list[str], lang_of: dict) -> dict:
    """language -> (correct, clips): each clip ranked among the known labels of its own language."""
    langs = np.array([lang_of[k] for k in known])
    out = {}
    for lang in sorted({langs[i] for i in np.unique(y)}):
        cols = np.flatnonzero(langs == lang)
        keep = np.isin(y, cols)
        pred = cols[sims[keep][:, cols].argmax(axis=1)]
        out[lang] = (int((pred == y[keep]).sum()), int(keep.sum()))
    return out


def _alphabet_pred(sims, known: list[str], lang_of: dict, y) -> np.ndarray:
    """Per clip: the best label among its true label's language."""
    langs = np.array([lang_of[k] for k in known])
    pred = np.empty(len(y), np.int64)
    for i, t in enumerate(y):
        cols = np.flatnonzero(langs == langs[t])
        pred[i] = cols[sims[i, cols].argmax()]
    return pred


def few_shot(sims: np.ndarray, emb: np.ndarray, y: np.ndarray, signers: np.ndarray, seed: int = 0) -> dict:
    """Top-1 on a signer's clips when n of their own clips per sign (mean = a personal prototype)
    compete with the pack's rows; the same query clips (all but the first 5 of each sign) for every n."""
    rng = np.random.default_rng(seed)
    groups = defaultdict(list)
    for i, (s, lab) in enumerate(zip(signers, y)):
        groups[(s, int(lab))].append(i)
    shots, queries = {}, []
    for key, idx in groups.items():
        if len(idx) < max(SHOTS) + 1:
            continue
        idx = list(rng.permutation(idx))
        shots[key] = idx[:max(SHOTS)]
        queries += idx[max(SHOTS):]
    out = {}
    for n in SHOTS:
        correct = []
        for q in queries:
            s = sims[q].copy()
            if n:
                for (sg, lab), idx in shots.items():
                    if sg == signers[q]:
                        p = emb[idx[:n]].mean(axis=0)
                        s[lab] = max(s[lab], float(emb[q] @ p / max(np.linalg.norm(p), 1e-8)))
            correct.append(int(s.argmax()) == int(y[q]))
        out[n] = (int(np.sum(correct)), len(correct))
    return out


def _load_folds(out: Path, samples, k: int) -> list[dict]:
    folds = []
    for f in range(k):
        p = out / f"fold{f}.npz"
        if not p.exists():
            continue
        z = np.load(p, allow_pickle=False)
        known = [str(x) for x in z["known"]]
        ki = {l: i for i, l in enumerate(known)}
        test = [samples[i] for i in z["test_idx"]]
        vs = [samples[i] for i in z["variant_idx"]]
        var, vl = signer_variants(z["emb_variant"], [s.label for s in vs], [s.signer for s in vs], known)
        le = z["label_emb"]
        e = {"fold": f, "known": known, "ki": ki, "y": np.array([ki[s.label] for s in test]),
             "signers": np.array([s.signer for s in test]), "emb": z["emb_test"],
             "unseen_words": [str(x) for x in z["unseen_words"]], "seconds": float(z["seconds"])}
        e["sims"] = {"text": best_per_label(z["emb_test"], le), "variants": best_per_label(z["emb_test"], le, var, vl),
                     "variants_only": best_per_label(z["emb_test"], np.zeros_like(le), var, vl) if len(var) else best_per_label(z["emb_test"], le)}
        bank = unit_rows(z["emb_variant"])   # the fold's training clips: the app's bank is the pack's (unit on load)
        e["nn"] = tuple(neighbour_scores(unit_rows(z[k]), bank, O.NEIGHBOURS_K) if len(z[k]) and len(bank) else np.zeros(0)
                        for k in ("emb_test", "emb_unseen", "emb_letters"))
        e["neg"] = {}
        for name, rows, vv in (("text", le, None), ("variants", le, (var, vl))):
            a = vv or (None, None)
            e["neg"][name] = tuple(best_per_label(z[k], rows, *a) if len(z[k]) else np.zeros((0, len(known)))
                                   for k in ("emb_unseen", "emb_letters"))
        folds.append(e)
    return folds


def report(out: Path, samples, labels: list[str], cfg: dict, k: int) -> dict:
    n_signers = defaultdict(set)
    for s in samples:
        n_signers[s.label].add(s.signer)
    common = sorted(l for l in labels if len(n_signers[l]) >= int(cfg.get("kfold", {}).get("common_min_signers", 8)))
    lang_of = {s.label: s.language for s in samples} if cfg.get("kfold", {}).get("per_language") else None
    loaded = _load_folds(out, samples, k)
    folds = []
    for e in loaded:
        cols = [e["ki"][c] for c in common if c in e["ki"]]
        r = {"fold": e["fold"], "test_clips": len(e["y"]), "test_signers": len(set(e["signers"])), "known_words": len(e["known"]),
             "unseen_words": e["unseen_words"], "train_seconds": e["seconds"]}
        for name, sims in e["sims"].items():
            r[f"top1_{name}"] = _top1(sims, e["y"])[0]
            r[f"common_top1_{name}"] = _top1(sims, e["y"], cols)[0]
            if lang_of:
                per = _alphabet_top1(sims, e["y"], e["known"], lang_of)
                r[f"alpha_top1_{name}"] = sum(c for c, _ in per.values()) / max(1, sum(n for _, n in per.values()))
                r.update({f"alpha_top1_{name}@{lang}": c / n for lang, (c, n) in per.items()})
                r.update({f"alpha_clips@{lang}": n for lang, (c, n) in per.items()})
        folds.append(r)
    # the scoring the pack ships: signer variants only where they beat the text labels on unseen signers
    head = "alpha_top1" if lang_of else "top1"
    scoring = "variants" if np.mean([r[f"{head}_variants"] for r in folds]) > np.mean([r[f"{head}_text"] for r in folds]) else "text"
    per_word, per_signer = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    per_word_a, per_signer_a = defaultdict(int), defaultdict(int)
    pos_all, neg_all = defaultdict(list), defaultdict(list)
    shots_all = defaultdict(lambda: [0, 0])
    temps, margins, opens = [], [], []
    for e, r in zip(loaded, folds):
        sims, y, sg, known = e["sims"][scoring], e["y"], e["signers"], e["known"]
        pred = sims.argmax(axis=1)
        apred = _alphabet_pred(sims, known, lang_of, y) if lang_of else pred
        for lab, pr, ap, who in zip(y, pred, apred, sg):
            per_word[known[lab]][0] += int(pr == lab)
            per_word[known[lab]][1] += 1
            per_signer[who][0] += int(pr == lab)
            per_signer[who][1] += 1
            per_word_a[known[lab]] += int(ap == lab)
            per_signer_a[who] += int(ap == lab)
        t, _ = fit_temperature(sims, y)
        temps.append(t)
        margins.append(fit_margins(sims, y, t))
        neg_words, neg_letters = e["neg"][scoring]
        o = {}
        for m in O.MEASURES:
            ps, nw = O.scores(sims, m, t), O.scores(neg_words, m, t)
            nl = O.scores(neg_letters, m, t) if len(neg_letters) else np.zeros(0)
            pos_all[m].append(ps)
            neg_all[m].append(np.concatenate([nw, nl]))
            o[m] = (ps, nw, nl)
        if len(e["nn"][0]):
            o[O.NEIGHBOURS] = e["nn"]
            pos_all[O.NEIGHBOURS].append(e["nn"][0])
            neg_all[O.NEIGHBOURS].append(np.concatenate(e["nn"][1:]))
        opens.append(o)
        fs = few_shot(sims, e["emb"], y, sg, seed=e["fold"])
        for n, (c, tot) in fs.items():
            shots_all[n][0] += c
            shots_all[n][1] += tot
        r["few_shot"] = {n: c / tot if tot else None for n, (c, tot) in fs.items()}
    # open-set rule: the measure and threshold whose worse rate (known / unknown) is best, pooled (when there are negatives)
    open_set = None
    if any(len(n) for m in O.MEASURES for n in neg_all[m]):
        fits = {m: O.fit_threshold(np.concatenate(pos_all[m]), np.concatenate(neg_all[m]))
                for m in (*O.MEASURES, O.NEIGHBOURS) if pos_all[m] and len(np.concatenate(neg_all[m]))}
        measure = max(fits, key=lambda m: (fits[m]["worst"], fits[m]["balanced"]))
        thr = fits[measure]["threshold"]
        open_set = {"measure": measure, "threshold": thr, "fits": fits,
                    **({"k": O.NEIGHBOURS_K} if measure == O.NEIGHBOURS else {})}
    empty = (np.zeros(0),) * 3
    for i, (r, o) in enumerate(zip(folds, opens)):
        ps, nw, nl = o.get(measure, empty) if open_set else empty
        r["open_known_rate"] = float((ps >= thr).mean()) if len(ps) else None
        r["open_unknown_rate_words"] = float((nw < thr).mean()) if len(nw) else None
        r["open_unknown_rate_letters"] = float((nl < thr).mean()) if len(nl) else None
        # the honest figure: the threshold fitted on the other folds only
        rest = [j for j in range(len(opens)) if j != i and measure in opens[j]] if open_set else []
        if rest and len(ps):
            t_out = O.fit_threshold(np.concatenate([opens[j][measure][0] for j in rest]),
                                    np.concatenate([np.concatenate(opens[j][measure][1:]) for j in rest]))["threshold"]
            r["open_known_rate_lofo"] = float((ps >= t_out).mean())
            r["open_unknown_rate_lofo"] = float((np.concatenate([nw, nl]) < t_out).mean()) if len(nw) + len(nl) else None
    keys = ["top1_text", "top1_variants", "top1_variants_only", "common_top1_text", "common_top1_variants",
            "common_top1_variants_only", "open_known_rate", "open_unknown_rate_words", "open_unknown_rate_letters",
            "open_known_rate_lofo", "open_unknown_rate_lofo"]
    keys += sorted({key for r in folds for key in r if key.startswith("alpha_top1_")})
    return {
        "folds": folds, "k": len(folds), "common_words": common, "scoring": scoring, "per_language": bool(lang_of),
        "summary": {key: _ms([r.get(key) for r in folds]) for key in keys},
        "few_shot": {str(n): {"top1": c / t if t else None, "queries": t} for n, (c, t) in shots_all.items()},
        "few_shot_folds": {str(n): _ms([r["few_shot"][n] for r in folds]) for n in SHOTS},
        "per_word": {w: {"top1": c / t, "clips": t, "signers": len(n_signers[w]),
                         **({"top1_alphabet": per_word_a[w] / t} if lang_of else {})} for w, (c, t) in sorted(per_word.items())},
        "per_signer": {s: {"top1": c / t, "clips": t, **({"top1_alphabet": per_signer_a[s] / t} if lang_of else {})}
                       for s, (c, t) in sorted(per_signer.items())},
        "calibration": {"temperature": float(np.mean(temps)),
                        "sure_margin": float(np.mean([m["sure_margin"] for m in margins])),
                        "maybe_margin": float(np.mean([m["maybe_margin"] for m in margins]))},
        "open_set": open_set,
        "train_seconds_per_fold": _ms([r["train_seconds"] for r in folds]),
    }


def _pm(d, nd=3):
    return "n/a" if d["mean"] is None else f"{d['mean']:.{nd}f} ± {d['sd']:.{nd}f}"


def _rows(rep: dict) -> list[str]:
    """The top-1 table rows: all labels, commonest words (if any), own alphabet (if per language)."""
    s = rep["summary"]
    unit = "labels" if rep.get("per_language") else "words"
    def row(name, key, lang=""):
        cells = [_pm(s[f"{key}_{sc}{lang}"]) for sc in ("text", "variants", "variants_only")]
        return f"| {name} | " + " | ".join(cells) + " |"
    out = [row(f"top-1, all known {unit}", "top1")]
    if rep["common_words"]:
        out.append(row("top-1 among the commonest words", "common_top1"))
    if rep.get("per_language"):
        out.append(row("**top-1 within the clip's own alphabet**", "alpha_top1"))
        langs = sorted({k.split("@")[1] for k in s if k.startswith("alpha_top1_text@")})
        for lang in langs:
            n = sum(r.get(f"alpha_clips@{lang}", 0) for r in rep["folds"])
            out.append(row(f"within `{lang}` ({n} clips, {len(s[f'alpha_top1_text@{lang}']['folds'])} folds)", "alpha_top1", f"@{lang}"))
    return out


def markdown(rep: dict) -> str:
    s = rep["summary"]
    sc = rep["scoring"]
    alpha = bool(rep.get("per_language"))
    common = (f"; commonest words = the {len(rep['common_words'])} with >= 8 signers: {', '.join(rep['common_words'])}"
              if rep["common_words"] else "")
    L = [f"K-fold by signer ({rep['k']} folds; mean ± sd over folds{common}).", "",
         "| measure | text labels | text + signer variants | variants only |", "|---|---:|---:|---:|", *_rows(rep),
         "", f"Scoring kept for the pack (the better on held-out signers{', within the alphabet' if alpha else ''}): "
         f"**{sc}**. The {'open-set rule, ' if rep['open_set'] else ''}"
         f"calibration, few-shot and the per-{'label' if alpha else 'word'} / per-signer tables below use it.", ""]
    fold_cells = []
    for r in rep["folds"]:
        c = f"fold {r['fold']}: {r['top1_' + sc]:.3f} all"
        if rep["common_words"]:
            c += f" / {r['common_top1_' + sc]:.3f} common"
        if alpha:
            c += f" / {r['alpha_top1_' + sc]:.3f} own alphabet"
        fold_cells.append(c + f", {r['test_signers']} signers, {r['test_clips']} clips, unseen words {len(r['unseen_words'])}")
    L += [f"Per fold ({sc}): " + "; ".join(fold_cells), ""]
    if rep["open_set"]:
        o = rep["open_set"]
        what = f"mean similarity to the {o.get('k', 10)} nearest training clips" if o["measure"] == "neighbours" else f"`{o['measure']}`"
        L += [f"Open set ({what} >= {o['threshold']:.4f} is known; fitted on the pooled folds): "
              f"known = true on held-out signers of known words {_pm(s['open_known_rate'])}; known = false on words the "
              f"fold's encoder never saw {_pm(s['open_unknown_rate_words'])}, on fingerspelled letters {_pm(s['open_unknown_rate_letters'])}."
              + (f" With each fold's threshold fitted on the other folds only: known = true {_pm(s['open_known_rate_lofo'])}, "
                 f"known = false {_pm(s['open_unknown_rate_lofo'])} (words and letters)." if s.get("open_known_rate_lofo", {}).get("mean") is not None else ""),
              "", "Every measure, its threshold fitted on the pooled folds for the best worse-of-two rate (known = true / known = false): "
              + "; ".join(f"`{m}` {f['known_rate']:.3f} / {f['unknown_rate']:.3f}" for m, f in o["fits"].items()) + ".", ""]
    L += ["| own examples per sign | 0 | 1 | 2 | 5 |", "|---|---:|---:|---:|---:|",
          "| top-1 (pooled) | " + " | ".join(f"{rep['few_shot'][str(n)]['top1']:.3f}" for n in SHOTS) + " |",
          "| mean ± sd over folds | " + " | ".join(_pm(rep["few_shot_folds"][str(n)]) for n in SHOTS) + " |",
          f"(queries per n: {rep['few_shot']['0']['queries']}{'; all labels compete' if alpha else ''})", ""]
    if alpha:
        L += [f"Per label (held-out signers, {sc}; top-1 within its alphabet / over all labels, clips):", "",
              "| label | own alphabet | all labels | clips |", "|---|---:|---:|---:|",
              *(f"| `{w}` | {v['top1_alphabet']:.2f} | {v['top1']:.2f} | {v['clips']} |" for w, v in rep["per_word"].items()), "",
              "Per signer (each tested by the encoder of the fold that never saw them):", "",
              "| signer | own alphabet | all labels | clips |", "|---|---:|---:|---:|",
              *(f"| {w} | {v['top1_alphabet']:.3f} | {v['top1']:.3f} | {v['clips']} |" for w, v in rep["per_signer"].items()), ""]
    else:
        L += [f"Per word (held-out signers, {sc}): " + ", ".join(
                  f"`{w}` {v['top1']:.2f} ({v['clips']})" for w, v in rep["per_word"].items()), "",
              "Per signer: " + ", ".join(f"{w} {v['top1']:.2f} ({v['clips']})" for w, v in rep["per_signer"].items()), ""]
    L += [f"Training per fold: {_pm(rep['train_seconds_per_fold'], 0)} s.", ""]
    return "\n".join(L)
