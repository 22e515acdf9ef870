"""Build ``resources/letter_shapes.npz`` (the target handshape per alphabet letter) from the shared data.

    python -m signclip_desktop.tools.letter_shapes ../shared/data [--out signclip_desktop/resources/letter_shapes.npz]

Sources: ``fingerspelling/spreadthesign/<lang>/*.pose`` (18 alphabets, one recording per letter) and,
for American letters (held out there), ``fingerspelling/letters/traduttore__traduttore-model.npz``
(language ase). Per letter the recording whose hand is seen longest is kept, reduced by
``practice.letter_shapes.hand_shape`` (a few KB per alphabet).
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..practice.letter_shapes import SHAPES_FILE, hand_shape, shape_key


# letters known to move in the webcam source (its wrist motion is small next to the hand coming up)
MOVING = {"ase": "JZ"}


def _dominant(frames: np.ndarray) -> np.ndarray:
    r, l = frames[:, L.RIGHT_HAND.slice], frames[:, L.LEFT_HAND.slice]
    return r if (r[..., 3] > 0).sum() >= (l[..., 3] > 0).sum() else l


def from_spreadthesign(root: Path) -> dict:
    from ..stream.clip import load_clip

    out = {}
    with open(root / "index.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            letter = row["glosses"].strip().upper()
            key = shape_key(row["signed_language"], letter)
            if key in out:
                continue
            seq = load_clip(root / row["path"])
            h = hand_shape(_dominant(seq.frames)[..., [0, 1, 3]])
            if h is not None:
                out[key] = h
    return out


def from_letters(path: Path, language: str = "ase") -> dict:
    z = np.load(path, allow_pickle=True)
    kp, lengths, labels = z["keypoints"], z["lengths"], z["labels"]
    best: dict = {}
    for i, lab in enumerate(labels):
        seq = kp[i, : int(lengths[i])].astype(np.float32)
        left, right = seq[:, 25:46], seq[:, 46:67]
        hand = right if (right[..., 3] > 0).sum() >= (left[..., 3] > 0).sum() else left
        n = int((hand[..., 3] > 0).all(axis=1).sum())
        if n > best.get(lab, (0, None))[0]:
            best[lab] = (n, hand)
    out = {}
    for lab, (_, hand) in best.items():
        letter = str(lab).upper()
        h = hand_shape(hand[..., [0, 1, 3]], moving=True if letter in MOVING.get(language, "") else None)
        if h is not None:
            out[shape_key(language, letter)] = h
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--out", type=Path, default=SHAPES_FILE)
    a = ap.parse_args(argv)
    shapes = from_spreadthesign(a.data / "fingerspelling" / "spreadthesign")
    shapes.update(from_letters(a.data / "fingerspelling" / "letters" / "traduttore__traduttore-model.npz"))
    np.savez_compressed(a.out, **shapes)
    langs = sorted({k.split(":")[0] for k in shapes})
    moving = sorted(k for k, v in shapes.items() if len(v) > 1)
    print(f"{len(shapes)} letters in {len(langs)} alphabets ({', '.join(langs)}); moving: {len(moving)} "
          f"(e.g. {', '.join(moving[:6])}); {a.out.stat().st_size / 1024:.0f} KB -> {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
