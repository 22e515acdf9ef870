"""The live pipeline behind the window, in plain Python threads (no Qt here).

Two long-lived workers:

* the **capture worker** owns the source (camera, video file, keypoint file, demo) and
  the one ``HolisticDetector`` of the session. For each frame it runs Holistic, puts
  the newest frame (image + keypoints) into a *latest-value slot* for the display and
  hands the keypoints to inference. A camera is read by its own small grabber thread
  into a latest-value slot too, so Holistic always works on the newest picture and
  stale pictures are dropped, never queued.
* the **inference worker** owns the pack, the encoder and the ``Recognizer``. It takes
  the keypoint frames waiting for it (a small bounded buffer that drops the oldest if it
  ever falls behind) and reports each ``RecognitionUpdate`` through a callback.

The GUI thread only reads the display slot on a timer and receives events through the
callback (the Qt layer turns them into queued signals). ``stop()`` wakes and joins every
thread; nothing is left running.
"""
from __future__ import annotations

import collections
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..keypoints import layout as L
from ..sources.base import KeypointFrame, KeypointSequence, SourceError

Event = Callable[[str, Any], None]

KEYPOINT_SUFFIXES = (".pose", ".npz")


# --------------------------------------------------------------------------- small parts
class LatestSlot:
    """Holds only the newest value. ``put`` never blocks and overwrites; ``wait_newer``
    returns the newest value after a given sequence number (or None on timeout/close)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._value = None
        self._seq = 0
        self._closed = False
        self._taken = 0
        self.dropped = 0  # values overwritten before anyone took them

    def put(self, value) -> None:
        with self._cond:
            if self._value is not None and self._seq > self._taken:
                self.dropped += 1
            self._value = value
            self._seq += 1
            self._cond.notify_all()

    def peek(self) -> tuple[int, Any]:
        with self._cond:
            return self._seq, self._value

    def take(self, after: int) -> tuple[int, Any]:
        """(seq, value) if newer than ``after`` else (after, None); marks it taken."""
        with self._cond:
            if self._seq > after:
                self._taken = self._seq
                return self._seq, self._value
            return after, None

    def wait_newer(self, after: int, timeout: float) -> tuple[int, Any]:
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after or self._closed, timeout)
            if self._seq > after:
                self._taken = self._seq
                return self._seq, self._value
            return after, None

    def clear(self) -> None:
        with self._cond:
            self._value = None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


class Mailbox:
    """A bounded FIFO that drops the oldest item when full (never grows without limit)."""

    def __init__(self, maxlen: int):
        self._items: collections.deque = collections.deque(maxlen=maxlen)
        self._cond = threading.Condition()
        self._closed = False
        self.dropped = 0

    def put(self, item) -> None:
        with self._cond:
            if len(self._items) == self._items.maxlen:
                self.dropped += 1
            self._items.append(item)
            self._cond.notify()

    def take_all(self, timeout: float) -> list:
        with self._cond:
            self._cond.wait_for(lambda: self._items or self._closed, timeout)
            out = list(self._items)
            self._items.clear()
            return out

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def __len__(self) -> int:
        return len(self._items)


class RateMeter:
    """Events per second over the last ``window`` seconds (thread-safe enough under the GIL)."""

    def __init__(self, window: float = 2.0):
        self.window = window
        self._t: collections.deque = collections.deque(maxlen=1024)
        self.count = 0

    def tick(self, now: float | None = None) -> None:
        self._t.append(time.monotonic() if now is None else now)
        self.count += 1

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        ts = [t for t in list(self._t) if t >= now - self.window]
        if len(ts) < 2:
            return 0.0
        span = max(now - ts[0], ts[-1] - ts[0])
        return (len(ts) - 1) / span if span > 0 else 0.0

    def reset(self) -> None:
        self._t.clear()
        self.count = 0


@dataclass
class SourceSpec:
    """What to play: ``kind`` is camera | file | demo."""
    kind: str
    camera_index: int = 0
    path: str = ""
    loop: bool = True
    pace: bool = True       # play files in real time (False: as fast as the detector goes, for benchmarks)

    @property
    def title(self) -> str:
        if self.kind == "camera":
            return f"Camera {self.camera_index}"
        if self.kind == "demo":
            return "Built-in demo"
        return Path(self.path).name


@dataclass
class DisplayFrame:
    """What the video view draws. ``points`` are the keypoints in display coordinates
    (x, y in 0..1 of the picture, or of the canvas when there is no picture)."""
    seq: int
    timestamp: float
    image: np.ndarray | None          # BGR uint8, unmirrored (the view mirrors it)
    points: np.ndarray                # float32 [203, 4]
    aspect: float                     # width / height of the picture or canvas
    source_kind: str                  # camera | video | keypoints
    mirror: bool = False
    caption: str = ""
    has_landmarks: bool = False
    note: str = ""                    # e.g. "Starting hand tracking…"
    view_image: np.ndarray | None = None  # ``image`` already scaled to the view (and mirrored if ``mirror``)


def fit_size(box: tuple[int, int], aspect: float) -> tuple[int, int]:
    """Largest (w, h) of ``aspect`` inside ``box`` (same rule as the view's fit_rect)."""
    w, h = box
    if w <= 0 or h <= 0:
        return 0, 0
    if w / h > aspect:
        return max(1, int(round(h * aspect))), h
    return w, max(1, int(round(w / aspect)))


def prepare_view_image(img: np.ndarray, box: tuple[int, int] | None, mirror: bool) -> np.ndarray | None:
    """Scale (and mirror) a picture for the view on the worker thread, so the GUI thread only
    copies pixels. OpenCV releases the GIL while it works."""
    if box is None:
        return None
    import cv2

    tw, th = fit_size(box, img.shape[1] / max(1, img.shape[0]))
    if tw < 2 or th < 2:
        return None
    interp = cv2.INTER_AREA if tw < img.shape[1] else cv2.INTER_LINEAR
    out = cv2.resize(img, (tw, th), interpolation=interp)
    if mirror:
        out = cv2.flip(out, 1)
    # BGRA bytes are Qt's native RGB32 on little-endian machines: the GUI blits without converting
    return cv2.cvtColor(out, cv2.COLOR_BGR2BGRA) if sys.byteorder == "little" else out


@dataclass
class Stats:
    source_fps: RateMeter = field(default_factory=RateMeter)
    landmark_fps: RateMeter = field(default_factory=RateMeter)
    inference_ms: float = 0.0
    detect_ms: float = 0.0
    provider: str = ""
    source_kind: str = ""
    first_frame_at: float | None = None     # time.monotonic() of the first published frame
    first_landmark_at: float | None = None  # ... of the first frame with landmarks


# --------------------------------------------------------------------------- feeds
class Feed:
    """One opened source. ``next()`` returns (timestamp, image|None, keypoints|None, caption)
    or None at the end; raises SourceError when the source fails."""
    kind = "video"
    aspect = 4 / 3
    fps = 30.0

    def next(self):  # pragma: no cover - interface
        raise NotImplementedError

    def restart(self) -> bool:
        """Go back to the first frame (for looping); False if this feed cannot."""
        return False

    def close(self) -> None:
        pass


class CameraFeed(Feed):
    """A webcam read by its own grabber thread into a latest-value slot (stale pictures dropped)."""
    kind = "camera"

    def __init__(self, index: int, stats: Stats, stall_s: float = 3.0):
        from ..sources.webcam import WebcamSource

        self._src = WebcamSource(index)
        self.fps = self._src.fps
        self.path = self._src.path
        self._slot = LatestSlot()
        self._stats = stats
        self._stall_s = stall_s
        self._stop = threading.Event()
        self._error: str | None = None
        self._last_ok = time.monotonic()
        self._seq = 0
        self._thread = threading.Thread(target=self._grab, name="signclip-camera-grabber", daemon=True)
        self._thread.start()

    def _grab(self) -> None:
        try:
            while not self._stop.is_set():
                f = self._src.read()
                now = time.monotonic()
                if f is None:
                    if now - self._last_ok > self._stall_s:
                        self._error = "stopped sending pictures (unplugged, or taken by another program)"
                        break
                    time.sleep(0.01)
                    continue
                self._last_ok = now
                self._stats.source_fps.tick(now)
                self._slot.put((now, f.image))
        except Exception as e:  # OpenCV can raise on a vanished device
            self._error = f"failed ({e.__class__.__name__}: {str(e)[:120]})"
        finally:
            self._slot.close()

    def next(self):
        while True:
            self._seq, item = self._slot.wait_newer(self._seq, 0.25)
            if item is not None:
                t, img = item
                self.aspect = img.shape[1] / max(1, img.shape[0])
                return t, img, None, ""
            if self._error or self._slot.closed:
                raise SourceError(self.path, self._error or "closed")
            if self._stop.is_set():
                return None

    def close(self) -> None:
        self._stop.set()
        self._slot.close()
        self._thread.join(timeout=2.0)
        self._src.close()


class VideoFeed(Feed):
    """A video file through OpenCV, paced to real time (frames are skipped, not queued,
    when Holistic is slower than the video)."""
    kind = "video"

    def __init__(self, path: str, stats: Stats, pace: bool = True):
        import cv2

        from ..sources.video import VideoSource

        probe = VideoSource(path)  # the same checks (missing, empty, not a video) and messages
        self.fps = probe.fps
        probe.close()
        self.path = Path(path)
        self._cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not self._cap.isOpened():
            raise SourceError(self.path, "cannot be read as a video")
        self._stats = stats
        self._pace = pace
        self._i = 0
        self._t0: float | None = None

    def next(self):
        cap = self._cap
        if cap is None:
            return None
        if self._t0 is None:
            self._t0 = time.monotonic()
        if self._pace:
            due = int((time.monotonic() - self._t0) * self.fps)
            while self._i < due - 1:  # behind: skip (grab without decoding into an image)
                if not cap.grab():
                    return None
                self._i += 1
            wait = self._t0 + self._i / self.fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        ok, img = cap.read()
        if not ok or img is None:
            if self._i == 0:
                raise SourceError(self.path, "no frame could be decoded (damaged or truncated video)")
            return None
        t = self._i / self.fps
        self._i += 1
        self._stats.source_fps.tick()
        self.aspect = img.shape[1] / max(1, img.shape[0])
        return t, img, None, ""

    def restart(self) -> bool:
        import cv2

        if self._cap is None or not self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
            return False
        self._i, self._t0 = 0, None
        return True

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def load_keypoint_file(path) -> tuple[list[KeypointSequence], float]:
    """A keypoint file (.pose, data .npz, anything ``open_source`` reads as keypoints) ->
    its sequences (and their fps)."""
    p = Path(path)
    if not p.exists():
        raise SourceError(p, "file not found")
    try:
        from ..sources import open_source
    except ImportError:  # older tree without open_source
        open_source = None
    if open_source is not None:
        src = open_source(p)
        try:
            if getattr(src, "kind", None) != "keypoints":
                raise SourceError(p, "is not a keypoint file")
            seqs = list(src)
        finally:
            src.close()
    elif p.suffix.lower() == ".pose":
        from ..sources.posefile import load_pose_file

        seqs = [load_pose_file(p)]
    else:
        from ..sources.npz import load_npz_sequences

        seqs = list(load_npz_sequences(p))
    seqs = [s for s in seqs if len(s)]
    if not seqs:
        raise SourceError(p, "has no keypoint frames")
    return seqs, float(seqs[0].fps or 30.0)


def is_keypoint_file(path) -> bool:
    p = Path(path)
    try:
        from ..sources import describe_kind

        kind = describe_kind(p)
        if kind is not None:
            return kind not in ("video", "images", "webcam")
    except ImportError:
        pass
    return p.suffix.lower() in KEYPOINT_SUFFIXES


def display_transform(frames: np.ndarray, margin: float = 0.08) -> tuple[np.ndarray, np.ndarray, float]:
    """For keypoints without a picture: (offset, scale, aspect) that fit every visible point
    of the clip into a canvas with a margin (same scale on x and y)."""
    vis = frames[..., 3] > 0
    pts = frames[vis][:, :2] if vis.any() else np.zeros((0, 2), np.float32)
    if len(pts) == 0:
        return np.zeros(2, np.float32), np.ones(2, np.float32), 4 / 3
    lo, hi = np.percentile(pts, 0.5, axis=0), np.percentile(pts, 99.5, axis=0)
    size = np.maximum(hi - lo, 1e-6)
    # canvas: at least 4:3 wide, at most 16:9; square pixels
    aspect = float(np.clip(size[0] / size[1], 4 / 3, 16 / 9)) if size[1] > 0 else 4 / 3
    span = max(size[0] / aspect, size[1]) * (1 + 2 * margin)  # in data units per canvas height
    centre = (lo + hi) / 2
    scale = np.array([1 / (span * aspect), 1 / span], np.float32)
    offset = np.array([0.5, 0.5], np.float32) - centre * scale
    return offset.astype(np.float32), scale, aspect


class KeypointFeed(Feed):
    """Keypoint sequences (.pose, .npz, the demo) played in real time, one after another."""
    kind = "keypoints"

    def __init__(self, seqs: list[KeypointSequence], fps: float, stats: Stats, pace: bool = True,
                 captions: list[str] | None = None, gap_s: float = 0.0):
        gap = int(round(gap_s * fps))
        parts, caps = [], []
        for k, s in enumerate(seqs):
            parts.append(s.frames)
            caps += [captions[k] if captions else ""] * len(s)
            if gap:
                parts.append(L.empty_frames(gap) + _no_hands(s.frames[-1:]))
                caps += [""] * gap
        self.frames = np.concatenate(parts).astype(np.float32)
        self.captions = caps
        self.fps = float(fps)
        self._offset, self._scale, self.aspect = display_transform(self.frames)
        self._stats = stats
        self._pace = pace
        self._i = 0
        self._t0: float | None = None

    def to_display(self, kp: np.ndarray) -> np.ndarray:
        out = kp.copy()
        out[:, :2] = kp[:, :2] * self._scale + self._offset
        out[kp[:, 3] <= 0] = 0.0
        return out

    def restart(self) -> bool:
        self._i, self._t0 = 0, None
        return True

    def next(self):
        if self._i >= len(self.frames):
            return None
        if self._t0 is None:
            self._t0 = time.monotonic()
        if self._pace:
            wait = self._t0 + self._i / self.fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        i = self._i
        self._i += 1
        self._stats.source_fps.tick()
        return i / self.fps, None, self.frames[i], self.captions[i]


def _no_hands(last: np.ndarray) -> np.ndarray:
    """The body of the last frame with the hands gone (a pause between clips)."""
    f = last.copy()
    f[:, L.LEFT_HAND.slice] = 0
    f[:, L.RIGHT_HAND.slice] = 0
    return f


def demo_path() -> Path:
    """``resources/demo/demo.npz`` of the checkout, or of a PyInstaller bundle (see ``paths.py``)."""
    from ..paths import demo_path as _demo_path

    return _demo_path()


def open_feed(spec: SourceSpec, stats: Stats) -> Feed:
    if spec.kind == "camera":
        return CameraFeed(spec.camera_index, stats)
    if spec.kind == "demo":
        p = demo_path()
        if not p.is_file():
            raise SourceError(p, "the built-in demo is missing (run `python -m signclip_desktop.tools.make_demo`)")
        seqs, fps = load_keypoint_file(p)
        return KeypointFeed(seqs, fps, stats, spec.pace, captions=[f"Demo: {s.label}" for s in seqs])
    path = Path(spec.path)
    if is_keypoint_file(path):
        seqs, fps = load_keypoint_file(path)
        many = len(seqs) > 1
        return KeypointFeed(seqs, fps, stats, spec.pace, gap_s=0.6 if many else 0.0,
                            captions=[s.label or "" for s in seqs] if many else None)
    return VideoFeed(str(path), stats, spec.pace)


# --------------------------------------------------------------------------- workers
class CaptureWorker:
    """Source -> Holistic -> (display slot, inference mailbox). One thread, one detector."""

    def __init__(self, display: LatestSlot, keypoints: Mailbox, stats: Stats, emit: Event,
                 detector_factory: Callable[[], Any] | None = None, feed_factory=open_feed):
        self.display, self.keypoints, self.stats, self.emit = display, keypoints, stats, emit
        self._detector_factory = detector_factory or _default_detector
        self._feed_factory = feed_factory
        self._cond = threading.Condition()
        self._pending: SourceSpec | None = None
        self._has_pending = False
        self._stop = False
        self._detector = None
        self._detector_failed = False
        self._loader: threading.Thread | None = None
        self.spec: SourceSpec | None = None
        self.mirror = True
        self.view_box: tuple[int, int] | None = None  # the view's drawing area in pixels (set by the GUI)
        self._thread = threading.Thread(target=self._run, name="signclip-capture", daemon=True)
        self._clock = 0.0      # keypoint timestamps keep rising across loops and source changes
        self._seq = 0

    def start(self) -> None:
        self._thread.start()

    def set_source(self, spec: SourceSpec | None) -> None:
        with self._cond:
            self._pending, self._has_pending = spec, True
            self._cond.notify_all()

    def stop(self, timeout: float = 5.0) -> bool:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _take_pending(self):
        with self._cond:
            if not self._has_pending:
                return False, None
            spec, self._pending, self._has_pending = self._pending, None, False
            return True, spec

    def _start_detector(self) -> None:
        """Build the session's one Holistic on a helper thread (MediaPipe takes seconds to load):
        meanwhile pictures are shown without landmarks, so the first frame is not held back."""
        if self._detector is not None or self._loader is not None or self._detector_failed:
            return

        def load():
            try:
                det = self._detector_factory()
            except Exception as e:  # DetectorError, ImportError: show the video without landmarks
                with self._cond:
                    self._detector_failed = True
                    self._cond.notify_all()
                self.emit("detector_error", str(e))
                return
            with self._cond:
                if not self._stop:
                    self._detector = det
                    self._cond.notify_all()
                    self.emit("tracking_ready", None)
                    return
            det.close()

        self._loader = threading.Thread(target=load, name="signclip-holistic-loader", daemon=True)
        self._loader.start()

    def _detect(self, img: np.ndarray, t: float) -> np.ndarray | None:
        """Layout keypoints, or None while Holistic is still loading (or unavailable)."""
        det = self._detector
        if det is None:
            self._start_detector()
            return None
        t0 = time.perf_counter()
        kp = det.detect(img, t)
        self.stats.detect_ms = (time.perf_counter() - t0) * 1000
        return kp

    @property
    def tracking_state(self) -> str:
        """ready | loading | unavailable | idle"""
        if self._detector is not None:
            return "ready"
        if self._detector_failed:
            return "unavailable"
        return "loading" if self._loader is not None else "idle"

    def _run(self) -> None:
        feed: Feed | None = None
        base = 0.0  # clock value at the start of the current pass over the feed
        last_t = 0.0
        try:
            while True:
                with self._cond:
                    if self._stop:
                        break
                changed, spec = self._take_pending()
                if changed:
                    if feed is not None:
                        feed.close()
                        feed = None
                    self.keypoints.put(None)  # tells inference the stream restarted
                    self.spec = spec
                    self.stats.source_fps.reset()
                    self.stats.landmark_fps.reset()
                    if spec is None:
                        continue
                    try:
                        feed = self._feed_factory(spec, self.stats)
                    except SourceError as e:
                        self.emit("source_error", (spec, e.reason, str(e)))
                        continue
                    except Exception as e:  # an unexpected failure must not kill the worker
                        self.emit("source_error", (spec, f"{e.__class__.__name__}: {e}", str(e)))
                        continue
                    self.stats.source_kind = feed.kind
                    if feed.kind in ("camera", "video"):
                        self._start_detector()  # pictures need Holistic (loads while they show)
                    base = self._clock + 1.0
                    self.emit("source_opened", spec)
                if feed is None:
                    with self._cond:
                        self._cond.wait_for(lambda: self._stop or self._has_pending, 0.5)
                    continue
                try:
                    item = feed.next()
                except SourceError as e:
                    feed.close()
                    feed = None
                    self.emit("source_lost", (self.spec, e.reason, str(e)))
                    continue
                if item is None:  # end of a file
                    if self.spec is not None and self.spec.loop and feed.kind != "camera":
                        if not feed.restart():
                            feed.close()
                            try:
                                feed = self._feed_factory(self.spec, self.stats)
                            except SourceError as e:
                                feed = None
                                self.emit("source_lost", (self.spec, e.reason, str(e)))
                                continue
                        base = last_t + 1.0 / max(feed.fps, 1.0)
                        continue
                    feed.close()
                    feed = None
                    self.emit("source_ended", self.spec)
                    continue
                t, img, kp, caption = item
                t_abs = base + t if feed.kind != "camera" else t
                if feed.kind == "camera" and t_abs <= last_t:
                    t_abs = last_t + 1e-3
                last_t = t_abs
                self._clock = t_abs
                note = ""
                if img is not None:
                    kp = self._detect(img, t_abs)
                    has = kp is not None
                    points = kp if has else L.empty_frames(1)[0]
                    aspect = img.shape[1] / max(1, img.shape[0])
                    if not has:
                        note = ("Hand tracking unavailable" if self._detector_failed
                                else "Starting hand tracking…")
                else:
                    points, aspect, has = feed.to_display(kp), feed.aspect, True
                self._seq += 1
                mirror = self.mirror and feed.kind == "camera"
                self.display.put(DisplayFrame(
                    self._seq, t_abs, img, points, aspect, feed.kind, mirror=mirror, caption=caption,
                    has_landmarks=has, note=note,
                    view_image=prepare_view_image(img, self.view_box, mirror) if img is not None else None))
                if self.stats.first_frame_at is None:
                    self.stats.first_frame_at = time.monotonic()
                if has:
                    if self.stats.first_landmark_at is None:
                        self.stats.first_landmark_at = time.monotonic()
                    self.stats.landmark_fps.tick()
                    self.keypoints.put(KeypointFrame(self._seq, t_abs, kp))
                elif feed.kind == "video" and self.tracking_state == "loading":
                    # A file waits on its first picture until Holistic is ready, then plays from the
                    # start, so recognition sees all of it (a camera cannot wait: it keeps showing).
                    with self._cond:
                        self._cond.wait_for(lambda: self._stop or self._has_pending
                                            or self.tracking_state != "loading", 30.0)
                    if self.tracking_state != "loading" and not self._has_pending and feed.restart():
                        base = last_t + 1.0 / max(feed.fps, 1.0)
        except Exception as e:  # keep the window alive and say what happened
            self.emit("worker_error", f"capture: {e.__class__.__name__}: {e}")
        finally:
            if feed is not None:
                feed.close()
            if self._loader is not None and self._loader.is_alive():
                self._loader.join(10.0)  # MediaPipe cannot be interrupted while it loads
            if self._detector is not None:
                try:
                    self._detector.close()
                except Exception:
                    pass
                self._detector = None


def _default_detector():
    from ..keypoints.holistic import HolisticDetector

    return HolisticDetector()


@dataclass
class InferenceConfig:
    pack_path: str | None = None
    top_k: int = 5
    sensitivity: float = 1.0
    left_handed: bool = False
    language: str = ""              # only this sign language's labels compete ("" = all)
    providers: str = "auto"
    threads: int | None = None


class InferenceWorker:
    """Keypoint frames -> Recognizer -> ``emit("update", RecognitionUpdate)``.
    Loads the pack and the encoder on its own thread."""

    def __init__(self, keypoints: Mailbox, stats: Stats, emit: Event, config: InferenceConfig):
        self.keypoints, self.stats, self.emit = keypoints, stats, emit
        self._config = config
        self._reload = True
        self._retune = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.recognizer = None
        self.pack = None
        self._thread = threading.Thread(target=self._run, name="signclip-inference", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def pack_path(self) -> str | None:
        """The pack the worker runs (or is about to load)."""
        with self._lock:
            return self._config.pack_path

    def configure(self, **changes) -> None:
        """Change pack_path / top_k / sensitivity / left_handed / language; applied on the worker thread."""
        with self._lock:
            old = self._config
            for k, v in changes.items():
                setattr(self._config, k, v)
            if "pack_path" in changes or "providers" in changes:
                self._reload = True
            self._retune = True
            del old

    def stop(self, timeout: float = 5.0) -> bool:
        self._stop.set()
        self.keypoints.close()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _apply(self) -> None:
        with self._lock:
            reload, retune, cfg = self._reload, self._retune, InferenceConfig(**vars(self._config))
            self._reload = self._retune = False
        if reload:
            self.recognizer, self.pack = None, None
            self.stats.provider = ""
            if not cfg.pack_path:
                self.emit("pack_missing", None)
            else:
                try:
                    from ..model.encoder import Encoder
                    from ..model.pack import load_pack
                    from ..stream.recognizer import Recognizer

                    pack = load_pack(cfg.pack_path)
                    enc = Encoder(pack, cfg.providers, cfg.threads)
                    self.recognizer = Recognizer(pack, enc, top_k=cfg.top_k, sensitivity=cfg.sensitivity,
                                                 left_handed=cfg.left_handed)
                    self.pack = pack
                    self.stats.provider = enc.provider_name
                    self.emit("pack_loaded", pack)
                except Exception as e:  # PackError or a broken onnxruntime: say so, keep running
                    self.emit("pack_error", (cfg.pack_path, str(e)))
        if (retune or reload) and self.recognizer is not None:
            try:
                self.recognizer.scorer.set_language(cfg.language or None)
            except ValueError:  # the language is not in this pack: all its labels compete
                self.recognizer.scorer.set_language(None)
        if retune and self.recognizer is not None:
            self.recognizer.top_k = cfg.top_k
            self.recognizer.sensitivity = cfg.sensitivity
            if self.recognizer.left_handed != cfg.left_handed:
                self.recognizer.left_handed = cfg.left_handed
                self.recognizer.reset()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if self._reload or self._retune:
                    self._apply()
                frames = self.keypoints.take_all(0.1)
                rec = self.recognizer
                for f in frames:
                    if self._stop.is_set():
                        break
                    if rec is None:
                        continue
                    if f is None:
                        rec.reset()
                        continue
                    up = rec.push(f)
                    if up is not None:
                        if up.inference_ms:
                            self.stats.inference_ms = up.inference_ms
                        self.emit("update", up)
        except Exception as e:
            self.emit("worker_error", f"inference: {e.__class__.__name__}: {e}")


class LivePipeline:
    """Both workers and the slots between them. ``emit(name, payload)`` is called from the
    worker threads: source_opened, source_error, source_lost, source_ended, detector_error,
    pack_loaded, pack_missing, pack_error, update, worker_error."""

    def __init__(self, emit: Event, config: InferenceConfig | None = None, detector_factory=None,
                 feed_factory=open_feed, mailbox_frames: int = 120):
        self.stats = Stats()
        self.display = LatestSlot()
        self.keypoints = Mailbox(mailbox_frames)
        self.capture = CaptureWorker(self.display, self.keypoints, self.stats, emit, detector_factory, feed_factory)
        self.inference = InferenceWorker(self.keypoints, self.stats, emit, config or InferenceConfig())
        self._started = False

    def start(self, spec: SourceSpec | None = None) -> None:
        if spec is not None:
            self.capture.set_source(spec)
        if not self._started:
            self._started = True
            self.capture.start()
            self.inference.start()

    def set_source(self, spec: SourceSpec | None) -> None:
        self.capture.set_source(spec)

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop both workers; True when every thread has ended."""
        if not self._started:
            return True
        self.display.close()
        ok_c = self.capture.stop(timeout)
        ok_i = self.inference.stop(timeout)
        return ok_c and ok_i

    @property
    def threads_alive(self) -> list[str]:
        return [n for n, w in (("capture", self.capture), ("inference", self.inference)) if w.alive]
