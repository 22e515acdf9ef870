"""What standing still before and after a sign does to ``predict``, with and without the trim.

    python -m signclip_desktop.tools.rest_check --data ../shared/data --pack runs/words_v5_heldout/pack
        [--rest 0 1 2] [--hands-low W] [--live] [--json F]

The word data are recorded loops that hold little besides the sign; a phone recording or a
dictionary video has the signer standing still, hands down, before and after it. For each
``--rest`` (seconds, each side) the held-out signers' clips get that much rest (the first / last
frame's body, no hands in view) and are read as ``predict`` reads a file: every frame (``--no-trim``,
the old way) and the signing only (from hands-up to hands-down, the default). Prints top-1 and
the share the pack's open-set rule calls a known sign. ``--hands-low W``: the hands rest in view,
still, W shoulder widths below the shoulders (the trim counts a hand up to 1.4 as signing). ``--pack``: packs trained with held-out
signers (``training.twin``). ``--live``: the live recogniser's transcript entries and classified
windows with and without the held-low rule (``live_check``).

A dev tool: the app never imports it.
"""
from __future__ import annotations

import argparse

import numpy as np

from . import write_json
from ..keypoints import layout as L
from ..training.pack_eval import FPS, HeldOutTop1


def _hands_low(frame: np.ndarray, frames: np.ndarray, below: float) -> None:
    """Put each hand the clip shows, as it first shows it, still at ``below`` shoulder widths
    under the shoulders' midpoint (in front of the body, at the waist)."""
    ls, rs = frame[L.LEFT_SHOULDER], frame[L.RIGHT_SHOULDER]
    width = float(np.linalg.norm(ls[:2] - rs[:2]))
    if min(ls[3], rs[3]) <= 0 or width <= 1e-6:
        return
    mid = (ls[:2] + rs[:2]) / 2
    for comp, side in ((L.LEFT_HAND, 1.0), (L.RIGHT_HAND, -1.0)):
        seen = np.flatnonzero(frames[:, comp.start + L.HAND_WRIST, 3] > 0)
        if not len(seen):
            continue
        hand = frames[seen[0], comp.slice].astype(np.float32, copy=True)
        vis = hand[:, 3] > 0
        centre = hand[vis, :2].mean(axis=0)
        target = mid + np.array([side * 0.3 * width * np.sign(ls[0] - rs[0] or 1.0), below * width])
        hand[vis, :2] += target - centre
        frame[comp.slice] = hand


def with_rest(frames: np.ndarray, seconds: float, fps: float = FPS, hands_low: float | None = None) -> np.ndarray:
    """``frames`` with ``seconds`` of standing still before and after: the first / last frame's
    body and face, both hands out of view (``hands_low``: held still in view that many shoulder
    widths below the shoulders)."""
    n = int(round(seconds * fps))
    if n <= 0 or not len(frames):
        return frames
    ends = frames[[0, -1]].astype(np.float32, copy=True)
    ends[:, L.LEFT_HAND.slice] = 0.0
    ends[:, L.RIGHT_HAND.slice] = 0.0
    if hands_low is not None:
        for e in ends:
            _hands_low(e, frames, hands_low)
    return np.concatenate([np.repeat(ends[:1], n, 0), frames, np.repeat(ends[1:], n, 0)]).astype(np.float32)


def check(pack_dir, samples, rests, hands_low: float | None = None) -> dict:
    h = HeldOutTop1(pack_dir, samples)
    out = {"pack": str(pack_dir), "version": h.pack.version, "clips": len(h.clips), "signers": h.signers, "rows": []}
    where = "out of view" if hands_low is None else f"still in view, {hands_low:g} shoulder widths below the shoulders"
    print(f"{pack_dir} ({out['clips']} clips of {out['signers']} held-out signers), hands at rest {where}")
    print("| rest each side | top-1, every frame | top-1, signing only | known, every frame | known, signing only |")
    print("|---|---:|---:|---:|---:|")
    for r in rests:
        whole = h.as_predict(lambda f, r=r: with_rest(f, r, hands_low=hands_low), whole=True)
        signing = h.as_predict(lambda f, r=r: with_rest(f, r, hands_low=hands_low))
        out["rows"].append({"rest_s": r, "hands_low": hands_low, "whole": whole, "signing": signing})
        print(f"| {r:g} s | {whole['top1']:.3f} | {signing['top1']:.3f} | {whole['known']:.3f} | "
              f"{signing['known']:.3f} |", flush=True)
    return out


def _stream(h, frames, activity) -> tuple[list[str], int, int]:
    """Frames through the live recogniser: transcript entries, windows, windows classified."""
    from ..sources.base import KeypointFrame
    from ..stream.recognizer import Recognizer

    rec = Recognizer(h.pack, h.encoder, activity=activity)
    entries, windows, classified = [], 0, 0
    for i, kp in enumerate(frames):
        u = rec.push(KeypointFrame(i, i / FPS, kp))
        if u is None:
            continue
        windows += 1
        classified += u.prediction is not None
        if u.decision is not None and u.decision.committed is not None:
            entries.append(u.decision.committed.label)
    return entries, windows, classified


def live_check(pack_dir, samples, n: int = 200, seed: int = 0) -> dict:
    """The live recogniser with and without the held-low rule (``ActivityDetector.held_low_below``):
    transcript entries for ``n`` held-out clips plain and with 2 s of hands still at the waist
    (1.2 shoulder widths down) each side, then 1 s out of view; and windows classified during
    3 s of rest alone, the hands still 1.0 / 1.2 / 1.4 shoulder widths down."""
    from ..stream.activity import ActivityDetector

    h = HeldOutTop1(pack_dir, samples)
    pick = np.random.default_rng(seed).choice(len(h.clips), min(n, len(h.clips)), replace=False)
    clips = [h.clips[i] for i in pick]
    out = {"pack": str(pack_dir), "clips": len(clips)}
    print(f"{pack_dir}: live recogniser, {len(clips)} held-out clips")
    for name, act in (("held-low rule", ActivityDetector()), ("no rule", ActivityDetector(held_low_below=None))):
        row = {}
        for case, rest in (("plain", None), ("waist 2 s", 1.2)):
            right = wrong = 0
            for c in clips:
                fr = c.frames if rest is None else with_rest(c.frames, 2.0, hands_low=rest)
                fr = np.concatenate([fr, with_rest(c.frames[-1:], 1.0)[1:]])  # then 1 s out of view
                entries = _stream(h, fr, act)[0]
                right += c.label in entries
                wrong += sum(e != c.label for e in entries)
            row[case] = {"right": right, "wrong": wrong}
        for low in (1.0, 1.2, 1.4):
            n_entries = n_windows = n_classified = 0
            for c in clips[:100]:
                e, w, k = _stream(h, with_rest(c.frames, 3.0, hands_low=low)[:int(3 * FPS)], act)
                n_entries, n_windows, n_classified = n_entries + len(e), n_windows + w, n_classified + k
            row[f"rest {low:g}"] = {"windows": n_windows, "classified": n_classified, "entries": n_entries}
        out[name] = row
        print(f"  {name}: " + "; ".join(
            f"{k} {v['right']} right / {v['wrong']} wrong entries" if "right" in v else
            f"{k}: {v['classified']} of {v['windows']} windows classified, {v['entries']} entries"
            for k, v in row.items()), flush=True)
    return out


def main(argv=None) -> int:
    from ..training import data as D

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="the shared data folder")
    ap.add_argument("--pack", nargs="+", required=True, help="packs trained with held-out signers")
    ap.add_argument("--rest", type=float, nargs="*", default=(0.0, 1.0, 2.0), help="seconds of rest each side")
    ap.add_argument("--hands-low", type=float, default=None, metavar="W",
                    help="rest with the hands still in view, W shoulder widths below the shoulders (default: out of view)")
    ap.add_argument("--live", action="store_true",
                    help="the live recogniser instead, with and without the held-low rule (transcript entries)")
    ap.add_argument("--json", help="write the numbers here too")
    args = ap.parse_args(argv)
    samples = D.load_words(args.data)
    if args.live:
        result = [live_check(p, samples) for p in args.pack]
    else:
        result = [check(p, samples, args.rest, args.hands_low) for p in args.pack]
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
