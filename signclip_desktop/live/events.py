"""What a live session reports, as frozen values (safe to hand from a worker thread to any other).

Every event has a ``name``: ``frame``, ``update`` (a prediction), ``stats``, or the ``what``
of a status / error event.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

from .display import DisplayFrame
from .feeds import SourceSpec

StatusWhat = Literal["source_opened", "source_ended", "tracking_ready", "pack_loaded", "pack_missing",
                     "camera_back"]
ErrorWhat = Literal["source_error", "source_lost", "detector_error", "pack_error", "worker_error"]

LOG_FIELDS = ("label", "language", "score")  # per guess in the --log-predictions file


@dataclass(frozen=True)
class FrameEvent:
    """The newest frame for the view (the GUI takes it at its own pace; older ones are dropped)."""
    frame: DisplayFrame
    name = "frame"


@dataclass(frozen=True)
class PredictionEvent:
    """One ``RecognitionUpdate`` of the recogniser, and the pack that made it."""
    update: Any                     # stream.recognizer.RecognitionUpdate
    pack_path: str | None = None
    name = "update"

    @property
    def prediction(self):
        """The typed ``model.scorer.Prediction`` (None while nobody is signing)."""
        return self.update.prediction

    @property
    def top_labels(self) -> list[str]:
        pred = self.update.prediction
        return [g.label for g in pred.top] if pred is not None else []

    def to_record(self) -> dict:
        """The ``--log-predictions`` line: t, current, top, confidence, known, final, inference_ms
        (top/confidence/known come from ``Prediction.to_json``, the one serialiser; ``current`` is
        null while nothing known is being signed, ``known`` null while nobody signs)."""
        up = self.update
        pred = up.prediction
        js = pred.to_json(LOG_FIELDS, digits=5) if pred is not None else {"top": [], "confidence": None, "known": None}
        return {"t": round(float(up.timestamp), 4), "current": up.current, **js, "final": bool(up.final),
                "inference_ms": round(float(up.inference_ms), 3)}


@dataclass(frozen=True)
class StatsEvent:
    """A snapshot of the session's counters (the status line, ``--stats``)."""
    source: str                     # Camera | Video | Keypoints | "" (nothing playing yet)
    source_fps: float
    landmark_fps: float
    landmark_frames: int
    frames_recognised: int
    inference_ms: float
    detect_ms: float
    provider: str
    tracking: str                   # ready | loading | unavailable | idle
    first_frame_at: float | None
    first_landmark_at: float | None
    display_dropped: int
    keypoints_dropped: int
    frames_shown: int               # frames the capture thread published
    pool_workers: int = 0           # detectors of the pool in use (0: one detector, no pool)
    pipeline_depth: int = 0         # pictures the in-process detector works on at once (0: one at a time)
    name = "stats"


@dataclass(frozen=True)
class StatusEvent:
    what: StatusWhat
    source: SourceSpec | None = None   # source_opened / source_ended: the spec as given to set_source
    pack: Any = None                   # pack_loaded: the model.pack.Pack (read-only data)
    pack_path: str | None = None       # pack_loaded / pack_missing: the config's pack_path
    value: Any = None                  # camera_back: the camera index

    @property
    def name(self) -> str:
        return self.what


@dataclass(frozen=True)
class ErrorEvent:
    what: ErrorWhat
    message: str                       # a full sentence naming the file, for the user
    reason: str = ""                   # the short reason (SourceError.reason)
    source: SourceSpec | None = None   # source_error / source_lost
    path: str | None = None            # pack_error: the pack folder

    @property
    def name(self) -> str:
        return self.what


Event = Union[FrameEvent, PredictionEvent, StatsEvent, StatusEvent, ErrorEvent]
