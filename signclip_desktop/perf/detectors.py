"""Bare Holistic against the pose+hands landmark graph, and the worker pool's scaling.

``compare_detectors`` runs both detectors on the same decoded frames of real clips in
alternating passes (holistic, graph, graph, holistic, ...) so the fps ratio is measured under
the same load, and reports how far the graph's pose and hand keypoints are from Holistic's
(per component: max and median |dx|, |dy| in image units, and whether both found it).
``pool_scaling`` times ``HolisticPool`` with 1 and 2 workers on the same frames; ``thread_comparison``
puts one detector against the live app's 2 on threads (keypoints, the packs' guesses, speed).
``pool_workers_for`` is the rule the live app uses to decide whether a pool pays.

    python -m signclip_desktop.perf.detectors --data ../shared/data [--pool] [--threads] [--pack DIR] [--json]

No Qt. Nothing here is a test: it prints numbers.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..live.pooled import pool_workers_for, pool_workers_now  # noqa: F401 (the rule lives with the live app)

COMPONENTS = ("pose", "left_hand", "right_hand")


def real_clips(data, letters=("J", "Z")) -> dict[str, list[np.ndarray]]:
    """The silfa video frames (every frame of the moving letters J and Z) as BGR images."""
    import cv2

    root = Path(data) / "images" / "silfa"
    clips = {}
    for letter in letters:
        files = sorted((root / letter).glob("*.jpg"))
        imgs = [im for im in (cv2.imread(str(f)) for f in files) if im is not None]
        if imgs:
            clips[f"silfa_{letter}"] = imgs
    if not clips:
        raise FileNotFoundError(f"no silfa frames under {root}")
    return clips


def component_diffs(ref: np.ndarray, got: np.ndarray, components=COMPONENTS) -> dict:
    """Per component: frames where each found it, and max / median |x, y| difference over
    the frames where both did (in image units: 0.01 = 1% of the width or height)."""
    out = {}
    for name in components:
        c = L.COMPONENT_BY_NAME[name]
        a, b = ref[:, c.slice], got[:, c.slice]
        fa, fb = a[:, :, 3].max(axis=1) > 0, b[:, :, 3].max(axis=1) > 0
        both = fa & fb
        d = np.abs(a[both, :, :2] - b[both, :, :2]).reshape(-1)
        out[name] = {"frames": int(len(a)), "found_ref": int(fa.sum()), "found_graph": int(fb.sum()),
                     "found_both": int(both.sum()),
                     "max_abs_xy": float(d.max()) if d.size else None,
                     "median_abs_xy": float(np.median(d)) if d.size else None}
    return out


def _run(det, images, cpu: list | None = None) -> tuple[np.ndarray, list[float]]:
    """Keypoints and wall seconds per frame; ``cpu`` collects process CPU seconds per frame
    (MediaPipe's calculator threads included): the work a frame costs, whatever else runs."""
    kps, times = [], []
    for i, img in enumerate(images):
        t, c = time.perf_counter(), time.process_time()
        kps.append(det.detect(img, i / 30.0))
        times.append(time.perf_counter() - t)
        if cpu is not None:
            cpu.append(time.process_time() - c)
    return np.stack(kps), times


def _alternating(passes: int, one, other) -> tuple[list[float], list[float]]:
    """Frames/s of ``one()`` and ``other()`` (each returns the frames it did) in alternating passes
    (one, other, other, one, ...), so both see the same load."""
    a, b = [], []
    for k in range(passes):
        for run, acc in (((one, a), (other, b)) if k % 2 == 0 else ((other, b), (one, a))):
            t0 = time.perf_counter()
            n = run()
            acc.append(n / (time.perf_counter() - t0))
    return a, b


def compare_detectors(clips: dict[str, list[np.ndarray]], need: str = "pose_hands", passes: int = 4) -> dict:
    """Holistic vs the ``need`` graph on the same frames, in alternating passes."""
    from ..keypoints.landmark_graph import make_detector

    # Keypoints: a fresh video-mode detector of each kind per clip (tracking starts alike).
    diffs, kp_ref, kp_graph = {}, {}, {}
    for name, images in clips.items():
        ref, graph = make_detector(need="holistic"), make_detector(need=need)
        try:
            kp_ref[name], _ = _run(ref, images)
            kp_graph[name], _ = _run(graph, images)
        finally:
            ref.close()
            graph.close()
        diffs[name] = component_diffs(kp_ref[name], kp_graph[name])
    # Speed: two long-lived detectors, each clip in turn, order swapped every pass.
    ref, graph = make_detector(need="holistic"), make_detector(need=need)
    t_ref, t_graph, c_ref, c_graph = [], [], [], []
    try:
        for images in clips.values():  # warm both up (graph build, first-frame allocations)
            _run(ref, images[:3])
            _run(graph, images[:3])
        for k in range(passes):
            order = [(ref, t_ref, c_ref), (graph, t_graph, c_graph)]
            for det, acc, cpu in (order if k % 2 == 0 else order[::-1]):
                for images in clips.values():
                    det.reset()
                    acc.extend(_run(det, images, cpu)[1])
    finally:
        ref.close()
        graph.close()
    h_fps, g_fps = 1.0 / float(np.median(t_ref)), 1.0 / float(np.median(t_graph))
    all_ref = np.concatenate(list(kp_ref.values()))
    all_graph = np.concatenate(list(kp_graph.values()))
    first = next(iter(clips.values()))[0]
    return {"detector": need, "holistic_fps": h_fps, "graph_fps": g_fps, "ratio": g_fps / h_fps,
            "holistic_ms_median": 1000 / h_fps, "graph_ms_median": 1000 / g_fps,
            "holistic_ms_mean": 1000 * float(np.mean(t_ref)), "graph_ms_mean": 1000 * float(np.mean(t_graph)),
            "holistic_cpu_ms": 1000 * float(np.median(c_ref)), "graph_cpu_ms": 1000 * float(np.median(c_graph)),
            "cpu_ratio": float(np.median(c_ref) / np.median(c_graph)),
            "frames_timed": len(t_ref), "passes": passes, "size": [int(first.shape[1]), int(first.shape[0])],
            "diff": component_diffs(all_ref, all_graph), "diff_per_clip": diffs,
            "_keypoints": (kp_ref, kp_graph)}


def cpu_breakdown(clips: dict[str, list[np.ndarray]], passes: int = 2) -> dict:
    """Where a frame's time goes: process CPU ms per frame (median) of Holistic, pose+hands, the
    pose alone and pose+hands with the lite hand model (an experiment), in alternating passes; and
    the lite hands' difference from Holistic's (fresh detectors, first pass)."""
    from ..keypoints.landmark_graph import HOLISTIC, POSE, POSE_HANDS, LandmarkGraphDetector, make_detector

    dets = {HOLISTIC: make_detector(need=HOLISTIC), POSE_HANDS: make_detector(need=POSE_HANDS),
            POSE: make_detector(need=POSE), "pose_hands_lite": LandmarkGraphDetector(hand_model="lite")}
    cpu = {k: [] for k in dets}
    kps = {k: [] for k in dets}
    try:
        for k in range(passes):
            items = list(dets.items())
            for name, det in (items if k % 2 == 0 else items[::-1]):
                for images in clips.values():
                    det.reset()
                    kp, _ = _run(det, images, cpu[name])
                    if k == 0:
                        kps[name].append(kp)
    finally:
        for det in dets.values():
            det.close()
    ref = np.concatenate(kps[HOLISTIC])
    out = {f"{k}_cpu_ms": 1000 * float(np.median(v)) for k, v in cpu.items()}
    out["lite_diff"] = component_diffs(ref, np.concatenate(kps["pose_hands_lite"]))
    out["frames"] = len(ref)
    return out


def recognition_agreement(pack_path, kp_ref: dict, kp_graph: dict, truth: dict | None = None) -> dict:
    """The pack's guesses on windows of both detectors' keypoints: top-1 agreement and the
    cosine between the two embeddings of each window (the same windows, stride = pack's); with
    ``truth`` (clip name -> label text), how often each detector's guess within the pack's main
    language is that label."""
    from ..keypoints.features import encode_input
    from ..model.encoder import Encoder
    from ..model.pack import load_pack

    pack = load_pack(pack_path)
    enc = Encoder(pack, providers="cpu", threads=1)
    T = pack.input.window_frames
    main = getattr(pack, "main_language", None)  # the pack's default scoring (fingerspelling: within ASL)
    within = np.array([i for i, lab in enumerate(pack.labels) if lab.language == main]) if main else None
    cos, agree, agree_main, right_ref, right_graph = [], [], [], [], []
    for name in kp_ref:
        a, b = kp_ref[name], kp_graph[name]
        for s in range(0, max(1, len(a) - T + 1), pack.stride_frames):
            ea = enc.embed(encode_input(a[s:s + T], pack.input))
            eb = enc.embed(encode_input(b[s:s + T], pack.input))
            cos.append(float(ea @ eb))
            agree.append(int(np.argmax(pack.label_embeddings @ ea) == np.argmax(pack.label_embeddings @ eb)))
            if within is not None and len(within):
                m = pack.label_embeddings[within]
                ia, ib = int(np.argmax(m @ ea)), int(np.argmax(m @ eb))
                agree_main.append(int(ia == ib))
                if truth and name in truth:
                    right_ref.append(int(pack.labels[within[ia]].text == truth[name]))
                    right_graph.append(int(pack.labels[within[ib]].text == truth[name]))
    return {"pack": pack.name, "windows": len(cos), "top1_agree": float(np.mean(agree)) if agree else None,
            "main_language": main, "top1_agree_main": float(np.mean(agree_main)) if agree_main else None,
            "top1_right_ref": float(np.mean(right_ref)) if right_ref else None,
            "top1_right_graph": float(np.mean(right_graph)) if right_graph else None,
            "cosine_min": float(np.min(cos)) if cos else None}


def pool_scaling(images: list[np.ndarray], need: str = "pose_hands", workers=(1, 2), passes: int = 2) -> dict:
    """Frames/s through ``HolisticPool`` (video mode, back-pressure) per worker count, against
    one in-process detector of the same kind, in alternating passes on the same frames."""
    from ..keypoints.landmark_graph import make_detector
    from ..live.pool import HolisticPool

    factory = "signclip_desktop.keypoints.landmark_graph:make_detector"
    res = {"need": need, "frames": len(images), "cpu_count": os.cpu_count()}
    det = make_detector(need=need)
    try:
        _run(det, images[:3])
        for n in workers:
            pool = HolisticPool(workers=n, factory=factory, detector_kwargs={"need": need})
            try:
                t0 = time.perf_counter()
                pool.start()
                start_s = time.perf_counter() - t0
                list(pool.map(images[:3]))

                def single_pass():
                    det.reset()
                    return len(_run(det, images)[1])

                single, pooled = _alternating(passes, single_pass, lambda: sum(1 for _ in pool.map(images)))
            finally:
                pool.close()
            res[f"workers_{n}"] = {"pool_fps": float(np.mean(pooled)), "single_fps": float(np.mean(single)),
                                   "ratio": float(np.mean(pooled) / np.mean(single)), "start_s": start_s}
    finally:
        det.close()
    try:
        res["loadavg_1min"] = os.getloadavg()[0]
    except (AttributeError, OSError):
        pass
    res["pool_workers_rule"] = pool_workers_now("processes")  # the process pool's own rule
    return res


def thread_comparison(clips: dict[str, list[np.ndarray]], need: str = "pose_hands", workers: int = 2,
                      passes: int = 4) -> dict:
    """One detector against ``workers`` detectors on threads (``live.thread_pool``), each thread on
    every ``workers``-th picture as in the live app: the keypoint differences (fresh detectors per
    clip, so tracking starts alike) and frames/s on the same frames in alternating passes."""
    from ..keypoints.landmark_graph import make_detector
    from ..live.thread_pool import DetectorThreads

    factory, kw = "signclip_desktop.keypoints.landmark_graph:make_detector", {"need": need}
    kp_one, kp_threads, diffs = {}, {}, {}
    for name, images in clips.items():
        det = make_detector(need=need)
        try:
            kp_one[name], _ = _run(det, images)
        finally:
            det.close()
        with DetectorThreads(workers, factory=factory, detector_kwargs=kw, max_pending=workers) as pool:
            kp_threads[name] = np.stack([r.keypoints for r in pool.map(images, [i / 30.0 for i in range(len(images))])])
        diffs[name] = component_diffs(kp_one[name], kp_threads[name])
    frames = [im for imgs in clips.values() for im in imgs]
    det = make_detector(need=need)
    pool = DetectorThreads(workers, factory=factory, detector_kwargs=kw, max_pending=workers).start()
    clock = {"t": 1.0}  # timestamps keep rising from pass to pass, as a stream's do

    def one_pass():
        det.reset()
        return len(_run(det, frames)[1])

    def threads_pass():
        ts = [clock["t"] + i / 30.0 for i in range(len(frames))]
        clock["t"] = ts[-1] + 1.0
        return sum(1 for _ in pool.map(frames, ts))

    try:
        _run(det, frames[:3])
        list(pool.map(frames[:3], [i / 30.0 for i in range(3)]))
        one, many = _alternating(passes, one_pass, threads_pass)
    finally:
        pool.close()
        det.close()
    return {"need": need, "workers": workers, "frames": len(frames), "one_fps": float(np.mean(one)),
            "threads_fps": float(np.mean(many)), "ratio": float(np.mean(many) / np.mean(one)),
            "passes": {"one": one, "threads": many},
            "diff": component_diffs(np.concatenate(list(kp_one.values())), np.concatenate(list(kp_threads.values()))),
            "diff_per_clip": diffs, "_keypoints": (kp_one, kp_threads)}


def format_table(r: dict) -> str:
    lines = [f"detector {r['detector']}: holistic {r['holistic_fps']:.1f} fps, graph {r['graph_fps']:.1f} fps, "
             f"ratio {r['ratio']:.2f} (median of {r['frames_timed']} frames each, {r['passes']} alternating passes, "
             f"{r['size'][0]}x{r['size'][1]}); CPU per frame {r['holistic_cpu_ms']:.1f} vs {r['graph_cpu_ms']:.1f} ms "
             f"(ratio {r['cpu_ratio']:.2f})",
             "| component | frames | found (holistic) | found (graph) | max abs x,y | median abs x,y |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, d in r["diff"].items():
        mx = "-" if d["max_abs_xy"] is None else f"{d['max_abs_xy']:.2g}"
        md = "-" if d["median_abs_xy"] is None else f"{d['median_abs_xy']:.2g}"
        lines.append(f"| {name} | {d['frames']} | {d['found_ref']} | {d['found_graph']} | {mx} | {md} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.perf.detectors", description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="the shared data folder (reads images/silfa/J and Z)")
    ap.add_argument("--need", default="pose_hands")
    ap.add_argument("--letters", default="JZ", help="silfa letters to use (default JZ: the moving ones)")
    ap.add_argument("--passes", type=int, default=4)
    ap.add_argument("--pack", action="append", default=[], help="also compare a pack's guesses (repeatable)")
    ap.add_argument("--pool", action="store_true", help="also time HolisticPool with 1 and 2 workers")
    ap.add_argument("--threads", action="store_true",
                    help="also one detector against 2 on threads (the live app's pool): keypoints, guesses, speed")
    ap.add_argument("--breakdown", action="store_true",
                    help="also CPU per frame of holistic / pose_hands / pose / pose_hands with lite hands")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    from ..keypoints.holistic import quiet_environment

    quiet_environment()
    clips = real_clips(a.data, tuple(a.letters))
    truth = {f"silfa_{c}": c for c in a.letters}
    r = compare_detectors(clips, a.need, a.passes)
    kp_ref, kp_graph = r.pop("_keypoints")
    r["recognition"] = [recognition_agreement(p, kp_ref, kp_graph) for p in a.pack]
    if a.breakdown:
        r["breakdown"] = cpu_breakdown(clips)
    if a.pool:
        r["pool"] = pool_scaling([im for imgs in clips.values() for im in imgs], a.need)
    if a.threads:
        th = thread_comparison(clips, a.need, passes=a.passes)
        kp_one, kp_threads = th.pop("_keypoints")
        th["recognition"] = [recognition_agreement(p, kp_one, kp_threads, truth) for p in a.pack]
        r["threads"] = th
    if a.json:
        print(json.dumps(r, indent=2))
    else:
        print(format_table(r))
        for rec in r["recognition"]:
            print(f"pack {rec['pack']}: {rec['windows']} windows, top-1 agreement {rec['top1_agree']:.3f}, "
                  f"min embedding cosine {rec['cosine_min']:.6f}")
        if a.breakdown:
            b = r["breakdown"]
            print("CPU ms per frame (median): " + ", ".join(f"{k[:-7]} {v:.1f}" for k, v in b.items()
                                                              if k.endswith("_cpu_ms")))
            for name, d in b["lite_diff"].items():
                print(f"  lite hands vs Holistic, {name}: found {d['found_graph']}/{d['found_ref']}, "
                      f"max abs x,y {d['max_abs_xy']}, median {d['median_abs_xy']}")
        if a.pool:
            p = r["pool"]
            for k, v in p.items():
                if k.startswith("workers_"):
                    print(f"pool {k}: {v['pool_fps']:.1f} fps vs single {v['single_fps']:.1f} fps "
                          f"(ratio {v['ratio']:.2f}, start {v['start_s']:.1f} s)")
            print(f"cpu_count {p['cpu_count']}, load {p.get('loadavg_1min', 0):.1f}: "
                  f"pool_workers_for -> {p['pool_workers_rule']}")
        if a.threads:
            th = r["threads"]
            print(f"{th['workers']} detectors on threads vs one ({th['frames']} frames, alternating): "
                  f"{th['threads_fps']:.1f} vs {th['one_fps']:.1f} fps, ratio {th['ratio']:.2f}")
            print("| component | frames | found (one) | found (threads) | max abs x,y | median abs x,y |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, d in th["diff"].items():
                mx, md = (("-" if v is None else f"{v:.2g}") for v in (d["max_abs_xy"], d["median_abs_xy"]))
                print(f"| {name} | {d['frames']} | {d['found_ref']} | {d['found_graph']} | {mx} | {md} |")
            for rec in th["recognition"]:
                within = (f" ({rec['top1_agree_main']:.3f} within {rec['main_language']}; the clip's letter "
                          f"{rec['top1_right_ref']:.3f} with one, {rec['top1_right_graph']:.3f} with the threads)"
                          if rec.get("top1_right_ref") is not None else "")
                print(f"pack {rec['pack']} on the threads' keypoints: {rec['windows']} windows, top-1 agreement "
                      f"{rec['top1_agree']:.3f}{within}, min embedding cosine {rec['cosine_min']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
