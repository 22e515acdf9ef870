"""How fast signers move per frame in the training data, and what a faster signer does to the model.

    python -m signclip_desktop.tools.speed_check --data ../shared/data [--pack runs/words_v5_heldout/pack ...]
        [--tempos 0.75 1 1.5 2 2.5 3] [--json F]

1. Motion per frame: for each clip, the 75th percentile of the hand centre's step between two frames in
   shoulder widths; the median per source. The hobby webcam loops (MediaPipe in the capture loop, a
   few frames a second slower than the camera, signs made slowly for the recording) against the
   sources taken from dictionary videos at the video's own frame rate. The app reads every stream at
   the pack's fps by timestamp, so a fluent signer at a live camera looks like the video sources.
2. Recognition (``--pack``, packs trained with held-out signers, e.g. ``training.twin``): top-1 of the
   held-out signers' clips played ``tempo`` times faster (nearest frame in time, as the app resamples).

A dev tool: the app never imports it.
"""
from __future__ import annotations

import argparse

import numpy as np

from . import write_json
from ..keypoints import layout as L
from ..stream.window import resample_sequence

# word sources whose frames are a video's own frames (see the data README), not a webcam capture loop
VIDEO_RATE_SOURCES = ("AhmedTheMagnificent",)


def clip_motion(frames: np.ndarray) -> float | None:
    """75th percentile of the hand centre's per-frame step, in shoulder widths (layout frames [T, P, 4])."""
    sh = frames[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]]
    width = np.linalg.norm(sh[:, 0, :2] - sh[:, 1, :2], axis=-1)
    ok = (sh[..., 3].min(axis=1) > 0.3) & (width > 0.02)
    if ok.sum() < 5:
        return None
    unit = float(np.median(width[ok]))
    steps = []
    for comp in (L.LEFT_HAND, L.RIGHT_HAND):
        hand = frames[:, comp.start:comp.stop]
        seen = hand[:, 0, 3] > 0
        centre = hand[..., :2].mean(axis=1)
        step = np.linalg.norm(np.diff(centre, axis=0), axis=-1) / unit
        both = seen[1:] & seen[:-1]
        if both.sum() > 3:
            steps.append(float(np.percentile(step[both], 75)))
    return max(steps) if steps else None


def motion_by_signer(samples) -> dict[str, float]:
    per: dict[str, list[float]] = {}
    for s in samples:
        m = clip_motion(s.frames)
        if m is not None:
            per.setdefault(s.signer, []).append(m)
    return {k: float(np.median(v)) for k, v in per.items()}


def tempo(frames: np.ndarray, factor: float, fps: float = 30.0) -> np.ndarray:
    """The clip as a signer ``factor`` times faster would give it at the same camera rate."""
    return resample_sequence(frames, fps * factor, fps)


def recognition(pack_dir, samples, tempos) -> dict:
    from ..training.pack_eval import HeldOutTop1

    top1 = HeldOutTop1(pack_dir, samples)
    out = {"pack": str(pack_dir), "version": top1.pack.version, "clips": len(top1.clips),
           "signers": top1.signers, "top1": {str(k): top1(lambda f, k=k: tempo(f, k)) for k in tempos}}
    print(f"  {pack_dir} ({out['clips']} clips, {out['signers']} signers): "
          + ", ".join(f"x{k} {v:.3f}" for k, v in out["top1"].items())
          + f" (mean {np.mean(list(out['top1'].values())):.3f})", flush=True)
    return out


def main(argv=None) -> int:
    from ..training import data as D

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="the shared data folder")
    ap.add_argument("--pack", nargs="*", default=(), help="packs trained with held-out signers")
    ap.add_argument("--tempos", type=float, nargs="*", default=(0.75, 1.0, 1.5, 2.0, 2.5, 3.0))
    ap.add_argument("--json", help="write the numbers here too")
    args = ap.parse_args(argv)
    samples = D.load_words(args.data)
    motion = motion_by_signer(samples)
    video = {k: v for k, v in motion.items() if k in VIDEO_RATE_SOURCES}
    loops = np.array([v for k, v in motion.items() if k not in VIDEO_RATE_SOURCES])
    q = np.percentile(loops, [10, 25, 50, 75, 90])
    result = {"motion": {"webcam_loops_signers": len(loops),
                         "webcam_loops_percentiles_10_25_50_75_90": [round(float(x), 4) for x in q],
                         "video_rate": {k: round(v, 4) for k, v in video.items()}}}
    print("hand step per frame, 75th percentile of a clip, median per signer (shoulder widths):")
    print(f"  webcam loops ({len(loops)} signers): p10 {q[0]:.3f}, p25 {q[1]:.3f}, median {q[2]:.3f}, "
          f"p75 {q[3]:.3f}, p90 {q[4]:.3f}")
    for k, v in video.items():
        print(f"  {k} (a video's own frames): {v:.3f} = {v / q[2]:.1f} x the webcam loops' median")
    if args.pack:
        print("held-out signers' clips played faster (top-1 over the pack's words):")
        result["recognition"] = [recognition(p, samples, args.tempos) for p in args.pack]
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
