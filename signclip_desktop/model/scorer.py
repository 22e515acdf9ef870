"""Scoring an embedding against label embeddings and user prototypes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .open_set import OPEN_SET_MEASURES, OpenSet  # noqa: F401  (re-exported: the scorer's rule)
from .pack import Calibration, Label

SURE, MAYBE, UNSURE = "sure", "maybe", "unsure"


@dataclass(frozen=True)
class Guess:
    label: str
    text: str
    language: str
    score: float        # calibrated probability
    similarity: float   # cosine similarity
    source: str = "pack"  # "pack" or "personal"


@dataclass(frozen=True)
class Prediction:
    top: list[Guess]
    confidence: str  # sure / maybe / unsure
    known: bool = True  # False: the window matches no sign well enough ("not a sign I know")

    GUESS_FIELDS = ("label", "language", "score", "similarity", "source")

    def to_json(self, fields: tuple[str, ...] = GUESS_FIELDS, digits: int = 6) -> dict:
        """The one JSON form of a prediction, used by ``predict --json``, the GUI's
        ``--log-predictions`` file and the pages: ``{"top": [...], "confidence": ..., "known": ...}``.
        ``fields`` picks each guess's keys (any ``Guess`` field), floats rounded to ``digits``."""
        def guess(g: Guess) -> dict:
            out = {}
            for f in fields:
                v = getattr(g, f)
                out[f] = round(float(v), digits) if isinstance(v, float) else v
            return out

        return {"top": [guess(g) for g in self.top], "confidence": self.confidence, "known": bool(self.known)}


def confidence_level(probs_sorted: np.ndarray, cal: Calibration, sensitivity: float = 1.0) -> str:
    """sure / maybe / unsure from the top-1 vs top-2 margin; sensitivity > 1 is more eager."""
    p1 = float(probs_sorted[0]) if probs_sorted.size else 0.0
    p2 = float(probs_sorted[1]) if probs_sorted.size > 1 else 0.0
    margin = (p1 - p2) * sensitivity
    if margin >= cal.sure_margin:
        return SURE
    if margin >= cal.maybe_margin:
        return MAYBE
    return UNSURE


class Scorer:
    """Cosine similarity to every label (pack labels + personal prototypes), softmax with the
    pack's temperature, top-k. A pack label may have several rows (its text embedding plus sign
    variants, ``labels.npz`` ``variant_*``): it scores its best one. With an ``open_set`` rule the
    prediction says whether the window is a sign the pack knows at all."""

    def __init__(self, labels: list[Label], embeddings: np.ndarray, calibration: Calibration,
                 variants: np.ndarray | None = None, variant_labels: list[str] | None = None,
                 open_set: OpenSet | None = None):
        self.calibration = calibration
        self.open_set = open_set
        self._pack_labels = list(labels)
        self._pack_emb = _unit(embeddings)
        dim = self._pack_emb.shape[1]
        ids = {l.id: i for i, l in enumerate(self._pack_labels)}
        variant_labels = list(variant_labels or [])
        if variants is None or not len(variant_labels):
            self._var_emb, self._var_owner = np.zeros((0, dim), np.float32), np.zeros(0, np.int64)
        else:
            self._var_emb = _unit(np.atleast_2d(variants))
            if self._var_emb.shape != (len(variant_labels), dim):
                raise ValueError(f"variants have shape {self._var_emb.shape}, expected [{len(variant_labels)}, {dim}]")
            missing = [v for v in variant_labels if v not in ids]
            if missing:
                raise ValueError(f"variants name labels the pack does not have: {missing[:5]}")
            self._var_emb, self._var_owner = self._var_emb, np.array([ids[v] for v in variant_labels], np.int64)
        self._proto_labels: list[Label] = []
        self._proto_emb = np.zeros((0, dim), np.float32)
        self._rebuild()

    @classmethod
    def from_pack(cls, pack) -> "Scorer":
        manifest = getattr(pack, "manifest", None) or {}
        return cls(pack.labels, pack.label_embeddings, pack.calibration,
                   variants=getattr(pack, "variant_embeddings", None), variant_labels=getattr(pack, "variant_labels", None),
                   open_set=OpenSet.from_manifest(manifest.get("open_set"), getattr(pack, "neighbour_embeddings", None)))

    def set_prototypes(self, items: list[tuple[Label, np.ndarray]]) -> None:
        """Replace personal prototypes: (label, [k, E] example embeddings) per sign. A sign
        with non-finite or wrong-sized vectors is left out (named in ``dropped``), never scored."""
        from ..limits import usable_prototypes

        items, self.dropped = usable_prototypes(items, self._pack_emb.shape[1])
        labels, embs = [], []
        for label, e in items:
            e = _unit(np.atleast_2d(np.asarray(e, np.float32)))
            if e.shape[1] != self._pack_emb.shape[1]:
                raise ValueError(f"prototype for {label.id!r} is {e.shape[1]}-d, pack is {self._pack_emb.shape[1]}-d")
            labels.append(label)
            embs.append(_unit(e.mean(axis=0, keepdims=True)))
        self._proto_labels = labels
        self._proto_emb = np.concatenate(embs) if embs else np.zeros((0, self._pack_emb.shape[1]), np.float32)
        self._rebuild()

    @property
    def languages(self) -> tuple[str, ...]:
        """Language tags of the pack's labels, most labels first."""
        counts: dict[str, int] = {}
        for label in self._pack_labels:
            counts[label.language] = counts.get(label.language, 0) + 1
        return tuple(sorted(counts, key=lambda k: (-counts[k], k)))

    def set_language(self, language: str | None) -> None:
        """Only compete among the pack's labels of one sign language (e.g. one fingerspelling
        alphabet); personal signs always compete. None or "" lifts the filter."""
        if language and language not in self.languages:
            raise ValueError(f"no labels in language {language!r}; the pack has {list(self.languages)}")
        self._language = language or None
        self._rebuild()

    _language: str | None = None

    def _rebuild(self) -> None:
        keep = [i for i, l in enumerate(self._pack_labels) if self._language in (None, l.language)]
        slot = {g: k for k, g in enumerate(keep)}
        by_id = {self._pack_labels[g].id: k for g, k in slot.items()}
        # a personal sign named like a pack label ("calibrate to me") is one more row of that label,
        # not a second label: the guesses never list the same sign twice
        merged = [j for j, l in enumerate(self._proto_labels) if l.id in by_id]
        alone = [j for j in range(len(self._proto_labels)) if j not in set(merged)]
        labels = [self._pack_labels[i] for i in keep] + [self._proto_labels[j] for j in alone]
        sources = ["pack"] * len(keep) + ["personal"] * len(alone)
        vrows = [r for r, o in enumerate(self._var_owner) if int(o) in slot]
        matrix = np.concatenate([self._pack_emb[keep], self._proto_emb[alone], self._var_emb[vrows],
                                 self._proto_emb[merged]]).astype(np.float32)
        # row -> label slot: text rows and prototypes are their own slot, variant rows their label's
        merged_owner = [by_id[self._proto_labels[j].id] for j in merged]
        owner = np.concatenate([np.arange(len(labels)), [slot[int(self._var_owner[r])] for r in vrows],
                                merged_owner]).astype(np.int64)
        personal_rows = np.arange(len(matrix) - len(merged), len(matrix))
        # one assignment: a predict() on another thread sees either the old or the new set, never a mix
        self._snap = (labels, sources, matrix, owner, personal_rows)
        self._labels, self._sources, self._matrix, self._owner = labels, sources, matrix, owner

    @property
    def labels(self) -> list[Label]:
        return list(self._labels)

    def similarities(self, embedding: np.ndarray) -> np.ndarray:
        """Cosine similarity of each label (``labels`` order) at its best row."""
        labels, _, matrix, owner, _ = self._snap
        return _best(matrix @ _unit(np.asarray(embedding, np.float32)[None])[0], owner, len(labels))

    def probabilities(self, embedding: np.ndarray) -> np.ndarray:
        z = self.similarities(embedding) / self.calibration.temperature
        z = np.exp(z - z.max())
        return z / z.sum()

    def predict(self, embedding: np.ndarray, k: int = 5, sensitivity: float = 1.0) -> Prediction:
        labels, sources, matrix, owner, personal_rows = self._snap
        unit = _unit(np.asarray(embedding, np.float32)[None])[0]
        row_sims = matrix @ unit
        sims = _best(row_sims, owner, len(labels))
        if len(personal_rows):  # a pack label won by the user's own examples says so
            won = personal_rows[row_sims[personal_rows] >= sims[owner[personal_rows]]]
            sources = list(sources)
            for slot in owner[won]:
                sources[int(slot)] = "personal"
        z = sims / self.calibration.temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        order = np.argsort(-p, kind="stable")
        top = [Guess(labels[i].id, labels[i].text, labels[i].language, float(p[i]),
                     float(sims[i]), sources[i]) for i in order[:max(1, k)]]
        known = True
        if self.open_set is not None:
            own = float(sims[order[0]]) if sources[int(order[0])] == "personal" else None
            known = self.open_set.known(sims[order], p[order], unit, own)
        return Prediction(top, confidence_level(p[order], self.calibration, sensitivity), known)


def _best(row_sims: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per label slot, the best of its rows (rows 0..n-1 are the slots themselves)."""
    if row_sims.shape[0] == n:
        return row_sims
    out = row_sims[:n].copy()
    np.maximum.at(out, owner[n:], row_sims[n:])
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-8)
