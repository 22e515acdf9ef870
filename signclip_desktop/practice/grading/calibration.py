"""The score model: logistic over similarity and DTW features, fitted by ``tools.calibrate``."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .dtw import Alignment
from ...paths import calibration_file, require
from .motion import RESOURCES

CALIBRATION_FILE = RESOURCES / "grading_calibration.json"


_DTW = ("total", "handshape", "location", "movement", "timing")
_EMB = ("similarity", "knn", "knn_margin")
_LABEL = ("label_sim", "label_margin")
FEATURES = _EMB + _LABEL + _DTW
# which features each score model uses: no pack -> DTW only; a pack -> + the attempt's closeness to
# the target's examples (and how much closer than to other signs); a built-in word of the pack ->
# + the pack's own recognition of that word
VARIANTS = {"dtw": _DTW, "encoder": _EMB + _DTW, "encoder_label": FEATURES}


def _default_models() -> dict:
    return {
        "dtw": {"bias": 4.0, "weights": {"total": -3.0, "handshape": -1.5, "location": -0.7, "movement": -0.7,
                                         "timing": -0.7}},
        "encoder": {"bias": -2.0, "weights": {"similarity": 8.0, "total": -2.0, "handshape": -1.0, "location": -0.5,
                                              "movement": -0.5, "timing": -0.5}},
        "encoder_label": {"bias": -2.0, "weights": {"similarity": 4.0, "label_sim": 4.0, "label_margin": 4.0,
                                                    "total": -2.0, "handshape": -1.0, "location": -0.5,
                                                    "movement": -0.5, "timing": -0.5}},
    }


@dataclass
class Calibration:
    """Score models (logistic, one per variant); the pass mark is ``pass_score`` (50)."""
    models: dict = field(default_factory=_default_models)
    scales: dict = field(default_factory=lambda: {"handshape": 0.35, "location": 0.35, "movement": 1.0,
                                                  "timing": 0.4})
    part_good: dict = field(default_factory=lambda: {"handshape": 0.5, "location": 0.37, "movement": 0.4,
                                                     "timing": 0.4})
    pass_score: float = 50.0
    pack: str = ""
    pack_fingerprint: str = ""   # of the encoder the encoder terms were fitted with
    # encoders this calibration is adopted for without refitting: fingerprint -> why (e.g. the shipped
    # pack retrained on all signers with the recipe of the held-out encoder it was fitted with)
    adopted_for: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    def fits(self, pack) -> bool:
        fp = pack_fingerprint(pack)
        return not self.pack_fingerprint or fp == self.pack_fingerprint or fp in self.adopted_for

    @classmethod
    def load(cls, path=None) -> Calibration:
        p = require(path or calibration_file(), "the grading calibration")  # shipped: never a silent default
        d = json.loads(p.read_text(encoding="utf-8"))
        kw = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        cal = cls(**kw)
        for name, m in _default_models().items():  # a file without a variant falls back to the default
            cal.models.setdefault(name, m)
        return cal

    def save(self, path=None) -> None:
        import os

        p = Path(path or calibration_file())
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(json.dumps(d, indent=2), encoding="utf-8")
        os.replace(tmp, p)

    def probability(self, values: dict, variant: str, word: str | None = None) -> float:
        """P(same sign); ``word``'s own offset (``word_bias``) puts every word's pass mark at the
        same different-sign pass rate."""
        m = self.models[variant]
        z = m["bias"] + sum(w * values.get(f, 0.0) for f, w in m["weights"].items())
        z += m.get("word_bias", {}).get(word, 0.0) if word is not None else 0.0
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def pack_fingerprint(pack) -> str:
    """Short hash of a pack's encoder file (a retrained pack may keep its name and version)."""
    import hashlib

    try:
        return hashlib.sha1(Path(pack.encoder_file).read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def feature_values(al: Alignment, cal: Calibration, embedding: dict | None = None,
                   label: tuple[float, float] | None = None) -> dict:
    """The score model's inputs: DTW costs (scaled), embedding evidence, label evidence."""
    vals = {"total": al.total, "timing": al.timing_cost}
    vals.update(embedding or {})
    for k in ("handshape", "location", "movement"):
        c = al.part_costs[k]
        vals[k] = 1.0 if not np.isfinite(c) else c / cal.scales[k]  # no body in view: location neutral-ish
    if label is not None:
        vals["label_sim"], vals["label_margin"] = label
    return vals
