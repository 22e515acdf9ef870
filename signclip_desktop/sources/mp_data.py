"""Raw ``MP_Data`` folders of hobby sign-recognition projects: ``<word>/<seq>/<frame>.npy``,
one flat MediaPipe Holistic vector per frame -> ``KeypointSequence``s in the shared layout.

Vector layouts recognised by size (the tutorial's ``extract_keypoints`` order):

* 1662 = pose 33 x (x, y, z, visibility), face 468 x 3, left hand 21 x 3, right hand 21 x 3
* 258  = pose 33 x 4, left hand, right hand
* 126  = left hand, right hand

Some projects store the same parts in another order: face first (F3P4LR, 1662) or the
right hand before the left (P4RL, 258). ``layout="auto"`` (default) tells them apart on
the data, as the data README does: the pose nose lies inside the face mesh, and
MediaPipe's left-hand wrist lies at pose landmark 15 (LEFT_WRIST).

Confidence: pose = visibility as stored (0 where the whole pose is zero), face and
hands = 1 where that part is non-zero. The face contour points are taken from the 468.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from .. import limits
from ..keypoints import layout as L
from ..keypoints.normalize import hide_legs
from .base import KeypointSequence, SourceError

LAYOUT_SIZES = {1662: "P4F3LR", 258: "P4LR", 126: "LR"}
ALTERNATIVES = {"P4F3LR": "F3P4LR", "P4LR": "P4RL"}
_FACE_IDX = np.asarray(L.FACE_CONTOUR_MESH_INDICES)


def _canonical(vec: np.ndarray, layout: str) -> np.ndarray:
    """Reorder a face-first or right-first vector into the canonical order."""
    if layout == "F3P4LR":
        return np.concatenate([vec[:, 1404:1536], vec[:, :1404], vec[:, 1536:]], axis=1)
    if layout == "P4RL":
        return np.concatenate([vec[:, :132], vec[:, 195:258], vec[:, 132:195]], axis=1)
    return vec


def _pose_face_score(vec: np.ndarray) -> float:
    """How well [T, 1662] reads as pose-then-face: the nose inside the face mesh, both shoulders
    outside it, and every visibility in [0, 1]. Up to 3; a misread order scores lower."""
    pose = vec[:, :132].reshape(-1, 33, 4)
    face = vec[:, 132:1536].reshape(-1, 468, 3)
    ok = (np.abs(pose).sum(axis=(1, 2)) > 0) & (np.abs(face).sum(axis=(1, 2)) > 0)
    if not ok.any():
        return 0.0
    pose, f = pose[ok], face[ok, :, :2]
    lo, hi = f.min(axis=1), f.max(axis=1)

    def inside(p):
        return ((p >= lo) & (p <= hi)).all(axis=1)

    nose = inside(pose[:, 0, :2]).mean()
    shoulders = (~inside(pose[:, 11, :2]) & ~inside(pose[:, 12, :2])).mean()
    vis = ((pose[..., 3] >= 0) & (pose[..., 3] <= 1)).all(axis=1).mean()
    return float(nose + shoulders + vis)


def _left_wrist_match(vec: np.ndarray) -> float:
    """> 0 when the first hand block's wrist sits at pose LEFT_WRIST (15) and the second's at
    RIGHT_WRIST (16), as in MediaPipe's own order; < 0 when they are swapped."""
    pose = vec[:, :132].reshape(-1, 33, 4)
    votes = []
    for k, (own, other) in enumerate(((15, 16), (16, 15))):
        hand = vec[:, 132 + 63 * k:195 + 63 * k].reshape(-1, 21, 3)
        ok = (np.abs(hand).sum(axis=(1, 2)) > 0) & (pose[:, own, 3] > 0.5) & (pose[:, other, 3] > 0.5)
        if ok.any():
            w = hand[ok, 0, :2]
            votes.append(np.linalg.norm(w - pose[ok, other, :2], axis=1) - np.linalg.norm(w - pose[ok, own, :2], axis=1))
    return float(np.concatenate(votes).mean()) if votes else 0.0


def detect_layout(vec: np.ndarray) -> str:
    """The source layout code of [T, D] vectors (see the module doc)."""
    d = vec.shape[1]
    if d not in LAYOUT_SIZES:
        raise ValueError(f"unknown MediaPipe vector of {d} values (known: {sorted(LAYOUT_SIZES)})")
    base = LAYOUT_SIZES[d]
    if base == "P4F3LR":
        alt = _canonical(vec, "F3P4LR")
        return "F3P4LR" if _pose_face_score(alt) > _pose_face_score(vec) else base
    if base == "P4LR":
        return "P4RL" if _left_wrist_match(vec) < 0 else base
    return base


def vectors_to_layout(vec: np.ndarray, layout: str = "auto") -> np.ndarray:
    """[T, D] flat vectors (D in 1662 / 258 / 126) -> float32 [T, 203, 4]."""
    # beyond +-1e6 a value is garbage, not a position; clipped so float32 never overflows
    vec = np.clip(np.nan_to_num(np.asarray(vec, np.float64), nan=0.0, posinf=0.0, neginf=0.0), -1e6, 1e6)
    if vec.ndim != 2 or vec.shape[1] not in LAYOUT_SIZES:
        raise ValueError(f"unknown MediaPipe vector of {vec.shape[-1]} values (known: {sorted(LAYOUT_SIZES)})")
    layout = detect_layout(vec) if layout == "auto" else layout
    vec = _canonical(vec, layout)
    t, d = vec.shape
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


def load_sequence_dir(seq_dir, label: str | None = None, fps: float = 30.0, signer: str | None = None,
                      layout: str = "auto") -> KeypointSequence:
    seq_dir = Path(seq_dir)
    files = _npy_files(seq_dir)
    if not files:
        raise SourceError(seq_dir, "no .npy frames in this folder")
    try:
        fps = limits.fps(fps)
        limits.frame_count(len(files), fps, "sequence")
    except limits.Invalid as e:
        raise SourceError(seq_dir, str(e)) from None
    rows = []
    for f in files:
        try:
            a = limits.read_npy(f, max_bytes=limits.MAX_NPY_VALUES * 8)
        except limits.Invalid as e:
            raise SourceError(f, f"unreadable .npy frame: {e}") from None
        except OSError as e:
            raise SourceError(f, f"unreadable .npy frame ({e})") from e
        if a.dtype.kind not in "fiu":
            raise SourceError(f, f"frame holds {a.dtype} values, not numbers")
        a = np.asarray(a).reshape(-1)
        if a.size not in LAYOUT_SIZES:
            raise SourceError(f, f"frame has {a.size} values; expected one of {sorted(LAYOUT_SIZES)}")
        if rows and a.size != rows[0].size:
            raise SourceError(f, f"frame has {a.size} values but the first frame has {rows[0].size}")
        rows.append(a)
    vec = np.clip(np.nan_to_num(np.stack(rows).astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0), -1e6, 1e6)
    layout = detect_layout(vec) if layout == "auto" else layout
    return KeypointSequence(frames=vectors_to_layout(vec, layout), fps=fps, label=label, signer=signer,
                            language="und", source=str(seq_dir),
                            meta={"seq_id": f"{seq_dir.parent.name}/{seq_dir.name}", "source_layout": layout})


class MpDataSource:
    """Every sequence under an MP_Data folder (or one word folder, or one sequence folder)."""

    kind = "keypoints"

    def __init__(self, path, fps: float = 30.0, signer: str | None = None, layout: str = "auto"):
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(self.path, "folder not found")
        found = find_mp_data_root(self.path)
        if found is None:
            raise SourceError(self.path, "not an MP_Data folder (<word>/<sequence>/<frame>.npy)")
        self.root, self.layout = found
        try:
            fps = limits.fps(fps, "--fps")
        except limits.Invalid as e:
            raise SourceError(self.path, str(e)) from None
        self.fps, self.signer, self.vector_layout = fps, signer, layout

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
            yield load_sequence_dir(sdir, label=word, fps=self.fps, signer=self.signer, layout=self.vector_layout)

    def close(self) -> None:
        pass
