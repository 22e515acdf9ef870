"""Measure shoulder width / palm length over the words data (how ``SHOULDER_PER_PALM`` was set).

    python -m signclip_desktop.tools.shoulder_palm --measure ../shared/data

A dev tool: the app never imports it (it reads ``sources/``, which ``keypoints/`` must not).
"""
from __future__ import annotations

import argparse
import glob
import os

import numpy as np

from ..keypoints.normalize import palm_lengths, shoulder_reference
from ..sources.npz import load_npz_sequences


def measure(data_dir: str) -> None:
    """Print shoulder width / palm length over the words data (sets SHOULDER_PER_PALM)."""
    ratios = []
    for path in sorted(glob.glob(os.path.join(data_dir, "words", "*.npz"))):
        for seq in load_npz_sequences(path):
            ref = shoulder_reference(seq.frames)
            palms = palm_lengths(seq.frames)
            if ref is not None and palms.size:
                ratios.append(ref[1] / palms.mean())
    print(f"sequences={len(ratios)} median shoulder/palm={np.median(ratios):.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--measure", metavar="DATA", required=True, help="the shared data folder (with words/)")
    measure(ap.parse_args(argv).measure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
