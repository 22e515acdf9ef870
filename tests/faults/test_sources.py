"""Camera missing / busy / vanishing mid-stream; unreadable, truncated and zero-length videos.

Each fault goes through the app's own pipeline (live.LiveSession, no Qt): it
must report the problem as an event, keep both worker threads running, deliver every
frame it did get, and play the next good source."""
import time

import numpy as np
import pytest

from faults_helpers import Events, wait_for
from signclip_desktop.live import Feed, LiveConfig, LiveSession, SourceSpec, open_feed
from fakes import FakeCamera, synthetic_signing
from signclip_desktop.sources.base import SourceError

KP = synthetic_signing(400)


class CountingDetector:
    """Stands in for Holistic: a plausible signing frame per image, counting calls."""

    def __init__(self):
        self.calls = 0

    def detect(self, image, timestamp=None):
        self.calls += 1
        return KP[self.calls % len(KP)].copy()

    def close(self):
        pass


class FakeCameraFeed(Feed):
    """A camera feed over fakes.FakeCamera: missing, busy, or vanishing after N frames."""
    live = True

    def __init__(self, **kw):
        self.cam = FakeCamera(**kw)  # raises SourceError for missing / busy
        self.fps = self.cam.fps
        self.it = iter(self.cam)
        self.delivered = 0

    def next(self):
        f = next(self.it, None)  # SourceError when it vanishes
        if f is None:
            return None
        time.sleep(1 / 60)
        self.delivered += 1
        return time.monotonic(), f.image, None, ""


class Factory:
    def __init__(self):
        self.camera_kw = {}
        self.feeds = []

    def __call__(self, spec, stats):
        if spec.kind == "camera":
            f = FakeCameraFeed(**self.camera_kw)
            self.feeds.append(f)
            return f
        return open_feed(spec, stats)


def _pipeline(tiny_pack, factory=None, detector=None):
    ev = Events()
    det = detector or CountingDetector()
    pipe = LiveSession(LiveConfig(pack_path=str(tiny_pack), providers="cpu"), on_event=ev,
                       detector_factory=lambda: det, feed_factory=factory or open_feed, mailbox_frames=10_000)
    return pipe, ev, det


def _window_len(pipe):
    return pipe.stats().frames_recognised  # keypoint frames the inference thread took


def _alive(pipe):
    return pipe.threads_alive == ["capture", "inference"]


@pytest.mark.parametrize("fault", ["missing", "busy"])
def test_camera_missing_or_busy_then_a_good_source(tiny_pack, clip_file, fault):
    fac = Factory()
    fac.camera_kw = {fault: True}
    pipe, ev, det = _pipeline(tiny_pack, fac)
    try:
        pipe.start(SourceSpec(kind="camera", camera_index=0))
        assert wait_for(lambda: ev.of("source_error"))
        reason = ev.of("source_error")[0].reason
        assert ("no camera" in reason) if fault == "missing" else ("in use" in reason)
        assert _alive(pipe)
        pipe.set_source(SourceSpec(kind="file", path=str(clip_file), loop=False, pace=False))
        assert wait_for(lambda: ev.of("source_ended"), 60)
        assert wait_for(lambda: ev.of("update"))
        assert _alive(pipe)
    finally:
        assert pipe.stop()


def test_real_webcam_index_that_does_not_exist():
    from signclip_desktop.sources.webcam import WebcamSource

    with pytest.raises(SourceError) as e:
        WebcamSource(97)
    assert "camera 97" in str(e.value)


def test_camera_vanishing_mid_stream_loses_no_frame(tiny_pack):
    fac = Factory()
    fac.camera_kw = {"frames": 1000, "vanish_after": 90}
    pipe, ev, det = _pipeline(tiny_pack, fac)
    try:
        pipe.start(SourceSpec(kind="camera", camera_index=0))
        assert wait_for(lambda: ev.of("source_lost"), 30)
        assert "stopped delivering" in ev.of("source_lost")[0].reason
        assert fac.feeds[0].delivered == 90
        # Holistic loads on a helper thread while the first pictures show: at most a few
        # frames go by without landmarks; every frame that got keypoints reached the recogniser
        assert 80 <= det.calls <= 90
        assert wait_for(lambda: _window_len(pipe) == det.calls, 10), (_window_len(pipe), det.calls)
        assert ev.of("update"), "no recognition before the camera vanished"
        assert _alive(pipe)
        # plugged back in: the same pipeline goes on
        fac.camera_kw = {"frames": 40}
        pipe.set_source(SourceSpec(kind="camera", camera_index=0))
        assert wait_for(lambda: det.calls >= 130, 30)
        assert _alive(pipe)
    finally:
        assert pipe.stop()


# -- damaged video files ------------------------------------------------------------------------------
@pytest.fixture()
def bad_videos(tmp_path, clip_file):
    data = clip_file.read_bytes()
    out = {"zero": tmp_path / "zero.mp4", "garbage": tmp_path / "garbage.mp4", "truncated": tmp_path / "truncated.avi",
           "text": tmp_path / "notes.avi"}
    out["zero"].write_bytes(b"")
    out["garbage"].write_bytes(np.random.default_rng(0).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    out["truncated"].write_bytes(data[: len(data) // 3])
    out["text"].write_text("this is not a video\n" * 100)
    return out


@pytest.mark.parametrize("kind", ["zero", "garbage", "text"])
def test_unreadable_video_is_a_plain_error_and_the_pipeline_goes_on(tiny_pack, clip_file, bad_videos, kind):
    from signclip_desktop.sources import open_source

    with pytest.raises(SourceError) as e:
        src = open_source(bad_videos[kind])
        list(src)
    assert bad_videos[kind].name in str(e.value)
    pipe, ev, det = _pipeline(tiny_pack)
    try:
        pipe.start(SourceSpec(kind="file", path=str(bad_videos[kind]), loop=False, pace=False))
        assert wait_for(lambda: ev.of("source_error") or ev.of("source_lost"), 20)
        assert _alive(pipe)
        pipe.set_source(SourceSpec(kind="file", path=str(clip_file), loop=False, pace=False))
        assert wait_for(lambda: ev.of("source_ended"), 60)
        assert _alive(pipe)
    finally:
        assert pipe.stop()


def test_truncated_video_plays_what_it_has(tiny_pack, clip_file, bad_videos):
    import cv2

    cap = cv2.VideoCapture(str(bad_videos["truncated"]))
    decodable = 0
    while cap.read()[0]:
        decodable += 1
    cap.release()
    assert decodable > 10
    pipe, ev, det = _pipeline(tiny_pack)
    try:
        pipe.start(SourceSpec(kind="file", path=str(bad_videos["truncated"]), loop=False, pace=False))
        assert wait_for(lambda: ev.of("source_ended") or ev.of("source_lost") or ev.of("source_error"), 60)
        # every decodable frame was shown: a picture that came before Holistic was ready is shown
        # without keypoints, and the file plays again from its start once Holistic is ready
        assert decodable <= pipe.stats().frames_shown <= decodable + 5
        assert decodable - 5 <= det.calls <= decodable
        assert wait_for(lambda: _window_len(pipe) == det.calls, 10)
        assert _alive(pipe)
    finally:
        assert pipe.stop()
    # the batch reader says the file is damaged instead of silently giving half a clip
    from signclip_desktop.sources.video import VideoSource

    with pytest.raises(SourceError, match="truncated|damaged"):
        list(VideoSource(bad_videos["truncated"]))
