"""LiveSession, the one door: typed config, consistent taps under a fast writer, prototypes
applied on the inference thread, a bad configure that fails at the call and kills nothing."""
import dataclasses
import threading
import time

import numpy as np
import pytest

from fakes import synthetic_signing, wait_for
from signclip_desktop.keypoints import layout as L
from signclip_desktop.live import (ErrorEvent, KeypointFeed, KeypointTap, LiveConfig, LiveSession, PredictionEvent,
                                   SourceSpec, StatusEvent)
from signclip_desktop.sources.base import KeypointSequence
from signclip_desktop.stream.window import KeypointWindow

FRAMES = synthetic_signing(200)


class Events:
    def __init__(self):
        self.items, self.lock = [], threading.Lock()

    def __call__(self, ev):
        with self.lock:
            self.items.append(ev)

    def of(self, name):
        with self.lock:
            return [e for e in self.items if e.name == name]


def fast_feed(spec, stats):
    """A keypoint source with no pacing: as many frames per second as the capture thread can push."""
    return KeypointFeed([KeypointSequence(FRAMES, 30.0)], 30.0, stats, pace=False)


@pytest.fixture
def session(tiny_pack):
    ev = Events()
    s = LiveSession(LiveConfig(pack_path=str(tiny_pack), providers="cpu"), on_event=ev, feed_factory=fast_feed)
    s.events = ev
    s.start(SourceSpec("file", path="fast.npz", loop=True, pace=False))
    yield s
    assert s.stop(5.0)
    assert s.threads_alive == []


def test_every_tap_is_consistent_under_a_fast_writer(session):
    assert wait_for(lambda: session.stats().frames_recognised > 50)
    n, start = 0, session.stats().frames_recognised
    # tap until the writer has really run meanwhile; a deadline, not a fixed span, so a busy machine
    # only makes it slower
    end = time.monotonic() + 30.0
    while (n <= 50 or session.stats().frames_recognised <= start + 20) and time.monotonic() < end:
        got = session.tap(0.5)
        if got is None:  # just after a loop restart the tap is empty
            continue
        times, frames = got
        assert len(times) == len(frames) and frames.shape[1:] == (L.NUM_POINTS, L.NUM_CHANNELS)
        assert np.all(np.diff(times) > 0) and times[-1] - times[0] <= 0.5 + 1e-6
        n += 1
    assert n > 50 and session.stats().frames_recognised > start + 20  # the writer really ran meanwhile
    frames_a = session.tap(1.0)[1]
    frames_a[:] = 123.0  # a copy: scribbling on it changes nothing in the session
    assert not (session.tap(1.0)[1] == 123.0).all()


def test_configure_with_a_bad_field_raises_at_the_call_and_the_session_keeps_running(session):
    assert wait_for(lambda: session.events.of("update"))
    with pytest.raises(TypeError):
        session.configure(dataclasses.replace(session.config, topk=3))  # a typo for top_k
    with pytest.raises(ValueError):
        session.configure(dataclasses.replace(session.config, top_k=0))
    with pytest.raises(ValueError):
        session.configure(dataclasses.replace(session.config, sensitivity=float("nan")))
    with pytest.raises(TypeError):
        session.configure({"top_k": 3})
    assert session.config.top_k == 5  # nothing changed
    session.configure(dataclasses.replace(session.config, top_k=2))
    assert wait_for(lambda: session.applied_config is not None and session.applied_config.top_k == 2)
    n = len(session.events.of("update"))
    assert wait_for(lambda: len([e for e in session.events.of("update")[n:] if e.prediction is not None]) >= 2)
    # the newest update may be one without a guess (the stream keeps running): read the newest guess
    newest = [e for e in session.events.of("update")[n:] if e.prediction is not None][-1]
    assert len(newest.prediction.top) == 2  # the new config reached the recogniser
    assert session.threads_alive == ["capture", "inference"]
    assert not session.events.of("worker_error")


def test_prototypes_are_applied_on_the_inference_thread(session, monkeypatch, tiny_pack):
    from signclip_desktop.model.pack import Label
    from signclip_desktop.model.scorer import Scorer

    threads = []
    real = Scorer.set_prototypes

    def spy(self, items):
        out = real(self, items)
        threads.append(threading.current_thread().name)  # after: the check below must not race the call
        return out

    monkeypatch.setattr(Scorer, "set_prototypes", spy)
    assert wait_for(lambda: session.pack is not None)
    dim = session.pack.label_embeddings.shape[1]
    session.set_prototypes([(Label("mine", "mine", "und"), np.ones((2, dim), np.float32))])
    assert wait_for(lambda: threads)
    assert set(threads) == {"signclip-inference"}  # never the caller's thread
    rec = session._inference._recognizer  # white-box: the scorer on the worker thread has it
    assert "mine" in {lab.id for lab in rec.scorer.labels}


def test_events_are_typed_and_frozen(session):
    assert wait_for(lambda: session.events.of("update") and session.events.of("pack_loaded"))
    up = session.events.of("update")[-1]
    assert isinstance(up, PredictionEvent) and isinstance(session.events.of("pack_loaded")[0], StatusEvent)
    with pytest.raises(dataclasses.FrozenInstanceError):
        up.pack_path = "x"
    rec = up.to_record()
    assert list(rec) == ["t", "current", "top", "confidence", "known", "final", "inference_ms"]
    st = session.stats()
    assert st.source == "Keypoints" and st.frames_shown > 0
    ev = ErrorEvent("source_error", "x.mp4: file not found", "file not found")
    assert ev.name == "source_error"


def test_source_spec_is_frozen_and_checked():
    spec = SourceSpec("file", path="a.mp4")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.loop = False
    with pytest.raises(ValueError):
        SourceSpec("webcam")
    with pytest.raises(TypeError):
        LiveSession().set_source({"kind": "demo"})


def _fast_writer(push, stop, pushed):
    i = 0
    while not stop.is_set():
        push(i / 30.0, FRAMES[i % len(FRAMES)])
        i += 1
        pushed[0] = i


@pytest.mark.parametrize("which", ["window", "tap"])
def test_latest_is_never_torn_under_a_fast_writer(which):
    """KeypointWindow.latest (read across threads) and the session's KeypointTap: times and
    frames of equal length in every read while another thread appends."""
    buf = KeypointWindow(30.0, 16, 4, keep_seconds=1.0) if which == "window" else KeypointTap(1.0)
    stop = threading.Event()
    pushed = [0]
    t = threading.Thread(target=_fast_writer, args=(buf.push, stop, pushed))
    t.start()
    reads = bad = interleaved = 0
    try:
        # Counted, not time-boxed: stop after 100 reads with a write between them and the read before
        # (a loaded CI machine gives this thread few GIL turns; an idle one many reads per turn).
        deadline = time.monotonic() + 30.0
        while interleaved < 100 and time.monotonic() < deadline:
            before = pushed[0]
            times, frames = buf.latest(0.5)
            reads += 1
            bad += len(times) != len(frames)
            interleaved += pushed[0] != before
    finally:
        stop.set()
        t.join()
    assert bad == 0
    assert interleaved == 100, (reads, pushed[0], interleaved)
