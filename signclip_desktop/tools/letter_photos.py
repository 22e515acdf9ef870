"""Fingerspelling packs on the silfa photos: a real signer that no training clip comes from.

    python -m signclip_desktop.tools.letter_photos --data ../shared/data --pack models/fingerspelling [--pack OTHER ...]

``images/silfa/<LETTER>/`` holds video frames of one signer (852x480; 6 frames of each still
letter, every frame of J and Z). Each letter folder is read as the app reads an image folder
(``stream.clip.load_clip``: Holistic, then the 4:3 picture correction) and embedded whole by each
pack; the letter is then ranked within each alphabet that has it (as the Fingerspelling page does
with ``Scorer.set_language``) and among all labels. The data README says the alphabet is probably
a Latin American one (its J touches the mouth), so ``mfs`` (Mexican) is the closest alphabet a pack
has; ``ase`` shows how near the letters are to ASL's. One signer, 26 clips: a check, not an estimate.

A dev tool: the app never imports it.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

LANGUAGES = ("mfs", "ase")


def letter_clips(data) -> dict[str, np.ndarray]:
    """Letter -> model-ready layout frames [T, 203, 4] of its silfa folder."""
    from ..stream.clip import load_clip

    root = Path(data) / "images" / "silfa"
    out = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        out[folder.name.upper()] = load_clip(folder).frames
    if not out:
        raise FileNotFoundError(f"no letter folders under {root}")
    return out


def rank_letters(pack_dir, clips: dict[str, np.ndarray], normalization: str | None = None) -> dict:
    """Top-1 (and top-3) of each clip's letter within each alphabet and among all labels.
    ``normalization`` reads the clips with another normalisation than the pack's (a what-if)."""
    import dataclasses

    from ..keypoints import layout as L
    from ..keypoints.features import encode_input
    from ..model.encoder import Encoder
    from ..model.pack import load_pack

    pack = load_pack(pack_dir)
    enc = Encoder(pack, providers="cpu", threads=1)
    spec = dataclasses.replace(pack.input, normalization=normalization) if normalization else pack.input
    emb = pack.label_embeddings / np.linalg.norm(pack.label_embeddings, axis=1, keepdims=True)
    langs = np.array([lab.language for lab in pack.labels])
    texts = np.array([lab.text.upper() for lab in pack.labels])
    res = {"pack": f"{pack.name}@{pack.version}", "normalization": spec.normalization, "alphabets": {}}
    seen = {}
    for letter, frames in clips.items():
        hands = (frames[:, L.LEFT_HAND.slice, 3] > 0).any(axis=1) | (frames[:, L.RIGHT_HAND.slice, 3] > 0).any(axis=1)
        if hands.sum() < pack.input.min_frames:
            continue
        seen[letter] = emb @ enc.embed(encode_input(frames[hands], spec))
    for lang in LANGUAGES + ("all",):
        keep = np.ones(len(langs), bool) if lang == "all" else langs == lang
        rows, top1, top3 = {}, [], []
        for letter, sims in seen.items():
            if not (keep & (texts == letter)).any():
                continue  # this alphabet has no such letter
            s = np.where(keep, sims, -np.inf)
            order = np.argsort(-s)[:3]
            guesses = [f"{langs[i]}:{texts[i]}" if lang == "all" else texts[i] for i in order]
            hit = [texts[i] == letter for i in order]
            top1.append(hit[0])
            top3.append(any(hit))
            rows[letter] = guesses
        if rows:
            res["alphabets"][lang] = {"letters": len(rows), "top1": float(np.mean(top1)), "top3": float(np.mean(top3)),
                                      "guesses": rows}
    res["letters_with_hands"] = len(seen)
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--pack", action="append", required=True, help="a fingerspelling pack folder (repeatable)")
    ap.add_argument("--normalization", help="also read the clips with this normalisation (e.g. signing_hands)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    clips = letter_clips(args.data)
    results = [rank_letters(p, clips) for p in args.pack]
    if args.normalization:
        results += [rank_letters(p, clips, args.normalization) for p in args.pack]
    for r in results:
        print(f"{r['pack']} ({r['normalization']}): {r['letters_with_hands']} of {len(clips)} letters with a hand in view")
        for lang, a in r["alphabets"].items():
            print(f"  {lang:>4}: top-1 {a['top1']:.3f}  top-3 {a['top3']:.3f}  ({a['letters']} letters)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
