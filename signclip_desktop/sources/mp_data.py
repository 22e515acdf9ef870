"""Raw ``MP_Data`` folders of hobby sign-recognition projects: ``<word>/<seq>/<frame>.npy``,
one flat MediaPipe Holistic vector per frame -> ``KeypointSequence``s in the shared layout.

Vector layouts recognised by size (the tutorial's ``extract_keypoints`` order):

* 1662 = pose 33 x (x, y, z, visibility), face 468 x 3, left hand 21 x 3, right hand 21 x 3
* 258  = pose 33 x 4, left hand, right hand
* 126  = left hand, right hand

Confidence: pose = visibility as stored (0 where the whole pose is zero), face and
hands = 1 where that part is non-zero. The face contour points are taken from the 468.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from ..keypoints import layout as L
from ..keypoints.normalize import hide_legs
from .base import KeypointSequence, SourceError

LAYOUT_SIZES = {1662: "P4F3LR", 258: "P4LR", 126: "LR"}
_FACE_IDX = np.asarray(L.FACE_CONTOUR_MESH_INDICES)


def vectors_to_layout(vec: np.ndarray) -> np.ndarray:
    """[T, D] flat vectors (D in 1662 / 258 / 126) -> float32 [T, 203, 4]."""
    vec = np.nan_to_num(np.asarray(vec, np.float64))
    t, d = vec.shape
    if d not in LAYOUT_SIZES:
        raise ValueError(f"unknown MediaPipe vector of {d} values (known: {sorted(LAYOUT_SIZES)})")
    out = L.empty_frames(t)
    o = 0
    if d in (1662, 258):
        pose = vec[:, :132].reshape(t, 33, 4)
        o = 132
        present = np.abs(pose).sum(axis=(1, 2)) > 0
        out[:, L.POSE.slice] = pose * present[:, None, None]
    if d == 1662:
        face = vec[:, o:o + 1404].reshape(t, 468, 3)
        o += 1404
        present = np.abs(face).sum(axis=(1, 2)) > 0
        out[:, L.FACE.slice, :3] = face[:, _FACE_IDX]
        out[:, L.FACE.slice, 3] = present[:, None]
    for comp in (L.LEFT_HAND, L.RIGHT_HAND):
        hand = vec[:, o:o + 63].reshape(t, 21, 3)
        o += 63
        present = np.abs(hand).sum(axis=(1, 2)) > 0
        out[:, comp.slice, :3] = hand
        out[:, comp.slice, 3] = present[:, None]
    out[out[..., 3] <= 0] = 0.0
    return hide_legs(out)


def _num_key(p: Path):
    try:
        return (0, int(p.stem), p.name)
    except ValueError:
        return (1, 0, p.name)


def _npy_files(d: Path) -> list[Path]:
    return sorted((p for p in d.glob("*.npy") if p.is_file()), key=_num_key)


def find_mp_data_root(path) -> tuple[Path, str] | None:
    """(folder, kind) where kind is 'root' (<word>/<seq>/*.npy), 'word' (<seq>/*.npy) or
    'sequence' (*.npy); None when ``path`` is not MP_Data-like."""
    p = Path(path)
    if not p.is_dir():
        return None
    if (p / "MP_Data").is_dir():
        p = p / "MP_Data"
    if next(p.glob("*/*/*.npy"), None) is not None:
        return p, "root"
    if next(p.glob("*/*.npy"), None) is not None:
        return p, "word"
    if next(p.glob("*.npy"), None) is not None:
        return p, "sequence"
    return None


def load_sequence_dir(seq_dir, label: str | None = None, fps: float = 30.0, signer: str | None = None) -> KeypointSequence:
    seq_dir = Path(seq_dir)
    files = _npy_files(seq_dir)
    if not files:
        raise SourceError(seq_dir, "no .npy frames in this folder")
    rows = []
    for f in files:
        try:
            a = np.load(f, allow_pickle=False)
        except (OSError, ValueError, EOFError) as e:
            raise SourceError(f, f"unreadable .npy frame ({e})") from e
        a = np.asarray(a).reshape(-1)
        if a.size not in LAYOUT_SIZES:
            raise SourceError(f, f"frame has {a.size} values; expected one of {sorted(LAYOUT_SIZES)}")
        if rows and a.size != rows[0].size:
            raise SourceError(f, f"frame has {a.size} values but the first frame has {rows[0].size}")
        rows.append(a)
    vec = np.stack(rows)
    return KeypointSequence(frames=vectors_to_layout(vec), fps=fps, label=label, signer=signer, language="und",
                            source=str(seq_dir), meta={"seq_id": f"{seq_dir.parent.name}/{seq_dir.name}",
                                                       "source_layout": LAYOUT_SIZES[vec.shape[1]]})


class MpDataSource:
    """Every sequence under an MP_Data folder (or one word folder, or one sequence folder)."""

    kind = "keypoints"

    def __init__(self, path, fps: float = 30.0, signer: str | None = None):
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(self.path, "folder not found")
        found = find_mp_data_root(self.path)
        if found is None:
            raise SourceError(self.path, "not an MP_Data folder (<word>/<sequence>/<frame>.npy)")
        self.root, self.layout = found
        self.fps, self.signer = fps, signer

    def sequence_dirs(self) -> list[tuple[str | None, Path]]:
        if self.layout == "sequence":
            return [(self.root.parent.name if self.root.parent != self.root else None, self.root)]
        if self.layout == "word":
            words = [(self.root.name, self.root)]
        else:
            words = [(d.name, d) for d in sorted(self.root.iterdir(), key=lambda p: p.name) if d.is_dir()]
        out = []
        for word, wdir in words:
            for sdir in sorted((s for s in wdir.iterdir() if s.is_dir()), key=_num_key):
                if next(sdir.glob("*.npy"), None) is not None:
                    out.append((word, sdir))
        return out

    def __len__(self) -> int:
        return len(self.sequence_dirs())

    def __iter__(self) -> Iterator[KeypointSequence]:
        for word, sdir in self.sequence_dirs():
            yield load_sequence_dir(sdir, label=word, fps=self.fps, signer=self.signer)

    def close(self) -> None:
        pass
