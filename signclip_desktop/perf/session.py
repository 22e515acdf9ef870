"""One app session in a fresh process, for start-up time and memory.

``python -m signclip_desktop.perf.session --clip X --pack P --launched T`` starts the
app's pipeline (``live.LiveSession``: capture/Holistic and inference worker
threads, no Qt) on the clip played in real time, and prints one JSON line:
seconds from ``T`` (the parent's ``time.time()`` just before it started this process)
to the first frame on screen, to the first frame with keypoints (Holistic loads in the
background while the first pictures show) and to the first guess, and peak / steady RSS
(sampled every 50 ms; steady = median over the second half of the clip).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time


def _status_mb(pid, key: str) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb(pid: int | str = "self") -> float:
    return _status_mb(pid, "VmRSS:") or 0.0


def peak_rss_mb() -> float:
    """This process's RSS high-water mark. VmHWM, not ru_maxrss: after fork+exec Linux's
    ru_maxrss starts at the *parent's* RSS, which would charge the bench's memory here."""
    hwm = _status_mb("self", "VmHWM:")
    if hwm is not None:
        return hwm
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return r / (1024 * 1024) if sys.platform == "darwin" else r / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clip", required=True)
    ap.add_argument("--pack", required=True)
    ap.add_argument("--launched", type=float, required=True)
    ap.add_argument("--frames", type=int, default=0)  # accepted for compatibility; the clip is played once
    a = ap.parse_args(argv)
    t_start = time.time()
    from ..live import LiveConfig, LiveSession, SourceSpec

    out = {"python_start_s": t_start - a.launched, "first_frame_s": None, "first_landmarks_s": None,
           "first_guess_s": None}
    done = threading.Event()
    problems = []

    def on_event(ev):
        if ev.name == "update" and ev.prediction is not None and out["first_guess_s"] is None:
            out["first_guess_s"] = time.time() - a.launched
        elif ev.name in ("source_ended", "source_error", "source_lost", "worker_error", "pack_error"):
            if ev.name != "source_ended":
                problems.append(f"{ev.name}: {ev.message}")
            done.set()

    session = LiveSession(LiveConfig(pack_path=a.pack, providers="cpu"), on_event=on_event)
    session.start(SourceSpec(kind="file", path=a.clip, loop=False, pace=True))
    samples = []
    t_first = None
    pool_workers, detector = 0, ""
    while not done.wait(0.05):
        samples.append(rss_mb())
        pool_workers = max(pool_workers, session.pool_workers)
        detector = session.detector or detector
        st = session.stats()
        if out["first_frame_s"] is None and st.first_frame_at is not None:
            out["first_frame_s"] = time.time() - a.launched - (time.monotonic() - st.first_frame_at)
            t_first = len(samples)
        first_lm = st.first_landmark_at
        if out.get("first_landmarks_s") is None and first_lm is not None:
            out["first_landmarks_s"] = time.time() - a.launched - (time.monotonic() - first_lm)
    stopped = session.stop(10.0)
    tail = samples[len(samples) // 2:] or samples
    out.update(rss_mb_peak=peak_rss_mb(), rss_mb_steady=float(sorted(tail)[len(tail) // 2]) if tail else 0.0,
               rss_mb_end=rss_mb(), threads_stopped=stopped, problems=problems, samples=len(samples),
               first_frame_sample=t_first, pool_workers=pool_workers, pool_note=session.pool_note,
               detector=detector)
    print("SESSION " + json.dumps(out), flush=True)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
