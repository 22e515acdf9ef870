"""Bench part 4: guess latency, the time from a sign's last frame to the recogniser's final
guess: the clip as a live camera and as a video file through the app's ``LiveSession``, and
through a bare camera harness (single detector, or the Holistic pool)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from .clip import Clip
from .landmarks import TimedDetector, _first_image, app_pass

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

    kind, live = "frames", True

    def __init__(self, images, fps: float):
        from ..live import LatestSlot

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

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def close(self) -> None:
        self._stop.set()
        self.slot.close()


def camera_guess_latency(images, clip: Clip, pack_path: Path) -> dict:
    """The clip as a *live camera* through the app's pipeline (LiveSession with a
    camera-like feed): per sign, ms from its last frame's capture to the final guess."""
    from ..live import LiveConfig, LiveSession, SourceSpec
    from ..keypoints.holistic import HolisticDetector

    det = HolisticDetector()
    det.detect(images[0])
    det.reset()
    timed = TimedDetector(det)
    cams: list[ReplayCamera] = []
    updates: list = []
    loaded, tracking = threading.Event(), threading.Event()

    def on_event(ev):
        if ev.name == "update":
            updates.append((time.monotonic(), ev.update))
        elif ev.name == "pack_loaded":
            loaded.set()
        elif ev.name == "tracking_ready":
            tracking.set()

    def feed_factory(spec, stats):
        cam = ReplayCamera(images, clip.fps)
        cams.append(cam)
        return cam

    session = LiveSession(LiveConfig(pack_path=str(pack_path), providers="cpu"), on_event=on_event,
                          detector_factory=lambda: timed, feed_factory=feed_factory)
    try:
        session.start(SourceSpec(kind="camera", camera_index=0))
        end = time.monotonic() + 60
        while not cams and time.monotonic() < end:
            time.sleep(0.01)
        tracking.wait(30)  # the camera starts once Holistic and the pack are ready
        loaded.wait(30)
        if cams:
            cams[0].go.set()
            cams[0].join(len(images) / clip.fps + 60)
        time.sleep(0.5)
        end = time.monotonic() + 10
        while session.keypoints_waiting and time.monotonic() < end:
            time.sleep(0.02)
    finally:
        session.stop(10.0)
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
