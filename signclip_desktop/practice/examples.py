"""Examples about to be taught: from files or a live recording, trimmed and embedded, and
the checks they pass before the library stores them."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import limits


@dataclass
class NewExample:
    """An example about to be stored: frames (trimmed), fps, where it came from, optional embedding."""
    frames: np.ndarray
    fps: float = 30.0
    source: str = ""
    embedding: np.ndarray | None = None


def check_new_examples(examples) -> None:
    """fps within bounds and finite embeddings (``limits.Invalid`` otherwise)."""
    for i, ex in enumerate(examples):
        limits.fps(ex.fps, f"example {i + 1} fps")
        if ex.embedding is not None:
            e = np.asarray(ex.embedding, np.float32).ravel()
            limits.embedding(e, e.size, f"example {i + 1} embedding")


def make_examples(paths, pack=None, encoder=None, trim_clips: bool = True, mirrored: bool = False,
                  errors: list | None = None) -> list[NewExample]:
    """Files (anything ``load_clip`` reads) -> trimmed examples, embedded when a pack is given.
    With ``errors`` (a list), a bad file is appended there as a ``SourceError`` and the
    others are still read; without it the first bad file raises."""
    from ..sources.base import SourceError
    from ..stream.clip import embed_clip, load_clip, trim

    out = []
    for p in paths:
        try:
            seq = load_clip(p)
            fr = trim(seq.frames, seq.fps) if trim_clips else seq.frames
            if len(fr) < 2:
                raise SourceError(p, "no signing found (no hands in view)")
        except SourceError as e:
            if errors is None:
                raise
            errors.append(e)
            continue
        emb = embed_clip(encoder, pack, fr, seq.fps, mirrored=mirrored) if encoder is not None else None
        out.append(NewExample(fr, seq.fps, str(p), emb))
    return out


def example_from_frames(frames: np.ndarray, fps: float, source: str = "camera", pack=None, encoder=None,
                        trim_clip: bool = True) -> NewExample:
    """A live recording -> a trimmed (and embedded) example."""
    from ..stream.clip import embed_clip, trim

    fr = trim(frames, fps) if trim_clip else frames
    emb = embed_clip(encoder, pack, fr, fps) if encoder is not None and len(fr) else None
    return NewExample(fr, fps, source, emb)
