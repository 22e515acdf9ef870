"""The in-process detector with two pictures in its graph at once (``live.pooled.PipelinedDetection``):
the session uses it when asked (``$SIGNCLIP_PIPELINE``, ``LiveSession(pipeline=...)``), keeps
frame order, falls back to one picture at a time when the graph stalls, and stops cleanly."""
import threading
import time

import numpy as np
import pytest

from fakes import FakeDetector, wait_for
from signclip_desktop.keypoints.holistic import DetectorError
from signclip_desktop.live import LiveConfig, LiveSession, SourceSpec
from signclip_desktop.live.pooled import PIPELINE_ENV, pipeline_depth_now
from test_session_pool import N_VALUES, ValueFrames, _values


class PipelinedFake(FakeDetector):
    """``submit`` / ``results`` as ``HolisticDetector`` has them: a worker thread finishes the
    pictures in order; the most pictures ever in flight at once is recorded."""

    def __init__(self, delay: float = 0.002, stall_after: int | None = None):
        super().__init__(delay)
        self.queue, self.done, self.cond = [], [], threading.Condition()
        self.most_in_flight, self.submitted, self.stall_after = 0, 0, stall_after
        threading.Thread(target=self._work, daemon=True).start()

    def _work(self):
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.queue)
                img = self.queue[0]
            kp = self.detect(img)
            with self.cond:
                self.queue.pop(0)
                self.done.append(kp)
                self.cond.notify_all()

    def submit(self, image):
        with self.cond:
            self.submitted += 1
            if self.stall_after is not None and self.submitted > self.stall_after:
                return  # never finished: the graph stalled
            self.queue.append(image)
            self.most_in_flight = max(self.most_in_flight, len(self.queue) + len(self.done))
            self.cond.notify_all()

    def results(self, max_in_flight=0):
        with self.cond:
            stalled = self.stall_after is not None and self.submitted > self.stall_after
            ok = self.cond.wait_for(lambda: len(self.queue) <= max_in_flight and not stalled, 0.3 if stalled else 5)
            if not ok:
                raise DetectorError("a frame did not come back from the landmark graph")
            out, self.done = self.done, []
            return out


class StallsAtTheEnd(PipelinedFake):
    """Gives back each picture while others follow; the last ones of a file never come back."""

    def results(self, max_in_flight=0):
        if max_in_flight == 0:
            raise DetectorError("a frame did not come back from the landmark graph")
        return super().results(max_in_flight)


def _session(tiny_pack, made, frames=100_000, events=None, fake=PipelinedFake, **kw):
    def factory():
        det = fake(**kw)
        made.append(det)
        return det

    s = LiveSession(LiveConfig(pack_path=str(tiny_pack), providers="cpu"), detector_factory=factory,
                    feed_factory=lambda spec, stats: ValueFrames(frames), pool=0,
                    on_event=(events.append if events is not None else None))
    s.start(SourceSpec("file", path="values.avi", loop=False, pace=False))
    return s


def test_two_pictures_at_once_keep_every_frame_in_order(tiny_pack, monkeypatch):
    monkeypatch.setenv(PIPELINE_ENV, "2")
    made = []
    s = _session(tiny_pack, made)
    try:
        assert wait_for(lambda: s.pipeline_depth == 2, 30.0)
        assert s.stats().pipeline_depth == 2 and s.pool_workers == 0
        start = s.stats().landmark_frames
        assert wait_for(lambda: s.stats().landmark_frames > start + 150)
        times, values = _values(s)
        assert np.all(np.diff(times) > 0)
        assert np.all((np.diff(values[-100:]) % N_VALUES) == 1), values[-100:]  # each frame follows the one before
        assert made[0].most_in_flight == 2  # two in the graph, never more
    finally:
        assert s.stop(10.0)
    assert s.threads_alive == []


def test_the_end_of_a_file_brings_back_the_pictures_still_in_the_graph(tiny_pack, monkeypatch):
    monkeypatch.setenv(PIPELINE_ENV, "2")
    made = []
    s = _session(tiny_pack, made, frames=120)
    try:
        assert wait_for(lambda: s.stats().landmark_frames >= 120, 30.0)
        time.sleep(0.3)
        assert s.stats().landmark_frames == 120  # none lost at the end, none twice
    finally:
        assert s.stop(10.0)


def test_a_graph_that_stalls_at_the_end_of_a_file_loses_only_its_last_picture(tiny_pack, monkeypatch):
    monkeypatch.setenv(PIPELINE_ENV, "2")
    made, events = [], []
    s = _session(tiny_pack, made, frames=120, events=events, fake=StallsAtTheEnd)
    try:
        assert wait_for(lambda: "stalled" in s.pool_note, 30.0), s.pool_note
        assert wait_for(lambda: any(e.name == "source_ended" for e in events), 10.0)
        assert s.stats().landmark_frames == 119  # the one still in the graph is lost, the rest shown
        assert not [e for e in events if e.name in ("worker_error", "source_lost")]
        assert s.threads_alive == ["capture", "inference"]
        assert wait_for(lambda: len(made) == 2)  # a fresh detector for what comes next
        s.set_source(SourceSpec("file", path="values.avi", loop=False, pace=False))
        assert wait_for(lambda: s.stats().landmark_frames >= 120, 10.0)
    finally:
        assert s.stop(10.0)


def test_no_pipeline_when_told_not_to(tiny_pack, monkeypatch):
    monkeypatch.setenv(PIPELINE_ENV, "0")
    made = []
    s = _session(tiny_pack, made)
    try:
        assert wait_for(lambda: s.stats().landmark_frames > 50)
        assert s.pipeline_depth == 0 and made[0].submitted == 0
    finally:
        assert s.stop(10.0)


def test_a_stalled_graph_gets_a_fresh_detector_one_picture_at_a_time(tiny_pack, monkeypatch):
    monkeypatch.setenv(PIPELINE_ENV, "2")
    made, events = [], []
    s = _session(tiny_pack, made, stall_after=20, events=events)
    try:
        assert wait_for(lambda: "stalled" in s.pool_note, 30.0), s.pool_note
        start = s.stats().landmark_frames
        assert wait_for(lambda: s.stats().landmark_frames > start + 50)  # the stream goes on
        assert s.pipeline_depth == 0 and len(made) == 2 and made[1].submitted == 0
        assert not [e for e in events if e.name in ("worker_error", "source_lost")]
    finally:
        assert s.stop(10.0)


def test_off_unless_asked_for_and_auto_needs_a_second_core(monkeypatch):
    monkeypatch.delenv(PIPELINE_ENV, raising=False)
    assert pipeline_depth_now() == 0  # measured gain too small for a default (docs/BENCHMARKS.md)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0}, raising=False)
    assert pipeline_depth_now("auto") == 0
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert pipeline_depth_now("auto") == 2
    assert pipeline_depth_now("1") == 0 and pipeline_depth_now("3") == 3
    with pytest.raises(ValueError):
        pipeline_depth_now("lots")
