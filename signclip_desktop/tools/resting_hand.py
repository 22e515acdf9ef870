"""What a hand resting in view does to recognition, and what the resting-hand rules change.

    python -m signclip_desktop.tools.resting_hand --data ../shared/data --stats
    python -m signclip_desktop.tools.resting_hand --data ../shared/data --pack runs/words_v5_heldout/pack \
        [--normalization shoulders]

``--stats``: per source that training reads (the letters, the Spreadthesign alphabets, the words)
and the silfa photos, how low the hands are (shoulder widths below the shoulders) and how far
apart (palm lengths), and the share of frames each rule of ``keypoints.normalize.resting_hands``
changes (``apart``: the fingerspelling packs' ``signing_hands``; ``below``: the words pack's
``signing_shoulders``).

``--pack`` (a pack trained with held-out signers, such as a twin): top-1 on its held-out signers'
clips as they are and with a resting hand put in: the silfa signer's hand on the desk (its place
in shoulder coordinates, mirrored to the free hand's side), in every frame where one hand slot is
empty and the shoulders are seen. ``--normalization`` also reads both with another normalisation
(what a pack trained without a rule does when the app applies one at inference).

A dev tool: the app never imports it.
"""
from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from ..keypoints import layout as L


def resting_hand_stats(data) -> dict:
    from ..keypoints.normalize import below_shoulders, hands_apart, resting_hands
    from ..training import data as D
    from .letter_photos import letter_clips

    groups: dict[str, list[np.ndarray]] = {}
    for s in D.load_letters(data) + D.load_spreadthesign(data):
        key = ("Spreadthesign " if s.signer.startswith("spreadthesign") else "webcam letters ") + s.language
        groups.setdefault(key, []).append(s.frames)
    groups["words"] = [s.frames for s in D.load_words(data)]
    groups["silfa photos"] = list(letter_clips(data).values())

    def pct(v):
        v = v[np.isfinite(v)]
        return [round(float(x), 2) for x in np.percentile(v, [50, 99])] if v.size else None

    out = {}
    for key, parts in groups.items():
        fr = np.concatenate(parts)
        out[key] = {"frames": int(len(fr)), "both_hands": float(np.isfinite(hands_apart(fr)).mean()),
                    "below_p50_p99": pct(below_shoulders(fr).ravel()),
                    "apart_p50_p99": pct(hands_apart(fr)),
                    "changed_apart": float(resting_hands(fr, "apart").any(axis=1).mean()),
                    "changed_below": float(resting_hands(fr, "below").any(axis=1).mean())}
    return out


def silfa_resting_hand(data) -> np.ndarray:
    """[21, 3]: the silfa signer's lower hand (x, y in shoulder widths from the shoulder midpoint,
    z as found), from the first frame of the B clip that sees both hands and both shoulders."""
    from .letter_photos import letter_clips

    for f in letter_clips(data)["B"]:
        lh, rh = f[L.LEFT_HAND.slice], f[L.RIGHT_HAND.slice]
        if min(lh[0, 3], rh[0, 3], f[L.LEFT_SHOULDER, 3], f[L.RIGHT_SHOULDER, 3]) <= 0:
            continue
        a, b = f[L.LEFT_SHOULDER, :2], f[L.RIGHT_SHOULDER, :2]
        low = lh if lh[:, 1].mean() > rh[:, 1].mean() else rh
        out = low[:, :3].copy()
        out[:, :2] = (low[:, :2] - (a + b) / 2) / np.linalg.norm(a - b)
        return out
    raise ValueError("no silfa frame with both hands and shoulders")


def with_resting_hand(frames: np.ndarray, hand: np.ndarray) -> np.ndarray:
    """Copy of ``frames`` with ``hand`` (shoulder coordinates) in the empty hand slot of every
    frame that has one and sees both shoulders, on that slot's side of the body."""
    out = frames.copy()
    for g in out:
        a, b = g[L.LEFT_SHOULDER], g[L.RIGHT_SHOULDER]
        width = float(np.linalg.norm(a[:2] - b[:2]))
        free = [c for c in (L.LEFT_HAND, L.RIGHT_HAND) if g[c.slice, 3].max() <= 0]
        if a[3] <= 0 or b[3] <= 0 or width <= 1e-6 or not free:
            continue
        comp, mid = free[0], (a[:2] + b[:2]) / 2
        rel = hand[:, :2].copy()
        side = np.sign((a if comp is L.LEFT_HAND else b)[0] - mid[0])
        if np.sign(rel[:, 0].mean()) != side:
            rel[:, 0] = -rel[:, 0]
        g[comp.slice, :2] = mid + rel * width
        g[comp.slice, 2] = hand[:, 2]
        g[comp.slice, 3] = 1.0
    return out


def recognition_check(pack_dir, data, normalization: str | None = None) -> list[dict]:
    from ..model.encoder import Encoder
    from ..model.pack import load_pack
    from ..training.evaluate import embed_samples
    from ..training.pack_eval import _load_eval_samples

    pack = load_pack(pack_dir)
    held = set(pack.provenance.get("heldout_signers") or [])
    if not held:
        raise SystemExit(f"{pack_dir}: the pack names no held-out signers (train one with training.twin)")
    index = {lab: i for i, lab in enumerate(pack.label_ids)}
    clips = [s for s in _load_eval_samples(pack.provenance.get("data_kind") or "words", data) if s.signer in held and s.label in index]
    y = np.array([index[s.label] for s in clips])
    enc = Encoder(pack, providers="cpu", threads=1)
    emb = pack.label_embeddings / np.linalg.norm(pack.label_embeddings, axis=1, keepdims=True)
    hand = silfa_resting_hand(data)
    one = np.array([((s.frames[:, L.LEFT_HAND.slice, 3].max(1) > 0)
                     & (s.frames[:, L.RIGHT_HAND.slice, 3].max(1) > 0)).mean() < 0.2 for s in clips])
    rows = []
    for norm in [pack.input.normalization] + ([normalization] if normalization else []):
        spec = dataclasses.replace(pack.input, normalization=norm)
        for name, fn in (("as recorded", lambda fr: fr), ("resting hand in view", lambda fr: with_resting_hand(fr, hand))):
            ss = [dataclasses.replace(s, frames=fn(s.frames.astype(np.float32))) for s in clips]
            v = embed_samples(enc.embed_batch, ss, spec)
            hit = (v @ emb.T).argmax(1) == y
            rows.append({"pack": f"{pack.name}@{pack.version}", "normalization": norm, "clips": name,
                         "n": int(len(y)), "top1": float(hit.mean()), "top1_one_handed": float(hit[one].mean()),
                         "n_one_handed": int(one.sum())})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--stats", action="store_true")
    ap.add_argument("--pack", help="a pack with held-out signers (training.twin)")
    ap.add_argument("--normalization", help="also read the clips with this normalisation")
    a = ap.parse_args(argv)
    if a.stats:
        print("hands below the shoulders (shoulder widths) and apart (palm lengths), p50 / p99; share of frames "
              "each rule changes (apart = signing_hands / below = signing_shoulders):")
        for key, st in resting_hand_stats(a.data).items():
            print(f"  {key:>24}: {st['frames']:7d} frames, both hands in {st['both_hands']:.1%}, below "
                  f"{st['below_p50_p99']}, apart {st['apart_p50_p99']}, "
                  f"changed {st['changed_apart']:.4f} / {st['changed_below']:.4f}")
    if a.pack:
        for r in recognition_check(a.pack, a.data, a.normalization):
            print(f"{r['pack']} read as {r['normalization']:>17}, {r['clips']:>20}: top-1 {r['top1']:.3f} "
                  f"({r['n']} clips), one-handed clips {r['top1_one_handed']:.3f} ({r['n_one_handed']})")
    if not (a.stats or a.pack):
        ap.error("say --stats and/or --pack")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
