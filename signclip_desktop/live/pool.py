"""A pool of MediaPipe Holistic worker processes that keeps frame order.

One Holistic instance runs at ~15-20 landmark fps on one core; a pool runs several
in separate processes (``multiprocessing`` *spawn* context: MediaPipe's C++ threads
do not survive ``fork``). Frames get sequence numbers and come back in order through
a reorder buffer, whatever worker finishes first.

* Bounded: at most ``max_pending`` frames wait in the parent and ``depth`` frames per
  worker are in flight. ``submit(..., block=False)`` (a live camera) drops the *oldest*
  waiting frame when the camera outpaces the pool; ``block=True`` (a video file) waits.
  A dropped frame is never returned; ``stats.dropped`` counts it.
* Nothing is lost silently: a frame whose worker died is sent again to the restarted
  worker; a frame that kills a worker twice (or raises) comes back as empty keypoints
  with ``error`` set.
* Clean shutdown: ``close()`` (also on ``with`` exit and at interpreter exit) asks
  each worker to close its detector, joins it and terminates stragglers.

Tracking: in video mode each worker sees roughly every Nth frame, so it tracks a sub-sampled
stream; the default is ``static_image_mode=False`` per worker (the bench measures the hand-found
rate of both modes, docs/BENCHMARKS.md). No Qt here. ``thread_pool.DetectorThreads`` is this pool on threads.
"""
from __future__ import annotations

import atexit
import collections
import multiprocessing as mp
import os
import threading
import time
import weakref
from dataclasses import dataclass, field

import numpy as np

from ..keypoints import layout as L

_STOP = None


@dataclass
class PoolResult:
    seq: int
    timestamp: float
    keypoints: np.ndarray          # float32 [203, 4]
    detect_ms: float = 0.0         # time inside the worker's detector
    worker: int = -1
    error: str | None = None       # set when the frame could not be processed
    submitted_at: float = 0.0      # perf_counter() when submit() got the frame
    done_at: float = 0.0           # perf_counter() when the result reached the parent


@dataclass
class PoolStats:
    submitted: int = 0
    dropped: int = 0
    done: int = 0
    errors: int = 0
    restarts: int = 0
    per_worker: list = field(default_factory=list)


def _make_detector(factory, kwargs: dict):
    """``factory``: None (Holistic), "module:callable", or (thread workers only) a callable."""
    if callable(factory):
        return factory(**kwargs)
    if not factory:
        from ..keypoints.holistic import HolisticDetector

        return HolisticDetector(**kwargs)
    import importlib

    mod, _, name = factory.partition(":")
    return getattr(importlib.import_module(mod), name)(**kwargs)


def _worker_main(conn, worker_id: int, detector_kwargs: dict, factory: str | None = None) -> None:  # pragma: no cover
    """Child process: one detector (HolisticDetector unless ``factory`` names another
    "module:callable"), frames in over ``conn``, keypoints out."""
    try:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        det = _make_detector(factory, detector_kwargs)
    except BaseException as e:  # report why the worker cannot start, then leave
        try:
            conn.send(("error", f"{e.__class__.__name__}: {e}"))
        finally:
            conn.close()
        return
    conn.send(("ready", os.getpid()))
    try:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                break
            if msg is _STOP:
                break
            seq, ts, shape, dtype = msg
            buf = conn.recv_bytes()
            img = np.frombuffer(buf, dtype=dtype).reshape(shape)
            t0 = time.perf_counter()
            try:
                kp = det.detect(img, ts)
                err = None
            except Exception as e:  # a bad frame must not end the worker
                kp, err = L.empty_frames(1)[0], f"{e.__class__.__name__}: {str(e)[:200]}"
            ms = (time.perf_counter() - t0) * 1000
            conn.send((seq, np.ascontiguousarray(kp, np.float32).tobytes(), ms, err))
    finally:
        try:
            det.close()  # explicit: a Holistic graph left to the interpreter's teardown can hang the exit
        finally:
            conn.close()


class PoolError(RuntimeError):
    """The pool cannot start (no worker came up)."""


class _Worker:
    def __init__(self, ctx, detector_kwargs: dict, wid: int, factory: str | None = None):
        self.ctx, self.detector_kwargs, self.wid, self.factory = ctx, detector_kwargs, wid, factory
        self.proc = None
        self.conn = None
        self.pid = None
        self.outstanding: collections.deque = collections.deque()  # (seq, ts, image, submitted_at, tries)
        self.thread: threading.Thread | None = None
        self.frames = 0

    def spawn(self) -> None:
        ctx = self.ctx
        parent, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, self.wid, self.detector_kwargs, self.factory),
                                name=f"signclip-holistic-{self.wid}", daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            raise PoolError(f"Holistic worker {self.wid} did not start within {timeout:.0f} s")
        try:
            kind, info = self.conn.recv()
        except (EOFError, OSError) as e:
            raise PoolError(f"Holistic worker {self.wid} died while starting") from e
        if kind != "ready":
            raise PoolError(f"Holistic worker {self.wid} cannot start: {info}")
        self.pid = info

    def stop(self, timeout: float) -> None:
        if self.conn is not None:
            try:
                self.conn.send(_STOP)
            except (OSError, ValueError, BrokenPipeError):
                pass
        if self.proc is not None and self.proc.pid is not None:
            self.proc.join(timeout)
            if self.proc.is_alive():
                self.proc.terminate()
                self.proc.join(2)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(2)
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None


class HolisticPool:
    """Ordered, bounded pool of Holistic detectors in worker processes.

    >>> with HolisticPool(workers=2) as pool:
    ...     for res in pool.map(frames):       # video file: back-pressure, no drops
    ...         use(res.keypoints)
    Live camera: ``pool.submit(img, ts, block=False)`` then ``pool.get(timeout=0)``.
    """

    def __init__(self, workers: int = 2, *, static_image_mode: bool = False, max_pending: int | None = None,
                 depth: int = 2, start_timeout: float = 120.0, detector_kwargs: dict | None = None,
                 max_tries: int = 2, factory: str | None = None):
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.workers = int(workers)
        self.depth = max(1, int(depth))
        self.max_pending = int(max_pending) if max_pending is not None else 2 * self.workers
        self.max_tries = max(1, int(max_tries))
        self._detector_kwargs = dict(detector_kwargs or {})
        if factory is None:
            self._detector_kwargs.setdefault("static_image_mode", static_image_mode)
        self.static_image_mode = bool(self._detector_kwargs.get("static_image_mode", static_image_mode))
        self._ctx = mp.get_context("spawn")
        self._cv = threading.Condition()
        self._pending: collections.deque = collections.deque()
        self._results: dict[int, PoolResult] = {}
        self._skipped: set[int] = set()
        self._next_seq = 0          # next sequence number to hand out
        self._next_out = 0          # next sequence number to return
        self._closed = False
        self._started = False
        self.stats = PoolStats()
        self._w = [_Worker(self._ctx, self._detector_kwargs, i, factory) for i in range(self.workers)]
        self._alive = 0
        self._start_timeout = start_timeout
        self.start_seconds = 0.0
        self._finalizer = weakref.finalize(self, HolisticPool._shutdown, self._w, self._cv)
        atexit.register(self._finalizer)

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> "HolisticPool":
        if self._started:
            return self
        t0 = time.perf_counter()
        for w in self._w:
            w.spawn()
        try:
            for w in self._w:
                w.wait_ready(self._start_timeout)
        except BaseException:
            self.close()
            raise
        with self._cv:
            self._alive = len(self._w)  # before the feeders run: each one decrements it as it exits
        for w in self._w:
            w.thread = threading.Thread(target=self._feed, args=(w,), name=f"pool-feed-{w.wid}", daemon=True)
            w.thread.start()
        self._started = True
        self.start_seconds = time.perf_counter() - t0
        return self

    def __enter__(self) -> "HolisticPool":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self._w if w.pid]

    @staticmethod
    def _shutdown(workers, cv, timeout: float = 5.0) -> None:
        with cv:
            cv.notify_all()
        for w in workers:
            w.stop(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the workers (each closes its detector). Frames still waiting are dropped."""
        with self._cv:
            if self._closed:
                return
            self._closed = True
            self.stats.dropped += len(self._pending)
            self._pending.clear()
            self._cv.notify_all()
        for w in self._w:
            if w.thread is not None:
                w.thread.join(timeout)
        self._finalizer()
        try:
            atexit.unregister(self._finalizer)
        except Exception:
            pass

    # -- frames in ----------------------------------------------------------------------
    def submit(self, image: np.ndarray, timestamp: float | None = None, block: bool = False,
               timeout: float | None = None) -> int:
        """Queue one BGR frame; returns its sequence number. ``block=False`` drops the
        oldest waiting frame when ``max_pending`` are waiting; ``block=True`` waits."""
        if not self._started:
            self.start()
        img = np.ascontiguousarray(image)
        now = time.perf_counter()
        with self._cv:
            if self._closed:
                raise PoolError("the pool is closed")
            if self._alive <= 0:
                raise PoolError("no Holistic worker is running")
            if block:
                end = None if timeout is None else now + timeout
                while len(self._pending) >= self.max_pending and not self._closed and self._alive > 0:
                    left = None if end is None else end - time.perf_counter()
                    if left is not None and left <= 0:
                        raise TimeoutError("pool is full")
                    self._cv.wait(left)
                if self._closed:
                    raise PoolError("the pool is closed")
                if self._alive <= 0:  # the last worker died while we waited
                    raise PoolError("no Holistic worker is running")
            while len(self._pending) >= self.max_pending:
                old = self._pending.popleft()
                self._skipped.add(old[0])
                self.stats.dropped += 1
            seq = self._next_seq
            self._next_seq += 1
            ts = float(seq) if timestamp is None else float(timestamp)
            self._pending.append((seq, ts, img, now, 0))
            self.stats.submitted += 1
            self._cv.notify_all()
        return seq

    # -- results out ----------------------------------------------------------------------
    def _pop_ready(self) -> PoolResult | None:
        while True:
            if self._next_out in self._skipped:
                self._skipped.discard(self._next_out)
                self._next_out += 1
                continue
            r = self._results.pop(self._next_out, None)
            if r is None:
                return None
            self._next_out += 1
            return r

    def get(self, timeout: float | None = None) -> PoolResult | None:
        """The next result in submission order, or None if it is not there in ``timeout``."""
        end = None if timeout is None else time.perf_counter() + timeout
        with self._cv:
            while True:
                r = self._pop_ready()
                if r is not None:
                    self._cv.notify_all()
                    return r
                if self._next_out >= self._next_seq or self._closed:
                    return None  # nothing outstanding
                if self._started and self._alive <= 0:
                    # No feeder thread is left to deliver (each fails its frames as it exits,
                    # so this is only a safety net): fail whatever is still unaccounted for.
                    self._fail_unresolved_locked("no Holistic worker is running")
                    continue
                left = None if end is None else end - time.perf_counter()
                if left is not None and left <= 0:
                    return None
                self._cv.wait(left)

    def in_flight(self) -> int:
        with self._cv:
            return self._next_seq - self._next_out - len(self._skipped)

    def drain(self, timeout: float | None = None):
        """Yield every outstanding result in order."""
        while True:
            r = self.get(timeout)
            if r is None:
                return
            yield r

    def map(self, frames, timestamps=None):
        """Iterate ordered results for an iterable of images (or objects with ``.image``
        and ``.timestamp``), with back-pressure: no frame is dropped."""
        self.start()
        for i, f in enumerate(frames):
            img = getattr(f, "image", f)
            ts = getattr(f, "timestamp", None) if timestamps is None else timestamps[i]
            self.submit(img, ts, block=True)
            while True:
                with self._cv:
                    r = self._pop_ready()
                    if r is not None:
                        self._cv.notify_all()
                if r is None:
                    break
                yield r
        yield from self.drain()

    # -- feeder threads (one per worker) -----------------------------------------------
    def _take(self, w: _Worker, wait: bool):
        with self._cv:
            while not self._pending and not self._closed and wait:
                self._cv.wait()
            if self._closed or not self._pending:
                return None
            item = self._pending.popleft()
            self._cv.notify_all()
            return item

    def _deliver(self, r: PoolResult) -> None:
        with self._cv:
            self._deliver_locked(r)

    def _deliver_locked(self, r: PoolResult) -> None:
        if r.seq < self._next_out or r.seq in self._results or r.seq in self._skipped:
            return  # already returned, delivered or dropped: never twice
        self._results[r.seq] = r
        self.stats.done += 1
        if r.error:
            self.stats.errors += 1
        self._cv.notify_all()

    def _fail_locked(self, item, wid: int, reason: str) -> None:
        seq, ts, _, t_sub, _ = item
        self._deliver_locked(PoolResult(seq, ts, L.empty_frames(1)[0], 0.0, wid, reason, t_sub, time.perf_counter()))

    def _fail_unresolved_locked(self, reason: str) -> None:
        for item in self._pending:
            self._fail_locked(item, -1, reason)
        self._pending.clear()
        now = time.perf_counter()
        for seq in range(self._next_out, self._next_seq):
            if seq not in self._results and seq not in self._skipped:
                self._deliver_locked(PoolResult(seq, float(seq), L.empty_frames(1)[0], 0.0, -1, reason, now, now))
        self._cv.notify_all()

    def _send(self, w: _Worker, item) -> None:
        seq, ts, img, _, _ = item
        w.conn.send((seq, ts, img.shape, img.dtype.str))
        w.conn.send_bytes(memoryview(img).cast("B"))

    def _feed(self, w: _Worker) -> None:
        reason = "the Holistic worker stopped"
        try:
            self._feed_loop(w)
        except BaseException as e:  # an unexpected error must not strand this worker's frames
            reason = f"the Holistic worker feeder failed: {e.__class__.__name__}: {str(e)[:200]}"
            raise
        finally:
            # One critical section: this worker's in-flight frames, and (for the last worker)
            # the waiting ones, become error results *before* _alive says nobody can deliver,
            # so get() can never wait for a sequence number that no thread will deliver.
            with self._cv:
                for item in w.outstanding:
                    self._fail_locked(item, w.wid, reason)
                w.outstanding.clear()
                self._alive -= 1
                if self._alive <= 0 and not self._closed:
                    for item in self._pending:
                        self._fail_locked(item, w.wid, "no Holistic worker is running")
                    self._pending.clear()
                self._cv.notify_all()

    def _feed_loop(self, w: _Worker) -> None:
        while True:
            try:
                if len(w.outstanding) < self.depth:
                    item = self._take(w, wait=not w.outstanding)
                    if item is not None:
                        w.outstanding.append(item)
                        self._send(w, item)
                        continue
                    if not w.outstanding:
                        return  # closed
                seq, kp_bytes, ms, err = w.conn.recv()
                item = w.outstanding.popleft()
                assert item[0] == seq, (item[0], seq)
                w.frames += 1
                kp = np.frombuffer(kp_bytes, np.float32).reshape(L.NUM_POINTS, L.NUM_CHANNELS).copy()
                self._deliver(PoolResult(seq, item[1], kp, ms, w.wid, err, item[3], time.perf_counter()))
            except (EOFError, OSError, BrokenPipeError, ValueError, AttributeError):
                if self._closed:
                    return
                if not self._restart(w):
                    return

    def _restart(self, w: _Worker) -> bool:
        """The worker died: start a new one and send its frames again. The oldest frame
        (the one that can have killed it) is tried at most ``max_tries`` times.

        The frames stay in ``w.outstanding`` throughout, so whatever goes wrong here
        (including an exception) they are still failed by ``_feed`` rather than lost."""
        retry = collections.deque()
        for k, (seq, ts, img, t_sub, tries) in enumerate(w.outstanding):
            if k > 0:  # the worker works in order: only the oldest frame can have killed it
                retry.append((seq, ts, img, t_sub, tries))
            elif tries + 1 >= self.max_tries:
                self._deliver(PoolResult(seq, ts, L.empty_frames(1)[0], 0.0, w.wid,
                                         "the Holistic worker died on this frame", t_sub, time.perf_counter()))
            else:
                retry.append((seq, ts, img, t_sub, tries + 1))
        w.outstanding = retry
        w.stop(1.0)
        with self._cv:
            self.stats.restarts += 1
            closed = self._closed
        if closed:
            return False
        try:
            w.spawn()
            w.wait_ready(self._start_timeout)
        except Exception as e:  # PoolError, or the OS refusing a new process
            reason = str(e) if isinstance(e, PoolError) else f"cannot restart the Holistic worker: {e}"
            with self._cv:
                for item in w.outstanding:
                    self._fail_locked(item, w.wid, reason)
            w.outstanding.clear()
            return False
        # resend in order, ahead of anything new. If the new worker dies again meanwhile
        # (a broken pipe), the feed loop's next recv/send sees it and restarts again,
        # counting one more try against the oldest frame.
        try:
            for item in w.outstanding:
                self._send(w, item)
        except (OSError, BrokenPipeError, ValueError, AttributeError):
            pass
        return True

    def worker_frames(self) -> list[int]:
        return [w.frames for w in self._w]
