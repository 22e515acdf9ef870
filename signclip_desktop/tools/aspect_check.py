"""What the picture's aspect does to the model's input, and what ``to_reference_aspect`` gives back.

    python -m signclip_desktop.tools.aspect_check --data ../shared/data [--pack runs/words_v4_heldout/pack [--scales K ...]] [--json F]

1. Real frames: the silfa video pictures (852x480, 16:9) and 4:3, 1:1 and 9:16 centre crops of the
   same pictures through the words pack's landmark graph; shoulder-normalised x, y of every point
   both crops see, against the 4:3 crop, raw and corrected (in shoulder widths).
2. Recognition (``--pack``, a pack trained with held-out signers): its held-out signers' clips as
   a camera of each aspect would give them (MediaPipe's x is a fraction of the width, which part 1
   checks on real pictures), top-1 read raw and corrected; with ``--scales``, top-1 with x scaled
   by each factor (what no correction can undo: keypoint data whose picture size nobody stored).

A dev tool: the app never imports it.
"""
from __future__ import annotations

import argparse

import numpy as np

from . import write_json
from ..keypoints.normalize import REFERENCE_ASPECT, normalize_shoulders, to_reference_aspect

CROPS = {"4:3": 4 / 3, "16:9": 16 / 9, "1:1": 1.0, "9:16": 9 / 16}


def as_filmed_at(frames: np.ndarray, aspect: float) -> np.ndarray:
    """Reference-aspect frames as a picture of ``aspect`` would give them (the inverse correction)."""
    return to_reference_aspect(frames, REFERENCE_ASPECT * REFERENCE_ASPECT / aspect)


def _centre_crops(images: list[np.ndarray]) -> dict[str, tuple[list[np.ndarray], float]]:
    h, w = images[0].shape[:2]
    out = {}
    for name, a in CROPS.items():
        cw = min(w, int(round(h * a)))
        x0 = (w - cw) // 2
        out[name] = ([np.ascontiguousarray(im[:, x0:x0 + cw]) for im in images], cw / h)
    return out


def real_frames(data) -> dict:
    from ..keypoints.landmark_graph import make_detector
    from ..perf.detectors import real_clips

    rows = {}
    for clip, images in real_clips(data).items():
        found = {}
        for name, (imgs, aspect) in _centre_crops(images).items():
            det = make_detector(("pose", "left_hand", "right_hand"))
            try:
                found[name] = (np.stack([det.detect(im, i / 30.0) for i, im in enumerate(imgs)]), aspect)
            finally:
                det.close()
        ref = normalize_shoulders(to_reference_aspect(*found["4:3"]))
        for name, (kp, aspect) in found.items():
            if name == "4:3":
                continue
            row = {"aspect": round(aspect, 4)}
            for how, f in (("raw", kp), ("corrected", to_reference_aspect(kp, aspect))):
                g = normalize_shoulders(f)
                both = (g[..., 3] > 0) & (ref[..., 3] > 0)
                d = np.abs(g[..., :2] - ref[..., :2])[both]
                row[how] = {"median": float(np.median(d)), "p90": float(np.percentile(d, 90)), "points": int(both.sum())}
            rows[f"{clip} {name}"] = row
    return rows


def recognition(pack_dir, data, scales=()) -> dict:
    from ..training.pack_eval import HeldOutTop1, _load_eval_samples

    top1 = HeldOutTop1(pack_dir, _load_eval_samples("words", data))
    out = {"pack": str(pack_dir), "clips": len(top1.clips), "signers": top1.signers}
    for name, a in CROPS.items():
        out[name] = {"raw": top1(lambda f, a=a: as_filmed_at(f, a)),
                     "corrected": top1(lambda f, a=a: to_reference_aspect(as_filmed_at(f, a), a))}
        print(f"  {name}: top-1 raw {out[name]['raw']:.3f}, corrected {out[name]['corrected']:.3f}", flush=True)
    if scales:
        out["x_scale"] = {str(k): top1(lambda f, k=k: to_reference_aspect(f, REFERENCE_ASPECT * k)) for k in scales}
        print("  x scaled by " + ", ".join(f"{k}: {v:.3f}" for k, v in out["x_scale"].items())
              + f" (mean {np.mean(list(out['x_scale'].values())):.3f})", flush=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="the shared data folder (images/silfa, words/)")
    ap.add_argument("--pack", help="a pack trained with held-out signers (e.g. runs/words_v4_heldout/pack)")
    ap.add_argument("--scales", type=float, nargs="*", default=(), metavar="K",
                    help="with --pack: also top-1 with x scaled by each K (e.g. 0.6 0.75 1 1.4 1.7)")
    ap.add_argument("--json", help="write the numbers here too")
    args = ap.parse_args(argv)
    result = {"real_frames": real_frames(args.data)}
    print("shoulder-normalised |x, y| against the 4:3 crop of the same pictures (shoulder widths):")
    for k, r in result["real_frames"].items():
        print(f"  {k:<16} raw median {r['raw']['median']:.3f} p90 {r['raw']['p90']:.3f} | "
              f"corrected median {r['corrected']['median']:.3f} p90 {r['corrected']['p90']:.3f} ({r['raw']['points']} points)")
    if args.pack:
        print(f"held-out signers' clips as each camera would give them ({args.pack}):")
        result["recognition"] = recognition(args.pack, args.data, args.scales)
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
