"""Bench part 1: landmark fps of a bare MediaPipe Holistic loop against the app's own live
pipeline (``live.LiveSession``) on the same clip, in alternating passes."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np

from .clip import Clip

_L_WRIST = 33 + 128
_R_WRIST = 33 + 128 + 21


def has_hand(kp: np.ndarray) -> bool:
    return bool(kp[[_L_WRIST, _R_WRIST], 3].max() > 0)



class TimedDetector:
    """Wraps a warm detector for the app's pipeline: records when each frame's keypoints
    were ready. ``close`` is a no-op (the bench owns the detector and reuses it)."""

    def __init__(self, det):
        self.det = det
        self.times: list[float] = []
        self.ms: list[float] = []
        self.keypoints: list[np.ndarray] = []
        self._submitted: list[float] = []

    def detect(self, image, timestamp=None):
        t0 = time.perf_counter()
        kp = self.det.detect(image, timestamp)
        t1 = time.perf_counter()
        self.times.append(t1)
        self.ms.append((t1 - t0) * 1000)
        self.keypoints.append(kp)
        return kp

    # the app's pipelined path (``live.pooled.PipelinedDetection``): the same records per finished frame
    def submit(self, image) -> None:
        self._submitted.append(time.perf_counter())
        self.det.submit(image)

    def results(self, max_in_flight: int = 0) -> list:
        kps = self.det.results(max_in_flight)
        t1 = time.perf_counter()
        for kp in kps:
            self.times.append(t1)
            self.ms.append((t1 - self._submitted.pop(0)) * 1000)
            self.keypoints.append(kp)
        return kps

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
    """The app's own pipeline (``live.LiveSession``: capture/Holistic worker and inference
    worker threads, no Qt) over the clip, once."""
    from ..live import LiveConfig, LiveSession, SourceSpec, open_feed

    done = threading.Event()
    updates: list = []
    problems: list = []
    feeds: list = []

    def on_event(ev):
        if ev.name == "update":
            updates.append((time.monotonic(), ev.update))
        elif ev.name in ("source_ended", "source_error", "source_lost", "worker_error", "pack_error"):
            if ev.name != "source_ended":
                problems.append((ev.name, ev.message[:300]))
            done.set()

    def feed_factory(spec, stats):
        f = open_feed(spec, stats)
        feeds.append(f)
        return f

    det.times, det.ms, det.keypoints = [], [], []
    session = LiveSession(LiveConfig(pack_path=str(pack_path), providers="cpu"), on_event=on_event,
                          detector_factory=lambda: det, feed_factory=feed_factory)
    session.start(SourceSpec(kind="file", path=str(clip_path), loop=False, pace=pace))
    finished = done.wait(timeout)
    depth = session.pipeline_depth
    end = time.monotonic() + 30
    while session.keypoints_waiting and time.monotonic() < end:  # let inference finish the last frames
        time.sleep(0.02)
    stopped = session.stop(10.0)
    if problems or not finished:
        raise RuntimeError(f"the app pipeline did not play the clip: {problems or 'timeout'}")
    return {"times": list(det.times), "ms": list(det.ms), "keypoints": list(det.keypoints), "updates": updates,
            "feed_t0": getattr(feeds[0], "started_at", None) if feeds else None, "stopped": stopped,
            "pipeline_depth": depth}


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


def landmark_loops(clip: Clip, pack_path: Path, passes: int = 2, core: int | None = None,
                   as_it_runs: bool = False, seconds: float = 6.0) -> dict:
    """Bare loop and app pipeline over the same clip, order bare, app, app, bare (, ...);
    everything on CPU ``core`` when given. ``as_it_runs``: the app passes are the app's session as
    it runs here, its own detectors and pool rule included (``app_pool.session_fps``, the clip
    looped, ``seconds`` of steady state); otherwise the bench's one warm detector runs in it."""
    with pinned(core):
        return _landmark_loops(clip, pack_path, passes, as_it_runs, seconds)


def _landmark_loops(clip: Clip, pack_path: Path, passes: int, as_it_runs: bool = False,
                    seconds: float = 6.0) -> dict:
    from .app_pool import session_fps

    from ..keypoints.holistic import import_holistic, silenced_stderr

    from ..keypoints.landmark_graph import detector_name, make_detector
    from ..live.session import _pack_components

    with silenced_stderr():
        bare_h = import_holistic().Holistic(static_image_mode=False, model_complexity=1)
    det = make_detector(_pack_components(pack_path))  # what the app runs for this pack
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
    runs: list[dict] = []
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
                elif as_it_runs:
                    r = session_fps(clip.path, pack_path, None, seconds)
                    if not r["fps"]:
                        raise RuntimeError(f"the app's session did not run: {r['note']}")
                    runs.append(r)
                    app_fps.append(r["fps"])
                    na += r["frames"]
                else:
                    det.reset()
                    r = app_pass(timed, clip.path, pack_path)
                    stopped = stopped and r["stopped"]
                    fps, n = _steady_fps(r["times"])
                    app_fps.append(fps)
                    na += n
                    if first_app is None:
                        first_app = r
        if as_it_runs:  # one pass of the warm detector through the session: its keypoints and guesses
            det.reset()
            first_app = app_pass(timed, clip.path, pack_path)
            stopped = first_app["stopped"]
    finally:
        with silenced_stderr():
            bare_h.close()
        det.close()
    h_fps = float(np.mean(bare_fps))
    p_fps = float(np.mean(app_fps))
    return {"detector": detector_name(det), "holistic_frames": nb, "holistic_fps": h_fps, "holistic_ms": 1000 / h_fps,
            "holistic_fps_passes": bare_fps, "holistic_cpu_cores": float(np.mean(bare_cores)), "pipeline_frames": na, "pipeline_fps": p_fps, "pipeline_ms": 1000 / p_fps,
            "pipeline_fps_passes": app_fps, "pipeline_ratio": p_fps / h_fps,
            "pipeline_detect_ms": float(np.median(first_app["ms"])) if first_app else None,
            "pipeline_threads_stopped": stopped, "recognizer_updates": len(first_app["updates"]) if first_app else 0,
            "pipeline_depth": runs[0]["depth"] if runs else first_app["pipeline_depth"] if first_app else 0,
            "pipeline_pool_workers": runs[0]["workers"] if runs else 0,
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


def _hand_rate(hands: list[bool], mask, offset: int) -> float:
    """Share of frames with a hand found; only frames with the signer in view when known."""
    if mask:
        sel = [h for i, h in enumerate(hands) if offset + i < len(mask) and mask[offset + i]]
        hands = sel or hands
    return float(np.mean(hands)) if hands else 0.0
