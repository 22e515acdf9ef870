"""Bench part 3: the Holistic worker pool (``live/pool.py``) against one detector."""
from __future__ import annotations

import time

import numpy as np

from .clip import Clip
from .landmarks import _L_WRIST, _R_WRIST, _hand_rate, has_hand
from .session import rss_mb

def pool_run(clip: Clip, images, workers: int, static: bool, ref_kp=None, rounds: int = 2) -> tuple[dict, object, list]:
    """The pool against one HolisticDetector of the same mode, on the same decoded frames,
    in alternating passes (single, pool, pool, single): throughput ratio measured together."""
    from ..keypoints.holistic import HolisticDetector
    from ..live.pool import HolisticPool

    pool = HolisticPool(workers=workers, static_image_mode=static)
    rss_parent0 = rss_mb()
    t0 = time.perf_counter()
    pool.start()
    start_s = time.perf_counter() - t0
    list(pool.map(images[:3]))
    det = HolisticDetector(static_image_mode=static)
    det.detect(images[0])
    single_fps, pool_fps, kps = [], [], []
    try:
        for k in range(rounds):
            for which in (("single", "pool") if k % 2 == 0 else ("pool", "single")):
                if which == "single":
                    det.reset()
                    t0 = time.perf_counter()
                    single = [det.detect(img) for img in images]
                    single_fps.append(len(images) / (time.perf_counter() - t0))
                    if ref_kp is None:  # the reference: one video-mode detector on every frame
                        ref_kp = single
                else:
                    t0 = time.perf_counter()
                    got = [r.keypoints for r in pool.map(images)]
                    pool_fps.append(len(got) / (time.perf_counter() - t0))
                    kps = kps or got
    finally:
        det.close()
    worker_rss = sum(rss_mb(p) for p in pool.pids)
    hands = [has_hand(k) for k in kps]
    ref_hands = [has_hand(k) for k in ref_kp]
    hand_rate = _hand_rate(hands, clip.sign_mask, 0)
    m = min(len(ref_hands), len(hands))
    agree = float(np.mean([a == b for a, b in zip(ref_hands[:m], hands[:m])])) if m else None
    # wrist position difference where both found the hand (in image widths)
    dists = []
    for a, b in zip(ref_kp[:m], kps[:m]):
        for w in (_L_WRIST, _R_WRIST):
            if a[w, 3] > 0 and b[w, 3] > 0:
                dists.append(float(np.linalg.norm(a[w, :2] - b[w, :2])))
    mode = "static" if static else "video"
    pf, sf = float(np.mean(pool_fps)), float(np.mean(single_fps))
    res = {f"pool_{mode}_fps": pf, f"pool_{mode}_single_fps": sf, f"pool_{mode}_ratio": pf / sf,
           f"pool_{mode}_hand_rate": hand_rate,
           f"pool_{mode}_hand_agree": agree, f"pool_{mode}_wrist_diff": float(np.median(dists)) if dists else None,
           f"pool_{mode}_start_s": start_s, f"pool_{mode}_rss_mb_workers": worker_rss,
           f"pool_{mode}_rss_mb_parent_delta": rss_mb() - rss_parent0, f"pool_{mode}_frames": len(kps),
           f"pool_{mode}_per_worker": pool.worker_frames()}
    return res, pool, ref_kp
