"""Build the app's built-in demo: a synthetic keypoint clip of a few signs.

    python -m signclip_desktop.tools.make_demo [DATA_DIR] [--out resources/demo/demo.npz]

It is the project's own material, not anybody's footage: for each demo word, every
training sequence of that word (many signers) is put in a shoulder-centred frame,
mirrored so that the busier hand is the right one, trimmed to the part where the hands
are up, resampled to a fixed length, and **averaged over all signers** (a mean
reference motion). The means are placed on a canonical body, joined by rests with the
hands down, and written in the data's compact ``.npz`` format (67 points: pose 0-24,
left hand, right hand), which ``sources/npz.py`` reads. No Qt needed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..paths import demo_path, repo_root
from ..sources.npz import NPZ_POSE_POINTS, load_npz_sequences

DEMO_WORDS = ("hello", "thank-you", "yes", "no")  # each one the pack names as the caption does (please, averaged, reads as "my")
FPS = 30.0
SIGN_FRAMES = 48
REST_FRAMES = 18
MOVE_FRAMES = 8
CENTRE = np.array([0.5, 0.58], np.float32)   # shoulder midpoint on the canvas
SHOULDER = 0.26                             # shoulder width on the canvas


def _shoulder_frame(f: np.ndarray):
    ls, rs = f[:, L.LEFT_SHOULDER], f[:, L.RIGHT_SHOULDER]
    ok = (ls[:, 3] > 0) & (rs[:, 3] > 0)
    if ok.mean() < 0.8:
        return None
    c = ((ls[ok, :2] + rs[ok, :2]) / 2).mean(0)
    w = float(np.linalg.norm(ls[ok, :2] - rs[ok, :2], axis=-1).mean())
    return (c, w) if w > 1e-3 else None


def _hand_activity(f: np.ndarray, comp) -> float:
    vis = f[:, comp.start, 3] > 0
    if vis.sum() < 2:
        return 0.0
    xy = f[vis, comp.start, :2]
    return float(vis.mean()) * (1.0 + float(np.abs(np.diff(xy, axis=0)).sum()))


def _resample(f: np.ndarray, n: int) -> np.ndarray:
    src = np.linspace(0, len(f) - 1, n)
    return f[np.round(src).astype(int)]


def mean_motion(seqs, n: int = SIGN_FRAMES) -> tuple[np.ndarray, int]:
    """Average of many sequences of one word in shoulder units: [n, 203, 4] (conf = share of
    sequences where the point was seen), and the number of sequences used."""
    acc = np.zeros((n, L.NUM_POINTS, 2), np.float64)
    cnt = np.zeros((n, L.NUM_POINTS), np.float64)
    used = 0
    for s in seqs:
        f = s.frames
        ref = _shoulder_frame(f)
        if ref is None:
            continue
        c, w = ref
        x = f.copy()
        x[..., :2] = (x[..., :2] - c) / w
        if _hand_activity(f, L.LEFT_HAND) > _hand_activity(f, L.RIGHT_HAND):
            x = x[:, L.MIRROR_PERMUTATION]
            x[..., 0] = -x[..., 0]
        pose = slice(L.POSE.start, L.POSE.stop)
        x[:, pose][x[:, pose, 3] < 0.5] = 0  # points the pose model only guessed (out of frame)
        hands = (x[:, L.RIGHT_HAND.start, 3] > 0) | (x[:, L.LEFT_HAND.start, 3] > 0)
        idx = np.flatnonzero(hands)
        if len(idx) < 6:
            continue
        x = _resample(x[idx[0]:idx[-1] + 1], n)
        vis = x[..., 3] > 0
        acc[vis] += x[..., :2][vis]
        cnt += vis
        used += 1
    out = L.empty_frames(n)
    if used:
        seen = cnt >= max(2, 0.4 * used)
        out[..., :2] = np.where(seen[..., None], acc / np.maximum(cnt, 1)[..., None], 0)
        out[..., 3] = np.where(seen, cnt / used, 0)
    return out, used


def _smooth(x: np.ndarray, k: int = 5) -> np.ndarray:
    """Moving average over time of visible points (keeps missing points missing)."""
    if len(x) < k:
        return x
    pad = k // 2
    xy = np.pad(x[..., :2], ((pad, pad), (0, 0), (0, 0)), mode="edge")
    ker = np.ones(k) / k
    sm = np.apply_along_axis(lambda v: np.convolve(v, ker, mode="valid"), 0, xy)
    out = x.copy()
    vis = x[..., 3] > 0
    out[..., :2] = np.where(vis[..., None], sm, 0)
    return out


P = {name: L.POSE.start + i for i, name in enumerate(L.POSE_POINTS)}
UPPER_ARM, FOREARM = 0.75, 0.68  # in shoulder widths (about 30 cm and 27 cm)
_ARM_TIPS = ("WRIST", "PINKY", "INDEX", "THUMB")


def _rest_pose(body: np.ndarray) -> np.ndarray:
    """The mean body with the arms down and no hand landmarks (shoulder units)."""
    f = body.copy()
    f[L.LEFT_HAND.slice] = 0
    f[L.RIGHT_HAND.slice] = 0
    for side, sx in (("LEFT", 1.0), ("RIGHT", -1.0)):
        sh = f[P[f"{side}_SHOULDER"], :2]
        wrist = sh + [0.2 * sx, UPPER_ARM + FOREARM - 0.08]  # hanging, nearly straight
        for name in _ARM_TIPS:
            f[P[f"{side}_{name}"], :2] = wrist + [0.04 * sx, 0.08] if name != "WRIST" else wrist
            f[P[f"{side}_{name}"], 3] = 1.0
    return f


def _arms(clip: np.ndarray) -> np.ndarray:
    """Pose wrists follow the hand landmarks; elbows are placed by two-bone inverse kinematics
    (averaging many signers blurs elbows, which are often out of frame)."""
    out = clip.copy()
    for side, comp, sx in (("LEFT", L.LEFT_HAND, 1.0), ("RIGHT", L.RIGHT_HAND, -1.0)):
        sh, el, wr = P[f"{side}_SHOULDER"], P[f"{side}_ELBOW"], P[f"{side}_WRIST"]
        hand = out[:, comp.start]
        has = hand[:, 3] > 0
        delta = hand[has, :2] - out[has, wr, :2]
        out[has, wr, :2] = hand[has, :2]
        for name in _ARM_TIPS[1:]:
            out[has, P[f"{side}_{name}"], :2] += np.where(out[has, P[f"{side}_{name}"], 3:4] > 0, delta, 0)
        for t in range(len(out)):
            if out[t, sh, 3] <= 0 or out[t, wr, 3] <= 0:
                continue
            s, w = out[t, sh, :2], out[t, wr, :2]
            d = w - s
            dist = float(np.linalg.norm(d))
            if dist < 1e-6:
                continue
            dist_c = min(dist, UPPER_ARM + FOREARM - 1e-3)
            along = (UPPER_ARM ** 2 - FOREARM ** 2 + dist_c ** 2) / (2 * dist_c)
            h = np.sqrt(max(UPPER_ARM ** 2 - along ** 2, 0.0))
            u = d / dist
            n = np.array([-u[1], u[0]])
            if n[1] + 0.4 * n[0] * sx < 0:  # the elbow hangs down, and outwards when the arm is low
                n = -n
            out[t, el, :2] = s + u * along + n * h
            out[t, el, 3] = 1.0
    return out


def build_demo(data_dir: Path, words=DEMO_WORDS) -> dict[str, np.ndarray]:
    files = sorted((data_dir / "words").glob("*.npz"))
    if not files:
        raise SystemExit(f"no word data under {data_dir / 'words'}")
    by_word: dict[str, list] = {w: [] for w in words}
    for p in files:
        for s in load_npz_sequences(p):
            if s.label in by_word:
                by_word[s.label].append(s)
    means, counts = {}, {}
    for w in words:
        m, used = mean_motion(by_word[w])
        if used < 5:
            print(f"skipping {w}: only {used} usable sequences", file=sys.stderr)
            continue
        means[w], counts[w] = _smooth(m), used
    # One canonical body: the average upper body over all the demo words (so every clip has the same person).
    allf = np.concatenate(list(means.values()))
    seen = allf[..., 3] > 0
    body = L.empty_frames(1)[0]
    body[..., :2] = (allf[..., :2] * seen[..., None]).sum(0) / np.maximum(seen.sum(0), 1)[:, None]
    body[..., 3] = seen.mean(0)
    body[L.POSE.start + NPZ_POSE_POINTS:] = 0
    rest = _rest_pose(body)
    pose_sl = slice(L.POSE.start, L.POSE.start + NPZ_POSE_POINTS)
    clips, labels = [], []
    for w, m in means.items():
        sign = m.copy()
        # keep the head and shoulders steady (the mean body), the arms and hands move
        steady = [L.POSE.start + i for i, n in enumerate(L.POSE_POINTS[:NPZ_POSE_POINTS])
                  if not any(k in n for k in ("ELBOW", "WRIST", "PINKY", "INDEX", "THUMB"))]
        sign[:, steady] = body[steady]
        for side in ("LEFT", "RIGHT"):  # arm points of the rest pose where the mean lost them
            for name in ("ELBOW",) + _ARM_TIPS:
                j = P[f"{side}_{name}"]
                gone = sign[:, j, 3] <= 0
                sign[gone, j] = rest[j]
        pre = np.repeat(rest[None], REST_FRAMES, 0)
        a = np.linspace(0, 1, MOVE_FRAMES + 2)[1:-1, None, None]
        move_in = rest[None] * (1 - a) + sign[:1] * a
        move_out = sign[-1:] * (1 - a) + rest[None] * a
        for mv in (move_in, move_out):  # hands only once they are up
            mv[:, L.LEFT_HAND.slice] = 0
            mv[:, L.RIGHT_HAND.slice] = 0
            mv[:, pose_sl, 3] = np.maximum(mv[:, pose_sl, 3], 0)
        clip = _arms(np.concatenate([pre, move_in, sign, move_out]).astype(np.float32))
        vis = clip[..., 3] > 0
        clip[..., :2] = clip[..., :2] * SHOULDER + CENTRE
        clip[..., 3] = np.where(vis, 1.0, 0.0)
        clip[~vis] = 0
        clips.append(clip)
        labels.append(w)
    t = max(len(c) for c in clips)
    kp = np.zeros((len(clips), t, 67, 4), np.float16)
    for i, c in enumerate(clips):
        kp[i, :len(c), :NPZ_POSE_POINTS] = c[:, pose_sl]
        kp[i, :len(c), NPZ_POSE_POINTS:NPZ_POSE_POINTS + 21] = c[:, L.LEFT_HAND.slice]
        kp[i, :len(c), NPZ_POSE_POINTS + 21:] = c[:, L.RIGHT_HAND.slice]
    n = len(clips)
    return {
        "keypoints": kp, "lengths": np.array([len(c) for c in clips], np.int16),
        "labels": np.array(labels), "orig_labels": np.array(labels),
        "signer": np.array(["signclip-demo"] * n), "language": np.array(["und"] * n),
        "fps": np.float32(FPS), "seq_ids": np.array([f"demo/{w}/mean-of-{counts[w]}" for w in labels]),
        "repo": np.array("signclip-desktop (generated by signclip_desktop.tools.make_demo)"),
        "commit": np.array(""), "source_layout": np.array("P4LR"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="?", default=str(repo_root().parent / "shared" / "data"),
                    help="the data folder (has words/)")
    ap.add_argument("--out", default=str(demo_path()))
    a = ap.parse_args(argv)
    arrays = build_demo(Path(a.data))
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(out)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB): " + ", ".join(
        f"{w} ({s})" for w, s in zip(arrays["labels"], arrays["seq_ids"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
