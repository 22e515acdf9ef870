"""Bench part: the live app's own session with its detector pool (threads unless
``$SIGNCLIP_POOL_KIND=processes``) against the same session with one in-process detector, on the
same clip, unpinned (the pool is for machines with free cores).

Each pass plays the clip as a looping, unpaced video file through ``live.LiveSession`` with the
pack's real landmark graph; with ``pool=N`` it waits until the pool has taken over, then counts
keypoint frames for ``seconds``. Passes alternate (single, pool, pool, single) so both see the
same load. What the app's rule (``live.pooled.pool_workers_now``) would pick is reported beside.
"One detector" is the app's own, as it runs (one picture at a time unless ``$SIGNCLIP_PIPELINE`` says
otherwise); ``app_pipeline_run`` measures two pictures at once the same way (``pipeline=0`` against 2).
"""
from __future__ import annotations

import time
from pathlib import Path


def session_fps(clip_path: Path, pack_path: Path, pool: int | None, seconds: float = 6.0,
                start_timeout: float = 90.0, pipeline: int | None = None) -> dict:
    """Keypoint frames per second of one session in its steady state; ``pool`` None: the app's own
    rule decides (``live.pooled.pool_workers_now``), as the app runs."""
    from ..live import LiveConfig, LiveSession, SourceSpec
    from ..live.pooled import pool_setting, pool_workers_now

    session = LiveSession(LiveConfig(pack_path=str(pack_path), providers="cpu"), pool=pool, pipeline=pipeline)
    if pool is None:
        pool = pool_setting()
        pool = pool_workers_now() if pool is None else pool
    session.start(SourceSpec(kind="file", path=str(clip_path), loop=True, pace=False))
    try:
        end = time.monotonic() + start_timeout
        want = (lambda: session.pool_workers == pool) if pool else (lambda: session.stats().tracking == "ready")
        while not want() and time.monotonic() < end:
            if pool and "did not start" in session.pool_note:
                break
            time.sleep(0.05)
        if not want():
            return {"fps": None, "workers": session.pool_workers, "note": session.pool_note or "not ready in time"}
        time.sleep(1.0)  # past the swap / the detector's first frames
        n0, t0 = session.stats().landmark_frames, time.monotonic()
        time.sleep(seconds)
        n1, t1 = session.stats().landmark_frames, time.monotonic()
        return {"fps": (n1 - n0) / (t1 - t0), "frames": n1 - n0, "workers": session.pool_workers, "note": session.pool_note,
                "depth": session.pipeline_depth}
    finally:
        session.stop(15.0)


def app_pool_run(clip_path: Path, pack_path: Path, workers: int, seconds: float = 6.0) -> dict:
    """``app_pool_fps`` / ``app_single_fps`` (keypoint frames per second through the app's
    session) and their ratio, from alternating passes."""
    single, pooled, notes = [], [], []
    for pool in (0, workers, workers, 0):
        r = session_fps(clip_path, pack_path, pool, seconds)
        (pooled if pool else single).append(r["fps"])
        if pool and r["note"]:
            notes.append(r["note"])
    ok_s, ok_p = [v for v in single if v], [v for v in pooled if v]
    s = sum(ok_s) / len(ok_s) if ok_s else None
    p = sum(ok_p) / len(ok_p) if len(ok_p) == len(pooled) else None
    from ..live.pooled import pool_kind

    return {"app_pool_workers": workers, "app_pool_kind": pool_kind(), "app_single_fps": s, "app_pool_fps": p,
            "app_pool_ratio": (p / s) if p and s else None, "app_pool_passes": {"single": single, "pool": pooled},
            "app_pool_note": "; ".join(sorted(set(notes)))}


def app_pipeline_run(clip_path: Path, pack_path: Path, depth: int = 2, seconds: float = 6.0) -> dict:
    """The app's session with its one detector working on ``depth`` pictures at once against one at
    a time (``pipeline=0``), alternating passes, unpinned: ``app_pipeline_ratio``."""
    one, many, depths = [], [], []
    for d in (0, depth, depth, 0):
        r = session_fps(clip_path, pack_path, 0, seconds, pipeline=d)
        (many if d else one).append(r["fps"])
        if d:
            depths.append(r["depth"])
    s = sum(one) / len(one) if all(one) else None
    p = sum(many) / len(many) if all(many) else None
    return {"app_pipeline_depth": depth, "app_one_at_a_time_fps": s, "app_pipeline_fps": p,
            "app_pipeline_ratio": (p / s) if p and s else None, "app_pipeline_passes": {"one": one, "pipeline": many},
            "app_pipeline_depths_seen": depths}
