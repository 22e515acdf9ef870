"""Landmark detection through a pool of detectors, and the rule for when it pays.

The capture thread runs one detector in-process (``capture.py``), or, where a pool pays,
``submit``s each picture with what it must show with it (its time, the picture, the
caption) and publishes whatever ``ready`` returns. ``PooledDetection`` keeps up to
``workers * depth + max_pending`` pictures in flight and returns them in order, so frame
order holds and latency stays bounded (a camera's oldest waiting picture is dropped when
the pool falls behind; a file waits).

Two kinds of pool (``$SIGNCLIP_POOL_KIND``): ``threads`` (the default: each detector on a thread of
this process, ``thread_pool.DetectorThreads``) and ``processes`` (``pool.HolisticPool``). One legacy
MediaPipe graph keeps about one core busy however it is fed, so a second graph is what uses a
second core. The rules (docs/BENCHMARKS.md, "Detector threads"): ``thread_workers_for`` gives 2
threads wherever the process may use 2 cores and has the memory for a second graph (the app's
session ran 1.4-1.7 x faster with them on the 2-core machine here, busy or not);
``pool_workers_for`` gives worker processes only where each has a free core of its own and one
is left for the app (a process costs a whole interpreter's memory and a pipe hop per picture).
"""
from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

POOL_ENV = "SIGNCLIP_POOL_WORKERS"  # "auto" (default), "0" (never) or a number of workers
POOL_KIND_ENV = "SIGNCLIP_POOL_KIND"  # "threads" (default) or "processes"
POOL_KINDS = ("threads", "processes")
GRAPH_MB = 250.0  # memory of one more pose + hands graph in this process (~185 MB measured), with room
DETECTOR_FACTORY = "signclip_desktop.keypoints.landmark_graph:make_detector"


def pool_workers_for(cpu_count: int | None, load_1min: float | None, free_mem_mb: float | None = None,
                     detector_cores: float = 1.0, reserve_cores: float = 1.0, worker_mb: float = 400.0,
                     max_workers: int = 4) -> int:
    """How many detector worker processes to run: 0 means "no pool, one detector in-process".

    Free cores = cpu_count - 1-minute load average (other programs), never below 0, minus
    ``reserve_cores`` for the app; each worker needs ``detector_cores`` and (if
    ``free_mem_mb`` is known) ``worker_mb`` of memory (~365 MB measured). One worker never
    pays (the same loop plus a process hop), so the answer is 0 or >= 2."""
    if not cpu_count or cpu_count < 1:
        return 0
    busy = max(0.0, float(load_1min or 0.0))
    free = max(0.0, cpu_count - busy) - reserve_cores
    n = int(free // detector_cores)
    if free_mem_mb is not None:
        n = min(n, int(max(0.0, free_mem_mb) // worker_mb))
    n = min(n, max_workers)
    return n if n >= 2 else 0


def mem_available_mb() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def thread_workers_for(cores: int | None, free_mem_mb: float | None = None, graph_mb: float = GRAPH_MB,
                       max_workers: int = 2) -> int:
    """How many detector threads to run: 0 means "one detector, no pool".

    One graph per core the process may use, up to ``max_workers`` (2: two graphs reach a camera's
    30 pictures a second on the slowest machine measured, and each more one thins every tracker's
    pictures), each with ``graph_mb`` of memory; never 1. The load average is not asked: with
    other programs busy the two graphs still gained (1.38-1.70 x over five bench runs here at load 1-4
    on 2 cores), and at worst they share the cores one graph would have had."""
    if not cores or cores < 2:
        return 0
    n = min(int(cores), int(max_workers))
    if free_mem_mb is not None:
        n = min(n, int(max(0.0, free_mem_mb) // graph_mb))
    return n if n >= 2 else 0


def usable_cores() -> int:
    """Cores this process may run on (``sched_getaffinity``: a process pinned to one core gets 1)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def pool_kind(value: Any = None) -> str:
    """``threads`` or ``processes``; ``value`` None reads ``$SIGNCLIP_POOL_KIND``."""
    v = str(os.environ.get(POOL_KIND_ENV, "threads") if value is None else value).strip().lower() or "threads"
    if v not in POOL_KINDS:
        raise ValueError(f"{POOL_KIND_ENV} must be one of {', '.join(POOL_KINDS)}, not {v!r}")
    return v


def pool_workers_now(kind: str | None = None, **kw) -> int:
    """The rule for ``kind`` (default ``pool_kind()``) on this machine now (where the OS has no load
    average it counts as 0, and memory as unknown)."""
    if pool_kind(kind) == "threads":
        return thread_workers_for(usable_cores(), mem_available_mb(), **kw)
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    return pool_workers_for(os.cpu_count(), load, mem_available_mb(), **kw)


def pool_setting(value: Any = None) -> int | None:
    """The session's pool setting: None = decide by ``pool_workers_now`` ("auto"), 0 = never,
    N >= 2 = that many workers. ``value`` None reads ``$SIGNCLIP_POOL_WORKERS``."""
    if value is None:
        value = os.environ.get(POOL_ENV, "auto")
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("", "auto"):
            return None
        try:
            value = int(v)
        except ValueError:
            raise ValueError(f"{POOL_ENV} must be 'auto' or a number of workers, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 64:
        raise ValueError(f"pool workers must be 'auto' or 0..64, not {value!r}")
    return 0 if value == 1 else value  # one worker never pays


class PooledDetection:
    """A started ``HolisticPool``: pictures go out to its workers and come back in order.

    ``submit`` blocks (until the pipeline has room) for a file and drops the oldest waiting
    picture for a camera; ``ready`` returns what has come back, and with ``wait`` blocks
    until at least one result when the pipeline is full. A ``PoolError`` from the pool
    (every worker gone) reaches the caller, which falls back to one detector."""

    def __init__(self, pool):
        self.pool = pool
        self.workers = pool.workers
        self.kind = getattr(pool, "kind", "processes")
        self.adopted = bool(getattr(pool, "adopted", False))  # it owns the detector it took over
        self._payloads: dict[int, Any] = {}
        self._capacity = pool.workers * pool.depth + pool.max_pending

    def submit(self, image: np.ndarray, timestamp: float, payload: Any, live: bool) -> None:
        seq = self.pool.submit(image, timestamp, block=not live)
        self._payloads[seq] = payload

    def _take(self, r) -> tuple[Any, np.ndarray, float]:
        for old in [s for s in self._payloads if s < r.seq]:  # dropped by the pool (camera fell behind)
            del self._payloads[old]
        return self._payloads.pop(r.seq), r.keypoints, r.detect_ms

    def ready(self, wait: bool = False) -> list[tuple[Any, np.ndarray, float]]:
        out = []
        if wait and self.pool.in_flight() >= self._capacity:
            r = self.pool.get(timeout=5.0)
            if r is not None:
                out.append(self._take(r))
        while (r := self.pool.get(timeout=0)) is not None:
            out.append(self._take(r))
        return out

    def drain(self) -> list[tuple[Any, np.ndarray, float]]:
        """Everything still in flight, in order (end of a file, a source change)."""
        out = [self._take(r) for r in self.pool.drain(timeout=10.0)]
        self._payloads.clear()
        return out

    def close(self) -> None:
        self.pool.close()


def start_pool(workers: int, components, factory: str | None = None, kwargs: dict | None = None,
               kind: str | None = None, adopt=None):
    """A started pool of ``workers`` detectors (``kind``: threads or processes, default
    ``pool_kind()``) for the pack's components, for a live stream: one picture per worker in
    flight and one waiting (bounded latency). ``adopt``: the running detector that a pool of
    threads takes over as its first (``thread_pool.DetectorThreads``); processes ignore it."""
    from .pool import HolisticPool
    from .thread_pool import DetectorThreads

    kw = dict(kwargs) if kwargs is not None else {"components": list(components) if components else None}
    opts = dict(workers=workers, factory=factory or DETECTOR_FACTORY, detector_kwargs=kw, max_pending=1, depth=1)
    if pool_kind(kind) == "threads":
        return DetectorThreads(adopt=adopt, **opts).start()
    return HolisticPool(**opts).start()


PIPELINE_ENV = "SIGNCLIP_PIPELINE"  # "0" (default: one at a time), "auto" or the pictures in the graph at once (2..4)


def pipeline_depth_now(value: Any = None) -> int:
    """How many pictures the in-process detector gets at once (0: one at a time). Off unless asked
    for: on the 2-core machine here the app's session gained 1.02-1.13 x in three alternating A/B
    runs (docs/BENCHMARKS.md), not a clear enough gain for a default. "auto" turns it on where a second core is
    free (``sched_getaffinity``: a process pinned to one core gets 0)."""
    if value is None:
        value = os.environ.get(PIPELINE_ENV, "0")
    if isinstance(value, bool):
        raise ValueError(f"pipeline must be 'auto' or 0..4, not {value!r}")
    v = str(value).strip().lower()
    if v not in ("", "auto"):
        try:
            n = int(v)
        except ValueError:
            raise ValueError(f"{PIPELINE_ENV} must be 'auto' or 0..4, not {value!r}") from None
        if not 0 <= n <= 4:
            raise ValueError(f"{PIPELINE_ENV} must be 'auto' or 0..4, not {value!r}")
        return 0 if n == 1 else n
    return 2 if usable_cores() >= 2 else 0


class PipelinedDetection:
    """The in-process detector with several pictures in its graph at once, behind the pool's
    interface (``submit`` / ``ready`` / ``drain`` / ``close``), so the capture loop publishes
    its results the same way: in order, each with what was submitted with it. ``close`` leaves
    the detector to its owner (the capture worker)."""

    workers = 0  # no worker processes

    def __init__(self, detector, depth: int = 2):
        if depth < 2:
            raise ValueError("a pipeline needs at least 2 pictures in flight")
        self.detector, self.depth = detector, int(depth)
        self._payloads: list[tuple[Any, float]] = []

    def submit(self, image: np.ndarray, timestamp: float, payload: Any, live: bool) -> None:
        # a camera picture is not dropped here: the camera feed already hands over only its newest
        self.detector.submit(image)
        self._payloads.append((payload, time.perf_counter()))

    def _take(self, kps) -> list[tuple[Any, np.ndarray, float]]:
        now, out = time.perf_counter(), []
        for kp in kps:
            payload, t0 = self._payloads.pop(0)
            out.append((payload, kp, (now - t0) * 1000))
        return out

    def ready(self, wait: bool = False) -> list[tuple[Any, np.ndarray, float]]:
        return self._take(self.detector.results(self.depth - 1 if wait else len(self._payloads)))

    def drain(self) -> list[tuple[Any, np.ndarray, float]]:
        return self._take(self.detector.results(0))

    def close(self) -> None:
        """Pictures still in the graph are finished and dropped (a new source, a pool taking over)."""
        self._payloads.clear()
        try:
            self.detector.results(0)
        except Exception:  # a closed or failed detector: nothing is waiting any more
            pass
