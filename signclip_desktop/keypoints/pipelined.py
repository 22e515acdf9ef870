"""Feed one MediaPipe graph several pictures at a time, so its stages overlap.

``SolutionBase.process`` adds one picture and waits until the whole graph is idle, so the pose
model of frame t+1 cannot start while the hand models of frame t run: a legacy graph keeps about
one core busy. ``GraphPipeline`` adds pictures without waiting and collects each output stream
through MediaPipe's own observers (``SolutionBase`` observes every output with timestamp bounds,
so a stream that has nothing for a frame still says it is done with it). A frame's result is
complete when every output stream is done with its timestamp; results come back in submission
order. The graph and its models are the same, so the keypoints are exactly those of ``process``
(``tests/keypoints/test_pipelined.py``); with a free second core the frame rate rises
(docs/BENCHMARKS.md).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable


class PipelineError(RuntimeError):
    """The graph stopped answering (a frame did not complete in time)."""


class _Router(dict):
    """Stands in for ``SolutionBase._graph_outputs``: what the observers write still lands in
    the dict (so ``process`` keeps working) and is also handed to the pipeline."""

    def __init__(self, sink: Callable[[str, Any], None]):
        super().__init__()
        self.sink = sink

    def __setitem__(self, stream: str, packet) -> None:
        dict.__setitem__(self, stream, packet)
        self.sink(stream, packet)


class GraphPipeline:
    """Pictures in, per-frame outputs out, in order, with several frames in the graph at once.

    ``solution`` is a started ``SolutionBase`` (Holistic or a landmark graph). Not thread-safe
    on the caller's side: one thread submits and collects; MediaPipe's threads only call back.
    Do not mix with ``solution.process`` while frames are in flight (``results(0)`` first)."""

    def __init__(self, solution, timeout_s: float = 10.0):
        self._sol = solution
        self._streams = list(solution._output_stream_type_info)
        self._types = dict(solution._output_stream_type_info)
        (self._input, self._input_type), = solution._input_stream_type_info.items()
        self._cond = threading.Condition()
        self._pending: deque[int] = deque()
        self._pending_set: set[int] = set()
        self._outputs: dict[int, dict[str, Any]] = {}
        self._settled = {s: -1 for s in self._streams}
        self.timeout_s = float(timeout_s)
        solution._graph_outputs = _Router(self._on_packet)

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def _on_packet(self, stream: str, packet) -> None:
        ts = packet.timestamp.value
        with self._cond:
            if ts > self._settled.get(stream, ts):
                self._settled[stream] = ts
            if ts in self._pending_set and not packet.is_empty():
                self._outputs.setdefault(ts, {})[stream] = self._sol._get_packet_content(self._types[stream], packet)
            self._cond.notify_all()

    def submit(self, rgb) -> None:
        """Add one RGB uint8 picture (read-only is fine) at the next timestamp; returns at once."""
        sol = self._sol
        sol._simulated_timestamp += 33333  # the same clock as process(): 30 frames/s
        ts = sol._simulated_timestamp
        with self._cond:
            self._pending.append(ts)
            self._pending_set.add(ts)
        packet = sol._make_packet(self._input_type, rgb).at(ts)
        sol._graph.add_packet_to_input_stream(stream=self._input, packet=packet)

    def _complete(self, ts: int) -> bool:
        return all(self._settled[s] >= ts for s in self._streams)

    def results(self, max_in_flight: int = 0) -> list[dict[str, Any]]:
        """Outputs of the oldest frames, in order: every frame already complete, and first waiting
        until at most ``max_in_flight`` remain in the graph. A missing output is None (nothing
        found, as ``process`` gives it). Raises ``PipelineError`` if the graph stalls."""
        out = []
        deadline = time.monotonic() + self.timeout_s
        with self._cond:
            while self._pending:
                ts = self._pending[0]
                if not self._complete(ts):
                    if len(self._pending) <= max_in_flight:
                        break
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise PipelineError(f"a frame did not come back from the landmark graph in {self.timeout_s:g} s")
                    self._cond.wait(min(left, 0.5))
                    continue
                self._pending.popleft()
                self._pending_set.discard(ts)
                got = self._outputs.pop(ts, {})
                out.append({s: got.get(s) for s in self._streams})
        return out
