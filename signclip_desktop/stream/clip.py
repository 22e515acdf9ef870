"""Whole clips: load a file, trim it from hands-up to hands-down, window and embed it.

Shared by ``predict``, the personal library, grading and the dev tools. No Qt.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..keypoints.features import encode_input
from ..keypoints.normalize import HELD_LOW_BELOW_SHOULDERS, hands_held_low
from ..sources.base import KeypointSequence, SourceError
from .window import resample_sequence



def hands_up(frames: np.ndarray) -> np.ndarray:
    """Boolean [T]: a hand is seen in the frame and is not resting far below the shoulders
    (``normalize.hands_signing``: a hand on the desk in view is "hands down")."""
    from ..keypoints.normalize import hands_signing

    if len(frames) == 0:
        return np.zeros(0, bool)
    return hands_signing(frames).any(axis=1)


def trim_span(frames: np.ndarray, fps: float = 30.0, min_gap_s: float = 0.25, pad_s: float = 0.1,
              min_run_s: float = 0.1, rest_below: float | None = HELD_LOW_BELOW_SHOULDERS) -> tuple[int, int]:
    """(start, stop) frame span from hands-up to hands-down.

    Runs of hands shorter than ``min_run_s`` (detector blips) are ignored, gaps shorter than
    ``min_gap_s`` (a hand lost for a moment) are bridged, and the longest signing segment is
    kept with ``pad_s`` of context. Its first and last frames in which the hands are low
    (``rest_below``: at the waist, in view) are left out too, unless the hands are never
    higher. With no hands at all the whole clip is returned."""
    up = hands_up(frames)
    n = len(up)
    if n == 0 or not up.any():
        return 0, n
    # runs of True
    d = np.diff(np.concatenate([[0], up.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    min_run = max(1, int(round(min_run_s * fps)))
    keep = (stops - starts) >= min_run
    if not keep.any():
        keep[:] = True
    starts, stops = starts[keep], stops[keep]
    # bridge short gaps
    segs = [[int(starts[0]), int(stops[0])]]
    gap = int(round(min_gap_s * fps))
    for a, b in zip(starts[1:], stops[1:]):
        if a - segs[-1][1] <= gap:
            segs[-1][1] = int(b)
        else:
            segs.append([int(a), int(b)])
    a, b = max(segs, key=lambda s: s[1] - s[0])
    if rest_below is not None:
        up_high = np.flatnonzero(~hands_held_low(frames[a:b], rest_below))
        if len(up_high):
            a, b = a + int(up_high[0]), a + int(up_high[-1]) + 1
    pad = int(round(pad_s * fps))
    return max(0, a - pad), min(n, b + pad)


def trim(frames: np.ndarray, fps: float = 30.0, **kw) -> np.ndarray:
    a, b = trim_span(frames, fps, **kw)
    return frames[a:b]


def picture_aspect(seq: KeypointSequence) -> float | None:
    """Width / height of the pictures a sequence's keypoints were found on (videos, image
    folders, ``.pose`` headers), None where the source does not say (keypoint data, our .npz)."""
    meta = seq.meta or {}
    try:
        w, h = float(meta.get("width") or 0), float(meta.get("height") or 0)
    except (TypeError, ValueError):
        return None
    return w / h if w > 0 and h > 0 else None


def for_model(seq: KeypointSequence) -> KeypointSequence:
    """The sequence as the model reads it: keypoints from pictures of a known size at the
    reference aspect (``normalize.to_reference_aspect``; applied once, marked in ``meta``)."""
    from ..keypoints.normalize import REFERENCE_ASPECT, to_reference_aspect

    meta = seq.meta or {}
    aspect = picture_aspect(seq)
    if aspect is None or meta.get("model_aspect") is not None:
        return seq
    meta = {**meta, "model_aspect": REFERENCE_ASPECT, "picture_aspect": aspect}
    return KeypointSequence(to_reference_aspect(seq.frames, aspect), seq.fps, seq.label, seq.signer,
                            seq.language, seq.source, meta)


def load_clip(path, fps: float | None = None) -> KeypointSequence:
    """Any file the app reads (.npz keypoints, .pose, video, image folder...) -> one sequence,
    as the model reads it (``for_model``).

    Uses ``sources.open_source`` when the build has it; .npz and .pose are read directly.
    A data .npz with several sequences yields its first one (use ``load_clips`` for all)."""
    seqs = load_clips(path)
    if not seqs:
        raise SourceError(path, "no keypoint frames in this file")
    seq = for_model(seqs[0])
    if fps and abs(seq.fps - fps) > 1e-6:
        seq = KeypointSequence(resample_sequence(seq.frames, seq.fps, fps), fps, seq.label, seq.signer,
                               seq.language, seq.source, seq.meta)
    return seq


def load_clips(path) -> list[KeypointSequence]:
    """Every clip in a file. A single-clip ``.npz`` (``frames`` [T, 203, 4], ``fps``) is read here;
    everything else goes through ``sources.load_sequences`` (videos run the Holistic detector)."""
    p = Path(path)
    if not p.exists():
        raise SourceError(p, "file not found")
    if p.suffix.lower() == ".npz":
        single = _load_single_npz(p)
        if single is not None:
            return [single]
    try:
        load_sequences = getattr(importlib.import_module("signclip_desktop.sources"), "load_sequences")
    except (ImportError, AttributeError):
        load_sequences = None
    if load_sequences is not None:
        return list(load_sequences(str(p)))
    if p.suffix.lower() == ".npz":
        from ..sources.npz import load_npz_sequences

        return list(load_npz_sequences(p))
    if p.suffix.lower() == ".pose":
        from ..sources.pose_io import load_pose_file

        return [load_pose_file(p)]
    raise SourceError(p, "this build cannot read this kind of file")


def save_clip(path, frames: np.ndarray, fps: float, label: str | None = None) -> Path:
    """Write one clip as a single-clip ``.npz`` (atomically)."""
    import os

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    extra = {"label": np.array(label)} if label else {}
    np.savez_compressed(tmp, frames=np.asarray(frames, np.float32), fps=np.float32(fps), **extra)
    os.replace(tmp, path)
    return path


def _load_single_npz(p: Path) -> KeypointSequence | None:
    from .. import limits  # sizes, fps and shape checked before use (fuzzed in tests/faults)

    try:
        limits.file_size(p)
        z = limits.read_npz(p, names=("frames", "fps", "label"))
        if "frames" not in z:
            return None
        fps = limits.fps(z["fps"]) if "fps" in z else 30.0
        fr = limits.layout_frames(z["frames"], fps)
        label = str(z["label"]) if "label" in z else None
    except limits.Invalid as e:
        raise SourceError(p, str(e)) from None
    except OSError as e:
        raise SourceError(p, f"unreadable .npz ({e})") from e
    return KeypointSequence(fr, fps, label=label, source=str(p))


def collect_keypoints(src, path=None) -> KeypointSequence:
    """Drain a keypoint source (anything yielding KeypointFrame, or a KeypointSequence)."""
    if isinstance(src, KeypointSequence):
        return src
    frames, times = [], []
    try:
        for kf in src:
            kp = getattr(kf, "keypoints", None)
            if kp is None:
                raise SourceError(path or "source", "source yields images, not keypoints")
            frames.append(np.asarray(kp, np.float32))
            times.append(float(kf.timestamp))
    finally:
        close = getattr(src, "close", None)
        if close:
            close()
    if not frames:
        raise SourceError(path or "source", "no frames")
    fps = float(getattr(src, "fps", 0) or 0)
    if fps <= 0:
        dt = np.diff(times)
        fps = float(1.0 / np.median(dt)) if len(dt) and np.median(dt) > 0 else 30.0
    return KeypointSequence(np.stack(frames), fps, source=str(path) if path else None)


def clip_windows(frames: np.ndarray, window: int, stride: int | None = None) -> list[np.ndarray]:
    """Cut a clip (already at the pack's fps) into encoder windows of ``window`` frames.

    Shorter clips are padded in front with empty frames, as the live window sees a sign
    that started less than a window ago (nothing seen before it)."""
    t = len(frames)
    if t <= window:
        pad = L.empty_frames(window - t)
        return [np.concatenate([pad, frames]) if len(pad) else frames]
    stride = stride or max(1, window // 2)
    starts = list(range(0, t - window + 1, stride))
    if starts[-1] != t - window:
        starts.append(t - window)
    return [frames[s:s + window] for s in starts]


def embed_clip(encoder, pack, frames: np.ndarray, fps: float, mirrored: bool = False,
               trim_first: bool = False) -> np.ndarray:
    """One unit embedding for a whole clip: mean of its window embeddings."""
    spec = pack.input
    if trim_first:
        frames = trim(frames, fps)
    frames = resample_sequence(frames, fps, spec.fps)
    wins = clip_windows(frames, spec.window_frames)
    x = np.stack([encode_input(w, spec, mirrored=mirrored) for w in wins])
    e = encoder.embed_batch(x).mean(axis=0)
    return (e / max(float(np.linalg.norm(e)), 1e-8)).astype(np.float32)


def embed_clips(encoder, pack, clips: list[tuple[np.ndarray, float]], mirrored: bool = False,
                batch: int = 64) -> np.ndarray:
    """Batched ``embed_clip`` over many clips -> [N, E]."""
    spec = pack.input
    wins, owner = [], []
    for i, (fr, fps) in enumerate(clips):
        fr = resample_sequence(fr, fps, spec.fps)
        for w in clip_windows(fr, spec.window_frames):
            wins.append(encode_input(w, spec, mirrored=mirrored))
            owner.append(i)
    out = np.zeros((len(clips), pack.embedding_dim), np.float32)
    owner = np.asarray(owner)
    embs = []
    for s in range(0, len(wins), batch):
        embs.append(encoder.embed_batch(np.stack(wins[s:s + batch])))
    if embs:
        e = np.concatenate(embs)
        np.add.at(out, owner, e)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-8)
