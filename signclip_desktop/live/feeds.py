"""What the capture thread plays: a camera, a video file, a keypoint file or the built-in demo.

Every feed stands on a reader of ``sources/`` (``WebcamSource``, ``VideoSource``,
``open_source`` for keypoint files) and uses its vocabulary: ``kind`` is ``"frames"``
(pictures, Holistic runs on them) or ``"keypoints"``; ``live`` is True for a camera (it
cannot wait, rewind or loop). A feed adds only what playing needs: real-time pacing, skipping
late pictures, rewinding, and a grabber thread for a camera.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..sources.base import KeypointSequence, SourceError
from ..stream.clip import hands_up
from .display import display_transform
from .slots import LatestSlot, Stats

SOURCE_KINDS = ("camera", "file", "demo")


@dataclass(frozen=True)
class SourceSpec:
    """What to play: ``kind`` is camera | file | demo. Frozen: a change is a new spec handed
    to ``LiveSession.set_source`` (looping is changed with ``LiveSession.set_loop``)."""
    kind: str
    camera_index: int = 0
    path: str = ""
    loop: bool = True
    pace: bool = True       # play files in real time (False: as fast as the detector goes, for benchmarks)

    def __post_init__(self):
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"SourceSpec.kind must be one of {SOURCE_KINDS}, not {self.kind!r}")
        if self.kind == "file" and not self.path:
            raise ValueError("SourceSpec(kind='file') needs a path")
        object.__setattr__(self, "path", str(self.path))
        object.__setattr__(self, "camera_index", int(self.camera_index))

    @property
    def title(self) -> str:
        if self.kind == "camera":
            return f"Camera {self.camera_index}"
        if self.kind == "demo":
            return "Built-in demo"
        return Path(self.path).name


class Feed:
    """One opened source. ``next()`` returns (timestamp, image|None, keypoints|None, caption)
    or None at the end; raises SourceError when the source fails."""
    kind = "frames"      # sources/ vocabulary: "frames" | "keypoints"
    live = False         # a camera: frames come from the present
    aspect = 4 / 3
    fps = 30.0

    def next(self):  # pragma: no cover - interface
        raise NotImplementedError

    def restart(self) -> bool:
        """Go back to the first frame (for looping); False if this feed cannot."""
        return False

    def close(self) -> None:
        pass


class CameraFeed(Feed):
    """A ``WebcamSource`` read by its own grabber thread into a latest-value slot (stale pictures dropped)."""
    live = True

    def __init__(self, index: int, stats: Stats, stall_s: float = 3.0):
        from ..sources.webcam import WebcamSource

        self._src = WebcamSource(index)
        self.fps = self._src.fps
        self.path = self._src.path
        self._slot = LatestSlot()
        self._stats = stats
        self._stall_s = stall_s
        self._stop = threading.Event()
        self._error: str | None = None
        self._last_ok = time.monotonic()
        self._seq = 0
        self._thread = threading.Thread(target=self._grab, name="signclip-camera-grabber", daemon=True)
        self._thread.start()

    def _grab(self) -> None:
        try:
            while not self._stop.is_set():
                f = self._src.read()
                now = time.monotonic()
                if f is None:
                    if now - self._last_ok > self._stall_s:
                        self._error = "stopped sending pictures (unplugged, or taken by another program)"
                        break
                    time.sleep(0.01)
                    continue
                self._last_ok = now
                self._stats.source_fps.tick(now)
                self._slot.put((now, f.image))
        except Exception as e:  # OpenCV can raise on a vanished device
            self._error = f"failed ({e.__class__.__name__}: {str(e)[:120]})"
        finally:
            self._slot.close()

    def next(self):
        while True:
            self._seq, item = self._slot.wait_newer(self._seq, 0.25)
            if item is not None:
                t, img = item
                self.aspect = img.shape[1] / max(1, img.shape[0])
                return t, img, None, ""
            if self._error or self._slot.closed:
                raise SourceError(self.path, self._error or "closed")
            if self._stop.is_set():
                return None

    def close(self) -> None:
        self._stop.set()
        self._slot.close()
        self._thread.join(timeout=2.0)
        self._src.close()


class VideoFeed(Feed):
    """A ``VideoSource`` paced to real time: late pictures are skipped (not decoded), never queued."""

    def __init__(self, path: str, stats: Stats, pace: bool = True):
        from ..sources.video import VideoSource

        self._src = VideoSource(path)  # checks (missing, empty, not a video) and names the file
        self.fps = self._src.fps
        self.path = self._src.path
        self._stats = stats
        self._pace = pace
        self._i = 0
        self._t0: float | None = None

    @property
    def started_at(self) -> float | None:
        """time.monotonic() when the current pass began (the bench times guesses from it)."""
        return self._t0

    def next(self):
        src = self._src
        if self._t0 is None:
            self._t0 = time.monotonic()
        if self._pace:
            due = int((time.monotonic() - self._t0) * self.fps)
            while self._i < due - 1:  # behind: skip
                if not src.skip():
                    return None
                self._i += 1
            wait = self._t0 + self._i / self.fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        img = src.read_image()
        if img is None:
            if self._i == 0:
                raise SourceError(self.path, "no frame could be decoded (damaged or truncated video)")
            return None
        t = self._i / self.fps
        self._i += 1
        self._stats.source_fps.tick()
        self.aspect = img.shape[1] / max(1, img.shape[0])
        return t, img, None, ""

    def restart(self) -> bool:
        if not self._src.rewind():
            return False
        self._i, self._t0 = 0, None
        return True

    def close(self) -> None:
        self._src.close()


class FramesFeed(Feed):
    """Any other frame source of ``sources/`` (an image folder, a single photo) through its own
    iterator, paced to its fps; looping starts a new pass over it."""

    def __init__(self, source, stats: Stats, pace: bool = True):
        self._src = source
        self.fps = float(source.fps)
        self.path = getattr(source, "path", "")
        self._stats = stats
        self._pace = pace
        self._it = iter(source)
        self._t0: float | None = None

    def next(self):
        f = next(self._it, None)  # the source raises SourceError naming a bad file
        if f is None:
            return None
        if self._t0 is None:
            self._t0 = time.monotonic() - f.timestamp
        if self._pace:
            wait = self._t0 + f.timestamp - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._stats.source_fps.tick()
        self.aspect = f.image.shape[1] / max(1, f.image.shape[0])
        return f.timestamp, f.image, None, ""

    def restart(self) -> bool:
        self._it, self._t0 = iter(self._src), None
        return True

    def close(self) -> None:
        self._src.close()


def load_keypoint_file(path) -> tuple[list[KeypointSequence], float]:
    """A keypoint file (anything ``sources.open_source`` reads as keypoints: .pose, data .npz,
    parquet, MP_Data) -> its non-empty sequences, as the model reads them, and their fps."""
    from ..sources import open_source
    from ..stream.clip import for_model

    p = Path(path)
    if not p.exists():
        raise SourceError(p, "file not found")
    src = open_source(p)
    try:
        if getattr(src, "kind", None) != "keypoints":
            raise SourceError(p, "is not a keypoint file")
        seqs = [for_model(s) for s in src if len(s)]
    finally:
        src.close()
    if not seqs:
        raise SourceError(p, "has no keypoint frames")
    return seqs, float(seqs[0].fps or 30.0)


def is_keypoint_file(path) -> bool:
    from ..sources import KEYPOINT_EXTENSIONS, describe_kind

    kind = describe_kind(path)
    if kind is not None:
        return kind in ("pose", "npz", "parquet", "mp_data")
    return Path(path).suffix.lower() in KEYPOINT_EXTENSIONS  # a missing file: say "not found" as keypoints


class KeypointFeed(Feed):
    """Keypoint sequences (.pose, .npz, the demo) played in real time, one after another."""
    kind = "keypoints"

    def __init__(self, seqs: list[KeypointSequence], fps: float, stats: Stats, pace: bool = True,
                 captions: list[str] | None = None, gap_s: float = 0.0, rest_caption: str | None = None):
        """``rest_caption``: shown instead of a clip's caption while its hands are down (the demo names
        a sign only while it is being made, not in the rest before it)."""
        gap = int(round(gap_s * fps))
        parts, caps = [], []
        for k, s in enumerate(seqs):
            parts.append(s.frames)
            cap = captions[k] if captions else ""
            if rest_caption is None:
                caps += [cap] * len(s)
            else:
                caps += [cap if up else rest_caption for up in hands_up(s.frames)]
            if gap:
                parts.append(L.empty_frames(gap) + _no_hands(s.frames[-1:]))
                caps += [""] * gap
        self.frames = np.concatenate(parts).astype(np.float32)
        self.captions = caps
        self.fps = float(fps)
        self._offset, self._scale, self.aspect = display_transform(self.frames)
        self._stats = stats
        self._pace = pace
        self._i = 0
        self._t0: float | None = None

    def to_display(self, kp: np.ndarray) -> np.ndarray:
        out = kp.copy()
        out[:, :2] = kp[:, :2] * self._scale + self._offset
        out[kp[:, 3] <= 0] = 0.0
        return out

    def restart(self) -> bool:
        self._i, self._t0 = 0, None
        return True

    def next(self):
        if self._i >= len(self.frames):
            return None
        if self._t0 is None:
            self._t0 = time.monotonic()
        if self._pace:
            wait = self._t0 + self._i / self.fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        i = self._i
        self._i += 1
        self._stats.source_fps.tick()
        return i / self.fps, None, self.frames[i], self.captions[i]


def _no_hands(last: np.ndarray) -> np.ndarray:
    """The body of the last frame with the hands gone (a pause between clips)."""
    f = last.copy()
    f[:, L.LEFT_HAND.slice] = 0
    f[:, L.RIGHT_HAND.slice] = 0
    return f


def demo_path() -> Path:
    """``resources/demo/demo.npz`` of the checkout, or of a PyInstaller bundle (see ``paths.py``)."""
    from ..paths import demo_path as _demo_path

    return _demo_path()


def open_feed(spec: SourceSpec, stats: Stats) -> Feed:
    if spec.kind == "camera":
        return CameraFeed(spec.camera_index, stats)
    if spec.kind == "demo":
        p = demo_path()
        if not p.is_file():
            raise SourceError(p, "the built-in demo is missing (run `python -m signclip_desktop.tools.make_demo`)")
        seqs, fps = load_keypoint_file(p)
        return KeypointFeed(seqs, fps, stats, spec.pace, rest_caption="Demo",  # a sign's name as the guesses say it
                            captions=[f"Demo: {(s.label or '').replace('-', ' ')}" for s in seqs])
    path = Path(spec.path)
    if is_keypoint_file(path):
        seqs, fps = load_keypoint_file(path)
        many = len(seqs) > 1
        return KeypointFeed(seqs, fps, stats, spec.pace, gap_s=0.6 if many else 0.0,
                            captions=[s.label or "" for s in seqs] if many else None)
    from ..sources import describe_kind, open_source

    if describe_kind(path) == "images":
        return FramesFeed(open_source(path), stats, spec.pace)
    return VideoFeed(str(path), stats, spec.pace)
