"""Several pictures in one MediaPipe graph at once (``keypoints/pipelined.py``): results come back
complete and in order, a stalled graph is an error (not a hang), and on real video frames the
keypoints are exactly those of one picture at a time."""
import queue
import threading
import time

import numpy as np
import pytest

from signclip_desktop.keypoints import landmark_graph as G
from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.pipelined import GraphPipeline, PipelineError


class _Packet:
    def __init__(self, data=None, ts=None):
        self.data, self._ts = data, ts

    def at(self, ts):
        return _Packet(self.data, ts)

    @property
    def timestamp(self):
        return type("T", (), {"value": self._ts})()

    def is_empty(self):
        return self.data is None


class _Graph:
    """Answers the pictures from another thread, in order (a MediaPipe stream never goes back in time):
    stream "pose" at once, stream "hand" later and empty for odd frames (nothing found there: only its
    timestamp bound moves), so a frame's streams arrive apart."""

    def __init__(self, sol, answer=True):
        self.sol, self.answer = sol, answer
        self.queue = queue.Queue()
        threading.Thread(target=self._reply, daemon=True).start()

    def add_packet_to_input_stream(self, stream, packet):
        if self.answer:
            self.queue.put((packet._ts, packet.data))

    def _reply(self):
        while True:
            ts, value = self.queue.get()
            self.sol._graph_outputs["pose"] = _Packet(("pose", value), ts)
            time.sleep(0.01)
            self.sol._graph_outputs["hand"] = _Packet(None if value % 2 else ("hand", value), ts)


class _Solution:
    def __init__(self, answer=True):
        self._output_stream_type_info = {"pose": None, "hand": None}
        self._input_stream_type_info = {"image": None}
        self._simulated_timestamp = 0
        self._graph_outputs = {}
        self._graph = _Graph(self, answer)

    def _make_packet(self, kind, data):
        return _Packet(data)

    def _get_packet_content(self, kind, packet):
        return packet.data


def test_results_are_complete_and_in_order():
    pipe = GraphPipeline(_Solution())
    for v in range(5):
        pipe.submit(v)
    assert pipe.in_flight == 5
    first = pipe.results(3)  # wait until at most 3 remain
    assert 2 <= len(first) and pipe.in_flight == 5 - len(first)
    out = first + pipe.results(0)
    assert [r["pose"] for r in out] == [("pose", v) for v in range(5)]
    assert [r["hand"] for r in out] == [("hand", 0), None, ("hand", 2), None, ("hand", 4)]
    assert pipe.in_flight == 0 and pipe.results(0) == []


def test_a_graph_that_never_answers_is_an_error_not_a_hang():
    pipe = GraphPipeline(_Solution(answer=False), timeout_s=0.2)
    pipe.submit(1)
    assert pipe.results(1) == []  # nothing to wait for yet
    t0 = time.monotonic()
    with pytest.raises(PipelineError):
        pipe.results(0)
    assert time.monotonic() - t0 < 2


@pytest.mark.slow  # two MediaPipe graphs on 30 real frames
def test_real_frames_give_the_keypoints_of_one_picture_at_a_time(shared_data):
    import cv2

    files = sorted((shared_data / "images" / "silfa" / "J").glob("*.jpg"))[:30]
    frames = [cv2.imread(str(f)) for f in files]
    one = G.make_detector(need=G.POSE_HANDS)
    try:
        ref = np.stack([one.detect(im) for im in frames])
    finally:
        one.close()
    det = G.make_detector(need=G.POSE_HANDS, quiet=False)  # not quiet: pipelined from the first picture
    try:
        got = []
        for im in frames:
            det.submit(im)
            got += det.results(1)
            assert det.in_flight <= 1
        got += det.results(0)
        assert det._pipe is not None  # the pictures really overlapped in the graph
        det.submit(frames[0])
        mixed = det.detect(frames[1])  # a synchronous call finishes what is in flight first
        got_after = det.results(0)
    finally:
        det.close()
    assert len(got) == len(frames)
    np.testing.assert_array_equal(np.stack(got), ref)
    assert len(got_after) == 1 and mixed.shape == ref[0].shape
    hands = (ref[:, L.LEFT_HAND.start, 3] > 0) | (ref[:, L.RIGHT_HAND.start, 3] > 0)
    assert hands.sum() >= 10 and (ref[:, L.POSE.start, 3] > 0).all()  # real hands and a body were compared
