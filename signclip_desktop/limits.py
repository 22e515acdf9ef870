"""Bounds on everything the app reads from disk, and the checks that enforce them.

One place for the schema of keypoint files, packs, ``.signlib`` libraries and settings:
frame rates, frame and point counts, array sizes (checked *before* anything is allocated:
``.npy`` headers are read without the data, zip members by their declared unpacked size),
finite numbers, embedding dimensions, names, JSON nesting and paths inside a folder.

Checks raise ``Invalid`` (a ``ValueError``) whose message names the field; each reader turns
it into its own error naming the file (``SourceError``, ``PackError``, ``LibraryError``).
Plain Python and numpy only: the fuzz tests run these readers without MediaPipe or onnxruntime.
"""
from __future__ import annotations

import io
import json
import math
import os
import tokenize
import unicodedata
import zipfile
import zlib
from pathlib import Path

import numpy as np

MIN_FPS, MAX_FPS = 1.0, 240.0
MAX_SECONDS = 900.0                 # one clip: 15 minutes
MAX_FRAMES = 54_000                 # one clip: 15 minutes at 60 fps (~176 MB in the layout)
MAX_FILE_BYTES = 1 << 30            # a keypoint file (.pose, .parquet, .npz) on disk
MAX_ARRAY_BYTES = 1 << 30           # all arrays of one .npz, unpacked
MAX_NPZ_MEMBERS = 64
MAX_NPY_VALUES = 1662               # one MP_Data frame vector
MAX_VIDEO_PIXELS = 7680 * 4320      # 8K
MAX_EXAMPLE_FRAMES = 3_600          # a library example: 2 minutes at 30 fps
MAX_EXAMPLE_BYTES = MAX_EXAMPLE_FRAMES * 203 * 4 * 4 + 65_536
MAX_NAME_CHARS = 80
MAX_EMBEDDING_DIM = 4096
MAX_LABELS = 100_000
MAX_NEIGHBOURS = 200_000   # open-set bank rows in a pack's labels.npz
MAX_WINDOW_FRAMES = 1024
MAX_JSON_BYTES = 16 << 20           # a manifest or a settings file
MAX_JSON_DEPTH = 64


class Invalid(ValueError):
    """A value outside its schema; the message names the field and says what is wrong."""


# --- numbers ------------------------------------------------------------------------------------------
def number(value, field: str, lo: float | None = None, hi: float | None = None) -> float:
    """A finite real number (not a bool, not a string) within [lo, hi]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise Invalid(f"{field} must be a number, got {_show(value)}")
    v = float(value)
    if not math.isfinite(v):
        raise Invalid(f"{field} must be a finite number, got {v}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise Invalid(f"{field} is {v:g}, must be within [{lo:g}, {hi:g}]" if lo is not None and hi is not None
                      else f"{field} is {v:g}, out of range")
    return v


def integer(value, field: str, lo: int | None = None, hi: int | None = None) -> int:
    """A whole number (an int, or a float with no fraction) within [lo, hi]."""
    v = number(value, field)
    if v != int(v):
        raise Invalid(f"{field} must be a whole number, got {v:g}")
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise Invalid(f"{field} is {v}, must be within [{lo}, {hi}]")
    return v


def fps(value, field: str = "fps") -> float:
    """A frame rate within [MIN_FPS, MAX_FPS] (a numpy scalar or 0-d array is accepted)."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise Invalid(f"{field} must be one number, got an array of shape {value.shape}")
        value = value.reshape(()).item()
    return number(value, field, MIN_FPS, MAX_FPS)


# --- keypoints ----------------------------------------------------------------------------------------
def frame_count(n: int, rate: float, field: str = "frames", max_frames: int = MAX_FRAMES) -> int:
    """A clip length: at most ``max_frames`` frames and ``MAX_SECONDS`` at ``rate``."""
    n = int(n)
    if n > max_frames:
        raise Invalid(f"{field}: {n} frames, more than the {max_frames} this app reads")
    if n / rate > MAX_SECONDS:
        raise Invalid(f"{field}: {n} frames at {rate:g} fps last {n / rate:.0f} s, more than {MAX_SECONDS:.0f} s")
    return n


def layout_frames(arr, rate: float, field: str = "frames", max_frames: int = MAX_FRAMES) -> np.ndarray:
    """float32 [T, 203, 4] keypoints of a clip at ``rate`` fps, within the length bounds."""
    from .keypoints import layout as L  # noqa: PLC0415

    a = np.asarray(arr)
    if a.ndim != 3 or a.shape[1:] != (L.NUM_POINTS, L.NUM_CHANNELS):
        raise Invalid(f"{field} have shape {tuple(a.shape)}, expected [T, {L.NUM_POINTS}, {L.NUM_CHANNELS}]")
    if a.dtype.kind not in "fiu":
        raise Invalid(f"{field} must be numbers, got dtype {a.dtype}")
    frame_count(a.shape[0], rate, field, max_frames)
    with np.errstate(over="ignore", invalid="ignore"):
        a = a.astype(np.float32, copy=False)
        bad = ~np.isfinite(a).all(axis=-1)
    if bad.any():  # a point with a NaN or an overflow is a point not seen
        a = a.copy()
        a[bad] = 0.0
    return a


# --- embeddings ---------------------------------------------------------------------------------------
def embedding(vec, dim: int, field: str = "embedding") -> np.ndarray:
    """A finite float32 vector of exactly ``dim`` values."""
    v = np.asarray(vec, np.float32).reshape(-1) if not isinstance(vec, (bytes, bytearray, memoryview)) \
        else np.frombuffer(bytes(vec), np.float32) if len(vec) % 4 == 0 else None
    if v is None:
        raise Invalid(f"{field} is {len(vec)} bytes, not a float32 vector")
    if v.size != dim:
        raise Invalid(f"{field} has {v.size} values, the pack's embeddings have {dim}")
    if not np.isfinite(v).all():
        raise Invalid(f"{field} contains NaN or infinity")
    return v


def usable_prototypes(items, dim: int) -> tuple[list, list[str]]:
    """(label, [k, E]) pairs -> (the usable ones, one reason per dropped one): a sign whose
    embeddings are non-finite or of another size than ``dim`` never reaches the scorer."""
    kept, dropped = [], []
    for label, e in items:
        a = np.atleast_2d(np.asarray(e, np.float32))
        name = getattr(label, "id", label)
        if a.ndim != 2 or a.shape[1] != dim or a.shape[0] == 0:
            dropped.append(f"{name!r}: embeddings of shape {tuple(a.shape)}, expected [k, {dim}]")
        elif not np.isfinite(a).all():
            dropped.append(f"{name!r}: embeddings contain NaN or infinity")
        else:
            kept.append((label, a))
    return kept, dropped


# --- names --------------------------------------------------------------------------------------------
def name(value, field: str = "name", max_chars: int = MAX_NAME_CHARS) -> str:
    """A display name: text, spaces collapsed, 1..max_chars characters, no control or escape
    characters (an ANSI escape in a sign name must not reach a terminal)."""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text, got {_show(value)}")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in value if ch not in " \t"):
        raise Invalid(f"{field} contains control characters")
    v = " ".join(value.split())
    if not v:
        raise Invalid(f"{field} is empty")
    if len(v) > max_chars:
        raise Invalid(f"{field} has {len(v)} characters, at most {max_chars} are allowed")
    return v


# --- files --------------------------------------------------------------------------------------------
def file_size(path, max_bytes: int = MAX_FILE_BYTES) -> int:
    """The size of a regular file, refusing empty and oversized ones."""
    n = os.stat(path).st_size
    if n == 0:
        raise Invalid("file is empty (0 bytes)")
    if n > max_bytes:
        raise Invalid(f"file is {n / 2**20:.0f} MiB, more than the {max_bytes / 2**20:.0f} MiB this app reads")
    return n


def inside(folder, rel, field: str) -> Path:
    """``folder / rel`` resolved, refusing anything that leaves ``folder`` (``..``, absolute
    paths, symlinks pointing out)."""
    if not isinstance(rel, str) or not rel or "\0" in rel:
        raise Invalid(f"{field} must be a file name inside the folder, got {_show(rel)}")
    base = Path(folder).resolve()
    p = (base / rel).resolve()
    if p != base and base not in p.parents:
        raise Invalid(f"{field} {rel!r} points outside the folder")
    return p


def _read_npy(fh, key: str, declared: int | None, max_bytes: int) -> np.ndarray:
    """One ``.npy`` stream: header first, then exactly the bytes it announces (never more
    than ``max_bytes`` nor more than the stream declares)."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(fh)
        else:
            raise Invalid(f"array '{key}' has an unsupported .npy version {version}")
    except Invalid:
        raise
    except (ValueError, TypeError, SyntaxError, EOFError, OSError, KeyError, UnicodeDecodeError,
            tokenize.TokenError) as e:
        raise Invalid(f"array '{key}' has a damaged .npy header ({str(e)[:80]})") from None
    if dtype.hasobject:
        raise Invalid(f"array '{key}' holds Python objects (not allowed)")
    if dtype.itemsize == 0 or any((not isinstance(s, int)) or s < 0 for s in shape):
        raise Invalid(f"array '{key}' has an invalid shape or type ({shape}, {dtype})")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > max_bytes:
        raise Invalid(f"array '{key}' would take {nbytes / 2**20:.0f} MiB (shape {shape}); "
                      f"at most {max_bytes / 2**20:.0f} MiB are read")
    if declared is not None and nbytes > declared:
        raise Invalid(f"array '{key}' claims shape {shape} but the file holds fewer bytes")
    buf = bytearray(nbytes)
    try:
        got = fh.readinto(buf) if nbytes else 0
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
        raise Invalid(f"array '{key}' is damaged ({str(e)[:80]})") from None
    if got != nbytes:
        raise Invalid(f"array '{key}' is truncated ({got} of {nbytes} bytes)")
    arr = np.frombuffer(buf, dtype)
    return arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)


def read_npz(src, names=None, max_bytes: int = MAX_ARRAY_BYTES) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` (a path or bytes), optionally only ``names``, with every size
    checked before it is allocated: the total declared unpacked size, each header's shape."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(src) if isinstance(src, (bytes, bytearray, memoryview)) else src)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
        raise Invalid(f"unreadable .npz ({str(e)[:80]})") from None
    out: dict[str, np.ndarray] = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_NPZ_MEMBERS:
            raise Invalid(f"holds {len(infos)} arrays, at most {MAX_NPZ_MEMBERS} are read")
        wanted = [i for i in infos if names is None or i.filename.removesuffix(".npy") in names]
        total = sum(i.file_size for i in wanted)
        if total > max_bytes:
            raise Invalid(f"arrays would take {total / 2**20:.0f} MiB unpacked; at most {max_bytes / 2**20:.0f} MiB are read")
        for info in wanted:
            key = info.filename.removesuffix(".npy")
            try:
                with zf.open(info) as fh:
                    out[key] = _read_npy(fh, key, info.file_size, max_bytes)
            except Invalid:
                raise
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
                raise Invalid(f"array '{key}' is damaged ({str(e)[:80]})") from None
    return out


def read_npy(path, max_bytes: int = MAX_ARRAY_BYTES) -> np.ndarray:
    """One ``.npy`` file, its header checked before the data is read."""
    size = file_size(path, max_bytes + 4096)
    with open(path, "rb") as fh:
        return _read_npy(fh, Path(path).name, size, max_bytes)


# --- JSON ---------------------------------------------------------------------------------------------
def json_text(data: bytes | str, field: str = "file", max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH,
              constants: bool = False):
    """Parsed JSON from bytes or text: a UTF-8 BOM is accepted, size and nesting are bounded
    (a 100k-deep ``[[[...`` never reaches the recursive parser). NaN/Infinity are refused
    unless ``constants`` (then every number the caller uses must pass ``number``)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > max_bytes:
        raise Invalid(f"{field} is {len(data)} bytes, more than {max_bytes}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Invalid(f"{field} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    depth = 0
    in_str = esc = False
    for ch in text:  # nesting depth outside strings, without recursion
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                raise Invalid(f"{field} is nested more than {max_depth} levels deep")
        elif ch in "]}":
            depth -= 1

    def no_constants(c):
        raise Invalid(f"{field} contains {c}, which is not JSON")

    try:
        return json.loads(text, parse_constant=None if constants else no_constants)
    except RecursionError:
        raise Invalid(f"{field} is nested too deeply") from None
    except json.JSONDecodeError as e:
        raise Invalid(f"{field} is not valid JSON ({e.msg} at line {e.lineno} column {e.colno})") from None


def mapping(value, field: str) -> dict:
    if not isinstance(value, dict):
        raise Invalid(f"{field} must be a JSON object, got {_show(value)}")
    return value


def text(value, field: str, max_chars: int = 10_000) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text, got {_show(value)}")
    if len(value) > max_chars:
        raise Invalid(f"{field} has {len(value)} characters, at most {max_chars}")
    return value


def _show(value) -> str:
    r = repr(value)
    return f"{type(value).__name__} {r[:40]}{'...' if len(r) > 40 else ''}"
