"""The capture thread: source -> Holistic -> (display slot, inference mailbox).

It owns the feed and the session's one ``HolisticDetector`` (built on a helper thread,
since MediaPipe takes seconds to load, while the first pictures already show). Where the
rule says a pool pays (``pooled.pool_workers_now``: threads on 2 cores), a pool of detectors
starts in the background once the first detector runs and takes over when it is up (threads
take that first detector over as theirs); if the pool fails, the loop falls back to one
detector (``pooled.py``). Everything it is told (a new source, looping, mirroring, the view
size) arrives through methods that take its lock; ``LiveSession`` is the only caller.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

import numpy as np

from ..keypoints import layout as L
from ..keypoints.holistic import DetectorError
from ..keypoints.landmark_graph import detector_name, make_detector, need_for, same_need
from ..keypoints.normalize import to_reference_aspect
from ..sources.base import KeypointFrame, SourceError
from .display import DisplayFrame, prepare_view_image
from .events import ErrorEvent, StatusEvent
from .feeds import Feed, SourceSpec, open_feed
from .pooled import PipelinedDetection, PooledDetection, pipeline_depth_now, pool_setting, pool_workers_now, start_pool
from .slots import LatestSlot, Mailbox, Stats

Emit = Callable[[Any], None]


class CaptureWorker:
    """Source -> Holistic -> (display slot, inference mailbox). One thread, one detector."""

    def __init__(self, display: LatestSlot, keypoints: Mailbox, stats: Stats, emit: Emit,
                 detector_factory: Callable[[], Any] | None = None, feed_factory=open_feed,
                 pool: int | str | None = None, pool_factory: str | None = None, pool_kwargs: dict | None = None,
                 pipeline: int | str | None = None):
        self.display, self.keypoints, self.stats, self.emit = display, keypoints, stats, emit
        # pool: None/"auto" = by the rule (only for the default detector), 0 = never, N = N workers
        self._pool_workers = pool_setting(pool)
        self._pool_factory, self._pool_kwargs = pool_factory, pool_kwargs
        self._pooled: PooledDetection | None = None      # in use for pictures
        self._pool_waiting: tuple | None = None          # (PooledDetection, components) started, not yet in use
        self._pool_loader: threading.Thread | None = None
        self._pool_tried = False                         # for the current components
        self._pipeline_tried = False                     # for the current detector
        self._pipeline_setting = pipeline                # None: $SIGNCLIP_PIPELINE (pipeline_depth_now)
        self.pool_note = ""                              # why no pool runs (for the bench and the log)
        self._custom_factory = detector_factory
        self._components: tuple[str, ...] | None = None  # the pack's input components (None: all)
        self._built_for: tuple[str, ...] | None = None
        self._rebuild = False
        self._feed_factory = feed_factory
        self._cond = threading.Condition()
        self._pending: SourceSpec | None = None
        self._has_pending = False
        self._stop = False
        self._detector = None
        self._detector_failed = False
        self._loader: threading.Thread | None = None
        self.spec: SourceSpec | None = None
        self._loop = True       # of the current source (set_loop changes it without reopening)
        self._mirror = True
        self._view_box: tuple[int, int] | None = None  # the view's drawing area in pixels
        self._thread = threading.Thread(target=self._run, name="signclip-capture", daemon=True)
        self._clock = 0.0      # keypoint timestamps keep rising across loops and source changes
        self._seq = 0

    def start(self) -> None:
        self._thread.start()

    def set_source(self, spec: SourceSpec | None) -> None:
        with self._cond:
            self._pending, self._has_pending = spec, True
            self._cond.notify_all()

    def set_loop(self, on: bool) -> None:
        with self._cond:
            self._loop = bool(on)

    def set_mirror(self, on: bool) -> None:
        with self._cond:
            self._mirror = bool(on)

    def set_view_box(self, box: tuple[int, int] | None) -> None:
        with self._cond:
            self._view_box = None if box is None else (int(box[0]), int(box[1]))

    @property
    def frames_published(self) -> int:
        return self._seq

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

    def set_components(self, components) -> None:
        """The pack's input components: the detector runs only the landmark models they need
        (``keypoints/landmark_graph.py``); a pack with another need rebuilds it."""
        comps = tuple(components) if components is not None else None
        with self._cond:
            same = same_need(comps, self._components)  # words -> fingerspelling: both pose + hands
            self._components = comps
            if same:
                return
            self._rebuild = (self._detector is not None or self._loader is not None or self._pooled is not None
                             or self._pool_loader is not None)

    def _factory(self):
        if self._custom_factory is not None:
            return self._custom_factory
        comps = self._components
        return lambda: _default_detector(comps)

    @property
    def detector_name(self) -> str:
        if self._pooled is not None and not isinstance(self._pooled, PipelinedDetection):
            return need_for(self._components if self._components is not None else L.COMPONENT_BY_NAME)
        det = self._detector
        return detector_name(det) if det is not None else ""

    @property
    def pool_workers(self) -> int:
        """Detectors of the pool in use now (0: one detector, no pool)."""
        pooled = self._pooled
        return pooled.workers if pooled is not None else 0

    @property
    def pipeline_depth(self) -> int:
        """Pictures the in-process detector holds at once (0: one at a time, or a pool runs)."""
        pooled = self._pooled
        return pooled.depth if isinstance(pooled, PipelinedDetection) else 0

    def _maybe_pipeline(self) -> None:
        """Once the detector runs on pictures: let it work on several at once if the setting asks for it."""
        if self._pipeline_tried or self._pooled is not None or self._stop:
            return
        self._pipeline_tried = True
        det = self._detector
        if det is None or not (hasattr(det, "submit") and hasattr(det, "results")):
            return  # a test's or a custom detector: one picture at a time
        depth = pipeline_depth_now(self._pipeline_setting)
        if depth >= 2:
            self._pooled = PipelinedDetection(det, depth)

    def prestart(self) -> None:
        """Build the detector now (at launch), not on the first picture."""
        self._start_detector()

    def _start_detector(self) -> None:
        """Build the session's one Holistic on a helper thread (MediaPipe takes seconds to load):
        meanwhile pictures are shown without landmarks, so the first frame is not held back."""
        if self._detector is not None or self._loader is not None or self._detector_failed \
                or self._pooled is not None:
            return

        factory = self._factory()

        def load():
            try:
                det = factory()
            except Exception as e:  # DetectorError, ImportError: show the video without landmarks
                with self._cond:
                    self._detector_failed = True
                    self._cond.notify_all()
                self.emit(ErrorEvent("detector_error", str(e)))
                return
            with self._cond:
                if not self._stop and self._loader is threading.current_thread():  # not dropped meanwhile
                    self._detector = det
                    self._cond.notify_all()
                    self.emit(StatusEvent("tracking_ready"))
                    return
            det.close()

        self._loader = threading.Thread(target=load, name="signclip-holistic-loader", daemon=True)
        self._loader.start()

    def _detect(self, img: np.ndarray, t: float) -> np.ndarray | None:
        """Layout keypoints, or None while Holistic is still loading (or unavailable)."""
        if self._rebuild and (self._loader is None or not self._loader.is_alive()):
            self._drop_detector()  # the new pack needs other landmark models
            self._drop_pool()
            self._pool_tried = False
        det = self._detector
        if det is None:
            self._start_detector()
            return None
        t0 = time.perf_counter()
        kp = det.detect(img, t)
        self.stats.detect_ms = (time.perf_counter() - t0) * 1000
        return kp

    def _drop_detector(self) -> None:
        if isinstance(self._pooled, PipelinedDetection):
            self._drop_pool()
        self._pipeline_tried = False
        with self._cond:
            old, self._detector, self._loader, self._rebuild = self._detector, None, None, False
        if old is not None:
            try:
                old.close()
            except Exception:
                pass

    # ---------------------------------------------------------------- the pool
    def _want_pool(self) -> int:
        if self._pool_workers == 0 or (self._pool_workers is None and self._custom_factory is not None):
            return 0  # a test's or the bench's own detector: the pool could not make more of it
        if self._pool_workers is not None:
            return self._pool_workers
        n = pool_workers_now()
        if n == 0:
            self.pool_note = "not enough free cores or memory for a detector pool"
        return n

    def _maybe_start_pool(self) -> None:
        """Once the first detector runs on pictures: start a pool in the background if it pays."""
        if self._pool_tried or self._stop:
            return
        self._pool_tried = True
        n = self._want_pool()
        if n < 2:
            return
        comps = self._components
        # threads take over the running detector as their first (processes cannot); not a test's own
        adopt = self._detector if self._pool_factory is None and self._custom_factory is None else None

        def load():
            try:
                pooled = PooledDetection(start_pool(n, comps, self._pool_factory, self._pool_kwargs, adopt=adopt))
            except Exception as e:  # PoolError, a spawn failure: keep the one detector
                self.pool_note = f"detector pool did not start ({e.__class__.__name__}: {str(e)[:160]})"
                return
            with self._cond:
                if not self._stop:
                    self._pool_waiting = (pooled, comps)
                    return
            pooled.close()

        self._pool_loader = threading.Thread(target=load, name="signclip-pool-loader", daemon=True)
        self._pool_loader.start()

    def _take_pool(self) -> None:
        """Swap a started pool in for the in-process detector (and free the latter's memory)."""
        with self._cond:
            waiting, self._pool_waiting, self._pool_loader = self._pool_waiting, None, None
        pooled, comps = waiting
        if not same_need(comps, self._components):  # the pack changed while it started
            pooled.close()
            self._pool_tried = False
            return
        self._pooled = pooled
        self.pool_note = ""
        if pooled.adopted:  # the pool's first thread runs this detector now: not closed here
            with self._cond:
                self._detector = None
        self._drop_detector()

    def _drop_pool(self, reason: str = "") -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            try:
                pooled.close()
            except Exception:
                pass
        if reason:
            self.pool_note = reason

    def _pooled_call(self, call: Callable[[], list]) -> list:
        """``call()`` on the pool or the pipeline. When every worker is gone or the in-process graph
        stalled, one fresh detector takes over and the pictures still in flight are lost ([])."""
        from .pool import PoolError

        try:
            return call()
        except (PoolError, TimeoutError) as e:  # every worker gone: one detector again
            self._drop_pool(f"detector pool stopped ({e}); one detector runs")
            self._pool_tried = True
        except DetectorError as e:  # the in-process graph stalled: a fresh detector, one picture at a time
            self._pooled = None
            with self._cond:
                stuck, self._detector, self._loader = self._detector, None, None
            # closing a stuck graph may wait on it: not on this thread
            threading.Thread(target=_close_quietly, args=(stuck,), name="signclip-detector-closer", daemon=True).start()
            self.pool_note = f"landmark graph stalled ({e}); restarted"
            self._pipeline_tried = True
        self._start_detector()
        return []

    def _drain_pooled(self) -> list:
        """Everything the pool or the pipeline still holds, in order (end of a file, a source change)."""
        return self._pooled_call(self._pooled.drain)

    def _detect_pooled(self, feed: Feed, img: np.ndarray, t_abs: float, caption) -> None:
        """Pictures out to the pool, results (in order) to the display and the recogniser."""
        def submit_and_take():
            self._pooled.submit(img, t_abs, (t_abs, img, caption), feed.live)
            return self._pooled.ready(wait=True)

        self._publish_results(feed, self._pooled_call(submit_and_take))

    def _publish_results(self, feed: Feed, results) -> None:
        for (t_abs, img, caption), kp, ms in results:
            self.stats.detect_ms = ms
            self._publish(feed, t_abs, img, kp, caption, True, "")

    @property
    def tracking_state(self) -> str:
        """ready | loading | unavailable | idle"""
        if self._detector is not None or self._pooled is not None:
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
                    if self._pooled is not None:
                        self._drain_pooled()  # pictures of the old source are not shown
                    self.keypoints.put(None)  # tells inference the stream restarted
                    self.spec = spec
                    with self._cond:
                        self._loop = bool(spec.loop) if spec is not None else True
                    self.stats.source_fps.reset()
                    self.stats.landmark_fps.reset()
                    if spec is None:
                        continue
                    try:
                        feed = self._feed_factory(spec, self.stats)
                    except SourceError as e:
                        self.emit(ErrorEvent("source_error", str(e), e.reason, source=spec))
                        continue
                    except Exception as e:  # an unexpected failure must not kill the worker
                        self.emit(ErrorEvent("source_error", str(e), f"{e.__class__.__name__}: {e}", source=spec))
                        continue
                    self.stats.source_kind = "Camera" if feed.live else (
                        "Keypoints" if feed.kind == "keypoints" else "Video")
                    if feed.kind == "frames":
                        self._start_detector()  # pictures need Holistic (loads while they show)
                    base = self._clock + 1.0
                    self.emit(StatusEvent("source_opened", source=spec))
                if feed is None:
                    with self._cond:
                        self._cond.wait_for(lambda: self._stop or self._has_pending, 0.5)
                    continue
                try:
                    item = feed.next()
                except SourceError as e:
                    feed.close()
                    feed = None
                    self.emit(ErrorEvent("source_lost", str(e), e.reason, source=self.spec))
                    continue
                if item is None:  # end of a file
                    if self._pooled is not None:
                        self._publish_results(feed, self._drain_pooled())
                    with self._cond:
                        loop = self._loop or (self.spec is not None and self.spec.kind == "demo")
                    if self.spec is not None and loop and not feed.live:
                        if not feed.restart():
                            feed.close()
                            try:
                                feed = self._feed_factory(self.spec, self.stats)
                            except SourceError as e:
                                feed = None
                                self.emit(ErrorEvent("source_lost", str(e), e.reason, source=self.spec))
                                continue
                        base = last_t + 1.0 / max(feed.fps, 1.0)
                        continue
                    feed.close()
                    feed = None
                    self.emit(StatusEvent("source_ended", source=self.spec))
                    continue
                t, img, kp, caption = item
                t_abs = base + t if not feed.live else t
                if feed.live and t_abs <= last_t:
                    t_abs = last_t + 1e-3
                last_t = t_abs
                self._clock = t_abs
                note = ""
                if img is not None and self._pool_waiting is not None:
                    if isinstance(self._pooled, PipelinedDetection):  # its pictures first, then the pool's
                        self._publish_results(feed, self._drain_pooled())
                        self._drop_pool()
                    self._take_pool()
                if img is not None and self._rebuild and self._pooled is not None:
                    self._drop_pool()  # the new pack needs other landmark models (_detect rebuilds)
                if img is not None and self._pooled is not None:
                    self._detect_pooled(feed, img, t_abs, caption)
                    continue
                if img is not None:
                    kp = self._detect(img, t_abs)
                    if kp is not None and feed.kind == "frames":
                        self._maybe_start_pool()
                        self._maybe_pipeline()
                    has = kp is not None
                    points = kp if has else L.empty_frames(1)[0]
                    aspect = img.shape[1] / max(1, img.shape[0])
                    if not has:
                        note = ("Hand tracking unavailable" if self._detector_failed
                                else "Starting hand tracking…")
                else:
                    points, aspect, has = feed.to_display(kp), feed.aspect, True
                self._publish(feed, t_abs, img, kp, caption, has, note, points, aspect)
                if not has and feed.kind == "frames" and not feed.live and not self._detector_failed:
                    # A file waits on its first picture until Holistic is ready, then plays from the
                    # start, so recognition sees all of it (a camera cannot wait: it keeps showing).
                    # Not "while loading": the loader may have finished since this picture missed it.
                    with self._cond:
                        self._cond.wait_for(lambda: self._stop or self._has_pending
                                            or self.tracking_state != "loading", 30.0)
                    if self.tracking_state == "ready" and not self._has_pending and feed.restart():
                        base = last_t + 1.0 / max(feed.fps, 1.0)
        except Exception as e:  # keep the window alive and say what happened
            self.emit(ErrorEvent("worker_error", f"capture: {e.__class__.__name__}: {e}"))
        finally:
            if feed is not None:
                feed.close()
            if self._loader is not None and self._loader.is_alive():
                self._loader.join(10.0)  # MediaPipe cannot be interrupted while it loads
            if self._pool_loader is not None and self._pool_loader.is_alive():
                self._pool_loader.join(30.0)  # its load() closes the pool it started once it sees _stop
            self._drop_pool()
            if self._pool_waiting is not None:
                self._pool_waiting[0].close()
                self._pool_waiting = None
            if self._detector is not None:
                try:
                    self._detector.close()
                except Exception:
                    pass
                self._detector = None

    def _publish(self, feed: Feed, t_abs: float, img, kp, caption, has: bool, note: str,
                 points=None, aspect=None) -> None:
        """One frame to the display slot and (with keypoints) to the recogniser's mailbox."""
        if points is None:
            points = kp if has else L.empty_frames(1)[0]
        if aspect is None:
            aspect = img.shape[1] / max(1, img.shape[0])
        self._seq += 1
        with self._cond:
            mirror, box = self._mirror and feed.live, self._view_box
        self.display.put(DisplayFrame(
            self._seq, t_abs, img, points, aspect, feed.kind, live=feed.live, mirror=mirror,
            caption=caption, has_landmarks=has, note=note,
            view_image=prepare_view_image(img, box, mirror) if img is not None else None))
        if self.stats.first_frame_at is None:
            self.stats.first_frame_at = time.monotonic()
        if has:
            if self.stats.first_landmark_at is None:
                self.stats.first_landmark_at = time.monotonic()
            self.stats.landmark_fps.tick()
            if img is not None:  # the display keeps the picture's coordinates, the model reads 4:3
                kp = to_reference_aspect(kp[None], img.shape[1] / max(1, img.shape[0]))[0]
            self.keypoints.put(KeypointFrame(self._seq, t_abs, kp))


def _close_quietly(det) -> None:
    try:
        if det is not None:
            det.close()
    except Exception:  # a detector that failed may fail to close too
        pass


def _default_detector(components=None):
    """Only the landmark models the pack needs: pose + hands for a pack without the face
    (the face mesh is a tenth of a Holistic frame), full Holistic otherwise."""
    return make_detector(components)
