"""Built-in reference motions for grading: a few medoid recordings per word of the words pack.

``resources/references.npz`` is derived from the shared data by the dev tool
``python -m signclip_desktop.tools.references`` (``tools/references.py``); the app only
loads it. A missing file is a ``ResourceMissing`` error, never an empty set.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..paths import references_file, require

REFERENCES_FILE = references_file()  # resolved at import; load/save resolve again at call time
# points stored: pose + both hands (the data has no face points)
_KEEP = L.component_indices(L.SUBSETS["body_hands"])


@dataclass
class Reference:
    word: str
    frames: np.ndarray   # [T, 203, 4] layout frames (trimmed)
    fps: float
    signer: str
    language: str = "und"


class ReferenceSet:
    def __init__(self, refs: list[Reference]):
        self.refs = refs
        self.by_word: dict[str, list[Reference]] = defaultdict(list)
        for r in refs:
            self.by_word[r.word].append(r)

    @property
    def words(self) -> list[str]:
        return sorted(self.by_word)

    def __contains__(self, word: str) -> bool:
        return word in self.by_word

    def get(self, word: str) -> list[Reference]:
        return list(self.by_word.get(word, []))

    @classmethod
    def load(cls, path=None) -> "ReferenceSet":
        p = require(path or references_file(), "the reference-motion file")  # shipped: never an empty set
        with np.load(p, allow_pickle=False) as z:
            frames, offs = z["frames"], z["offsets"]
            words, signers, fps = z["words"], z["signers"], z["fps"]
            langs = z["languages"] if "languages" in z.files else np.array(["und"] * len(words))
        refs = []
        for i, w in enumerate(words):
            f = L.empty_frames(int(offs[i + 1] - offs[i]))
            f[:, _KEEP] = frames[offs[i]:offs[i + 1]].astype(np.float32)
            refs.append(Reference(str(w), f, float(fps[i]), str(signers[i]), str(langs[i])))
        return cls(refs)

    def save(self, path=None) -> Path:
        p = Path(path or references_file())
        lens = [len(r.frames) for r in self.refs]
        offs = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        frames = np.concatenate([r.frames[:, _KEEP] for r in self.refs]).astype(np.float16)
        tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp.npz")
        np.savez_compressed(tmp, frames=frames, offsets=offs, words=np.array([r.word for r in self.refs]),
                            signers=np.array([r.signer for r in self.refs]),
                            languages=np.array([r.language for r in self.refs]),
                            fps=np.array([r.fps for r in self.refs], np.float32))
        os.replace(tmp, p)
        return p
