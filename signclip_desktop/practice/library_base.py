"""The library's plain parts, shared by ``library.py`` (the SQLite store) and ``signlib.py``
(export / import / re-embedding): limits, the error, example blobs, the row types."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import limits
from ..keypoints import layout as L
from ..model.pack import Label

FORMAT = "signclip-library"
FORMAT_VERSION = 1
MIN_EXAMPLES, MAX_EXAMPLES = 3, 10
EXPORT_SUFFIX = ".signlib"


class LibraryError(Exception):
    """A library operation that cannot be done; the message says why in plain words."""


def data_dir() -> Path:
    """The app's user data folder (``$SIGNCLIP_HOME``, else the platform's; see model.registry)."""
    from ..model.registry import data_dir as _data_dir

    return _data_dir()


def default_path() -> Path:
    return data_dir() / "library.sqlite3"


def pack_id(pack) -> str:
    """The key embeddings are stored under: name@version of the pack."""
    return f"{pack.name}@{pack.version}"


def frames_to_blob(frames: np.ndarray) -> bytes:
    frames = np.asarray(frames, np.float32)
    if frames.ndim != 3 or frames.shape[1:] != (L.NUM_POINTS, L.NUM_CHANNELS):
        raise LibraryError(f"an example must be [T, {L.NUM_POINTS}, 4] keypoints, got {frames.shape}")
    if len(frames) > limits.MAX_EXAMPLE_FRAMES:
        raise LibraryError(f"an example has {len(frames)} frames; at most {limits.MAX_EXAMPLE_FRAMES} are kept")
    buf = io.BytesIO()
    np.savez_compressed(buf, frames=frames)
    return buf.getvalue()


def blob_to_frames(blob: bytes) -> np.ndarray:
    """A stored example's frames, sizes checked before anything is unpacked (a compressed
    bomb or a damaged blob is a ``LibraryError``, never a MemoryError or garbage)."""
    try:
        return _frames_of(blob)
    except limits.Invalid as e:
        raise LibraryError(f"a stored example is damaged: {e}") from None


def _frames_of(blob) -> np.ndarray:
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise limits.Invalid(f"frames are {type(blob).__name__}, not a blob")
    if len(blob) > limits.MAX_EXAMPLE_BYTES:
        raise limits.Invalid(f"frames blob is {len(blob)} bytes, more than {limits.MAX_EXAMPLE_BYTES}")
    z = limits.read_npz(bytes(blob), names=("frames",), max_bytes=limits.MAX_EXAMPLE_BYTES)
    if "frames" not in z:
        raise limits.Invalid("frames blob holds no 'frames' array")
    return limits.layout_frames(z["frames"], limits.MAX_FPS, "frames", limits.MAX_EXAMPLE_FRAMES)


@dataclass
class Example:
    id: int
    sign_id: int
    n_frames: int
    fps: float
    source: str
    created: float
    _blob: bytes | None = None

    @property
    def frames(self) -> np.ndarray:
        return blob_to_frames(self._blob) if self._blob is not None else L.empty_frames(0)


@dataclass
class Sign:
    id: int
    name: str
    language: str
    pack: str
    created: float
    updated: float
    n_examples: int = 0

    @property
    def label(self) -> Label:
        return Label(id=self.name, text=self.name, language=self.language, prompt="")
