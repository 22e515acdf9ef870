"""Write the frozen encoder-input arrays the golden tests compare against.

Run once (and again only on purpose, when the encoder input is meant to change; then every
trained pack must be retrained):

    .venv/bin/python tests/golden/make_golden.py [SHARED_DATA]

Each case: a fixture clip -> the shared layout (its loader) -> ``encode_input`` with one
``InputSpec``. Training and the app both call ``encode_input``, so these arrays pin what the
model sees at both ends.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def cases(shared_data: Path):
    """name -> (layout frames [T, 203, 4], InputSpec, mirrored)."""
    from signclip_desktop.keypoints.features import InputSpec
    from signclip_desktop.keypoints import layout as L
    from signclip_desktop.sources.mp_data import MpDataSource
    from signclip_desktop.sources.pose_io import read_pose_sequence

    fx = shared_data / "fixtures"
    holistic = read_pose_sequence(fx / "pose" / "6fb01565da31c5500d1ef2cd2906b06b.pose").frames
    yes0 = next(s for s in MpDataSource(fx / "mp_data_raw") if s.label == "yes").frames
    return {
        "pose_holistic_bodyhands": (holistic, InputSpec(), False),
        "pose_holistic_all_xy_mirrored": (holistic, InputSpec(components=L.SUBSETS["holistic"], dims=("x", "y")), True),
        "mpdata_yes0_bodyhands": (yes0, InputSpec(), False),
        "mpdata_yes0_hands_normalized": (yes0, InputSpec(components=L.SUBSETS["hands"], normalization="hands"), False),
    }


def compute(shared_data: Path) -> dict[str, np.ndarray]:
    from signclip_desktop.keypoints.features import encode_input

    return {name: encode_input(fr, spec, mirrored=m) for name, (fr, spec, m) in cases(shared_data).items()}


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data"
    for name, arr in compute(shared).items():
        np.save(HERE / f"{name}.npy", arr.astype(np.float32))
        print(f"{name}.npy {arr.shape}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
