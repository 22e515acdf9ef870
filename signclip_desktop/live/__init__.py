"""The live pipeline, in plain Python threads (no Qt): what the window, the bench and the
fault suite run. ``LiveSession`` is the one door; the rest is what crosses it.

* ``slots.py``: latest-value slot, bounded mailbox, rate meter, keypoint tap, counters;
* ``feeds.py``: ``SourceSpec`` and the feeds (camera, video file, keypoint file, demo) on the
  ``sources/`` readers;
* ``display.py``: ``DisplayFrame``, the picture scaled for the view on the capture thread;
* ``capture.py`` / ``inference.py``: the two worker threads;
* ``config.py`` / ``events.py``: the frozen ``LiveConfig`` and the event values;
* ``session.py``: ``LiveSession``;
* ``pool.py`` / ``thread_pool.py`` / ``pooled.py``: the detector pool in worker processes or on threads
  (the app's default where it may use 2 cores), and the capture loop's side of it.
"""
from .config import LiveConfig
from .display import DisplayFrame, display_transform
from .events import ErrorEvent, Event, FrameEvent, PredictionEvent, StatsEvent, StatusEvent
from .feeds import Feed, KeypointFeed, SourceSpec, demo_path, load_keypoint_file, open_feed
from .session import LiveSession
from .slots import KeypointTap, LatestSlot, Mailbox, RateMeter, Stats

__all__ = [
    "LiveConfig", "DisplayFrame", "display_transform", "ErrorEvent", "Event", "FrameEvent", "PredictionEvent",
    "StatsEvent", "StatusEvent", "Feed", "KeypointFeed", "SourceSpec", "demo_path", "load_keypoint_file",
    "open_feed", "LiveSession", "KeypointTap", "LatestSlot", "Mailbox", "RateMeter", "Stats",
]
