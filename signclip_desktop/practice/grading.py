"""Grading a learner's attempt at a sign against a reference recording.

Score 0-100 = calibrated logistic model over (a) the pack encoder's cosine similarity
between attempt and reference and (b) DTW costs over normalised keypoints, split in
parts: dominant-hand shape, hand location, movement and timing. The DTW alignment also
gives the per-part feedback. Left-handed learners: the attempt is tried mirrored too and
the better reading counts (or mirrored only with ``left_handed=True``).

The calibration (weights, pass threshold, part scales) lives in
``resources/grading_calibration.json``; ``python -m signclip_desktop.tools.calibrate``
fits it on signer-disjoint splits of the shared data. No Qt here.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..keypoints.normalize import mirror, normalize_hands, normalize_shoulders
from ..paths import calibration_file, package_resources_dir, require
from ..stream.window import resample_sequence
from ..stream.clip import trim

RESOURCES = package_resources_dir()  # resolved by paths.py (checkout or frozen bundle)
CALIBRATION_FILE = RESOURCES / "grading_calibration.json"
DTW_FPS = 15.0          # keypoints are compared at this frame rate
PARTS = ("handshape", "location", "movement", "timing")
PART_TITLES = {"handshape": "Dominant-hand shape", "location": "Hand location", "movement": "Movement",
               "timing": "Timing"}
MISSING_HAND_COST = 1.0  # cost of a frame where only one of the two clips shows the hand
FINGERS = {"thumb": (1, 2, 3, 4), "index finger": (5, 6, 7, 8), "middle finger": (9, 10, 11, 12),
           "ring finger": (13, 14, 15, 16), "little finger": (17, 18, 19, 20)}
_HANDS = (L.LEFT_HAND, L.RIGHT_HAND)


# ------------------------------------------------------------------------ motion features

@dataclass
class Motion:
    """What grading compares, for one clip in one orientation (plain or mirrored)."""
    frames: np.ndarray        # [T, 203, 4] shoulder-normalised frames at DTW_FPS (for replay)
    shape: np.ndarray         # [2, T, 21, 3] hand-normalised points per hand slot (0 left, 1 right)
    vis: np.ndarray           # [2, T] hand seen
    wrist: np.ndarray         # [2, T, 2] wrist xy in shoulder widths
    vel: np.ndarray           # [2, T, 2] wrist velocity, shoulder widths per second
    has_body: bool            # shoulders seen (location is meaningful)
    duration: float           # seconds
    embedding: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.shape.shape[1])


def dominant_slot(frames: np.ndarray) -> int:
    """0 (left slot) or 1 (right slot): the hand seen most and moving most."""
    score = []
    for comp in _HANDS:
        w = frames[:, comp.start + L.HAND_WRIST]
        vis = w[:, 3] > 0
        mv = 0.0
        if vis.sum() > 1:
            xy = w[vis, :2]
            mv = float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum())
        score.append(vis.mean() + 5.0 * mv)
    return int(np.argmax(score))


def motion_from_frames(frames: np.ndarray, fps: float, mirrored: bool = False, trim_clip: bool = True,
                       embedding: np.ndarray | None = None) -> Motion:
    fr = trim(frames, fps) if trim_clip else frames
    if len(fr) < 2:
        fr = frames if len(frames) >= 2 else np.concatenate([frames, frames]) if len(frames) else L.empty_frames(2)
    duration = len(fr) / fps
    fr = resample_sequence(fr, fps, DTW_FPS)
    if len(fr) < 2:
        fr = np.concatenate([fr, fr])
    has_body = bool(((fr[:, L.LEFT_SHOULDER, 3] > 0) & (fr[:, L.RIGHT_SHOULDER, 3] > 0)).any())
    norm = normalize_shoulders(fr)
    hn = normalize_hands(fr)
    if mirrored:
        norm = mirror(norm)
        hn = mirror(hn)  # hand-centred coordinates: reflect about the wrist (x -> -x)
    t = len(fr)
    shape = np.zeros((2, t, 21, 3), np.float32)
    vis = np.zeros((2, t), bool)
    wrist = np.zeros((2, t, 2), np.float32)
    for k, comp in enumerate(_HANDS):
        vis[k] = norm[:, comp.start + L.HAND_WRIST, 3] > 0
        shape[k] = hn[:, comp.slice, :3]
        wrist[k] = norm[:, comp.start + L.HAND_WRIST, :2]
    vel = np.zeros_like(wrist)
    for k in range(2):
        v = vis[k]
        w = wrist[k].copy()
        if v.any():  # fill gaps with the nearest seen position so velocity is defined
            idx = np.flatnonzero(v)
            near = idx[np.clip(np.searchsorted(idx, np.arange(t)), 0, len(idx) - 1)]
            w = w[near]
            # light smoothing
            w = (np.concatenate([w[:1], w[:-1]]) + 2 * w + np.concatenate([w[1:], w[-1:]])) / 4
            vel[k] = np.gradient(w, axis=0) * DTW_FPS
    return Motion(norm.astype(np.float32), shape, vis, wrist, vel, has_body, float(duration), embedding)


# ------------------------------------------------------------------------ DTW

def _part_costs(ref: Motion, att: Motion, dom: int) -> dict[str, np.ndarray]:
    """Per-part frame-pair cost matrices [n_ref, n_att]."""
    nd = 1 - dom
    out = {}
    rv, av = ref.vis[dom][:, None], att.vis[dom][None, :]
    d = np.linalg.norm(ref.shape[dom][:, None] - att.shape[dom][None, :], axis=-1).mean(axis=-1)
    both = rv & av
    one = rv ^ av
    out["handshape"] = np.where(both, d, np.where(one, MISSING_HAND_COST, 0.0))
    loc = np.zeros(both.shape)
    weight = 0.0
    for k, w in ((dom, 1.0), (nd, 0.5)):
        r, a = ref.vis[k][:, None], att.vis[k][None, :]
        dist = np.linalg.norm(ref.wrist[k][:, None] - att.wrist[k][None, :], axis=-1)
        loc += w * np.where(r & a, dist, np.where(r ^ a, MISSING_HAND_COST, 0.0))
        weight += w
    out["location"] = loc / weight
    mv = np.zeros(both.shape)
    for k, w in ((dom, 1.0), (nd, 0.5)):
        r, a = ref.vis[k][:, None], att.vis[k][None, :]
        dist = np.linalg.norm(ref.vel[k][:, None] - att.vel[k][None, :], axis=-1)
        mv += w * np.where(r & a, dist, 0.0)
    out["movement"] = mv / weight
    return out


def dtw_path(cost: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
    """Classic DTW (steps: diagonal, down, right). Returns (total cost, path from (0,0))."""
    n, m = cost.shape
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    c = cost.tolist()
    a = acc.tolist()
    for i in range(1, n + 1):
        ci, prev, cur = c[i - 1], a[i - 1], a[i]
        for j in range(1, m + 1):
            best = prev[j - 1]
            if prev[j] < best:
                best = prev[j]
            if cur[j - 1] < best:
                best = cur[j - 1]
            cur[j] = ci[j - 1] + best
    acc = np.asarray(a)
    i, j, path = n, m, [(n - 1, m - 1)]
    while i > 1 or j > 1:
        opts = ((acc[i - 1, j - 1], i - 1, j - 1), (acc[i - 1, j], i - 1, j), (acc[i, j - 1], i, j - 1))
        _, i, j = min(opts, key=lambda o: o[0])
        path.append((i - 1, j - 1))
    path.reverse()
    return float(acc[n, m]), path


@dataclass
class Alignment:
    path: list[tuple[int, int]]
    part_costs: dict[str, float]      # mean cost along the path per part
    per_step: dict[str, np.ndarray]   # cost of each path step per part
    timing_cost: float
    duration_ratio: float             # attempt / reference
    total: float


def align(ref: Motion, att: Motion, dom: int, scales: dict[str, float]) -> Alignment:
    parts = _part_costs(ref, att, dom)
    use_loc = ref.has_body and att.has_body
    combined = parts["handshape"] / scales["handshape"] + parts["movement"] / scales["movement"]
    if use_loc:
        combined = combined + parts["location"] / scales["location"]
    _, path = dtw_path(combined)
    ii = np.array([p[0] for p in path])
    jj = np.array([p[1] for p in path])
    per_step = {k: v[ii, jj] for k, v in parts.items()}
    # average over steps where the hands are seen in at least one clip (both empty: nothing to compare)
    dom_any = ref.vis[dom][ii] | att.vis[dom][jj]
    any_hand = dom_any | ref.vis[1 - dom][ii] | att.vis[1 - dom][jj]
    masks = {"handshape": dom_any, "location": any_hand, "movement": any_hand}
    costs = {k: float(v[masks[k]].mean()) if masks[k].any() else 0.0 for k, v in per_step.items()}
    if not use_loc:
        costs["location"] = float("nan")
    ratio = att.duration / max(ref.duration, 1e-6)
    # warping: how far the path strays from the straight line between the corners
    u = ii / max(len(ref.shape[0]) - 1, 1)
    v = jj / max(len(att.shape[0]) - 1, 1)
    warp = float(np.abs(u - v).mean())
    timing = abs(math.log(max(ratio, 1e-3))) + 2.0 * warp
    total = float(np.nanmean([costs["handshape"] / scales["handshape"], costs["movement"] / scales["movement"]]
                             + ([costs["location"] / scales["location"]] if use_loc else [])))
    return Alignment(path, costs, per_step, timing, ratio, total)


# ------------------------------------------------------------------------ calibration

FEATURES = ("similarity", "total", "handshape", "location", "movement", "timing", "label_sim", "label_margin")
_DTW = ("total", "handshape", "location", "movement", "timing")
# which features each score model uses: no pack -> DTW only; a pack -> + attempt/reference
# embedding similarity; a built-in word of the pack -> + similarity to the pack's own label
VARIANTS = {"dtw": _DTW, "encoder": ("similarity",) + _DTW, "encoder_label": FEATURES}


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
    def load(cls, path=None) -> "Calibration":
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

    def probability(self, values: dict, variant: str) -> float:
        m = self.models[variant]
        z = m["bias"] + sum(w * values.get(f, 0.0) for f, w in m["weights"].items())
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def pack_fingerprint(pack) -> str:
    """Short hash of a pack's encoder file (a retrained pack may keep its name and version)."""
    import hashlib

    try:
        return hashlib.sha1(Path(pack.encoder_file).read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def feature_values(similarity: float | None, al: Alignment, cal: Calibration,
                   label: tuple[float, float] | None = None) -> dict:
    vals = {"similarity": 0.0 if similarity is None else similarity, "total": al.total, "timing": al.timing_cost}
    for k in ("handshape", "location", "movement"):
        c = al.part_costs[k]
        vals[k] = 1.0 if not np.isfinite(c) else c / cal.scales[k]  # no body in view: location neutral-ish
    if label is not None:
        vals["label_sim"], vals["label_margin"] = label
    return vals


def label_features(embedding: np.ndarray, label_embeddings: np.ndarray, index: int) -> tuple[float, float]:
    """(cosine to the word's own label, that minus the best other label)."""
    sims = label_embeddings @ embedding
    own = float(sims[index])
    others = np.delete(sims, index)
    return own, own - (float(others.max()) if len(others) else 0.0)


# ------------------------------------------------------------------------ results

@dataclass
class PartResult:
    score: float       # 0-100
    cost: float
    feedback: str
    available: bool = True

    def to_json(self) -> dict:
        return {"score": round(self.score, 1) if np.isfinite(self.score) else None,
                "cost": None if not np.isfinite(self.cost) else round(self.cost, 4),
                "feedback": self.feedback, "available": self.available}


@dataclass
class GradeResult:
    score: float
    passed: bool
    parts: dict[str, PartResult]
    similarity: float | None
    mirrored: bool
    alignment: Alignment
    reference: Motion
    attempt: Motion
    reference_name: str = ""
    summary: str = ""

    def to_json(self) -> dict:
        return {
            "score": round(self.score, 1), "passed": self.passed, "reference": self.reference_name,
            "summary": self.summary, "mirrored": self.mirrored,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "duration_ratio": round(self.alignment.duration_ratio, 3),
            "parts": {k: v.to_json() for k, v in self.parts.items()},
        }


def part_score(cost: float, good: float) -> float:
    """0-100: a cost equal to ``good`` (typical for a correct attempt) gives 70."""
    if not np.isfinite(cost):
        return float("nan")
    return float(100.0 * math.exp(-cost / max(good, 1e-6) * math.log(1 / 0.7)))


def _where(per_step: np.ndarray, path) -> str:
    n = len(per_step)
    if n < 3:
        return ""
    third = int(np.argmax([per_step[: n // 3].mean(), per_step[n // 3: 2 * n // 3].mean(), per_step[2 * n // 3:].mean()]))
    return (" at the start", " in the middle", " at the end")[third]


def feedback(ref: Motion, att: Motion, al: Alignment, dom: int, cal: Calibration) -> dict[str, PartResult]:
    ii = np.array([p[0] for p in al.path])
    jj = np.array([p[1] for p in al.path])
    out = {}
    # hand shape: which finger differs most
    c = al.part_costs["handshape"]
    s = part_score(c, cal.part_good["handshape"])
    both = ref.vis[dom][ii] & att.vis[dom][jj]
    if not att.vis[dom].any():
        msg = "Your signing hand was not seen: keep it in view of the camera."
    elif s >= 70:
        msg = "Hand shape matches the reference."
    elif both.any():
        diffs = {name: float(np.linalg.norm(ref.shape[dom][ii[both]][:, list(idx)] - att.shape[dom][jj[both]][:, list(idx)],
                                           axis=-1).mean()) for name, idx in FINGERS.items()}
        worst = max(diffs, key=diffs.get)
        msg = f"Hand shape differs{_where(al.per_step['handshape'], al.path)}: check your {worst}."
    else:
        msg = "Your hand is in view at different moments than in the reference."
    if not att.vis[dom].any():
        s = 0.0
    out["handshape"] = PartResult(s, c, msg)
    # location: mean offset of the dominant wrist along the path
    c = al.part_costs["location"]
    if not np.isfinite(c):
        out["location"] = PartResult(float("nan"), c, "Location not graded: shoulders not in view.", False)
    else:
        s = part_score(c, cal.part_good["location"])
        if s >= 70 or not both.any():
            msg = "Hands are in the right place." if s >= 70 else "Hand location differs from the reference."
        else:
            off = (att.wrist[dom][jj[both]] - ref.wrist[dom][ii[both]]).mean(axis=0)
            words = []
            if abs(off[1]) > 0.15:
                words.append("lower" if off[1] > 0 else "higher")
            if abs(off[0]) > 0.15:
                words.append("further left in the picture" if off[0] < 0 else "further right in the picture")
            msg = f"Your hand is {' and '.join(words)} than in the reference{_where(al.per_step['location'], al.path)}." \
                if words else f"Hand position differs{_where(al.per_step['location'], al.path)}."
        out["location"] = PartResult(s, c, msg)
    # movement: size of the movement
    c = al.part_costs["movement"]
    s = part_score(c, cal.part_good["movement"])

    def _path_len(m: Motion) -> float:
        w = m.wrist[dom][m.vis[dom]]
        return float(np.linalg.norm(np.diff(w, axis=0), axis=1).sum()) if len(w) > 1 else 0.0

    r_len, a_len = _path_len(ref), _path_len(att)
    if s >= 70:
        msg = "Movement matches the reference."
    elif a_len < 0.6 * r_len:
        msg = "Make the movement bigger."
    elif a_len > 1.6 * max(r_len, 0.05):
        msg = "Make the movement smaller." if r_len > 0.1 else "The reference hand stays still: hold it steadier."
    else:
        msg = f"Movement path differs{_where(al.per_step['movement'], al.path)}."
    out["movement"] = PartResult(s, c, msg)
    # timing
    c = al.timing_cost
    s = part_score(c, cal.part_good["timing"])
    r = al.duration_ratio
    if s >= 70:
        msg = "Timing is good."
    elif r > 1.3:
        msg = f"A bit slow: {r:.1f}x the reference's length."
    elif r < 0.77:
        msg = f"A bit fast: {r:.1f}x the reference's length."
    else:
        msg = "Uneven speed: keep an even pace through the sign."
    out["timing"] = PartResult(s, c, msg)
    return out


# ------------------------------------------------------------------------ grader

class Grader:
    """Grades attempts. ``pack``/``encoder`` are optional: without them only DTW is used."""

    def __init__(self, pack=None, encoder=None, calibration: Calibration | None = None):
        self.pack, self.encoder = pack, encoder
        self.cal = calibration or Calibration.load()
        self.calibration_warning = ""
        if encoder is not None and not self.cal.fits(pack):
            self.calibration_warning = (
                f"the score was calibrated with another encoder ({self.cal.pack}); scores may be off until "
                "`python -m signclip_desktop.tools.calibrate --data DATA --pack PACK --write` is run")

    def _embed(self, frames, fps, mirrored):
        if self.encoder is None:
            return None
        from ..stream.clip import embed_clip

        return embed_clip(self.encoder, self.pack, frames, fps, mirrored=mirrored)

    def prepare(self, frames: np.ndarray, fps: float, mirrored: bool = False) -> Motion:
        fr = trim(frames, fps)
        if len(fr) < 2:
            fr = frames
        m = motion_from_frames(fr, fps, mirrored=mirrored, trim_clip=False)
        m.embedding = self._embed(fr, fps, mirrored)
        return m

    def variant(self, word: str | None = None) -> str:
        if self.encoder is None:
            return "dtw"
        if word is not None and word in self._label_index:
            return "encoder_label"
        return "encoder"

    @property
    def _label_index(self) -> dict:
        if self.pack is None:
            return {}
        if not hasattr(self, "_li"):
            self._li = {l: i for i, l in enumerate(self.pack.label_ids)}
        return self._li

    def compare(self, ref: Motion, att: Motion, dom: int | None = None, word: str | None = None
                ) -> tuple[float, Alignment, float | None]:
        """(score 0-100, alignment, similarity) for prepared motions. ``word``: the pack label
        the reference shows (built-in references), which adds the label-similarity terms."""
        dom = dominant_slot_motion(ref) if dom is None else dom
        al = align(ref, att, dom, self.cal.scales)
        sim = None
        if ref.embedding is not None and att.embedding is not None:
            sim = float(np.dot(ref.embedding, att.embedding))
        variant = self.variant(word) if sim is not None else "dtw"
        label = None
        if variant == "encoder_label":
            label = label_features(att.embedding, self.pack.label_embeddings, self._label_index[word])
        p = self.cal.probability(feature_values(sim, al, self.cal, label), variant)
        return 100.0 * p, al, sim

    def grade(self, reference: np.ndarray | Motion, attempt: np.ndarray, ref_fps: float = 30.0,
              att_fps: float = 30.0, left_handed: bool | None = None, reference_name: str = "",
              word: str | None = None) -> GradeResult:
        """``left_handed``: None tries the attempt plain and mirrored and keeps the better;
        True grades it mirrored only; False plain only."""
        ref = reference if isinstance(reference, Motion) else self.prepare(reference, ref_fps)
        dom = dominant_slot_motion(ref)
        options = [False, True] if left_handed is None else [bool(left_handed)]
        best = None
        for mir in options:
            att = self.prepare(attempt, att_fps, mirrored=mir)
            score, al, sim = self.compare(ref, att, dom, word)
            if best is None or score > best[0]:
                best = (score, al, sim, att, mir)
        score, al, sim, att, mir = best
        parts = feedback(ref, att, al, dom, self.cal)
        passed = score >= self.cal.pass_score
        weakest = min((p for p in parts.values() if p.available), key=lambda p: p.score)
        if passed:
            summary = "Well done!" + (f" To polish: {weakest.feedback}" if weakest.score < 70 else "")
        else:
            summary = f"Not yet. {weakest.feedback}"
        return GradeResult(score, passed, parts, sim, mir, al, ref, att, reference_name, summary)


def dominant_slot_motion(m: Motion) -> int:
    score = []
    for k in range(2):
        v = m.vis[k]
        mv = float(np.linalg.norm(m.vel[k][v], axis=-1).mean()) if v.any() else 0.0
        score.append(v.mean() + 0.2 * mv)
    return int(np.argmax(score))
