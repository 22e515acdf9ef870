"""Kaggle "asl-signs" landmark parquet files -> ``KeypointSequence``s.

Columns ``frame, row_id, type, landmark_index, x, y, z``; ``type`` is one of face (468
points), left_hand, pose (33), right_hand (21). Missing landmarks are NaN (or absent
rows). Pose has no visibility: its confidence is 1 where the point is present.
Labels come from ``train.csv`` (columns path, sign) or ``parquet_to_sign_mapping.csv``
(columns parquet_file, sign) found next to the file or in a folder above it.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Iterator

import numpy as np

from .. import limits
from ..keypoints import layout as L
from ..keypoints.normalize import hide_legs
from .base import KeypointSequence, SourceError

_FACE_POS = {m: k for k, m in enumerate(L.FACE_CONTOUR_MESH_INDICES)}
_COMPONENTS = {"pose": L.POSE, "left_hand": L.LEFT_HAND, "right_hand": L.RIGHT_HAND}
_COLUMNS = ("frame", "type", "landmark_index", "x", "y", "z")
MAPPING_FILES = ("train.csv", "parquet_to_sign_mapping.csv")
MAX_ROWS = 20_000_000  # 543 landmarks a frame: ~36,800 frames


def parquet_unavailable_reason(error: Exception) -> str:
    """Why a parquet file cannot be read here: the bundled app leaves pyarrow out (81 MB, build.spec)."""
    if getattr(sys, "frozen", False):
        return ("Kaggle parquet import is not part of the bundled app (it leaves pyarrow out); read .parquet "
                "files with the pip install of SignCLIP Desktop (scripts/setup in a checkout, README 'Start')")
    return f"reading parquet needs pyarrow: pip install 'pyarrow>=15,<22' ({error})"


def _read_table(path: Path) -> dict:
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415
    except ImportError as e:
        raise SourceError(path, parquet_unavailable_reason(e)) from e
    try:
        meta = pq.ParquetFile(str(path)).metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as e:  # pyarrow raises ArrowInvalid / OSError on garbage
        raise SourceError(path, f"not a readable parquet file ({e.__class__.__name__}: {str(e)[:120]})") from e
    if meta.num_rows > MAX_ROWS or unpacked > limits.MAX_ARRAY_BYTES:
        raise SourceError(path, f"holds {meta.num_rows} rows ({unpacked / 2**20:.0f} MiB unpacked); "
                                f"at most {MAX_ROWS} rows and {limits.MAX_ARRAY_BYTES / 2**20:.0f} MiB are read")
    try:
        table = pq.read_table(str(path), columns=[c for c in _COLUMNS if c in meta.schema.names])
    except Exception as e:  # pyarrow raises ArrowInvalid / OSError on garbage
        raise SourceError(path, f"not a readable parquet file ({e.__class__.__name__}: {str(e)[:120]})") from e
    missing = [c for c in _COLUMNS if c not in table.column_names]
    if missing:
        raise SourceError(path, f"not an asl-signs landmark file: missing columns {missing}")
    return {c: table.column(c).to_numpy(zero_copy_only=False) for c in _COLUMNS}


def parquet_to_layout(cols: dict) -> tuple[np.ndarray, np.ndarray]:
    """Columns -> (frames [T, 203, 4], frame numbers [T])."""
    frame = np.asarray(cols["frame"], np.int64)
    uniq = np.unique(frame)
    row = np.searchsorted(uniq, frame)
    out = L.empty_frames(len(uniq))
    types = np.asarray(cols["type"]).astype(str)
    idx = np.asarray(cols["landmark_index"], np.int64)
    xyz = np.stack([np.asarray(cols[c], np.float64) for c in ("x", "y", "z")], axis=-1)
    ok = np.isfinite(xyz[:, :2]).all(axis=-1)
    xyz = np.nan_to_num(xyz)
    for name, comp in _COMPONENTS.items():
        sel = (types == name) & ok & (idx >= 0) & (idx < len(comp.points))
        out[row[sel], comp.start + idx[sel], :3] = xyz[sel]
        out[row[sel], comp.start + idx[sel], 3] = 1.0
    sel = (types == "face") & ok
    fpos = np.array([_FACE_POS.get(int(i), -1) for i in idx[sel]], np.int64) if sel.any() else np.zeros(0, np.int64)
    r, x = row[sel], xyz[sel]
    keep = fpos >= 0
    out[r[keep], L.FACE.start + fpos[keep], :3] = x[keep]
    out[r[keep], L.FACE.start + fpos[keep], 3] = 1.0
    for comp in L.COMPONENTS:  # some exports write a missing part as zeros instead of NaN
        part = out[:, comp.slice]
        part[np.abs(part[..., :3]).sum(axis=(1, 2)) == 0] = 0.0
    return hide_legs(out), uniq


def find_label(path: Path) -> tuple[str | None, str | None]:
    """(sign, participant) for a landmark file from a mapping CSV in its folder or above."""
    path = Path(path).resolve()
    for d in list(path.parents)[:4]:
        for name in MAPPING_FILES:
            f = d / name
            if not f.is_file():
                continue
            try:
                with open(f, newline="", encoding="utf-8") as fh:
                    for rec in csv.DictReader(fh):
                        key = rec.get("path") or rec.get("parquet_file") or ""
                        if key and (key == path.name or path.as_posix().endswith(key.replace("\\", "/"))):
                            return rec.get("sign"), rec.get("participant_id")
            except (OSError, csv.Error, UnicodeDecodeError):
                continue
    return None, None


def load_parquet(path, fps: float = 30.0, label: str | None = None) -> KeypointSequence:
    path = Path(path)
    if not path.is_file():
        raise SourceError(path, "file not found")
    if path.stat().st_size == 0:
        raise SourceError(path, "file is empty (0 bytes)")
    try:
        limits.file_size(path)
        fps = limits.fps(fps)
    except limits.Invalid as e:
        raise SourceError(path, str(e)) from None
    cols = _read_table(path)
    try:
        n = len(np.unique(np.asarray(cols["frame"], np.int64))) if len(cols["frame"]) else 0
        limits.frame_count(n, fps, "frame")
        frames, numbers = parquet_to_layout(cols)
    except limits.Invalid as e:
        raise SourceError(path, str(e)) from None
    except (ValueError, TypeError, OverflowError) as e:  # a column of the wrong type
        raise SourceError(path, f"landmark columns have unexpected values ({str(e)[:120]})") from e
    sign, participant = (label, None) if label else find_label(path)
    return KeypointSequence(frames=frames, fps=fps, label=sign, signer=participant, language="ase" if sign else None,
                            source=str(path), meta={"frame_numbers": numbers.tolist()})


class KaggleSource:
    """One parquet file, or every ``*.parquet`` under a folder (recursively, sorted)."""

    kind = "keypoints"

    def __init__(self, path, fps: float = 30.0):
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(self.path, "not found")
        self.files = sorted(self.path.rglob("*.parquet")) if self.path.is_dir() else [self.path]
        if not self.files:
            raise SourceError(self.path, "no .parquet files in this folder")
        self.fps = fps

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self) -> Iterator[KeypointSequence]:
        for f in self.files:
            yield load_parquet(f, self.fps)

    def close(self) -> None:
        pass
