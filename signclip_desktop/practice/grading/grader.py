"""The grader: an attempt against a target sign -> GradeResult (see ``verdict`` for the rules)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...stream.clip import trim
from .calibration import Calibration, feature_values
from .dtw import Alignment, align
from .evidence import SignBank, embedding_features, label_features
from .motion import RESOURCES, Motion, dominant_slot_motion, motion_from_frames
from .parts import feedback
from .verdict import (
    NOT_SEEN,
    GradeResult,
    decide,
    hand_seen_enough,
    not_graded_reason,
    ungraded,
)

BANK_FILE = RESOURCES / "grading_bank.npz"


@dataclass
class Target:
    """What the app knows about the sign being practised."""
    name: str                          # shown, e.g. "hello (built-in reference)"
    motions: list[Motion]              # prepared reference recordings (the parts are graded on the closest)
    word: str | None = None            # the pack's label for it (built-in word): label evidence, word offset
    sign: str | None = None            # its name in the grader's bank (all known examples of it)
    own: np.ndarray | None = None      # embeddings of examples that are not in the bank (library, a file)
    key: str = ""                      # compared under this name: a bank sign of that name is replaced by ``own``


@dataclass
class Scored:
    """One reading (plain or mirrored) of an attempt against a target."""
    probability: float
    values: dict
    alignment: Alignment
    ref: Motion
    att: Motion
    dom: int
    mirrored: bool
    looks_like: str | None


def closest_reference(refs: list[Motion], att: Motion, scales) -> tuple[Motion, int, Alignment]:
    """The reference with the lowest DTW total (parts and advice are given against it)."""
    best = None
    for ref in refs:
        dom = dominant_slot_motion(ref)
        al = align(ref, att, dom, scales)
        if best is None or al.total < best[2].total:
            best = (ref, dom, al)
    return best


class Grader:
    """Grades attempts. ``pack``/``encoder`` are optional: without them only DTW is used.
    ``bank``: embeddings of every known example per sign (default: the shipped bank of the
    pack's built-in words when it was computed with this very encoder)."""

    def __init__(self, pack=None, encoder=None, calibration: Calibration | None = None,
                 bank: SignBank | None = None):
        self.pack, self.encoder = pack, encoder
        self.cal = calibration or Calibration.load()
        self._bank = bank
        self.calibration_warning = ""
        if encoder is not None and not self.cal.fits(pack):
            self.calibration_warning = (
                f"the score was calibrated with another encoder ({self.cal.pack}); scores may be off until "
                "`python -m signclip_desktop.tools.calibrate --data DATA --pack PACK --write` is run")

    # -------------------------------------------------------------- inputs

    @property
    def bank(self) -> SignBank | None:
        if self._bank is None and self.encoder is not None:
            self._bank = load_bank(self.pack)
        return self._bank

    def _embed(self, frames, fps, mirrored):
        if self.encoder is None:
            return None
        from ...stream.clip import embed_clip

        return embed_clip(self.encoder, self.pack, frames, fps, mirrored=mirrored)

    def prepare(self, frames: np.ndarray, fps: float, mirrored: bool = False) -> Motion:
        fr = trim(frames, fps)
        if len(fr) < 2:
            fr = frames
        m = motion_from_frames(fr, fps, mirrored=mirrored, trim_clip=False)
        m.embedding = self._embed(fr, fps, mirrored) if len(fr) else None
        return m

    def target(self, references, name: str = "", word: str | None = None, in_bank: bool | None = None,
               sign_name: str | None = None) -> Target:
        """A Target from reference recordings (``[(frames, fps)]`` or prepared Motions).
        ``word``: the pack label they show. ``in_bank``: the recordings are the bank's examples of
        ``word`` (built-in references); default: when the bank has that word. ``sign_name``: the
        plain name of a library sign (its own examples stand in for a built-in word of that name)."""
        motions = [r if isinstance(r, Motion) else self.prepare(*r) for r in references]
        bank = self.bank
        sign = word if (word is not None and bank is not None and word in bank) else None
        if in_bank is False:
            sign = None
        own = None
        if sign is None:
            embs = [m.embedding for m in motions if m.embedding is not None]
            own = np.stack(embs) if embs else None
        key = sign or sign_name or word or name
        return Target(name, motions, word if word in self._label_index else None, sign, own, key)

    def variant(self, word: str | None = None) -> str:
        if self.encoder is None:
            return "dtw"
        return "encoder_label" if word is not None and word in self._label_index else "encoder"

    @property
    def _label_index(self) -> dict:
        if self.pack is None:
            return {}
        if not hasattr(self, "_li"):
            self._li = {l: i for i, l in enumerate(self.pack.label_ids)}
        return self._li

    # -------------------------------------------------------------- scoring

    def score(self, target: Target, att: Motion) -> Scored:
        ref, dom, al = closest_reference(target.motions, att, self.cal.scales)
        emb, lab, looks = {}, None, None
        if att.embedding is not None and (target.sign is not None or target.own is not None):
            key = target.key or target.sign or target.word or target.name
            emb = embedding_features(att.embedding, key, self.bank, own=target.own)
            if self.bank is not None and len(self.bank):
                kn = self.bank.knn_scores(att.embedding)
                kn.pop(key, None)
                best_other = max(kn, key=kn.get) if kn else None
                if best_other is not None and emb.get("knn_margin", 0.0) < 0:
                    looks = best_other
        variant = "dtw" if not emb else ("encoder_label" if target.word is not None else "encoder")
        if variant == "encoder_label":
            lab = label_features(att.embedding, self.pack.label_embeddings, self._label_index[target.word])
        vals = feature_values(al, self.cal, emb, lab)
        p = self.cal.probability(vals, variant, target.word)
        return Scored(p, vals, al, ref, att, dom, False, looks)

    def grade_target(self, target: Target, attempt: np.ndarray, att_fps: float = 30.0,
                     left_handed: bool | None = None) -> GradeResult:
        """``left_handed``: None tries the attempt plain and mirrored and keeps the better;
        True grades it mirrored only; False plain only."""
        why = not_graded_reason(attempt)
        if why is not None:
            return ungraded(*why, reference_name=target.name)
        if not target.motions:
            raise ValueError("a target needs at least one reference recording")
        options = [False, True] if left_handed is None else [bool(left_handed)]
        best, other_hand = None, False
        for mir in options:
            s = self.score(target, self.prepare(attempt, att_fps, mirrored=mir))
            s.mirrored = mir
            if not hand_seen_enough(s.ref, s.att, s.dom):
                other_hand |= hand_seen_enough(s.ref, s.att, 1 - s.dom)
                continue
            if best is None or s.probability > best.probability:
                best = s
        if best is None:
            why = (" (only your other hand is in view: sign with the other hand, or grade the other way round)"
                   if other_hand else " (the signing hand is seen in too few frames)")
            return ungraded("hand_not_seen", NOT_SEEN + why, reference_name=target.name)
        parts = feedback(best.ref, best.att, best.alignment, best.dom, self.cal)
        raw = 100.0 * best.probability
        score, passed, summary, advice, reason, code = decide(raw, parts, self.cal.pass_score, best.looks_like)
        sim = best.values.get("similarity")
        return GradeResult(score, passed, parts, sim, best.mirrored, best.alignment, best.ref, best.att,
                           target.name, summary, True, reason, code, advice, None if passed else best.looks_like, raw,
                           self.cal.pass_score)

    def grade(self, reference, attempt: np.ndarray, ref_fps: float = 30.0, att_fps: float = 30.0,
              left_handed: bool | None = None, reference_name: str = "", word: str | None = None) -> GradeResult:
        """One reference (frames, a prepared Motion, or a list of them) against an attempt."""
        refs = reference if isinstance(reference, list) else [reference]
        refs = [r if isinstance(r, Motion) else (r, ref_fps) for r in refs]
        return self.grade_target(self.target(refs, reference_name, word), attempt, att_fps, left_handed)


def best_result(results: list[GradeResult]) -> GradeResult:
    """The best graded result of several (a not-graded one only when none was graded)."""
    graded = [r for r in results if r.graded]
    return max(graded, key=lambda r: r.score) if graded else results[0]


def load_bank(pack, path: Path = BANK_FILE) -> SignBank | None:
    """The shipped bank when it was computed with this pack's encoder, else None."""
    from .calibration import pack_fingerprint

    p = Path(path)
    if pack is None or not p.is_file():
        return None
    try:
        bank, meta = SignBank.load(p)
    except (OSError, ValueError, KeyError):
        return None
    if meta.get("pack_fingerprint") != pack_fingerprint(pack) or bank.embeddings.shape[1] != pack.embedding_dim:
        return None
    return bank
