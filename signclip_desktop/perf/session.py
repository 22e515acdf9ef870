"""One app session in a fresh process, for start-up time and memory.

``python -m signclip_desktop.perf.session --clip X --pack P --launched T`` imports the
package, loads the pack and the encoder, starts Holistic, opens the clip and runs the
pipeline (source -> HolisticDetector -> Recognizer) over it, then prints one JSON line:
seconds from ``T`` (the parent's ``time.time()`` just before it started this process)
to the first frame's keypoints and to the first guess, and peak/steady RSS.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
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
    ap.add_argument("--frames", type=int, default=0)
    a = ap.parse_args(argv)
    t_start = time.time()
    from ..keypoints.holistic import HolisticDetector
    from ..model.encoder import Encoder
    from ..model.pack import load_pack
    from ..sources import KeypointFrame
    from ..sources.video import VideoSource
    from ..stream.recognizer import Recognizer

    pack = load_pack(a.pack)
    rec = Recognizer(pack, Encoder(pack, providers="cpu"))
    det = HolisticDetector()
    src = VideoSource(a.clip)
    out = {"python_start_s": t_start - a.launched, "first_frame_s": None, "first_guess_s": None}
    samples = []
    n = 0
    try:
        for fr in src:
            kp = det.detect(fr.image, fr.timestamp)
            if out["first_frame_s"] is None:
                out["first_frame_s"] = time.time() - a.launched
            u = rec.push(KeypointFrame(fr.index, fr.timestamp, kp))
            if u is not None and u.prediction is not None and out["first_guess_s"] is None:
                out["first_guess_s"] = time.time() - a.launched
            n += 1
            samples.append(rss_mb())
            if a.frames and n >= a.frames:
                break
    finally:
        src.close()
        det.close()
    tail = samples[len(samples) // 2:] or samples
    out.update(frames=n, rss_mb_peak=peak_rss_mb(), rss_mb_steady=float(sorted(tail)[len(tail) // 2]) if tail else 0.0,
               rss_mb_end=rss_mb())
    print("SESSION " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
