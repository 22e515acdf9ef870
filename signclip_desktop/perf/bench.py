"""``signclip-desktop bench``: how fast and how heavy the live pipeline is, on this machine.

All on one clip, in one run (ratios hold on a noisy machine where absolute times do not):

1. landmark fps of a *bare* MediaPipe Holistic loop (cv2.VideoCapture -> Holistic.process)
   and of the app's pipeline (VideoSource -> HolisticDetector -> Recognizer.push), run in
   alternating chunks of the same frames so load changes hit both alike;
2. encoder ms per window at batch 1 for 16..256 frames, and its share of a Holistic frame;
3. the Holistic worker pool (``keypoints/pool.py``): fps in video and static mode,
   hand-found rate against the single detector, extra RSS, per-frame latency;
4. guess latency: the clip played in real time like a camera (a one-slot frame buffer
   that drops stale frames); for each sign, the time from its last frame being captured
   to the Recognizer's *final* update being emitted (single detector and pool);
5. start-up to first frame / first guess and peak / steady RSS of one app session in a
   fresh process (``perf/session.py``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .clip import Clip, make_clip, source_clip
from .session import peak_rss_mb, rss_mb

WINDOW_LENGTHS = (16, 32, 64, 128, 256)
_L_WRIST = 33 + 128
_R_WRIST = 33 + 128 + 21


def has_hand(kp: np.ndarray) -> bool:
    return bool(kp[[_L_WRIST, _R_WRIST], 3].max() > 0)


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


# -- packs --------------------------------------------------------------------------------------
def choose_pack(want: str | None, tmp: Path) -> tuple[Path, str]:
    """``--pack`` (name or path), else the default built-in pack, else a tiny untrained one."""
    from ..model.pack import PackError

    try:
        from ..model.registry import resolve_pack

        return Path(resolve_pack(want)), "pack"
    except (PackError, ImportError):
        if want:
            raise
    from ..model.tiny import write_tiny_pack

    return Path(write_tiny_pack(tmp / "tiny-pack")), "tiny (untrained; no trained pack installed)"


# -- 1. bare Holistic vs the app's pipeline --------------------------------------------------------
class TimedDetector:
    """Wraps a warm detector for the app's pipeline: records when each frame's keypoints
    were ready. ``close`` is a no-op (the bench owns the detector and reuses it)."""

    def __init__(self, det):
        self.det = det
        self.times: list[float] = []
        self.ms: list[float] = []
        self.keypoints: list[np.ndarray] = []

    def detect(self, image, timestamp=None):
        t0 = time.perf_counter()
        kp = self.det.detect(image, timestamp)
        t1 = time.perf_counter()
        self.times.append(t1)
        self.ms.append((t1 - t0) * 1000)
        self.keypoints.append(kp)
        return kp

    def close(self) -> None:
        pass


def _steady_fps(times: list[float], skip: int = 5) -> tuple[float, int]:
    """Frames per second between the ``skip``-th and the last frame (start-up excluded)."""
    if len(times) < skip + 2:
        skip = 0
    if len(times) < 2:
        return 0.0, len(times)
    n = len(times) - 1 - skip
    return n / max(times[-1] - times[skip], 1e-9), n


def bare_pass(h, clip_path: Path) -> list[float]:
    """OpenCV decode + BGR->RGB + MediaPipe Holistic.process, nothing else."""
    import cv2

    cap = cv2.VideoCapture(str(clip_path))
    times = []
    try:
        while True:
            ok, img = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
            rgb.flags.writeable = False
            h.process(rgb)
            times.append(time.perf_counter())
    finally:
        cap.release()
    return times


def app_pass(det: TimedDetector, clip_path: Path, pack_path: Path, pace: bool = False,
             timeout: float = 900.0) -> dict:
    """The app's own pipeline (gui/pipeline.py's LivePipeline: capture/Holistic worker and
    inference worker threads, no Qt) over the clip, once."""
    from ..gui.pipeline import InferenceConfig, LivePipeline, SourceSpec, open_feed

    done = threading.Event()
    updates: list = []
    problems: list = []
    feeds: list = []

    def emit(name, payload):
        if name == "update":
            updates.append((time.monotonic(), payload))
        elif name in ("source_ended", "source_error", "source_lost", "worker_error", "pack_error"):
            if name != "source_ended":
                problems.append((name, str(payload)[:300]))
            done.set()

    def feed_factory(spec, stats):
        f = open_feed(spec, stats)
        feeds.append(f)
        return f

    det.times, det.ms, det.keypoints = [], [], []
    pipe = LivePipeline(emit, InferenceConfig(pack_path=str(pack_path), providers="cpu"),
                        detector_factory=lambda: det, feed_factory=feed_factory)
    pipe.start(SourceSpec(kind="file", path=str(clip_path), loop=False, pace=pace))
    finished = done.wait(timeout)
    end = time.monotonic() + 30
    while len(pipe.keypoints) and time.monotonic() < end:  # let inference finish the last frames
        time.sleep(0.02)
    stopped = pipe.stop(10.0)
    if problems or not finished:
        raise RuntimeError(f"the app pipeline did not play the clip: {problems or 'timeout'}")
    return {"times": list(det.times), "ms": list(det.ms), "keypoints": list(det.keypoints), "updates": updates,
            "feed_t0": getattr(feeds[0], "_t0", None) if feeds else None, "stopped": stopped}


class pinned:
    """Run a block on one CPU core (Linux): threads created inside inherit the affinity,
    so MediaPipe's graph threads, the app's worker threads and the bare loop all share
    that core: "one core-limited loop", where any extra work of the app shows."""

    def __init__(self, core: int | None):
        self.core = core
        self.old = None

    def __enter__(self):
        if self.core is not None and hasattr(os, "sched_setaffinity"):
            self.old = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {self.core})
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            os.sched_setaffinity(0, self.old)


def landmark_loops(clip: Clip, pack_path: Path, passes: int = 2, core: int | None = None) -> dict:
    """Bare loop and app pipeline over the same clip, order bare, app, app, bare (, ...);
    everything on CPU ``core`` when given."""
    with pinned(core):
        return _landmark_loops(clip, pack_path, passes)


def _landmark_loops(clip: Clip, pack_path: Path, passes: int) -> dict:
    from ..keypoints.holistic import HolisticDetector, import_holistic, silenced_stderr

    with silenced_stderr():
        bare_h = import_holistic().Holistic(static_image_mode=False, model_complexity=1)
    det = HolisticDetector()
    timed = TimedDetector(det)
    img = _first_image(clip.path)
    with silenced_stderr():  # graph start-up and its C++ chatter, not timed
        rgb = img[:, :, ::-1].copy()
        bare_h.process(rgb)
    det.detect(img)
    bare_fps, app_fps, bare_cores = [], [], []
    nb = na = 0
    first_app = None
    stopped = True
    try:
        for k in range(passes):
            for which in (("bare", "app") if k % 2 == 0 else ("app", "bare")):
                if which == "bare":
                    with silenced_stderr():
                        bare_h.process(np.full((64, 64, 3), 255, np.uint8))  # forget tracking between passes
                    c0, w0 = time.process_time(), time.perf_counter()
                    fps, n = _steady_fps(bare_pass(bare_h, clip.path))
                    bare_cores.append((time.process_time() - c0) / (time.perf_counter() - w0))
                    bare_fps.append(fps)
                    nb += n
                else:
                    det.reset()
                    r = app_pass(timed, clip.path, pack_path)
                    stopped = stopped and r["stopped"]
                    fps, n = _steady_fps(r["times"])
                    app_fps.append(fps)
                    na += n
                    if first_app is None:
                        first_app = r
    finally:
        with silenced_stderr():
            bare_h.close()
        det.close()
    h_fps = float(np.mean(bare_fps))
    p_fps = float(np.mean(app_fps))
    return {"holistic_frames": nb, "holistic_fps": h_fps, "holistic_ms": 1000 / h_fps,
            "holistic_fps_passes": bare_fps, "holistic_cpu_cores": float(np.mean(bare_cores)), "pipeline_frames": na, "pipeline_fps": p_fps, "pipeline_ms": 1000 / p_fps,
            "pipeline_fps_passes": app_fps, "pipeline_ratio": p_fps / h_fps,
            "pipeline_detect_ms": float(np.median(first_app["ms"])) if first_app else None,
            "pipeline_threads_stopped": stopped, "recognizer_updates": len(first_app["updates"]) if first_app else 0,
            "_keypoints": first_app["keypoints"] if first_app else [],
            "_hands": [has_hand(k) for k in first_app["keypoints"]] if first_app else []}


def _first_image(path: Path) -> np.ndarray:
    import cv2

    cap = cv2.VideoCapture(str(path))
    ok, img = cap.read()
    cap.release()
    if not ok:
        raise RuntimeError(f"cannot read {path}")
    return img


def trim_clip(clip: Clip, frames: int, out_dir: Path) -> Clip:
    """The first ``frames`` frames of the clip as its own video (for --frames)."""
    import dataclasses

    import cv2

    if not frames or frames >= clip.frames:
        return clip
    m = clip.sign_mask
    if m:  # cut at the end of a gap, so every sign in the trimmed clip is followed by its pause
        while frames < len(m) and (m[frames - 1] or not m[frames]):
            frames += 1
        if frames >= clip.frames:
            return clip
    cap = cv2.VideoCapture(str(clip.path))
    out = out_dir / f"trim_{frames}.avi"
    vw = None
    n = 0
    while n < frames:
        ok, img = cap.read()
        if not ok:
            break
        if vw is None:
            vw = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"MJPG"), clip.fps, (img.shape[1], img.shape[0]))
        vw.write(img)
        n += 1
    cap.release()
    if vw is not None:
        vw.release()
    mask = clip.sign_mask[:n] if clip.sign_mask else None
    c = dataclasses.replace(clip, path=out, frames=n, sign_mask=mask)
    c.signs = len(c.sign_ends)
    return c


def _latencies(sign_ends, due_of, finals) -> list[float]:
    """Per sign end: ms from its frame's capture/due time to the first final guess after it."""
    out = []
    for e in sign_ends:
        t_end = due_of(e)
        if t_end is None:
            continue
        nxt = [w for w in finals if w >= t_end]
        if nxt and min(nxt) - t_end < 2.0:
            out.append((min(nxt) - t_end) * 1000)
    return out


def video_guess_latency(clip: Clip, pack_path: Path) -> dict:
    """The clip as a *video file* played in real time through the app's pipeline (its video
    feed skips frames when Holistic falls behind): per sign, ms from its last frame's due
    time to the final update carrying a guess."""
    from ..keypoints.holistic import HolisticDetector

    det = HolisticDetector()
    det.detect(_first_image(clip.path))
    det.reset()
    try:
        r = app_pass(TimedDetector(det), clip.path, pack_path, pace=True)
    finally:
        det.close()
    t0 = r["feed_t0"]
    finals = [w for (w, up) in r["updates"] if up.final and up.prediction is not None]
    lat = _latencies(clip.sign_ends, lambda e: t0 + e / clip.fps, finals)
    return {"video_guess_latency_ms": float(np.median(lat)) if lat else None, "video_guesses_matched": len(lat),
            "video_frames_skipped": clip.frames - len(r["times"]), "video_detect_ms": float(np.median(r["ms"]))}


class ReplayCamera:
    """A feed for the app's pipeline that behaves like its CameraFeed: a grabber thread puts
    each picture, at the clip's fps, into a latest-value slot; the capture worker always
    gets the newest picture (stale ones are dropped). Starts when Holistic is ready."""

    kind = "camera"

    def __init__(self, images, fps: float):
        from ..gui.pipeline import LatestSlot

        self.images, self.fps, self.aspect = images, fps, images[0].shape[1] / images[0].shape[0]
        self.slot = LatestSlot()
        self.go = threading.Event()
        self.captured: dict[int, float] = {}
        self._seq = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._grab, name="signclip-bench-camera", daemon=True)
        self._thread.start()

    def _grab(self) -> None:
        self.go.wait(30)
        t0 = time.monotonic()
        for i, img in enumerate(self.images):
            d = t0 + i / self.fps - time.monotonic()
            if d > 0:
                time.sleep(d)
            if self._stop.is_set():
                break
            now = time.monotonic()
            self.captured[i] = now
            self.slot.put((now, img))
        self.slot.close()

    def next(self):
        while True:
            self._seq, item = self.slot.wait_newer(self._seq, 0.25)
            if item is not None:
                t, img = item
                return t, img, None, ""
            if self.slot.closed:
                return None

    def restart(self) -> bool:
        return False

    def close(self) -> None:
        self._stop.set()
        self.slot.close()


def camera_guess_latency(images, clip: Clip, pack_path: Path) -> dict:
    """The clip as a *live camera* through the app's pipeline (LivePipeline with a
    camera-like feed): per sign, ms from its last frame's capture to the final guess."""
    from ..gui.pipeline import InferenceConfig, LivePipeline, SourceSpec
    from ..keypoints.holistic import HolisticDetector

    det = HolisticDetector()
    det.detect(images[0])
    det.reset()
    timed = TimedDetector(det)
    cams: list[ReplayCamera] = []
    updates: list = []
    loaded, tracking = threading.Event(), threading.Event()

    def emit(name, payload):
        if name == "update":
            updates.append((time.monotonic(), payload))
        elif name == "pack_loaded":
            loaded.set()
        elif name == "tracking_ready":
            tracking.set()

    def feed_factory(spec, stats):
        cam = ReplayCamera(images, clip.fps)
        cams.append(cam)
        return cam

    pipe = LivePipeline(emit, InferenceConfig(pack_path=str(pack_path), providers="cpu"),
                        detector_factory=lambda: timed, feed_factory=feed_factory)
    try:
        pipe.start(SourceSpec(kind="camera", camera_index=0))
        end = time.monotonic() + 60
        while not cams and time.monotonic() < end:
            time.sleep(0.01)
        tracking.wait(30)  # the camera starts once Holistic and the pack are ready
        loaded.wait(30)
        if cams:
            cams[0].go.set()
            cams[0]._thread.join(len(images) / clip.fps + 60)
        time.sleep(0.5)
        end = time.monotonic() + 10
        while len(pipe.keypoints) and time.monotonic() < end:
            time.sleep(0.02)
    finally:
        pipe.stop(10.0)
        det.close()
    cam = cams[0]
    finals = [w for (w, up) in updates if up.final and up.prediction is not None]
    lat = _latencies(clip.sign_ends, cam.captured.get, finals)
    cls = [up.inference_ms for _, up in updates if up.inference_ms]
    return {"guess_latency_ms": float(np.median(lat)) if lat else None, "guess_latency_max_ms": max(lat) if lat else None,
            "guesses_matched": len(lat), "signs": len(clip.sign_ends), "camera_frames_seen": len(timed.times),
            "camera_frames_dropped": len(cam.captured) - len(timed.times),
            "camera_detect_ms": float(np.median(timed.ms)) if timed.ms else None,
            "classify_ms": float(np.median(cls)) if cls else 0.0}


def _hand_rate(hands: list[bool], mask, offset: int) -> float:
    """Share of frames with a hand found; only frames with the signer in view when known."""
    if mask:
        sel = [h for i, h in enumerate(hands) if offset + i < len(mask) and mask[offset + i]]
        hands = sel or hands
    return float(np.mean(hands)) if hands else 0.0


# -- 2. encoder -----------------------------------------------------------------------------------
def encoder_times(pack, encoder, lengths=WINDOW_LENGTHS, repeats: int = 20) -> dict:
    spec = pack.input
    rng = np.random.default_rng(0)
    out = {}
    for t in lengths:
        x = rng.standard_normal((t, spec.num_points, spec.num_channels)).astype(np.float32)
        x[..., -1] = 1.0
        try:
            encoder.embed(x)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                encoder.embed(x)
                times.append(time.perf_counter() - t0)
            out[t] = float(np.median(times) * 1000)
        except Exception as e:  # a pack whose encoder has a fixed maximum length
            out[t] = None
            out[f"error_{t}"] = str(e)[:120]
    return out


# -- 3/4. camera-paced runs ------------------------------------------------------------------------
class _Camera(threading.Thread):
    """Plays decoded frames at the clip's fps into a one-slot buffer (a camera driver
    keeps only the newest frame): a slow consumer gets the latest frame, not a backlog."""

    def __init__(self, images, fps: float):
        super().__init__(daemon=True)
        self.images, self.fps = images, fps
        self.cv = threading.Condition()
        self.slot = None
        self.done = False
        self.captured: dict[int, float] = {}
        self.t0 = 0.0

    def run(self) -> None:
        self.t0 = time.perf_counter()
        for i, img in enumerate(self.images):
            due = self.t0 + i / self.fps
            d = due - time.perf_counter()
            if d > 0:
                time.sleep(d)
            now = time.perf_counter()
            with self.cv:
                self.captured[i] = now
                self.slot = (i, now, img)
                self.cv.notify_all()
        with self.cv:
            self.done = True
            self.cv.notify_all()

    def take(self):
        with self.cv:
            while self.slot is None and not self.done:
                self.cv.wait()
            item, self.slot = self.slot, None
            return item


def _match_latency(clip: Clip, camera: _Camera, finals: list[tuple[float, int]]) -> list[float]:
    """For each known sign end: ms from its capture to the first final update after it."""
    out = []
    ends = clip.sign_ends
    for e in ends:
        t_end = camera.captured.get(e)
        if t_end is None:
            continue
        nxt = [w for (w, idx) in finals if w >= t_end and idx > e - 3]
        if nxt:
            out.append((min(nxt) - t_end) * 1000)
    return out


def paced_single(clip: Clip, images, pack, encoder) -> dict:
    """The clip in real time through one HolisticDetector + Recognizer (the app's default)."""
    from ..keypoints.holistic import HolisticDetector
    from ..sources import KeypointFrame
    from ..stream.recognizer import Recognizer

    det = HolisticDetector()
    rec = Recognizer(pack, encoder)
    det.detect(images[0])  # warm graph
    det.reset()
    cam = _Camera(images, clip.fps)
    finals, seen, detect_ms, cls_ms = [], 0, [], []
    cam.start()
    try:
        while True:
            item = cam.take()
            if item is None:
                break
            i, t_cap, img = item
            t0 = time.perf_counter()
            kp = det.detect(img, i / clip.fps)
            detect_ms.append((time.perf_counter() - t0) * 1000)
            u = rec.push(KeypointFrame(i, i / clip.fps, kp))
            seen += 1
            if u is not None:
                cls_ms.append(u.inference_ms)
                if u.final and u.prediction is not None:
                    finals.append((time.perf_counter(), i))
    finally:
        cam.join()
        det.close()
    lat = _match_latency(clip, cam, finals)
    return {"harness_guess_latency_ms": float(np.median(lat)) if lat else None, "harness_guesses_matched": len(lat),
            "harness_frames_dropped": len(images) - seen, "harness_detect_ms": float(np.median(detect_ms))}


def paced_pool(clip: Clip, images, pack, encoder, pool) -> dict:
    """The same, with the camera feeding a HolisticPool (drop oldest when full)."""
    from ..sources import KeypointFrame
    from ..stream.recognizer import Recognizer

    rec = Recognizer(pack, encoder)
    cam = _Camera(images, clip.fps)
    finals, lat_frame = [], []
    stop = threading.Event()

    def consume():
        while not stop.is_set() or pool.in_flight() > 0:
            r = pool.get(timeout=0.05)
            if r is None:
                continue
            lat_frame.append((r.done_at - r.submitted_at) * 1000)
            u = rec.push(KeypointFrame(r.seq, r.timestamp, r.keypoints))
            if u is not None and u.final and u.prediction is not None:
                finals.append((time.perf_counter(), int(round(r.timestamp * clip.fps))))

    # live settings: only the newest frame waits, one frame per worker (latency over throughput)
    pool.max_pending, pool.depth = 1, 1
    dropped0 = pool.stats.dropped
    th = threading.Thread(target=consume, daemon=True)
    th.start()
    cam.start()
    while True:
        item = cam.take()
        if item is None:
            break
        i, t_cap, img = item
        pool.submit(img, i / clip.fps, block=False)
    cam.join()
    stop.set()
    th.join(30)
    lat = _match_latency(clip, cam, finals)
    return {"pool_guess_latency_ms": float(np.median(lat)) if lat else None, "pool_guesses_matched": len(lat),
            "pool_frame_latency_ms": float(np.median(lat_frame)) if lat_frame else None,
            "pool_paced_dropped": pool.stats.dropped - dropped0}


def pool_run(clip: Clip, images, workers: int, static: bool, ref_kp=None, rounds: int = 2) -> tuple[dict, object, list]:
    """The pool against one HolisticDetector of the same mode, on the same decoded frames,
    in alternating passes (single, pool, pool, single): throughput ratio measured together."""
    from ..keypoints.holistic import HolisticDetector
    from ..keypoints.pool import HolisticPool

    pool = HolisticPool(workers=workers, static_image_mode=static)
    rss_parent0 = rss_mb()
    t0 = time.perf_counter()
    pool.start()
    start_s = time.perf_counter() - t0
    list(pool.map(images[:3]))
    det = HolisticDetector(static_image_mode=static)
    det.detect(images[0])
    single_fps, pool_fps, kps = [], [], []
    try:
        for k in range(rounds):
            for which in (("single", "pool") if k % 2 == 0 else ("pool", "single")):
                if which == "single":
                    det.reset()
                    t0 = time.perf_counter()
                    single = [det.detect(img) for img in images]
                    single_fps.append(len(images) / (time.perf_counter() - t0))
                    if ref_kp is None:  # the reference: one video-mode detector on every frame
                        ref_kp = single
                else:
                    t0 = time.perf_counter()
                    got = [r.keypoints for r in pool.map(images)]
                    pool_fps.append(len(got) / (time.perf_counter() - t0))
                    kps = kps or got
    finally:
        det.close()
    worker_rss = sum(rss_mb(p) for p in pool.pids)
    hands = [has_hand(k) for k in kps]
    ref_hands = [has_hand(k) for k in ref_kp]
    hand_rate = _hand_rate(hands, clip.sign_mask, 0)
    m = min(len(ref_hands), len(hands))
    agree = float(np.mean([a == b for a, b in zip(ref_hands[:m], hands[:m])])) if m else None
    # wrist position difference where both found the hand (in image widths)
    dists = []
    for a, b in zip(ref_kp[:m], kps[:m]):
        for w in (_L_WRIST, _R_WRIST):
            if a[w, 3] > 0 and b[w, 3] > 0:
                dists.append(float(np.linalg.norm(a[w, :2] - b[w, :2])))
    mode = "static" if static else "video"
    pf, sf = float(np.mean(pool_fps)), float(np.mean(single_fps))
    res = {f"pool_{mode}_fps": pf, f"pool_{mode}_single_fps": sf, f"pool_{mode}_ratio": pf / sf,
           f"pool_{mode}_hand_rate": hand_rate,
           f"pool_{mode}_hand_agree": agree, f"pool_{mode}_wrist_diff": float(np.median(dists)) if dists else None,
           f"pool_{mode}_start_s": start_s, f"pool_{mode}_rss_mb_workers": worker_rss,
           f"pool_{mode}_rss_mb_parent_delta": rss_mb() - rss_parent0, f"pool_{mode}_frames": len(kps),
           f"pool_{mode}_per_worker": pool.worker_frames()}
    return res, pool, ref_kp


# -- 5. a fresh app session ----------------------------------------------------------------------
def session_run(clip: Clip, pack_path: Path, frames: int) -> dict:
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "signclip_desktop.perf.session", "--clip", str(clip.path), "--pack", str(pack_path),
           "--frames", str(frames)]
    if getattr(sys, "frozen", False):  # inside the bundle the executable runs it (see packaging/entry.py)
        cmd = [sys.executable, "--bench-session", "--clip", str(clip.path), "--pack", str(pack_path), "--frames", str(frames)]
    launched = time.time()
    p = subprocess.run([*cmd, "--launched", repr(launched)], capture_output=True, text=True, env=env, timeout=600)
    for line in p.stdout.splitlines():
        if line.startswith("SESSION "):
            return json.loads(line[len("SESSION "):])
    raise RuntimeError(f"session run failed (exit {p.returncode}): {p.stderr[-800:]}")


# -- all together --------------------------------------------------------------------------------------
@dataclass
class BenchOptions:
    source: str | None = None
    data: str | None = None
    pack: str | None = None
    frames: int = 150
    workers: int = 2
    quiet: bool = False
    skip_pool: bool = False
    skip_session: bool = False
    pin: bool = True            # bare vs app on one core (the "one core-limited loop")


def run_bench(opt: BenchOptions) -> dict:
    from ..model.encoder import Encoder
    from ..model.pack import load_pack
    from ..sources.video import VideoSource

    q = opt.quiet
    with tempfile.TemporaryDirectory(prefix="signclip-bench-") as td:
        tmp = Path(td)
        clip = source_clip(opt.source) if opt.source else make_clip(tmp, data=opt.data)
        frames = min(opt.frames, clip.frames) if clip.frames else opt.frames
        pack_path, pack_kind = choose_pack(opt.pack, tmp)
        pack = load_pack(pack_path)
        encoder = Encoder(pack, providers="cpu")
        load1, load5, _ = os.getloadavg()
        out: dict = {"clip": {"kind": clip.kind, "frames": clip.frames, "fps": clip.fps, "size": f"{clip.width}x{clip.height}",
                              "signs": clip.signs, "path": str(clip.path) if opt.source else None},
                     "pack": {"name": pack.name, "version": pack.version, "kind": pack_kind,
                              "window_frames": pack.input.window_frames, "stride_frames": pack.stride_frames},
                     "machine": {"cpus": os.cpu_count(), "load_before": [round(load1, 2), round(load5, 2)],
                                 "python": sys.version.split()[0]},
                     "frames_per_loop": frames}

        _log(f"bench: clip {clip.kind} {clip.width}x{clip.height} {clip.frames} frames @ {clip.fps:g} fps "
             f"({frames} used); pack {pack.name} ({pack_kind}); load {load1:.1f}", q)
        clip = trim_clip(clip, frames, tmp)
        core = None
        if opt.pin and hasattr(os, "sched_getaffinity"):
            core = max(os.sched_getaffinity(0))
        _log(f"bench: bare Holistic vs the app's pipeline, same clip, passes bare/app/app/bare, "
             f"{'all on CPU %d' % core if core is not None else 'all cores'} ...", q)
        lm = landmark_loops(clip, pack_path, core=core)
        out["landmarks_core"] = core
        _ref_kp, ref_hands = lm.pop("_keypoints"), lm.pop("_hands")
        out.update(lm)
        if core is not None and not opt.skip_pool:
            _log("bench: the same on all cores (the pool's baseline) ...", q)
            lm2 = landmark_loops(clip, pack_path, passes=1)
            lm2.pop("_keypoints"), lm2.pop("_hands")
            out.update({f"{k}_all_cores": lm2[k] for k in ("holistic_fps", "pipeline_fps", "pipeline_ratio",
                                                             "holistic_cpu_cores")})
        out["single_hand_rate"] = _hand_rate(ref_hands, clip.sign_mask, 0)

        _log("bench: encoder ms per window ...", q)
        enc = encoder_times(pack, encoder)
        out["encoder_ms"] = {str(k): v for k, v in enc.items()}
        out["encoder_ms_64"] = enc.get(64)
        out["encoder_ratio_64"] = (enc[64] / out["holistic_ms"]) if enc.get(64) else None

        with VideoSource(clip.path) as src:
            images = [f.image for f in src]
        if clip.sign_mask:
            _log("bench: guess latency, the clip as a live camera through the app's pipeline ...", q)
            out.update(camera_guess_latency(images, clip, pack_path))
            _log("bench: guess latency, the clip as a video file through the app's pipeline ...", q)
            out.update(video_guess_latency(clip, pack_path))
            if not opt.skip_pool and opt.workers >= 1:
                _log("bench: guess latency, camera harness, single detector (to compare with the pool) ...", q)
                out.update(paced_single(clip, images, pack, encoder))

        if not opt.skip_pool and opt.workers >= 1:
            out["pool_workers"] = opt.workers
            ref = None
            for static in (False, True):
                _log(f"bench: pool of {opt.workers} workers, {'static' if static else 'video'} mode ...", q)
                res, pool, ref = pool_run(clip, images, opt.workers, static, ref)
                out.update(res)
                if not static and clip.sign_mask:
                    _log("bench: guess latency through the pool ...", q)
                    out.update(paced_pool(clip, images, pack, encoder, pool))
                pool.close()
            out["pool_fps"] = out["pool_video_fps"]
            # against one video-mode Holistic on all cores, measured in alternating passes
            out["pool_ratio"] = out["pool_video_ratio"]
            out["pool_static_ratio"] = out["pool_static_ratio"]
            # static mode against the app's single video-mode detector (what the pool would replace)
            out["pool_static_vs_single_video"] = out["pool_static_fps"] / out["pool_video_single_fps"]
            out["pool_rss_mb_extra"] = out["pool_video_rss_mb_workers"]
        del images

        if not opt.skip_session:
            _log("bench: start-up and memory of one app session (fresh process) ...", q)
            s = session_run(clip, pack_path, clip.frames)
            out.update(first_frame_s=s["first_frame_s"], first_landmarks_s=s.get("first_landmarks_s"),
                       first_guess_s=s["first_guess_s"],
                       python_start_s=s["python_start_s"], rss_mb_peak=s["rss_mb_peak"],
                       rss_mb_steady=s["rss_mb_steady"])
        out["bench_process_rss_mb_peak"] = peak_rss_mb()
        load1, load5, _ = os.getloadavg()
        out["machine"]["load_after"] = [round(load1, 2), round(load5, 2)]
        out["targets"] = targets(out)
        return out


def targets(r: dict) -> dict:
    """The issue's targets, measured: True / False / None (not measured)."""
    def ok(v, cond):
        return None if v is None else bool(cond(v))

    return {
        "pipeline_ratio>=0.95": ok(r.get("pipeline_ratio"), lambda v: v >= 0.95),
        "pool_ratio>1.0 (needs >=4 cores)": ok(r.get("pool_ratio"), lambda v: v > 1.0),
        "encoder_64<=1/15 holistic": ok(r.get("encoder_ratio_64"), lambda v: v <= 1 / 15),
        "guess_latency<=150ms": ok(r.get("guess_latency_ms"), lambda v: v <= 150),
        "rss_peak<=500MB": ok(r.get("rss_mb_peak"), lambda v: v <= 500),
    }


def format_report(r: dict) -> str:
    def f(v, fmt="{:.1f}"):
        return "-" if v is None else fmt.format(v)

    lines = [
        f"clip: {r['clip']['kind']} {r['clip']['size']}, {r['clip']['frames']} frames @ {r['clip']['fps']:g} fps; "
        f"pack {r['pack']['name']} ({r['pack']['kind']}); {r['machine']['cpus']} CPUs, load {r['machine']['load_before'][0]}"
        f" -> {r['machine'].get('load_after', ['?'])[0]}",
        f"landmarks{' on CPU %s' % r['landmarks_core'] if r.get('landmarks_core') is not None else ''}: bare Holistic "
        f"{f(r['holistic_fps'])} fps ({f(r['holistic_ms'])} ms/frame), app pipeline "
        f"{f(r['pipeline_fps'])} fps -> ratio {f(r['pipeline_ratio'], '{:.3f}')} (hands found in {f(100 * r['single_hand_rate'], '{:.0f}')}% of signing frames)"
        + (f"; all cores: {f(r['holistic_fps_all_cores'])} vs {f(r['pipeline_fps_all_cores'])} fps, ratio "
           f"{f(r['pipeline_ratio_all_cores'], '{:.3f}')}, bare Holistic busy on {f(r.get('holistic_cpu_cores_all_cores'), '{:.2f}')} "
           f"cores" if "holistic_fps_all_cores" in r else ""),
        "encoder ms/window (batch 1): " + ", ".join(f"{k}: {f(v, '{:.2f}')}" for k, v in r["encoder_ms"].items()
                                                    if not k.startswith("error")),
        f"encoder at 64 frames = {f(r.get('encoder_ratio_64'), '{:.4f}')} x one Holistic frame (target <= {1 / 15:.4f})",
    ]
    if "guesses_matched" in r:
        lines.append(f"guess latency (sign's last frame -> final guess), live camera: median {f(r.get('guess_latency_ms'))} ms, "
                     f"max {f(r.get('guess_latency_max_ms'))} ms over {r.get('guesses_matched')}/{r.get('signs')} signs "
                     f"(detect {f(r.get('camera_detect_ms'))} ms, classify {f(r.get('classify_ms'), '{:.2f}')} ms, "
                     f"{r.get('camera_frames_dropped')} stale frames dropped); video file: "
                     f"{f(r.get('video_guess_latency_ms'))} ms ({r.get('video_frames_skipped')} late frames skipped)")
    if "pool_fps" in r:
        lines.append(f"pool x{r['pool_workers']} vs one detector (alternating passes): video mode {f(r['pool_video_fps'])} vs "
                     f"{f(r['pool_video_single_fps'])} fps (ratio {f(r['pool_ratio'], '{:.2f}')}, "
                     f"hands {f(100 * r['pool_video_hand_rate'], '{:.0f}')}%, agree {f(100 * (r['pool_video_hand_agree'] or 0), '{:.0f}')}%), "
                     f"static mode {f(r['pool_static_fps'])} vs {f(r['pool_static_single_fps'])} fps (ratio "
                     f"{f(r['pool_static_ratio'], '{:.2f}')}, {f(r['pool_static_vs_single_video'], '{:.2f}')} x single video mode, hands "
                     f"{f(100 * r['pool_static_hand_rate'], '{:.0f}')}%); +{f(r['pool_rss_mb_extra'], '{:.0f}')} MB in workers, "
                     f"start {f(r['pool_video_start_s'])} s, frame latency {f(r.get('pool_frame_latency_ms'))} ms, "
                     f"guess latency {f(r.get('pool_guess_latency_ms'))} ms")
    if "first_frame_s" in r:
        lines.append(f"start-up: first frame {f(r['first_frame_s'], '{:.2f}')} s, first landmarks "
                     f"{f(r.get('first_landmarks_s'), '{:.2f}')} s, first guess {f(r['first_guess_s'], '{:.2f}')} s "
                     f"(interpreter up after {f(r['python_start_s'], '{:.2f}')} s); RSS peak {f(r['rss_mb_peak'], '{:.0f}')} MB, "
                     f"steady {f(r['rss_mb_steady'], '{:.0f}')} MB")
    lines.append("targets: " + ", ".join(f"{k} {'ok' if v else ('-' if v is None else 'MISSED')}" for k, v in r["targets"].items()))
    return "\n".join(lines)
