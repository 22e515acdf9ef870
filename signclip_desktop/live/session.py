"""``LiveSession``: the one door into the live pipeline.

Behind it: the capture thread (source -> Holistic, ``capture.py``) and the inference thread
(keypoints -> recogniser, ``inference.py``), a latest-value slot for the display and a
bounded mailbox between them. In front of it, callers *ask* (``configure``, ``set_source``,
``set_prototypes``, ``tap``, ``take_frame``, ``stats``) and *listen* (``on_event`` gets
frozen events from the worker threads). No caller ever holds a worker, a recogniser, a
scorer or a window: everything that crosses is a copy or an immutable value.

    session = LiveSession(LiveConfig(pack_path="models/words"), on_event=print)
    session.start(SourceSpec("demo"))
    session.configure(dataclasses.replace(session.config, top_k=3))
    times, frames = session.tap(2.0)
    session.stop()
"""
from __future__ import annotations

import threading
from typing import Callable

import numpy as np

from .capture import CaptureWorker
from .config import LiveConfig
from .events import Event, FrameEvent, StatsEvent
from .feeds import SourceSpec, open_feed
from .inference import InferenceWorker
from .slots import KeypointTap, LatestSlot, Mailbox, Stats


class LiveSession:
    def __init__(self, config: LiveConfig | None = None, on_event: Callable[[Event], None] | None = None,
                 detector_factory=None, feed_factory=open_feed, mailbox_frames: int = 120,
                 tap_seconds: float = 10.0, pool: int | str | None = None, pool_factory: str | None = None,
                 pool_kwargs: dict | None = None, pipeline: int | str | None = None):
        """``pool``: detectors for pictures (threads of this process, or worker processes with
        ``$SIGNCLIP_POOL_KIND=processes``); None or "auto" decides by the cores and memory
        (``pooled.pool_workers_now``; ``$SIGNCLIP_POOL_WORKERS`` overrides), 0 never, N that many. ``pool_factory`` ("module:callable") and ``pool_kwargs`` build
        each worker's detector (default: the pack's landmark graph). ``pipeline``: pictures the
        in-process detector works on at once; None reads ``$SIGNCLIP_PIPELINE`` (default 0: one at
        a time; "auto": 2 where a second core is free; ``pooled.pipeline_depth_now``)."""
        config = LiveConfig() if config is None else config
        if not isinstance(config, LiveConfig):
            raise TypeError(f"LiveSession needs a LiveConfig, not {type(config).__name__}")
        self._on_event = on_event or (lambda _e: None)
        self._lock = threading.Lock()
        self._config = config
        self._source: SourceSpec | None = None
        self._stats = Stats()
        self._display = LatestSlot()
        self._display_taken = 0
        self._keypoints = Mailbox(mailbox_frames)
        self._tap = KeypointTap(tap_seconds)
        self._capture = CaptureWorker(self._display, self._keypoints, self._stats, self._emit,
                                      detector_factory, feed_factory, pool, pool_factory, pool_kwargs, pipeline)
        self._capture.set_mirror(config.mirror)
        self._capture.set_components(_pack_components(config.pack_path))
        self._inference = InferenceWorker(self._keypoints, self._stats, self._emit, config, self._tap)
        self._started = False

    def _emit(self, event) -> None:
        try:
            self._on_event(event)
        except Exception:  # a listener's bug must not end a worker thread
            pass

    # ---------------------------------------------------------------- life
    def start(self, source: SourceSpec | None = None) -> None:
        if source is not None:
            self.set_source(source)
        if not self._started:
            self._started = True
            src = self.source
            if src is not None and (src.kind == "camera" or (src.kind == "file" and not _is_keypoint_file(src.path))):
                self._capture.prestart()  # MediaPipe loads while the pack does, not after the first picture
            self._capture.start()
            self._inference.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop both workers; True when every thread has ended."""
        if not self._started:
            return True
        self._display.close()
        ok_c = self._capture.stop(timeout)
        ok_i = self._inference.stop(timeout)
        return ok_c and ok_i

    @property
    def threads_alive(self) -> list[str]:
        return [n for n, w in (("capture", self._capture), ("inference", self._inference)) if w.alive]

    # ---------------------------------------------------------------- asking
    @property
    def config(self) -> LiveConfig:
        with self._lock:
            return self._config

    def configure(self, config: LiveConfig) -> None:
        """Replace the config (``dataclasses.replace(session.config, ...)``); applied on the
        workers' threads. Raises ``TypeError`` for anything but a ``LiveConfig``."""
        if not isinstance(config, LiveConfig):
            raise TypeError(f"configure() takes a LiveConfig (dataclasses.replace(session.config, ...)), "
                            f"not {type(config).__name__}")
        with self._lock:
            old, self._config = self._config, config
        self._capture.set_mirror(config.mirror)
        if config.pack_path != old.pack_path:
            self._capture.set_components(_pack_components(config.pack_path))
        self._inference.configure(config)

    @property
    def applied_config(self) -> LiveConfig | None:
        """The config the inference thread runs with now (it lags ``config`` by a frame or a pack load)."""
        return self._inference.applied

    @property
    def pack(self):
        """The pack the inference thread has loaded (``model.pack.Pack``, read-only), or None."""
        return self._inference.pack

    @property
    def source(self) -> SourceSpec | None:
        """The source last asked for (it may still be opening, or have failed)."""
        with self._lock:
            return self._source

    def set_source(self, source: SourceSpec | None) -> None:
        if source is not None and not isinstance(source, SourceSpec):
            raise TypeError(f"set_source() takes a SourceSpec or None, not {type(source).__name__}")
        with self._lock:
            self._source = source
        self._capture.set_source(source)

    def set_loop(self, on: bool) -> None:
        """Loop the file that plays now (and the next ones until a spec says otherwise)."""
        self._capture.set_loop(on)

    def set_view_box(self, box: tuple[int, int] | None) -> None:
        """The view's drawing area in pixels: the capture thread scales pictures to it."""
        self._capture.set_view_box(box)

    def set_prototypes(self, items: list, pack_path: str | None = None) -> None:
        """Personal signs, ``[(Label, [k, E] embeddings)]`` for the pack at ``pack_path`` (default:
        the configured pack). Queued; the inference thread applies them between frames, now if
        that pack runs, else whenever it is loaded."""
        self._inference.set_prototypes(items, self.config.pack_path if pack_path is None else str(pack_path))

    def tap(self, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """A copy of the newest ``seconds`` of keypoint frames: (times [T], frames [T, 203, 4]),
        equal lengths, taken under a lock; None when nothing has arrived yet."""
        times, frames = self._tap.latest(seconds)
        return (times, frames) if len(times) else None

    def take_frame(self) -> FrameEvent | None:
        """The newest frame not taken yet (for the one view), or None."""
        seq, frame = self._display.take(self._display_taken)
        if frame is None:
            return None
        self._display_taken = seq
        return FrameEvent(frame)

    def peek_frame(self) -> FrameEvent | None:
        """The newest frame, taken or not (None before the first)."""
        _seq, frame = self._display.peek()
        return None if frame is None else FrameEvent(frame)

    def stats(self) -> StatsEvent:
        st = self._stats
        return StatsEvent(
            source=st.source_kind, source_fps=st.source_fps.rate(), landmark_fps=st.landmark_fps.rate(),
            landmark_frames=st.landmark_fps.count, frames_recognised=st.frames_recognised,
            inference_ms=st.inference_ms, detect_ms=st.detect_ms, provider=st.provider,
            tracking=self._capture.tracking_state, first_frame_at=st.first_frame_at,
            first_landmark_at=st.first_landmark_at, display_dropped=self._display.dropped,
            keypoints_dropped=self._keypoints.dropped, frames_shown=self._capture.frames_published,
            pool_workers=self._capture.pool_workers, pipeline_depth=self._capture.pipeline_depth)

    @property
    def detector(self) -> str:
        """The landmark graph in use (holistic / pose_hands / pose), "" before it is built."""
        return self._capture.detector_name

    @property
    def pool_workers(self) -> int:
        """Detectors of the pool in use (0: one detector, no pool)."""
        return self._capture.pool_workers

    @property
    def pipeline_depth(self) -> int:
        """Pictures the in-process detector works on at once (0: one at a time)."""
        return self._capture.pipeline_depth

    @property
    def pool_note(self) -> str:
        """Why no pool runs, or why it stopped ("" while one runs or none was wanted)."""
        return self._capture.pool_note

    @property
    def keypoints_waiting(self) -> int:
        """Keypoint frames queued for the inference thread (the bench waits for 0 at the end)."""
        return len(self._keypoints)


def _pack_components(pack_path) -> tuple[str, ...] | None:
    """The pack's input components from its manifest (None: unknown, so every component)."""
    if not pack_path:
        return None
    try:
        from ..model.pack import read_manifest

        comps = read_manifest(pack_path).get("input", {}).get("components")
        return tuple(str(c) for c in comps) if isinstance(comps, list) and comps else None
    except Exception:  # a bad pack is reported by the inference worker, which loads it for real
        return None


def _is_keypoint_file(path) -> bool:
    from .feeds import is_keypoint_file

    try:
        return is_keypoint_file(path)
    except Exception:
        return False
