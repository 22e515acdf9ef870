"""The pure parts of perf/detectors.py: the pool rule and the keypoint difference table."""
import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.perf.detectors import component_diffs, pool_workers_for


def test_no_pool_without_spare_cores():
    assert pool_workers_for(2, 0.0) == 0          # this machine: a pool cannot pay
    assert pool_workers_for(4, 0.0) == 2          # 4 idle cores: 1 for the app, 2 workers
    assert pool_workers_for(4, 2.0) == 0          # ... but not while something else keeps 2 busy
    assert pool_workers_for(16, 1.0) == 4         # capped
    assert pool_workers_for(16, 1.0, max_workers=8) == 8
    assert pool_workers_for(16, 40.0) == 0        # overloaded: never negative
    assert pool_workers_for(None, None) == 0 and pool_workers_for(0, 0.0) == 0
    # one worker never pays (same loop plus a process hop): 0 or >= 2
    assert all(pool_workers_for(n, l) != 1 for n in range(1, 33) for l in np.arange(0, 8, 0.25))


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
