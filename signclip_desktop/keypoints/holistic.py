"""MediaPipe Holistic -> the shared 203-point layout.

One long-lived ``HolisticDetector`` per stream (video mode tracks between frames; a
static-image mode is there for unrelated photos). Output coordinates are MediaPipe's
own: x, y normalised to the image (0..1), z MediaPipe's relative depth, exactly like
the training data. Confidence: pose = MediaPipe visibility, face and hands = 1 where
detected; a missing part is zeros with confidence 0; legs are hidden.

Needs ``mediapipe==0.10.21`` (the last release whose legacy ``solutions.holistic``
runs offline). ``model_complexity=1`` is the only pose model shipped in the wheel:
0 and 2 try to download theirs, so they are refused here.
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Protocol

import numpy as np

from . import layout as L
from .normalize import hide_legs

MEDIAPIPE_REQUIREMENT = "mediapipe==0.10.21"
_FACE_IDX = np.asarray(L.FACE_CONTOUR_MESH_INDICES, np.int64)


class DetectorError(RuntimeError):
    """The detector cannot run (mediapipe missing or unusable)."""


class Detector(Protocol):
    """Anything that turns one BGR image into [203, 4] layout keypoints."""

    def detect(self, image_bgr: np.ndarray, timestamp: float | None = None) -> np.ndarray: ...

    def close(self) -> None: ...


def quiet_environment() -> None:
    """Ask MediaPipe / TFLite / glog for errors only. Must run before mediapipe is imported."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GLOG_logtostderr", "0")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "2")


@contextlib.contextmanager
def silenced_stderr(enabled: bool = True):
    """Hold back MediaPipe's C++ start-up chatter (XNNPACK delegate, feedback manager: printed
    before any log level applies) without losing other threads' errors: fd 2 is captured
    for the block and what is not known noise is written out afterwards (``stderr_filter``)."""
    from ..stderr_filter import filtered_stderr  # noqa: PLC0415

    with filtered_stderr(enabled and not os.environ.get("SIGNCLIP_MEDIAPIPE_LOGS")):
        yield


@contextlib.contextmanager
def _lean_mediapipe_import():
    """``import mediapipe`` also imports matplotlib.pyplot (for ``drawing_utils``) and the Tasks
    API: ~70% of its import time, and the app uses neither. Stand-ins answer those imports
    while mediapipe loads and are removed right after, so a later real import still works.
    ``SIGNCLIP_MEDIAPIPE_FULL_IMPORT=1`` turns this off."""
    import types

    if "mediapipe" in sys.modules or os.environ.get("SIGNCLIP_MEDIAPIPE_FULL_IMPORT"):
        yield
        return
    stubs = {}
    for parent, child in (("matplotlib", "pyplot"), ("mediapipe.tasks", "python")):
        if parent not in sys.modules:
            a, b = types.ModuleType(parent), types.ModuleType(f"{parent}.{child}")
            a.__path__, b.__path__ = [], []
            b.__doc__ = "stand-in: not loaded by signclip_desktop (see keypoints/holistic.py)"
            setattr(a, child, b)
            stubs[parent], stubs[f"{parent}.{child}"] = a, b
    sys.modules.update(stubs)
    try:
        yield
    finally:
        for name, mod in stubs.items():
            if sys.modules.get(name) is mod:
                del sys.modules[name]


def import_holistic():
    """The ``mediapipe.solutions.holistic`` module, or a ``DetectorError`` saying what to install."""
    quiet_environment()
    try:
        with silenced_stderr(), _lean_mediapipe_import():
            import mediapipe as mp  # noqa: PLC0415
    except ImportError as e:
        raise DetectorError(f"MediaPipe is not installed ({e}); install {MEDIAPIPE_REQUIREMENT}") from e
    version = getattr(mp, "__version__", "?")
    try:
        from mediapipe.python.solutions import holistic  # noqa: PLC0415
    except ImportError:
        holistic = getattr(getattr(mp, "solutions", None), "holistic", None)
    if holistic is None or not hasattr(holistic, "Holistic"):
        raise DetectorError(f"mediapipe {version} has no solutions.holistic; install {MEDIAPIPE_REQUIREMENT}")
    return holistic


def results_to_layout(results) -> np.ndarray:
    """A MediaPipe Holistic result -> float32 [203, 4] in the shared layout."""
    out = np.zeros((L.NUM_POINTS, L.NUM_CHANNELS), np.float32)
    pose = getattr(results, "pose_landmarks", None)
    if pose is not None:
        arr = np.array([(p.x, p.y, p.z, p.visibility) for p in pose.landmark], np.float32)
        out[L.POSE.start:L.POSE.start + len(arr)] = arr[:len(L.POSE_POINTS)]
    face = getattr(results, "face_landmarks", None)
    if face is not None:
        arr = np.array([(p.x, p.y, p.z) for p in face.landmark], np.float32)
        if len(arr) > _FACE_IDX.max():
            out[L.FACE.slice, :3] = arr[_FACE_IDX]
            out[L.FACE.slice, 3] = 1.0
    for comp, attr in ((L.LEFT_HAND, "left_hand_landmarks"), (L.RIGHT_HAND, "right_hand_landmarks")):
        hand = getattr(results, attr, None)
        if hand is not None:
            arr = np.array([(p.x, p.y, p.z) for p in hand.landmark], np.float32)
            out[comp.start:comp.start + len(arr), :3] = arr[:21]
            out[comp.slice, 3] = 1.0
    out = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
    out[out[:, 3] <= 0] = 0.0
    return hide_legs(out[None])[0]


def _as_result(outputs: dict):
    """A pipelined frame's outputs as the attribute record ``process`` returns."""
    import types  # noqa: PLC0415

    res = types.SimpleNamespace(**outputs)
    if getattr(res, "pose_landmarks", None) is not None:  # as Holistic.process does
        for lm in res.pose_landmarks.landmark:
            lm.ClearField("presence")
    return res


class HolisticDetector:
    """One MediaPipe Holistic instance kept for the whole stream.

    ``static_image_mode=False`` (default) tracks between frames of one video/camera;
    use ``True`` for unrelated photos. Not thread-safe: one detector per thread."""

    QUIET_CALLS = 30  # stderr is silenced while building and for the first frames (graphs log then)

    def __init__(self, static_image_mode: bool = False, model_complexity: int = 1, refine_face: bool = False,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 smooth_landmarks: bool = True, quiet: bool = True):
        if model_complexity != 1:
            raise DetectorError(f"model_complexity={model_complexity} would download a model; only 1 ships with "
                                f"{MEDIAPIPE_REQUIREMENT}")
        holistic = import_holistic()
        self.static_image_mode = bool(static_image_mode)
        self._quiet = quiet
        self._calls = 0
        self._pose_frames = 0
        try:
            with silenced_stderr(quiet):
                self._h = holistic.Holistic(
                    static_image_mode=self.static_image_mode, model_complexity=1,
                    smooth_landmarks=smooth_landmarks, refine_face_landmarks=refine_face,
                    min_detection_confidence=min_detection_confidence,
                    min_tracking_confidence=min_tracking_confidence,
                )
                # The graph opens its calculators on worker threads after start_run returns;
                # they log (TFLite's XNNPACK line) then. Wait for them while stderr is quiet.
                graph = getattr(self._h, "_graph", None)
                if graph is not None and hasattr(graph, "wait_until_idle"):
                    graph.wait_until_idle()
        except Exception as e:  # a broken install fails here, with MediaPipe's own exception types
            raise DetectorError(f"MediaPipe Holistic cannot start ({e.__class__.__name__}: {str(e)[:200]}); "
                                f"is {MEDIAPIPE_REQUIREMENT} installed?") from e

    @staticmethod
    def _rgb(image_bgr: np.ndarray) -> np.ndarray:
        import cv2  # noqa: PLC0415

        img = np.asarray(image_bgr)
        if img.ndim == 2:
            rgb = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
        elif img.ndim == 3 and img.shape[2] == 4:
            rgb = cv2.cvtColor(img, cv2.COLOR_BGRA2RGB)
        elif img.ndim == 3 and img.shape[2] == 3:
            rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        else:
            raise ValueError(f"expected a BGR image [H, W, 3], got shape {img.shape}")
        if rgb.dtype != np.uint8:
            rgb = np.clip(rgb, 0, 255).astype(np.uint8)
        rgb.flags.writeable = False
        return rgb

    def _quiet_now(self) -> bool:
        # The C++ side logs while it builds its graphs on the first frames (and when a
        # hand first shows up); keep those quiet without hiding our own later output.
        # The landmark projection logs once when the first person shows up, however late.
        return self._quiet and (self._calls < self.QUIET_CALLS or (self._pose_frames < 2 and self._calls < 3000))

    def _count(self, res) -> None:
        self._calls += 1
        if getattr(res, "pose_landmarks", None) is not None:
            self._pose_frames += 1

    def process(self, image_bgr: np.ndarray):
        """The raw MediaPipe result for one BGR (or grey / BGRA) uint8 image."""
        if self._h is None:
            raise DetectorError("detector is closed")
        rgb = self._rgb(image_bgr)
        self._flush_pipeline()
        with silenced_stderr(self._quiet_now()):
            res = self._h.process(rgb)
        self._count(res)
        return res

    def detect(self, image_bgr: np.ndarray, timestamp: float | None = None) -> np.ndarray:
        """One image -> float32 [203, 4]. ``timestamp`` is accepted for the protocol (the
        legacy solution keeps its own clock: frames must come in order)."""
        return results_to_layout(self.process(image_bgr))

    # ------------------------------------------------------------ several frames in the graph at once
    _pipe = None             # keypoints.pipelined.GraphPipeline, made on the first pipelined frame
    _done: list | None = None  # finished frames not yet returned by results()

    def submit(self, image_bgr: np.ndarray) -> None:
        """Queue one picture; ``results`` hands back the keypoints, in order. While start-up logging
        is held back (the first frames, until a person is seen) a picture runs at once, as
        ``detect`` does; after that several pictures are in the graph together, so its pose model
        works on the next picture while the hand models finish this one (keypoints unchanged)."""
        if self._h is None:
            raise DetectorError("detector is closed")
        if self._done is None:
            self._done = []
        if self._pipe is None and self._quiet_now():
            self._done.append(self.detect(image_bgr))
            return
        from .pipelined import GraphPipeline  # noqa: PLC0415

        rgb = self._rgb(image_bgr)
        if self._pipe is None:
            self._pipe = GraphPipeline(self._h)
        self._pipe.submit(rgb)

    @property
    def in_flight(self) -> int:
        """Pictures submitted whose keypoints ``results`` has not returned yet."""
        return len(self._done or ()) + (self._pipe.in_flight if self._pipe is not None else 0)

    def results(self, max_in_flight: int = 0) -> list[np.ndarray]:
        """[203, 4] keypoints of the oldest submitted pictures, in order: all that are finished, after
        waiting until at most ``max_in_flight`` pictures are still in the graph."""
        from .pipelined import PipelineError  # noqa: PLC0415

        out, self._done = list(self._done or ()), []
        if self._pipe is not None:
            try:
                got = self._pipe.results(max_in_flight)
            except PipelineError as e:
                raise DetectorError(str(e)) from e
            for res in got:
                res = _as_result(res)
                self._count(res)
                out.append(results_to_layout(res))
        return out

    def _flush_pipeline(self) -> None:
        """Finish what is in the graph before a synchronous call (kept for ``results``)."""
        if self._pipe is not None and self._pipe.in_flight:
            self._done = (self._done or []) + self.results(0)

    def reset(self) -> None:
        """Forget the tracking before an unrelated clip: one blank frame makes the next frame a
        fresh detection (cheaper than a new graph; the trick pose-format's pool uses). Not bit
        exact: landmark/visibility smoothing keeps a little state (differences ~0.01); use a
        new detector where results must not depend on what came before."""
        if self._h is not None and not self.static_image_mode:
            self.process(np.full((64, 64, 3), 255, np.uint8))

    def close(self) -> None:
        if getattr(self, "_h", None) is not None:
            try:
                self._flush_pipeline()
            except DetectorError:
                pass  # closing anyway
            with silenced_stderr(self._quiet):
                self._h.close()
            self._h = None

    def __enter__(self) -> "HolisticDetector":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):  # pragma: no cover - best effort
        # Closing a MediaPipe graph during interpreter shutdown deadlocks (the process never
        # exits): a detector still open at exit is left to the OS instead.
        if sys.is_finalizing():
            return
        try:
            self.close()
        except Exception:
            pass
