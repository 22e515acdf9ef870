"""The pure parts of perf/detectors.py: the pool rule and the keypoint difference table."""
import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.live.pooled import pool_workers_for
from signclip_desktop.perf.detectors import component_diffs


def test_no_pool_without_spare_cores():
    assert pool_workers_for(2, 0.0) == 0          # this machine: one core for the app leaves one
    assert pool_workers_for(3, 0.0) == 2          # 3 idle cores: 1 for the app, 2 workers
    assert pool_workers_for(4, 2.0) == 0          # ... not while something else keeps 2 busy
    assert pool_workers_for(4, 0.5) == 2
    assert pool_workers_for(16, 1.0) == 4         # capped
    assert pool_workers_for(16, 1.0, max_workers=8) == 8
    assert pool_workers_for(16, 40.0) == 0        # overloaded: never negative
    assert pool_workers_for(None, None) == 0 and pool_workers_for(0, 0.0) == 0
    assert pool_workers_for(16, 0.0, detector_cores=2.0) == 4 and pool_workers_for(5, 0.0, detector_cores=2.0) == 2


def test_no_pool_without_memory_for_it():
    assert pool_workers_for(16, 0.0, free_mem_mb=10_000) == 4
    assert pool_workers_for(16, 0.0, free_mem_mb=1_000) == 2     # 400 MB a worker
    assert pool_workers_for(16, 0.0, free_mem_mb=700) == 0       # room for one: no pool
    assert pool_workers_for(16, 0.0, free_mem_mb=-5) == 0


def test_one_worker_is_never_the_answer():
    assert all(pool_workers_for(n, l, m) != 1 for n in range(1, 33) for l in np.arange(0, 8, 0.25)
               for m in (None, 500, 900, 5000))


def test_component_diffs_counts_and_measures():
    ref = np.zeros((3, L.NUM_POINTS, 4), np.float32)
    ref[:, L.POSE.slice] = 0.5
    ref[:, L.LEFT_HAND.slice] = 0.25
    got = ref.copy()
    got[1, L.POSE.start, 0] += 0.01                 # one pose x moves by 0.01
    got[2, L.LEFT_HAND.slice] = 0                    # the graph misses the left hand in frame 2
    d = component_diffs(ref, got)
    assert d["pose"]["found_both"] == 3 and np.isclose(d["pose"]["max_abs_xy"], 0.01)
    assert d["pose"]["median_abs_xy"] == 0.0
    assert (d["left_hand"]["found_ref"], d["left_hand"]["found_graph"], d["left_hand"]["found_both"]) == (3, 2, 2)
    assert d["left_hand"]["max_abs_xy"] == 0.0
    assert d["right_hand"]["found_both"] == 0 and d["right_hand"]["max_abs_xy"] is None


def test_alternating_passes_swap_order_and_count_frames():
    from signclip_desktop.perf.detectors import _alternating

    order = []
    a, b = _alternating(4, lambda: order.append("a") or 10, lambda: order.append("b") or 20)
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert len(a) == len(b) == 4 and all(v > 0 for v in a + b)
