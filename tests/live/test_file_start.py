"""A file's first pictures arrive while Holistic still loads: the file waits, then plays from the
start, so every picture gets landmarks once. CI once lost the first picture when the loader
finished between the miss and the check; here that order is forced."""
import time

import pytest

from fakes import FakeDetector, wait_for
from signclip_desktop.live import LiveConfig, LiveSession, SourceSpec
from signclip_desktop.live.capture import CaptureWorker
from signclip_desktop.live.pooled import PIPELINE_ENV
from test_session_pool import ValueFrames


def _loaded_before_the_check(monkeypatch):
    """After a picture goes out without landmarks, let the loader finish before the worker looks."""
    publish = CaptureWorker._publish

    def slow(self, feed, t_abs, img, kp, caption, has, note, *rest):
        publish(self, feed, t_abs, img, kp, caption, has, note, *rest)
        if not has:
            end = time.monotonic() + 5.0
            while self._detector is None and not self._detector_failed and time.monotonic() < end:
                time.sleep(0.005)

    monkeypatch.setattr(CaptureWorker, "_publish", slow)


@pytest.mark.parametrize("pipeline", ["0", "2"])
def test_a_file_gets_landmarks_on_every_picture_when_the_loader_wins_the_race(tiny_pack, monkeypatch, pipeline):
    monkeypatch.setenv(PIPELINE_ENV, pipeline)
    _loaded_before_the_check(monkeypatch)
    def slow_to_load():
        time.sleep(0.3)  # the first picture comes before the detector
        return FakeDetector(delay=0.001)

    s = LiveSession(LiveConfig(pack_path=str(tiny_pack), providers="cpu"), detector_factory=slow_to_load,
                    feed_factory=lambda spec, stats: ValueFrames(60), pool=0)
    s.start(SourceSpec("file", path="values.avi", loop=False, pace=False))
    try:
        assert wait_for(lambda: s.stats().landmark_frames >= 60, 30.0), s.stats().landmark_frames
        time.sleep(0.3)
        assert s.stats().landmark_frames == 60  # the first picture again, none twice
    finally:
        assert s.stop(10.0)


def test_a_file_without_tracking_plays_once_without_landmarks(tiny_pack):
    def broken():
        raise RuntimeError("no landmark models here")

    s = LiveSession(LiveConfig(pack_path=str(tiny_pack), providers="cpu"), detector_factory=broken,
                    feed_factory=lambda spec, stats: ValueFrames(60), pool=0)
    s.start(SourceSpec("file", path="values.avi", loop=False, pace=False))
    try:
        assert wait_for(lambda: s.stats().frames_shown >= 60, 30.0)
        time.sleep(0.3)
        st = s.stats()
        assert st.landmark_frames == 0 and st.frames_shown == 60  # not restarted on each picture
    finally:
        assert s.stop(10.0)


def test_a_detector_dropped_while_it_loads_is_closed_not_kept():
    """A loader that outlives its turn (the detector was dropped: a stalled graph at a pool's
    handover, a new pack) closes what it built instead of installing it beside the new one."""
    import threading

    from signclip_desktop.live.slots import LatestSlot, Mailbox, Stats

    gate, built = threading.Event(), []

    class Closing(FakeDetector):
        closed = False

        def close(self):
            self.closed = True

    def factory():
        gate.wait(5.0)
        built.append(Closing(delay=0.0))
        return built[-1]

    cap = CaptureWorker(LatestSlot(), Mailbox(4), Stats(), lambda e: None, detector_factory=factory)
    cap.prestart()
    loader = cap._loader
    cap._drop_detector()
    gate.set()
    loader.join(5.0)
    assert built and built[0].closed and cap._detector is None
    cap.prestart()  # a loader of its own turn installs its detector
    assert wait_for(lambda: cap._detector is not None, 5.0) and not built[1].closed
    cap._drop_detector()
