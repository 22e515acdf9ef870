"""DTW alignment of a reference and an attempt, with per-part costs along the path."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .motion import Motion

MISSING_HAND_COST = 1.0  # cost of a frame where only one of the two clips shows the hand


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
            best = min(best, prev[j])
            best = min(best, cur[j - 1])
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
