"""Scoring an embedding against label embeddings and user prototypes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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

    GUESS_FIELDS = ("label", "language", "score", "similarity", "source")

    def to_json(self, fields: tuple[str, ...] = GUESS_FIELDS, digits: int = 6) -> dict:
        """The one JSON form of a prediction, used by ``predict --json``, the GUI's
        ``--log-predictions`` file and the pages: ``{"top": [...], "confidence": ...}``.
        ``fields`` picks each guess's keys (any ``Guess`` field), floats rounded to ``digits``."""
        def guess(g: Guess) -> dict:
            out = {}
            for f in fields:
                v = getattr(g, f)
                out[f] = round(float(v), digits) if isinstance(v, float) else v
            return out

        return {"top": [guess(g) for g in self.top], "confidence": self.confidence}


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
    pack's temperature, top-k. A label with several prototypes scores its best one."""

    def __init__(self, labels: list[Label], embeddings: np.ndarray, calibration: Calibration):
        self.calibration = calibration
        self._pack_labels = list(labels)
        self._pack_emb = _unit(embeddings)
        self._proto_labels: list[Label] = []
        self._proto_emb = np.zeros((0, self._pack_emb.shape[1]), np.float32)
        self._rebuild()

    @classmethod
    def from_pack(cls, pack) -> "Scorer":
        return cls(pack.labels, pack.label_embeddings, pack.calibration)

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
        labels = [self._pack_labels[i] for i in keep] + self._proto_labels
        sources = ["pack"] * len(keep) + ["personal"] * len(self._proto_labels)
        matrix = np.concatenate([self._pack_emb[keep], self._proto_emb]).astype(np.float32)
        # one assignment: a predict() on another thread sees either the old or the new set, never a mix
        self._snap = (labels, sources, matrix)
        self._labels, self._sources, self._matrix = labels, sources, matrix

    @property
    def labels(self) -> list[Label]:
        return list(self._labels)

    def similarities(self, embedding: np.ndarray) -> np.ndarray:
        return self._matrix @ _unit(np.asarray(embedding, np.float32)[None])[0]

    def probabilities(self, embedding: np.ndarray) -> np.ndarray:
        z = self.similarities(embedding) / self.calibration.temperature
        z = np.exp(z - z.max())
        return z / z.sum()

    def predict(self, embedding: np.ndarray, k: int = 5, sensitivity: float = 1.0) -> Prediction:
        labels, sources, matrix = self._snap
        sims = matrix @ _unit(np.asarray(embedding, np.float32)[None])[0]
        z = sims / self.calibration.temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        order = np.argsort(-p, kind="stable")
        top = [Guess(labels[i].id, labels[i].text, labels[i].language, float(p[i]),
                     float(sims[i]), sources[i]) for i in order[:max(1, k)]]
        return Prediction(top, confidence_level(p[order], self.calibration, sensitivity))


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-8)
