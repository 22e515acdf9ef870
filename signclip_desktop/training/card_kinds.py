"""The parts of a k-fold model card (``card.py``) that depend on the pack's kind: what the data is,
the targets, the previous pack's estimate and the caveats. Every number comes from the k-fold
report, ``final.json`` or the config (``previous``: the earlier pack's estimate, quoted from its card)."""
from __future__ import annotations

import re

from collections import Counter
from pathlib import Path

from .kfold_report import _pm

LATENCY_FRAMES = {"words": 64, "fingerspelling": 24}

WORDS_TARGETS = ("Targets of the issue (real signers outside the shared data): >= 0.90 top-1 on the commonest words, "
                 ">= 0.75 over all words, >= 0.90 on hello / thank you from deaf signers on phones, >= 0.96 on the ASL alphabet.")


def labels_phrase(pack) -> str:
    langs = Counter(l.language for l in pack.labels)
    if len(langs) <= 1 or all(l.id == l.text for l in pack.labels):
        return f"{len(pack.labels)} words"
    return (f"{len(pack.labels)} labels (`<language>:<letter>`) in {len(langs)} alphabets ("
            + ", ".join(f"{k} {v}" for k, v in sorted(langs.items(), key=lambda x: (-x[1], x[0]))) + ")")


def data_lines(cfg: dict, fin: dict, final_dir) -> list[str]:
    steps = cfg["train"]["steps"]
    if cfg["kind"] == "words":
        return [f"- Shipped weights: trained on **every** clip: {fin['clips']} clips, {fin['labels']} words, {fin['signers']} signers "
                f"(`../shared/data/words`, both collections), {steps} steps, in {fin['train_seconds'] / 60:.1f} min "
                f"of training on the shared 2-core machine (1 torch thread, niced, beside other training jobs); the run "
                f"that wrote the pack took {fin['total_seconds'] / 60:.1f} min end to end, reusing `model.pt` when the "
                f"training had run before (`{final_dir}/final.log`); inside the 60 min budget.",
                "- The numbers below are from k-fold cross-validation **by signer** with the same recipe: every signer is "
                "tested once by an encoder that never saw them, and each fold also hides a group of the rarer words "
                "(< 8 signers) from training; those clips are the open-set negatives."]
    kf = cfg.get("kfold", {})
    prev = cfg.get("previous", {})
    steps_note = (f" ({prev['version']} ran {prev['steps']}; fewer so that 5 folds + this run fit on the shared 2-core machine)"
                  if prev.get("steps", steps) != steps else "")
    return [f"- Shipped weights: trained on **every** clip of the sources {', '.join(cfg.get('sources', []))}: {fin['clips']} clips, "
            f"{fin['labels']} labels, {fin['signers']} signers (signer = GitHub owner, one Spreadthesign language, or the "
            f"static-frame author), {steps} steps{steps_note}, in {fin['train_seconds'] / 60:.1f} min of training (1 torch thread, niced, machine shared); "
            f"{fin['total_seconds'] / 60:.1f} min end to end (`{final_dir}/final.log`).",
            "- The numbers below are from k-fold cross-validation **by signer** with the same config: every signer that "
            "shares a label with another signer (the 8 webcam letter signers and the static ASL frames) is tested once by "
            "an encoder that never saw them. The 18 Spreadthesign alphabets have one signer each and are in every fold's "
            "training (a label nobody else signs cannot be tested on an unseen signer), so their letters are not measured. "
            f"Test clips are capped at {kf.get('max_test_per_signer_label', 'all')} per (signer, label), so the 10,508 "
            "static frames weigh like one webcam signer; training uses every clip.",
            "- No labels are held out per fold (open set skipped for letters): no `open_set` rule is fitted or shipped."]


def previous_lines(cfg: dict, rep: dict, dest) -> list[str]:
    """The earlier pack's single-split estimate next to the k-fold numbers (the same signers pooled too)."""
    prev = cfg.get("previous")
    if cfg["kind"] != "fingerspelling" or not prev:
        return []
    s, sc = rep["summary"], rep["scoring"]
    ps = rep["per_signer"]
    held = [h for h in prev["heldout_signers"] if h in ps]
    lang = prev["signer_language"]

    def pooled(key, who):
        n = sum(ps[w]["clips"] for w in who)
        return sum(ps[w][key] * ps[w]["clips"] for w in who) / n if n else None
    f = lambda x: "n/a" if x is None else f"{x:.3f}"  # noqa: E731
    ase = [h for h in held if lang[h] == "ase"]
    ins = [h for h in held if lang[h] == "ins"]
    return [f"## Against the previous pack ({prev['version']})", "",
            f"{prev['version']} was measured on one held-out split of {len(prev['heldout_signers'])} signers "
            f"({', '.join(prev['heldout_signers'])}), quoted from its card ({prev['source']}).", "",
            "| estimate | top-1 within `ase` | top-1 within `ins` | top-1 over all labels |", "|---|---:|---:|---:|",
            f"| {prev['version']}, one split | {prev['ase_within']:.3f} | {prev['ins_within']:.3f} | {prev['top1_all']:.3f} |",
            f"| this recipe, k-fold mean ± sd over folds | {_pm(s[f'alpha_top1_{sc}@ase'])} | {_pm(s[f'alpha_top1_{sc}@ins'])} | "
            f"{_pm(s[f'top1_{sc}'])} |",
            f"| this recipe, k-fold, the same {len(held)} signers pooled | {f(pooled('top1_alphabet', ase))} | "
            f"{f(pooled('top1_alphabet', ins))} | {f(pooled('top1', held))} |", "",
            "Per signer, top-1 over all labels: " + ", ".join(
                f"{h} {prev['per_signer_top1'][h]:.2f} -> {ps[h]['top1']:.2f}" for h in held) + f" ({prev['version']} -> k-fold).", ""]


def baseline_command(cfg: dict, base: dict, baseline_dir) -> str:
    """The baseline k-fold run's command; without its last ``--only`` when the run holds every fold
    (trained in parts, the command recorded is only the last part's)."""
    cmd = base.get("command", "")
    if len(base.get("folds", [])) == base.get("k") and " --only" in cmd:
        cmd = re.sub(r" --only( \d+)*", "", cmd)
    return cmd


def run_name(rep: dict) -> str:
    """`config`, N steps: from a k-fold run's recorded command."""
    words = rep.get("command", "").split()
    name = next((w for w in words[words.index("signclip_desktop.training.kfold") + 1:] if not w.startswith("-")), "?") \
        if "signclip_desktop.training.kfold" in words else "?"
    return f"`{Path(name).name}`, {rep.get('steps') or '?'} steps"


def ablation_lines(cfg_name: str, rep: dict, base: dict) -> list[str]:
    """A per-language k-fold run against a baseline run of the same folds (e.g. fewer steps)."""
    def row(name, r):
        sc = r["scoring"]
        cells = [_pm(r["summary"][k]) for k in (f"alpha_top1_{sc}", f"alpha_top1_{sc}@ase", f"top1_{sc}")]
        return f"| {name} | {' | '.join(cells)} | {_pm(r['train_seconds_per_fold'], 0)} |"
    steps = lambda r: (r.get("steps") or "?")  # noqa: E731
    ran = lambda r: next((w for w in r.get("command", "").split() if w.endswith(".json")), cfg_name)  # noqa: E731
    title = ("## Ablation: training steps (same folds, same config otherwise)" if ran(base) == ran(rep) else
             "## Against the previous recipe (same folds; docs/TRAINING.md says what changed)")
    return [title, "",
            "| run | top-1 own alphabet | within `ase` | all labels | s / fold |", "|---|---:|---:|---:|---:|",
            row(f"`{ran(base)}`, {steps(base)} steps", base), row(f"`{ran(rep)}`, {steps(rep)} steps (shipped)", rep), "",
            f"Baseline command: `{base.get('command', '')}`.", ""]


def target_lines(cfg: dict, rep: dict) -> list[str]:
    s, sc = rep["summary"], rep.get("scoring", "variants")
    fs = rep["few_shot"]
    if cfg["kind"] == "words":
        common = rep["common_words"]
        return [WORDS_TARGETS,
                f"- Commonest words ({len(common)} words with >= 8 signers), k-fold: {_pm(s['common_top1_' + sc])} "
                f"(target 0.90: {0.90 - s['common_top1_' + sc]['mean']:+.3f} to go).",
                f"- All known words, k-fold: {_pm(s['top1_' + sc])} (target 0.75: {0.75 - s['top1_' + sc]['mean']:+.3f} to go).",
                f"- With 2 of the signer's own examples per sign: {fs['2']['top1']:.3f}; with 5: {fs['5']['top1']:.3f}.",
                "- hello / thank you from deaf signers on phones and the ASL alphabet are not in the shared data; not measured here."]
    ase = s[f"alpha_top1_{sc}@ase"]
    return ["Target of the issue: >= 0.96 on the ASL alphabet from real signers outside the shared data.",
            f"- ASL-like letters within the `ase` alphabet, k-fold: {_pm(ase)} (target 0.96: {0.96 - ase['mean']:+.3f} to go).",
            f"- With 1 / 2 / 5 of the signer's own examples per letter (competing with all the fold's labels): "
            f"{fs['1']['top1']:.3f} / {fs['2']['top1']:.3f} / {fs['5']['top1']:.3f}."]


def caveat_lines(cfg: dict, rep: dict) -> list[str]:
    if cfg["kind"] == "words":
        return ["- Hobby recordings: one person per repository, many following the same tutorial; the same gloss is often a "
                "different sign across languages and signers (variants help exactly there).",
                "- The open-set threshold and calibration were fitted on the fold encoders (trained on ~80% of the signers, "
                "56 of the 67 words); the shipped encoder saw every signer, and its neighbour bank holds clips of all 162 "
                "signers where a fold's held ~130, so a new signer's window sits a little closer to the bank (slightly more "
                "`known: true` than the k-fold rates say).",
                "- The grading calibration (`signclip_desktop/resources/grading_calibration.json`) is fitted with this "
                "recipe's held-out twin (docs/PRACTICE.md).",
                "- Left/right is unreliable in the data, so the encoder cannot tell a sign from its mirror image."]
    return ["- Only 9 testable signers (7 ASL-like: 4 webcam signers with most letters, 2 with 2-4 letters, the static "
            "frames; 2 Indian SL sharing 4 letters), so a fold holds 1-4 of them and the spread over folds is large; "
            "folds differ in which letters they can test.",
            "- 'ase' covers the webcam sources tagged ase or und (ASL-like, unverified) and the static ASL frames; the "
            "fold that tests the static frames scores single handshapes, not webcam clips.",
            "- The app judges letters within one alphabet (`Scorer.set_language`), so the within-alphabet rows are the ones "
            "that matter; top-1 over all labels is low because many alphabets share handshapes"
            + ("; this recipe (`train.within_language`) never trains letters of two alphabets against each other, so "
               "over all labels it only says which letter, not whose alphabet, and the pack scores within "
               f"`{cfg.get('main_language')}` unless told otherwise (`main_language`)."
               if cfg.get("train", {}).get("within_language") else "."),
            "- Calibration is the mean over the fold encoders, fitted over all labels as for 1.0.0.",
            "- Input is x, y only (hand-centred, palm-length scaled); the encoder is mirror-symmetric, so it cannot tell a "
            "letter from its mirror image. J and Z are single handshapes in the static frames."]


def main(argv=None) -> int:
    """Print a k-fold run's comparison with the config's previous pack (the card's section)."""
    import argparse
    import json
    from pathlib import Path

    from .train import load_config

    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.training.card_kinds", description=main.__doc__)
    ap.add_argument("config")
    ap.add_argument("--kfold", required=True, help="a k-fold run folder (kfold.json)")
    a = ap.parse_args(argv)
    rep = json.loads((Path(a.kfold) / "kfold.json").read_text(encoding="utf-8"))
    print("\n".join(previous_lines(load_config(a.config), rep, None)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def kfold_config(cfg: dict, rep: dict) -> tuple[str, list[str]]:
    """The config the k-fold run trained (from its command) and, when it is not the shipped one,
    a card line naming every setting they differ in (version, description and history aside)."""
    from .train import load_config

    name = Path(cfg.get("_path", "")).name
    words = rep.get("command", "").split()
    ran = next((w for w in words if w.endswith(".json")), name)
    if ran == name:
        return name, []
    try:
        other = load_config(ran)
    except (OSError, ValueError):
        return ran, [f"- The k-fold run trained `{ran}` (not found here); this pack was trained from `{name}`."]

    def flat(d, pre=""):
        out = {}
        for k, v in d.items():
            if k.startswith("_") or (not pre and k in ("version", "description", "previous")):
                continue
            out.update(flat(v, f"{pre}{k}.") if isinstance(v, dict) else {f"{pre}{k}": v})
        return out

    a, b = flat(other), flat(cfg)
    diff = [f"`{k}` {a.get(k)!r} -> {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    return ran, [f"- The k-fold numbers are those of `{ran}`; this pack was trained from `{name}`, which differs only in "
                 + "; ".join(diff) + " (docs/TRAINING.md says why the k-fold still stands for it)."]
