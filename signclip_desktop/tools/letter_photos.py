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


def hands_apart(frames: np.ndarray) -> np.ndarray:
    """Per frame with both hands seen: centre-to-centre distance in palm lengths (the measure
    ``normalize.drop_resting_hand`` thresholds)."""
    from ..keypoints import layout as L

    lh, rh = frames[:, L.LEFT_HAND.slice], frames[:, L.RIGHT_HAND.slice]
    both = (lh[:, L.HAND_WRIST, 3] > 0) & (rh[:, L.HAND_WRIST, 3] > 0)
    lh, rh = lh[both], rh[both]
    palm = (np.linalg.norm(lh[:, L.HAND_MIDDLE_MCP, :2] - lh[:, L.HAND_WRIST, :2], axis=-1)
            + np.linalg.norm(rh[:, L.HAND_MIDDLE_MCP, :2] - rh[:, L.HAND_WRIST, :2], axis=-1)) / 2

    def centre(h):
        vis = (h[..., 3] > 0)[..., None]
        return (h[..., :2] * vis).sum(axis=1) / np.maximum(vis.sum(axis=1), 1)

    return np.linalg.norm(centre(lh) - centre(rh), axis=-1) / np.maximum(palm, 1e-6)


def resting_hand_stats(data, clips: dict[str, np.ndarray]) -> dict:
    """How far apart both-hand frames are, per source: the letters data and the Spreadthesign
    alphabets (what training reads) against the silfa photos, and the share the rule changes."""
    from ..keypoints.normalize import REST_HAND_PALMS
    from ..training import data as D

    groups: dict[str, list] = {}
    frames_total: dict[str, int] = {}
    for s in D.load_letters(data) + D.load_spreadthesign(data):
        key = ("Spreadthesign " if s.signer.startswith("spreadthesign") else "webcam ") + s.language
        groups.setdefault(key, []).append(hands_apart(s.frames))
        frames_total[key] = frames_total.get(key, 0) + len(s.frames)
    groups["silfa photos"] = [hands_apart(f) for f in clips.values()]
    frames_total["silfa photos"] = sum(len(f) for f in clips.values())
    out = {}
    for key, parts in sorted(groups.items()):
        d = np.concatenate(parts)
        out[key] = {"frames": frames_total[key], "both_hands": int(d.size),
                    "changed_share": float((d > REST_HAND_PALMS).sum() / max(1, frames_total[key])),
                    "apart_p50_p90_p99": [round(float(x), 2) for x in np.percentile(d, [50, 90, 99])] if d.size else None}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--pack", action="append", required=True, help="a fingerspelling pack folder (repeatable)")
    ap.add_argument("--normalization", help="also read the clips with this normalisation (e.g. signing_hands)")
    ap.add_argument("--rest-stats", action="store_true",
                    help="also: how far apart both hands are per source, and the frames the resting-hand rule changes")
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
    if args.rest_stats:
        stats = resting_hand_stats(args.data, clips)
        print("hands apart (palm lengths, both-hand frames) and the share of all frames the rule changes:")
        for key, st in stats.items():
            print(f"  {key:>20}: {st['both_hands']:6d} of {st['frames']:6d} frames with both hands, "
                  f"p50/p90/p99 {st['apart_p50_p90_p99']}, changed {st['changed_share']:.4f}")
        results.append({"resting_hand": stats})
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
