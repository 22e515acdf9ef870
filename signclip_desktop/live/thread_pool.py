"""The worker pool with its detectors on threads of this process instead of in worker processes.

MediaPipe releases the GIL while its graph runs, and one legacy landmark graph keeps about one
core busy however many pictures it is given (its trackers feed each frame's result into the
next), so two graphs on two threads use two cores; measured on the 2-core machine here in
docs/BENCHMARKS.md ("Detector threads"). Against the process pool a thread costs one graph's
memory instead of a whole interpreter's, starts in under a second instead of 3-11 s, and a picture
is handed over as a reference, not copied through a pipe.

``DetectorThreads`` is ``pool.HolisticPool`` with each worker's process replaced by a thread
that runs the same ``_worker_main`` loop over an in-process connection, so ordering, bounds,
drops and failure handling are the pool's own. What a thread cannot do is die alone: a crash in
MediaPipe ends the app either way, and a detector error comes back as that frame's error.
"""
from __future__ import annotations

import queue
import threading

from .pool import HolisticPool, PoolError, _make_detector, _worker_main, _Worker


class _End:
    """One end of an in-process duplex connection, with the calls ``_worker_main`` and the pool make."""

    def __init__(self, inbox: queue.Queue, outbox: queue.Queue):
        self._in, self._out = inbox, outbox
        self.closed = False

    def send(self, obj) -> None:
        if self.closed:
            raise OSError("connection closed")
        self._out.put(obj)

    send_bytes = send  # a picture stays the caller's array (a memoryview of it): no copy

    def recv(self, timeout: float | None = None):
        """The next message (``queue.Empty`` after ``timeout`` seconds; ``EOFError`` once closed)."""
        obj = self._in.get(timeout=timeout)
        if obj is _CLOSED:
            self._in.put(_CLOSED)  # later calls fail too
            raise EOFError("connection closed")
        return obj

    recv_bytes = recv

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._out.put(_CLOSED)


_CLOSED = object()


def _pipe() -> tuple[_End, _End]:
    a, b = queue.Queue(), queue.Queue()
    return _End(a, b), _End(b, a)


class _ThreadWorker(_Worker):
    """A pool worker whose detector runs on a thread of this process."""

    def spawn(self) -> None:
        parent, child = _pipe()
        self.proc = threading.Thread(target=_worker_main, args=(child, self.wid, self.detector_kwargs, self.factory),
                                     name=f"signclip-detector-{self.wid}", daemon=True)
        self.proc.start()
        self.conn = parent

    def wait_ready(self, timeout: float) -> None:
        try:
            kind, info = self.conn.recv(timeout)
        except queue.Empty:
            raise PoolError(f"detector thread {self.wid} did not start within {timeout:.0f} s") from None
        except EOFError as e:
            raise PoolError(f"detector thread {self.wid} ended while starting") from e
        if kind != "ready":
            raise PoolError(f"detector thread {self.wid} cannot start: {info}")
        self.pid = info

    def stop(self, timeout: float) -> None:
        if self.conn is not None:
            try:
                self.conn.send(None)  # pool._STOP
            except OSError:
                pass
        if self.proc is not None:
            self.proc.join(timeout)  # a graph stuck in C++ cannot be killed: left to the daemon thread
        if self.conn is not None:
            self.conn.close()
        self.conn = None


class _Borrowed:
    """The running detector as worker 0 uses it. Until the pool has started, its owner still runs it,
    so a pool that fails to start must not close it: ``close`` does only once ``owned``."""

    def __init__(self, detector):
        self.detector, self.owned = detector, False

    def detect(self, image, timestamp=None):
        return self.detector.detect(image, timestamp)

    def close(self) -> None:
        if self.owned:
            self.detector.close()


class _Adopted:
    """Worker 0's factory when the pool takes over a running detector: that one first (no second
    start-up, no third graph in memory while the pool starts), a new one on a restart."""

    def __init__(self, borrowed: _Borrowed, factory):
        self.borrowed, self.factory = borrowed, factory

    def __call__(self, **kwargs):
        b, self.borrowed = self.borrowed, None
        return b if b is not None else _make_detector(self.factory, kwargs)


class DetectorThreads(HolisticPool):
    """``HolisticPool(workers=N, ...)`` with thread workers (same arguments and calls). ``adopt``: a
    detector of the same kind, already running, that becomes worker 0's; the pool owns it from then
    on (``close`` closes it), so its owner must not use it once the pool takes over."""

    kind = "threads"

    def __init__(self, workers: int = 2, adopt=None, **kw):
        super().__init__(workers, **kw)
        self._borrowed = _Borrowed(adopt) if adopt is not None else None
        # the same list object: the pool's finalizer stops these workers at exit
        self._w[:] = [_ThreadWorker(None, w.detector_kwargs, w.wid,
                                    _Adopted(self._borrowed, w.factory) if self._borrowed and w.wid == 0 else w.factory)
                      for w in self._w]
        self.adopted = adopt is not None

    def start(self) -> "DetectorThreads":
        super().start()  # a failure closes the workers and raises: the borrowed detector stays its owner's
        if self._borrowed is not None:
            self._borrowed.owned = True
        return self

    @property
    def pids(self) -> list[int]:
        return []

    def close(self, timeout: float = 5.0) -> None:
        super().close(timeout)
        release_freed_memory()


def release_freed_memory() -> None:
    """Give the heap that closed graphs freed back to the OS: glibc keeps it for reuse, so a session
    that restarted its detector threads a few times kept ~300 MB more than one that never did
    (measured, ``malloc_trim`` brings it back). Nothing where there is no glibc."""
    try:
        import ctypes  # noqa: PLC0415

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


__all__ = ["DetectorThreads", "PoolError"]
