"""The live session behind the window, without Qt: latest-value slots, start/stop, failures."""
import threading
import time

import numpy as np
import pytest

from signclip_desktop.live import (KeypointFeed, LatestSlot, LiveConfig, LiveSession, Mailbox, SourceSpec, Stats,
                                   demo_path, display_transform, load_keypoint_file)
from signclip_desktop.sources.base import KeypointSequence

from fakes import wait_for
from gui_fakes import CameraControl, FakeDetector, signing_keypoints


class Events:
    def __init__(self):
        self.items = []
        self.lock = threading.Lock()

    def __call__(self, event):
        with self.lock:
            self.items.append((event.name, event))

    def names(self):
        with self.lock:
            return [n for n, _ in self.items]

    def of(self, name):
        with self.lock:
            return [p for n, p in self.items if n == name]


def signclip_threads():
    return [t.name for t in threading.enumerate() if t.name.startswith("signclip-") and t.is_alive()]


def test_latest_slot_keeps_only_the_newest():
    slot = LatestSlot()
    for i in range(100):
        slot.put(i)
    seq, v = slot.take(0)
    assert v == 99 and seq == 100
    assert slot.take(seq) == (seq, None)  # nothing newer
    assert slot.dropped == 99
    # a waiting reader is woken by put and by close
    got = []
    t = threading.Thread(target=lambda: got.append(slot.wait_newer(seq, 5.0)))
    t.start()
    slot.put("new")
    t.join(2)
    assert got and got[0][1] == "new"
    t = threading.Thread(target=lambda: got.append(slot.wait_newer(slot.peek()[0], 30.0)))
    t.start()
    slot.close()
    t.join(2)
    assert not t.is_alive()


def test_mailbox_is_bounded_and_drops_the_oldest():
    box = Mailbox(5)
    for i in range(12):
        box.put(i)
    assert box.take_all(0.1) == [7, 8, 9, 10, 11]
    assert box.dropped == 7
    assert box.take_all(0.05) == []


def test_display_transform_fits_pixel_and_normalised_clips():
    f = np.zeros((3, 203, 4), np.float32)
    f[:, :10, :2] = np.random.default_rng(0).uniform(100, 400, (3, 10, 2))
    f[:, :10, 3] = 1
    off, scale, aspect = display_transform(f)
    xy = f[:, :10, :2] * scale + off
    assert xy.min() >= 0 and xy.max() <= 1 and 4 / 3 <= aspect <= 16 / 9


def test_demo_clip_is_bundled_and_small():
    p = demo_path()
    assert p.is_file() and p.stat().st_size < 2_000_000
    seqs, fps = load_keypoint_file(p)
    assert fps == 30 and len(seqs) >= 3
    assert all((s.frames[:, 182:, 3] > 0).any() for s in seqs)  # hands move in every clip


def test_keypoint_feed_plays_in_real_time_and_loops():
    seq = KeypointSequence(np.stack([signing_keypoints(i / 30) for i in range(15)]), 30.0)
    feed = KeypointFeed([seq], 30.0, Stats(), pace=True)
    t0 = time.monotonic()
    items = []
    while (it := feed.next()) is not None:
        items.append(it)
    took = time.monotonic() - t0
    assert len(items) == 15 and 0.4 < took < 1.5  # 15 frames at 30 fps ~ 0.47 s
    assert feed.restart() and feed.next() is not None


def test_pipeline_end_to_end_on_demo_and_clean_stop(tiny_pack):
    ev = Events()
    pipe = LiveSession(LiveConfig(pack_path=str(tiny_pack)), on_event=ev, detector_factory=FakeDetector)
    pipe.start(SourceSpec("demo", pace=False))
    assert wait_for(lambda: ev.of("update") and any(u.prediction for u in ev.of("update")), 20)
    assert "pack_loaded" in ev.names() and "source_opened" in ev.names()
    frame = pipe.take_frame().frame
    assert frame is not None and frame.points.shape == (203, 4) and frame.image is None
    assert pipe.stats().landmark_frames > 0
    assert pipe.stop(5.0)
    assert pipe.threads_alive == [] and signclip_threads() == []


def test_one_detector_for_the_session_and_unmirrored_frames_for_inference(tiny_pack):
    FakeDetector.instances = 0
    ev = Events()
    cam = CameraControl(available=True)
    dets = []

    def factory():
        d = FakeDetector()
        dets.append(d)
        return d

    pipe = LiveSession(LiveConfig(pack_path=str(tiny_pack), mirror=True), on_event=ev, detector_factory=factory,
                       feed_factory=cam)
    pipe.start(SourceSpec("camera", 0))
    assert wait_for(lambda: dets and len(dets[0].images) > 5)
    pipe.set_source(SourceSpec("demo", pace=False))
    assert wait_for(lambda: "source_opened" in ev.names() and len(ev.of("source_opened")) >= 2)
    pipe.set_source(SourceSpec("camera", 0))
    assert wait_for(lambda: len(ev.of("source_opened")) >= 3)
    n = len(dets[0].images)
    assert wait_for(lambda: len(dets[0].images) > n + 3)
    frame = pipe.peek_frame().frame
    assert frame.mirror is True and frame.live  # the view mirrors...
    img = dets[0].images[-1]
    assert img[:, :80, 2].mean() > 200 and img[:, 80:, 2].mean() < 10  # ...but Holistic got the real picture
    assert pipe.stop(5.0)
    assert len(dets) == 1 and dets[0].closed  # one long-lived detector, closed at the end
    assert all(f.closed for f in cam.feeds)


def test_camera_missing_and_lost_are_reported_not_raised(tiny_pack):
    ev = Events()
    cam = CameraControl(available=False)
    pipe = LiveSession(LiveConfig(pack_path=None), on_event=ev, detector_factory=FakeDetector, feed_factory=cam)
    pipe.start(SourceSpec("camera", 0))
    assert wait_for(lambda: ev.of("source_error"))
    err = ev.of("source_error")[0]
    assert err.source.kind == "camera" and "no such camera" in err.reason
    assert "pack_missing" in ev.names()
    cam.available, cam.fail_after = True, 10
    pipe.set_source(SourceSpec("camera", 0))
    assert wait_for(lambda: ev.of("source_lost"))
    assert "unplugged" in ev.of("source_lost")[0].reason
    assert pipe.threads_alive == ["capture", "inference"]  # the workers survive
    assert pipe.stop(5.0) and signclip_threads() == []


def test_bad_file_and_bad_pack_are_reported(tmp_path):
    ev = Events()
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    pipe = LiveSession(LiveConfig(pack_path=str(tmp_path / "nopack")), on_event=ev, detector_factory=FakeDetector)
    pipe.start(SourceSpec("file", path=str(bad)))
    assert wait_for(lambda: ev.of("source_error") and ev.of("pack_error"))
    assert "broken.mp4" in ev.of("source_error")[0].message
    assert pipe.stop(5.0)


def test_stop_does_not_hang_when_the_detector_is_slow(tiny_pack):
    class Slow(FakeDetector):
        def detect(self, image, timestamp=None):
            time.sleep(0.3)
            return super().detect(image, timestamp)

    ev = Events()
    pipe = LiveSession(LiveConfig(pack_path=str(tiny_pack)), on_event=ev, detector_factory=Slow,
                       feed_factory=CameraControl(available=True))
    pipe.start(SourceSpec("camera", 0))
    assert wait_for(lambda: pipe.stats().landmark_frames >= 1)
    t0 = time.monotonic()
    assert pipe.stop(5.0)
    assert time.monotonic() - t0 < 2.0
    assert signclip_threads() == []


@pytest.mark.parametrize("frames", [1, 500])
def test_inference_falls_behind_without_growing(tiny_pack, frames):
    box = Mailbox(120)
    for i in range(frames):
        box.put(i)
    assert len(box) == min(frames, 120)
