"""Fakes for the GUI tests: a camera feed, a camera that comes and goes, a detector."""
import threading
import time

import numpy as np

from signclip_desktop.live import Feed, open_feed
from signclip_desktop.keypoints import layout as L
from signclip_desktop.sources.base import SourceError


def signing_keypoints(t: float) -> np.ndarray:
    """A person with shoulders and a moving right hand (normalised image coordinates)."""
    kp = L.empty_frames(1)[0]
    kp[L.LEFT_SHOULDER] = [0.6, 0.6, 0, 1]
    kp[L.RIGHT_SHOULDER] = [0.4, 0.6, 0, 1]
    kp[L.POSE.start] = [0.5, 0.35, 0, 1]  # nose
    hand = np.stack([0.35 + 0.02 * np.cos(np.arange(21)), 0.45 + 0.03 * np.sin(np.arange(21))], 1)
    kp[L.RIGHT_HAND.slice, :2] = hand + 0.05 * np.sin(2 * np.pi * t)
    kp[L.RIGHT_HAND.slice, 3] = 1
    return kp


class FakeDetector:
    """Stands in for Holistic: records the images it was given."""

    instances = 0

    def __init__(self):
        FakeDetector.instances += 1
        self.images = []
        self.closed = False

    def detect(self, image, timestamp=None):
        self.images.append(image)
        return signing_keypoints(timestamp or 0.0)

    def close(self):
        self.closed = True


class FakeCameraFeed(Feed):
    """A camera that delivers an asymmetric picture (left half bright) at ~30 fps; ``fail_after``
    frames it raises SourceError like an unplugged camera."""
    live = True

    def __init__(self, fail_after=None):
        self.fps = 30.0
        self.aspect = 4 / 3
        self.n = 0
        self.fail_after = fail_after
        img = np.zeros((120, 160, 3), np.uint8)
        img[:, :80] = (40, 40, 230)  # left half red (BGR)
        self.image = img
        self.closed = False

    def next(self):
        if self.fail_after is not None and self.n >= self.fail_after:
            raise SourceError("camera 0", "stopped sending pictures (unplugged)")
        time.sleep(1 / self.fps)
        self.n += 1
        return time.monotonic(), self.image, None, ""

    def close(self):
        self.closed = True


class CameraControl:
    """A feed factory whose camera can be missing, present, or fail mid-stream."""

    def __init__(self, available=False, fail_after=None):
        self.available = available
        self.fail_after = fail_after
        self.attempts = 0
        self.feeds = []
        self.lock = threading.Lock()

    def __call__(self, spec, stats):
        if spec.kind == "camera":
            with self.lock:
                self.attempts += 1
            if not self.available:
                raise SourceError(f"camera {spec.camera_index}", "no such camera")
            feed = FakeCameraFeed(self.fail_after)
            self.feeds.append(feed)
            return feed
        return open_feed(spec, stats)

    def probe(self, index):
        return self.available


def signclip_threads():
    """Names of the app's threads still alive (a closed window must leave none)."""
    import threading

    return [t.name for t in threading.enumerate() if t.name.startswith("signclip-") and t.is_alive()]
