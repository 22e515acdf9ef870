"""Time MediaPipe Holistic on image folders (a dev tool; the app never imports it).

    python -m signclip_desktop.tools.holistic_bench --bench FOLDER... [--static] [--limit N]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..keypoints.holistic import HolisticDetector
from ..sources.images import ImageFolderSource, list_images


def _bench(folders: list[str], static: bool, limit: int) -> None:
    """Time the detector on image folders: ms per frame after the first (warm-up) frame."""

    files = []
    for f in folders:
        p = Path(f)
        files += list_images(p) if any(list_images(p)) else [x for d in sorted(p.iterdir()) if d.is_dir()
                                                               for x in list_images(d)]
    files = files[:limit] if limit else files
    src = ImageFolderSource(Path(folders[0]), files=files)
    images = [fr.image for fr in src]
    t0 = time.perf_counter()
    det = HolisticDetector(static_image_mode=static)
    t_init = time.perf_counter() - t0
    times, hands = [], 0
    for i, img in enumerate(images):
        t = time.perf_counter()
        kp = det.detect(img, i / 30)
        times.append(time.perf_counter() - t)
        hands += int(kp[L.LEFT_HAND.slice, 3].max() > 0 or kp[L.RIGHT_HAND.slice, 3].max() > 0)
    det.close()
    steady = np.array(times[1:] or times) * 1000
    print(f"{len(images)} images {images[0].shape[1]}x{images[0].shape[0]}, mode={'static' if static else 'video'}: "
          f"init {t_init * 1000:.0f} ms, first frame {times[0] * 1000:.0f} ms, then median {np.median(steady):.1f} ms/frame "
          f"(mean {steady.mean():.1f}, p90 {np.percentile(steady, 90):.1f}) = {1000 / np.median(steady):.1f} frames/s; "
          f"hands found in {hands}/{len(images)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Time MediaPipe Holistic on image folders")
    ap.add_argument("--bench", nargs="+", metavar="FOLDER", required=True)
    ap.add_argument("--static", action="store_true")
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args(argv)
    _bench(a.bench, a.static, a.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
