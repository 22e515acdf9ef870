"""The live session's detector pool: it takes over from the in-process detector once it is up,
keeps frame order, stops with the session, and when it cannot start the one detector goes on.
Each test runs with both kinds of pool (``$SIGNCLIP_POOL_KIND``: threads, the default, and processes).

Fake detectors (``tests/fakes.py``) run in the pool's workers: a frame's keypoints carry the
picture's value, so order is visible in the recogniser's tap."""
import time

import numpy as np
import pytest

from fakes import FakeDetector, value_image, wait_for
from signclip_desktop.live import LiveConfig, LiveSession, SourceSpec
from signclip_desktop.live.feeds import Feed
from signclip_desktop.live.pooled import pool_setting

N_VALUES = 200


@pytest.fixture(params=["threads", "processes"], autouse=True)
def kind(request, monkeypatch):
    monkeypatch.setenv("SIGNCLIP_POOL_KIND", request.param)
    return request.param


class ValueFrames(Feed):
    """A video file of pictures whose first pixel counts 0, 1, 2, ... (mod 200), 30 fps."""

    kind, live, fps = "frames", False, 30.0

    def __init__(self, frames: int = 100_000, pace: bool = False):
        self.n, self.i, self.pace, self.aspect = frames, 0, pace, 64 / 48

    def next(self):
        if self.i >= self.n:
            return None
        i, self.i = self.i, self.i + 1
        if self.pace:
            time.sleep(1 / self.fps)
        return i / self.fps, value_image(i % N_VALUES), None, ""

    def restart(self) -> bool:
        self.i = 0
        return True

    def close(self) -> None:
        pass


def _session(tiny_pack, pool, factory="fakes:FakeDetector", frames=100_000):
    s = LiveSession(LiveConfig(pack_path=str(tiny_pack), providers="cpu"),
                    detector_factory=lambda: FakeDetector(delay=0.002),
                    feed_factory=lambda spec, stats: ValueFrames(frames),
                    pool=pool, pool_factory=factory, pool_kwargs={"delay": 0.002})
    s.start(SourceSpec("file", path="values.avi", loop=False, pace=False))
    return s


def _values(session):
    got = session.tap(5.0)
    assert got is not None
    times, frames = got
    return times, np.rint(frames[:, 0, 0] * 255).astype(int)


def test_the_pool_takes_over_and_keeps_frame_order(tiny_pack):
    s = _session(tiny_pack, pool=2)
    try:
        assert wait_for(lambda: s.pool_workers == 2, 60.0), s.pool_note
        assert s.stats().pool_workers == 2 and s.stats().tracking == "ready"
        start = s.stats().landmark_frames
        assert wait_for(lambda: s.stats().landmark_frames > start + 150)
        times, values = _values(s)
        tail = values[-100:]
        assert np.all(np.diff(times) > 0)
        # a file is never dropped from: each frame is the one after the one before
        assert np.all((np.diff(tail) % N_VALUES) == 1), tail
    finally:
        assert s.stop(10.0)
    assert s.threads_alive == [] and s.pool_workers == 0
    assert wait_for(lambda: not [t for t in __import__("threading").enumerate()
                                 if t.name.startswith(("signclip-detector-", "pool-feed-"))], 10.0)


def test_a_pool_that_cannot_start_leaves_the_one_detector_running(tiny_pack):
    s = _session(tiny_pack, pool=2, factory="fakes:NoSuchThing")
    try:
        assert wait_for(lambda: "did not start" in s.pool_note, 60.0), s.pool_note
        start = s.stats().landmark_frames
        assert wait_for(lambda: s.stats().landmark_frames > start + 50)
        assert s.pool_workers == 0 and s.stats().tracking == "ready"
    finally:
        assert s.stop(10.0)


def test_no_pool_when_told_so_or_with_a_custom_detector_on_auto(tiny_pack):
    for pool in (0, None):
        s = _session(tiny_pack, pool=pool)
        try:
            assert wait_for(lambda: s.stats().landmark_frames > 30)
            time.sleep(0.3)
            assert s.pool_workers == 0
        finally:
            assert s.stop(10.0)


def test_the_end_of_a_file_brings_back_every_frame_in_flight(tiny_pack):
    s = _session(tiny_pack, pool=2, frames=400)
    try:
        assert wait_for(lambda: s.pool_workers == 2 or s.stats().landmark_frames >= 400, 60.0), s.pool_note
        assert wait_for(lambda: s.stats().landmark_frames >= 400)
        time.sleep(0.3)
        assert s.stats().landmark_frames == 400  # each picture once: none lost, none twice
    finally:
        assert s.stop(10.0)


def test_pool_setting_reads_the_environment(monkeypatch):
    monkeypatch.delenv("SIGNCLIP_POOL_WORKERS", raising=False)
    assert pool_setting() is None
    monkeypatch.setenv("SIGNCLIP_POOL_WORKERS", "4")
    assert pool_setting() == 4
    monkeypatch.setenv("SIGNCLIP_POOL_WORKERS", "1")
    assert pool_setting() == 0  # one worker never pays
    monkeypatch.setenv("SIGNCLIP_POOL_WORKERS", "lots")
    with pytest.raises(ValueError, match="SIGNCLIP_POOL_WORKERS"):
        pool_setting()
    assert pool_setting("auto") is None and pool_setting(0) == 0
    with pytest.raises(ValueError):
        pool_setting(-2)
