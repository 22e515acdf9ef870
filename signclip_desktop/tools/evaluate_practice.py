"""Measure the practice features on the shared data (signer-disjoint where it matters).

    python -m signclip_desktop.tools.evaluate_practice --data ../shared/data --pack models/words

1. Grading: pass rates of the stored calibration (``resources/grading_calibration.json``) on
   the pack's held-out signers, through the app's verdict (not graded / near-zero caps): a
   same-sign attempt should pass >= 85% of the time, a different sign <= 2%. References and
   the bank of examples come from the other (training) signers only. (In-sample: the
   cross-validated figures come from ``tools.calibrate`` itself.)
2. Teach a sign: for a signer, 5 examples each of 10 signs become prototypes
   (``Scorer.set_prototypes``); that signer's other recordings of those signs are classified.
   Top-1 among the taught signs, and top-1 with the pack's own labels competing. Signers with
   at least 10 signs of >= 6 recordings are used; held-out signers (the pack never saw them)
   with fewer signs are reported separately.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

import numpy as np


def teach_eval(data, pack_path, n_signs: int = 10, n_examples: int = 5, min_signs_heldout: int = 5,
               providers: str = "auto") -> dict:
    from ..model.encoder import Encoder
    from ..model.pack import Label, load_pack
    from ..model.scorer import Scorer
    from ..stream.clip import embed_clips
    from .evaldata import load_word_clips, pack_heldout_signers

    pack = load_pack(pack_path)
    enc = Encoder(pack, providers)
    held = set(pack_heldout_signers(pack, data))
    from .evaldata import pack_is_signer_disjoint

    if not pack_is_signer_disjoint(pack):
        print("[teach] note: the pack was trained on every signer; 'held-out' below means the default split only")
    clips = load_word_clips(data, per_signer=None)  # every recording
    by_signer = defaultdict(dict)
    for (word, signer), v in clips.items():
        if len(v) >= n_examples + 1:
            by_signer[signer][word] = v
    report = {}
    for signer, words in sorted(by_signer.items()):
        is_held = signer in held
        if len(words) < (min_signs_heldout if is_held else n_signs):
            continue
        chosen = sorted(words)[:n_signs]
        protos, tests = [], []
        for w in chosen:
            v = words[w]
            idx = np.linspace(0, len(v) - 1, n_examples).round().astype(int)  # spread over the session
            ex = [v[i] for i in idx]
            rest = [c for i, c in enumerate(v) if i not in set(idx.tolist())]
            e = embed_clips(enc, pack, [(c.frames, c.fps) for c in ex])
            protos.append((Label(f"my:{w}", w, "und"), e))
            tests += [(w, c) for c in rest]
        te = embed_clips(enc, pack, [(c.frames, c.fps) for _, c in tests])
        only = Scorer([], np.zeros((0, pack.embedding_dim), np.float32), pack.calibration)
        only.set_prototypes(protos)
        full = Scorer.from_pack(pack)
        full.set_prototypes(protos)
        ok_only = ok_full = 0
        for (w, _), e in zip(tests, te):
            ok_only += only.predict(e, 1).top[0].label == f"my:{w}"
            ok_full += full.predict(e, 1).top[0].label == f"my:{w}"
        report[signer] = {"heldout_signer": is_held, "signs": len(chosen), "examples_per_sign": n_examples,
                          "attempts": len(tests), "top1_taught_only": ok_only / len(tests),
                          "top1_with_pack_labels": ok_full / len(tests)}
    return report


def fingerspelling_eval(data, pack_path, words=("cab", "dog", "hello", "bad", "fish"), hold: int = 2,
                        providers: str = "auto") -> dict:
    """Stream each letters-signer's recordings of a word's letters (hands down between letters)
    through the live Recognizer and a FingerspellingSession; count letters marked right."""
    import glob
    import os

    from ..keypoints import layout as L
    from ..model.encoder import Encoder
    from ..model.pack import load_pack
    from ..sources.base import KeypointFrame
    from ..sources.npz import load_npz_sequences
    from ..stream.recognizer import Recognizer
    from ..practice.fingerspelling import RIGHT, SLOW, FingerspellingSession, alphabets_from_labels

    pack = load_pack(pack_path)
    enc = Encoder(pack, providers)
    held = set(pack.provenance.get("heldout_signers") or [])
    alphas = alphabets_from_labels(pack.labels)
    by = defaultdict(list)
    lang_of = {}
    for f in sorted(glob.glob(os.path.join(str(data), "fingerspelling", "letters", "*.npz"))):
        for seq in load_npz_sequences(f):
            by[(seq.signer, seq.label)].append(seq)
            lang_of[seq.signer] = "ins" if seq.language == "ins" else "ase"
    out = {}
    for signer in sorted(lang_of):
        alpha = alphas.get(lang_of[signer])
        if alpha is None:
            continue
        right = total = 0
        shown = []
        for word in words:
            letters = word.upper()
            if not all((signer, c) in by for c in letters):
                continue
            parts = []
            for i, c in enumerate(letters):
                seq = by[(signer, c)][i % len(by[(signer, c)])]
                gap = np.repeat(seq.frames[-1:], 8, axis=0)
                gap[:, L.LEFT_HAND.start:L.RIGHT_HAND.stop] = 0.0
                parts += [seq.frames, gap]
            frames = np.concatenate(parts)
            rec = Recognizer(pack, enc)
            sess = FingerspellingSession(alpha, [word], hold_windows=hold)
            sess.next_word(0.0, word)
            for i, kp in enumerate(frames):
                up = rec.push(KeypointFrame(i, i / 30.0, kp))
                if up is not None:
                    sess.feed_prediction(up.prediction, up.timestamp, up.final)
            right += sum(l.status in (RIGHT, SLOW) and not l.wrong for l in sess.letters)
            total += len(sess.letters)
            shown.append(sess.display())
        if total:
            out[signer] = {"heldout_signer": signer in held, "alphabet": alpha.language, "letters": total,
                           "right": right / total, "words": shown}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--pack", required=True)
    ap.add_argument("--skip-grading", action="store_true")
    ap.add_argument("--skip-teach", action="store_true")
    ap.add_argument("--fingerspelling-pack", default=None,
                    help="also stream letters through live recognition + a practice session with this pack")
    ap.add_argument("--cpu", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    t0 = time.time()
    if not a.skip_grading:
        from .calibrate import main as calibrate_main

        print("== Grading (stored calibration; pack's held-out signers vs references of other signers) ==")
        cal_args = ["--data", a.data, "--pack", a.pack, "--use-stored", "--attempts", "4", "--others", "20", "--k", "6"]
        from ..practice.grading import Calibration

        tf = Calibration.load().notes.get("target_false_pass")
        if tf:
            cal_args += ["--target-false", str(tf)]  # the cross-validated rates use the same procedure
        calibrate_main(cal_args)
    if not a.skip_teach:
        print("== Teach a sign (5 examples x 10 signs of one signer -> that signer's other recordings) ==")
        rep = teach_eval(a.data, a.pack, providers="cpu" if a.cpu else "auto")
        for signer, r in rep.items():
            tag = "held-out signer" if r["heldout_signer"] else "signer seen in pack training"
            print(f"{signer:24s} ({tag}): {r['signs']} signs x {r['examples_per_sign']} examples, "
                  f"{r['attempts']} attempts: top-1 among taught signs {100 * r['top1_taught_only']:.1f}%, "
                  f"with the pack's labels competing {100 * r['top1_with_pack_labels']:.1f}%")
        ten = [r for r in rep.values() if r["signs"] >= 10]
        if ten:
            n = sum(r["attempts"] for r in ten)
            acc = sum(r["top1_taught_only"] * r["attempts"] for r in ten) / n
            print(f"10-sign signers overall: top-1 {100 * acc:.1f}% over {n} attempts")
        held_r = [r for r in rep.values() if r["heldout_signer"]]
        if held_r:
            n = sum(r["attempts"] for r in held_r)
            acc = sum(r["top1_taught_only"] * r["attempts"] for r in held_r) / n
            print(f"held-out signers overall ({min(r['signs'] for r in held_r)}-{max(r['signs'] for r in held_r)} signs "
                  f"each): top-1 {100 * acc:.1f}% over {n} attempts")
        if a.json:
            print(json.dumps(rep))
    if a.fingerspelling_pack:
        print("== Fingerspelling practice (letters of one signer streamed through live recognition) ==")
        fs = fingerspelling_eval(a.data, a.fingerspelling_pack, providers="cpu" if a.cpu else "auto")
        for signer, r in fs.items():
            tag = "held-out signer" if r["heldout_signer"] else "signer seen in pack training"
            print(f"{signer:24s} ({tag}, {r['alphabet']}): {100 * r['right']:.0f}% of {r['letters']} letters right "
                  f"first time   {' | '.join(r['words'])}")
    print(f"done in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
