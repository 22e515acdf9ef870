"""Training data: every shared-data source as ``Sample``s in the shared 203-point layout,
plus signer-disjoint splits and the encoded (``encode_input``) arrays the trainer samples from.

No normalisation happens here beyond ``keypoints.features.encode_input``.
"""
from __future__ import annotations

import csv
import glob
import os
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..keypoints.features import InputSpec, encode_input
from ..sources.npz import load_npz_sequences
from ..sources.pose_io import load_pose_file
from ..stream.clip import for_model

STATIC_FRAMES = 12  # a static hand frame becomes a sequence of this many (jittered by augment)


@dataclass
class Sample:
    frames: np.ndarray          # float32 [T, 203, 4] layout frames
    label: str                  # label id (``hello``, ``ase:A``)
    text: str                   # what the label says (``hello``, ``A``)
    language: str               # sign language (ISO 639-3, ``und`` unknown)
    signer: str
    source: str
    spoken: str = "en"
    static: bool = False
    z_reliable: bool = True     # False: z is not on MediaPipe's scale (zeroed when z is only used for augmentation)
    meta: dict = field(default_factory=dict)


def prompt(text: str, language: str, spoken: str = "en") -> str:
    """SignCLIP-style text prompt: ``<en> <ase> hello``."""
    return f"<{spoken}> <{language or 'und'}> {text}"


def _npz_files(folder: Path) -> list[Path]:
    return sorted(Path(p) for p in glob.glob(os.path.join(folder, "*.npz")))


def words_dir(data_dir) -> Path:
    d = Path(data_dir)
    return d / "words" if (d / "words").is_dir() else d


def load_words(data_dir, max_per_file: int | None = None) -> list[Sample]:
    """Every sequence of ``words/*.npz`` (or ``*.npz`` directly in ``data_dir``)."""
    out = []
    for path in _npz_files(words_dir(data_dir)):
        for i, seq in enumerate(load_npz_sequences(path)):
            if max_per_file is not None and i >= max_per_file:
                break
            out.append(Sample(seq.frames, seq.label, seq.label, seq.language or "und", seq.signer or path.stem,
                              path.name, meta={"seq_id": seq.meta.get("seq_id", str(i))}))
    return out


def letter_language(language: str) -> str:
    """Letters sources: Indian SL stays ``ins``; the rest are ASL-like (``ase``)."""
    return "ins" if language == "ins" else "ase"


def load_letters(data_dir) -> list[Sample]:
    """``fingerspelling/letters/*.npz``; ids ``ase:A`` (ASL-like sources) or ``ins:A``."""
    d = Path(data_dir)
    folder = d / "fingerspelling" / "letters" if (d / "fingerspelling").is_dir() else d
    out = []
    for path in _npz_files(folder):
        for seq in load_npz_sequences(path):
            lang = letter_language(seq.language or "und")
            out.append(Sample(seq.frames, f"{lang}:{seq.label}", seq.label, lang, seq.signer or path.stem, path.name,
                              meta={"seq_id": seq.meta.get("seq_id", ""), "orig_language": seq.language}))
    return out


def load_spreadthesign(data_dir) -> list[Sample]:
    """``fingerspelling/spreadthesign`` .pose clips; one clip per (language, letter), one signer per language."""
    folder = Path(data_dir) / "fingerspelling" / "spreadthesign"
    out = []
    with open(folder / "index.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lang, gloss = row["signed_language"], row["glosses"].strip()
            # as the app reads the same file: image units, then the 4:3 picture the model was trained on
            seq = for_model(load_pose_file(folder / row["path"], label=gloss, signer=f"spreadthesign-{lang}",
                                           language=lang))
            if len(seq) < 2:
                continue
            out.append(Sample(seq.frames, f"{lang}:{gloss}", gloss, lang, f"spreadthesign-{lang}", row["path"],
                              spoken=row["spoken_language"] or "und", z_reliable=False, meta={"fps": seq.fps}))
    return out


def load_asl_static(data_dir) -> list[Sample]:
    """Static single-hand ASL frames (MediaPipe Hands, no handedness) -> short static sequences
    with the hand in the right-hand slot; augmentation jitters them."""
    path = Path(data_dir) / "fingerspelling" / "asl_static_borisgraudt.npz"
    z = np.load(path, allow_pickle=False)
    hands, labels = z["hand"].astype(np.float32), z["labels"]
    out = []
    for h, lab in zip(hands, labels):
        f = L.empty_frames(1)
        f[0, L.RIGHT_HAND.slice, :3] = h
        f[0, L.RIGHT_HAND.slice, 3] = 1.0
        out.append(Sample(np.repeat(f, STATIC_FRAMES, axis=0), f"ase:{lab}", str(lab), "ase", "borisgraudt",
                          path.name, static=True))
    return out


def load_fingerspelling(data_dir, sources=("letters", "spreadthesign", "asl_static")) -> list[Sample]:
    loaders = {"letters": load_letters, "spreadthesign": load_spreadthesign, "asl_static": load_asl_static}
    out = []
    for s in sources:
        out.extend(loaders[s](data_dir))
    return out


def load_kind(kind: str, data_dir, sources=None) -> list[Sample]:
    if kind == "words":
        return load_words(data_dir)
    if kind == "fingerspelling":
        return load_fingerspelling(data_dir, tuple(sources or ("letters", "spreadthesign", "asl_static")))
    raise ValueError(f"unknown data kind {kind!r}")


# ---------------------------------------------------------------- labels

def word_language(samples: list[Sample]) -> dict[str, str]:
    """One language per word label: the known language with most signers (``ase`` wins ties), else ``und``."""
    by = defaultdict(Counter)
    seen = set()
    for s in samples:
        if (s.label, s.signer) in seen:
            continue
        seen.add((s.label, s.signer))
        if s.language and s.language != "und":
            by[s.label][s.language] += 1
    out = {}
    for lab in {s.label for s in samples}:
        c = by.get(lab)
        if not c:
            out[lab] = "und"
        else:
            best = max(c.values())
            out[lab] = "ase" if c.get("ase") == best else c.most_common(1)[0][0]
    return out


@dataclass(frozen=True)
class LabelInfo:
    id: str
    text: str
    language: str
    spoken: str

    @property
    def prompt(self) -> str:
        return prompt(self.text, self.language, self.spoken)


def label_table(samples: list[Sample], kind: str) -> list[LabelInfo]:
    """Sorted label table of a sample list (word labels get their majority language)."""
    if kind == "words":
        lang = word_language(samples)
        return [LabelInfo(l, l, lang[l], "en") for l in sorted({s.label for s in samples})]
    first = {}
    for s in samples:
        first.setdefault(s.label, LabelInfo(s.label, s.text, s.language, s.spoken))
    return [first[k] for k in sorted(first)]


def signers_per_label(samples: list[Sample]) -> dict[str, int]:
    d = defaultdict(set)
    for s in samples:
        d[s.label].add(s.signer)
    return {k: len(v) for k, v in d.items()}


def keep_labels_with_signers(samples: list[Sample], min_signers: int) -> list[Sample]:
    n = signers_per_label(samples)
    return [s for s in samples if n[s.label] >= min_signers]


# ---------------------------------------------------------------- signer-disjoint split

def heldout_signers(samples: list[Sample], fraction: float = 0.25, max_word_fraction: float = 0.4,
                    seed: int = 0, never: tuple[str, ...] = ()) -> list[str]:
    """Pick held-out signers (never sequences): about ``fraction`` of the signers, each label keeps
    at least one training signer and at most ``max_word_fraction`` of its signers are held out
    (a label with 2 signers can lose one)."""
    by_signer = defaultdict(set)
    label_signers = defaultdict(set)
    for s in samples:
        by_signer[s.signer].add(s.label)
        label_signers[s.label].add(s.signer)
    signers = sorted(by_signer)
    rng = random.Random(seed)
    rng.shuffle(signers)
    target = max(1, round(fraction * len(signers)))
    held, held_per_label = [], Counter()
    for sg in signers:
        if len(held) >= target:
            break
        if sg in never:
            continue
        ok = True
        for lab in by_signer[sg]:
            n = len(label_signers[lab])
            cap = max(1, int(np.ceil(max_word_fraction * n)))
            if n - held_per_label[lab] - 1 < 1 or held_per_label[lab] + 1 > cap:
                ok = False
                break
        if ok:
            held.append(sg)
            for lab in by_signer[sg]:
                held_per_label[lab] += 1
    return sorted(held)


def split_by_signer(samples: list[Sample], held: list[str]) -> tuple[list[Sample], list[Sample]]:
    h = set(held)
    return [s for s in samples if s.signer not in h], [s for s in samples if s.signer in h]


# ---------------------------------------------------------------- encoded arrays

class EncodedSet:
    """Samples encoded once with ``encode_input`` (plain and mirrored), stored as float16."""

    def __init__(self, samples: list[Sample], spec: InputSpec, label_ids: list[str], mirror: bool = True,
                 zero_unreliable_z: bool = False):
        self.spec = spec
        self.samples = samples
        index = {l: i for i, l in enumerate(label_ids)}
        self.y = np.array([index[s.label] for s in samples], np.int64)
        z = list(spec.dims).index("z") if (zero_unreliable_z and "z" in spec.dims) else None

        def enc(s, m):
            x = encode_input(s.frames, spec, mirrored=m)
            if z is not None and not s.z_reliable:
                x[..., z] = 0.0
            return x.astype(np.float16)

        self.plain = [enc(s, False) for s in samples]
        self.mirrored = [enc(s, True) for s in samples] if mirror else None
        self.static = np.array([s.static for s in samples], bool)
        self.signers = np.array([s.signer for s in samples])

    def __len__(self) -> int:
        return len(self.samples)

    def get(self, i: int, mirrored: bool = False) -> np.ndarray:
        src = self.mirrored if (mirrored and self.mirrored is not None) else self.plain
        return src[i].astype(np.float32)


def balanced_weights(samples: list[Sample], power: float = 0.5) -> np.ndarray:
    """Sampling weights: a label is drawn with probability ~ n_label**power, a signer uniformly
    within the label, a sequence uniformly within (label, signer)."""
    n_lab = Counter(s.label for s in samples)
    signers_of = defaultdict(set)
    n_ls = Counter((s.label, s.signer) for s in samples)
    for s in samples:
        signers_of[s.label].add(s.signer)
    w = np.array([n_lab[s.label] ** power / len(signers_of[s.label]) / n_ls[(s.label, s.signer)] for s in samples])
    return w / w.sum()


def summary(samples: list[Sample]) -> dict:
    return {
        "sequences": len(samples),
        "labels": len({s.label for s in samples}),
        "signers": len({s.signer for s in samples}),
        "per_source_kind": dict(Counter("static" if s.static else s.source.split("/")[0] for s in samples).most_common(8)),
    }
