"""DetectorThreads: the worker pool with its detectors on threads of this process (order, bounds,
a detector error, a detector that cannot start, clean shutdown), and the rule; drop-oldest is
tested for both kinds of pool in test_pool.py."""
import threading
import time

import numpy as np
import pytest

from fakes import value_image, wait_for
from signclip_desktop.live.pool import PoolError
from signclip_desktop.live.pooled import PooledDetection, pool_kind, start_pool, thread_workers_for
from signclip_desktop.live.thread_pool import DetectorThreads

FAKE = "fakes:FakeDetector"


def _v(r):
    return int(round(float(r.keypoints[0, 0]) * 255))


def _detector_threads():
    return [t for t in threading.enumerate() if t.name.startswith("signclip-detector-")]


def test_order_kept_and_both_threads_work():
    with DetectorThreads(2, factory=FAKE, detector_kwargs={"delay": 0.005}) as pool:
        res = list(pool.map(value_image(i % 200) for i in range(60)))
        assert len(_detector_threads()) == 2
        assert pool.pids == [] and pool.kind == "threads"
    assert [r.seq for r in res] == list(range(60))
    assert [_v(r) for r in res] == [i % 200 for i in range(60)]
    assert {r.worker for r in res} == {0, 1}
    assert all(not r.error for r in res)
    assert wait_for(lambda: not _detector_threads(), 10.0)  # closed: no detector thread is left


def test_two_threads_run_at_once():
    # each fake frame sleeps 150 ms (as a graph releases the GIL): two threads finish 12 frames in about
    # half the time (0.9 of 1.8 s); the bound leaves 0.5 s for a loaded machine
    with DetectorThreads(2, factory=FAKE, detector_kwargs={"delay": 0.15}, max_pending=2, depth=1) as pool:
        t0 = time.perf_counter()
        res = list(pool.map(value_image(i) for i in range(12)))
        took = time.perf_counter() - t0
    assert len(res) == 12
    assert took < 12 * 0.15 * 0.78, took


def test_a_detector_error_is_that_frames_error():
    with DetectorThreads(1, factory=FAKE, detector_kwargs={"delay": 0.0, "raise_value": 2}) as pool:
        res = list(pool.map(value_image(i) for i in range(5)))
        assert pool.stats.restarts == 0
    assert res[2].error and "fake detector failure" in res[2].error and not res[2].keypoints.any()
    assert [_v(r) for r in res if r.seq != 2] == [0, 1, 3, 4]


def test_a_detector_that_cannot_be_built_raises_and_leaves_no_thread():
    with pytest.raises(PoolError, match="NoSuchThing|cannot start"):
        DetectorThreads(2, factory="fakes:NoSuchThing").start()
    assert wait_for(lambda: not _detector_threads(), 10.0)


def test_close_is_idempotent_and_submit_after_close_fails():
    pool = DetectorThreads(1, factory=FAKE).start()
    pool.submit(value_image(1))
    pool.close()
    pool.close()
    with pytest.raises(PoolError):
        pool.submit(value_image(2))


def test_start_pool_picks_the_kind(monkeypatch):
    monkeypatch.delenv("SIGNCLIP_POOL_KIND", raising=False)
    assert pool_kind() == "threads"
    pooled = PooledDetection(start_pool(2, None, FAKE, {"delay": 0.0}))
    try:
        assert pooled.kind == "threads" and pooled.workers == 2
        pooled.submit(value_image(5), 0.0, None, live=False)
        got = pooled.ready(wait=True) or pooled.drain()
        assert len(got) == 1 and int(round(float(got[0][1][0, 0]) * 255)) == 5
    finally:
        pooled.close()
    monkeypatch.setenv("SIGNCLIP_POOL_KIND", "processes")
    assert pool_kind() == "processes"
    monkeypatch.setenv("SIGNCLIP_POOL_KIND", "fibres")
    with pytest.raises(ValueError, match="SIGNCLIP_POOL_KIND"):
        pool_kind()


def test_thread_rule():
    assert thread_workers_for(1) == 0 and thread_workers_for(None) == 0  # one core: one detector
    assert thread_workers_for(2) == 2 and thread_workers_for(16) == 2    # two graphs reach a camera's rate
    assert thread_workers_for(16, max_workers=4) == 4 and thread_workers_for(3, max_workers=4) == 3
    assert thread_workers_for(2, free_mem_mb=10_000) == 2
    assert thread_workers_for(2, free_mem_mb=400) == 0                   # room for one more graph only
    assert thread_workers_for(8, free_mem_mb=-1, max_workers=8) == 0
    assert all(thread_workers_for(c, m, max_workers=k) != 1 for c in range(0, 20) for k in range(1, 6)
               for m in (None, 100, 300, 600, 5000))


@pytest.mark.slow
def test_real_graphs_on_two_threads_track_like_one():
    """Two pose + hands graphs on threads, each on every other picture of a real clip: every frame comes
    back, the pose is found wherever one detector finds it, and the keypoints stay close to one detector's."""
    from signclip_desktop.keypoints.landmark_graph import make_detector
    from signclip_desktop.perf.clip import selftest_image_path

    import cv2

    img = cv2.imread(str(selftest_image_path()))
    frames = [np.roll(img, 2 * k, axis=1) for k in range(16)]  # a slowly moving person
    comps = ["pose", "left_hand", "right_hand"]
    det = make_detector(comps)
    try:
        ref = np.stack([det.detect(f, i / 30) for i, f in enumerate(frames)])
    finally:
        det.close()
    with DetectorThreads(2, factory="signclip_desktop.keypoints.landmark_graph:make_detector",
                         detector_kwargs={"components": comps}) as pool:
        got = [r for r in pool.map(frames, [i / 30 for i in range(len(frames))])]
    assert [r.seq for r in got] == list(range(len(frames))) and not any(r.error for r in got)
    kp = np.stack([r.keypoints for r in got])
    pose = slice(0, 33)
    assert ((kp[:, pose, 3] > 0) == (ref[:, pose, 3] > 0)).mean() > 0.95
    both = (kp[:, pose, 3] > 0) & (ref[:, pose, 3] > 0)
    assert np.median(np.abs(kp[:, pose, :2][both] - ref[:, pose, :2][both])) < 0.01


class _Tracked:
    """A detector that records whether it was closed."""

    def __init__(self, delay: float = 0.0):
        from fakes import FakeDetector

        self.inner, self.closed, self.calls = FakeDetector(delay=delay), False, 0

    def detect(self, image, timestamp=None):
        assert not self.closed, "used after close"
        self.calls += 1
        return self.inner.detect(image, timestamp)

    def close(self):
        self.closed = True


def test_an_adopted_detector_is_worker_0s_and_the_pool_closes_it():
    # 20 ms a frame (a sleep, as a graph releases the GIL), so both threads get frames: with no delay
    # one thread could take all ten before the other woke (1 run in 30 here)
    det = _Tracked(delay=0.02)
    with DetectorThreads(2, adopt=det, factory=FAKE, detector_kwargs={"delay": 0.02}) as pool:
        res = list(pool.map(value_image(i) for i in range(10)))
        assert pool.adopted and not det.closed
    assert [_v(r) for r in res] == list(range(10))
    assert {r.worker for r in res} == {0, 1}
    assert det.calls == sum(r.worker == 0 for r in res)  # worker 0 ran the adopted detector, and only it did
    assert det.closed  # the pool owned it


def test_a_pool_that_fails_to_start_leaves_the_adopted_detector_to_its_owner():
    det = _Tracked()
    with pytest.raises(PoolError):
        DetectorThreads(2, adopt=det, factory="fakes:NoSuchThing").start()
    assert wait_for(lambda: not _detector_threads(), 10.0)
    assert not det.closed  # its owner (the capture loop) still runs it
    assert det.detect(value_image(3))[0, 0] == pytest.approx(3 / 255)
