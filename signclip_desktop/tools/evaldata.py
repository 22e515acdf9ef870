"""Shared-data helpers for the grading calibration and the practice evaluation scripts."""
from __future__ import annotations

import glob
import os
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..sources.npz import load_npz_sequences
from ..stream.clip import trim


@dataclass
class Clip:
    frames: np.ndarray   # trimmed layout frames
    fps: float
    word: str
    signer: str
    language: str
    seq_id: str


def load_word_clips(data_dir, per_signer: int | None = 6, vocab=None, min_frames: int = 6) -> dict[tuple[str, str], list[Clip]]:
    """``{(word, signer): [Clip]}`` from ``words/*.npz``; at most ``per_signer`` repetitions,
    picked evenly over the source's sequence order."""
    folder = os.path.join(str(data_dir), "words")
    if not os.path.isdir(folder):
        folder = str(data_dir)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for path in sorted(glob.glob(os.path.join(folder, "*.npz"))):
        for seq in load_npz_sequences(path):
            if vocab is not None and seq.label not in vocab:
                continue
            groups[(seq.label, seq.signer)].append(seq)
    out = {}
    for key, seqs in groups.items():
        if per_signer and len(seqs) > per_signer:
            idx = np.linspace(0, len(seqs) - 1, per_signer).round().astype(int)
            seqs = [seqs[i] for i in idx]
        clips = []
        for s in seqs:
            fr = trim(s.frames, s.fps)
            if len(fr) >= min_frames:
                clips.append(Clip(fr, s.fps, s.label, s.signer, s.language or "und", s.meta.get("seq_id", "")))
        if clips:
            out[key] = clips
    return out


def pack_heldout_signers(pack, data_dir=None) -> list[str]:
    """The signers a pack did not train on: from its provenance when recorded, else the
    training code's default split (``training.data.heldout_signers``, seed 0)."""
    prov = pack.provenance or {}
    for key in ("heldout_signers", "held_out_signers", "val_signers", "test_signers"):
        v = prov.get(key)
        if v:
            return sorted(str(x) for x in v)
    split = prov.get("split") or {}
    for key in ("heldout_signers", "held_out_signers", "val_signers", "test_signers", "heldout", "val"):
        v = split.get(key) if isinstance(split, dict) else None
        if v:
            return sorted(str(x) for x in v)
    if data_dir is None:
        return []
    from ..training.data import heldout_signers, keep_labels_with_signers, load_words

    samples = keep_labels_with_signers(load_words(data_dir), 2)
    return heldout_signers(samples)


def pack_is_signer_disjoint(pack) -> bool:
    """True when the pack was trained with some signers held out (its provenance says which)."""
    prov = pack.provenance or {}
    return not prov.get("all_signers", False) and bool(prov.get("heldout_signers"))


def signer_folds(signers: list[str], k: int, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    s = sorted(signers)
    rng.shuffle(s)
    return [sorted(s[i::k]) for i in range(k)]
