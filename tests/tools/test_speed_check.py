import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.tools.speed_check import clip_motion, tempo


def _waving(t=30, step=0.02):
    """Shoulders 0.2 apart, a right hand moving ``step`` per frame along x."""
    f = np.zeros((t, L.NUM_POINTS, 4), np.float32)
    f[:, L.LEFT_SHOULDER, :2] = (0.6, 0.5)
    f[:, L.RIGHT_SHOULDER, :2] = (0.4, 0.5)
    f[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 3] = 1.0
    hand = L.RIGHT_HAND
    f[:, hand.start:hand.stop, 0] = 0.3 + step * np.arange(t)[:, None]
    f[:, hand.start:hand.stop, 1] = 0.4
    f[:, hand.start:hand.stop, 3] = 1.0
    return f


def test_motion_is_in_shoulder_widths_per_frame():
    assert abs(clip_motion(_waving()) - 0.1) < 1e-4


def test_motion_needs_shoulders_and_a_hand():
    f = _waving()
    f[:, L.RIGHT_HAND.start:L.RIGHT_HAND.stop] = 0
    assert clip_motion(f) is None
    g = _waving()
    g[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 3] = 0
    assert clip_motion(g) is None


def test_tempo_plays_the_clip_faster_at_the_same_frame_rate():
    f = _waving(t=30)
    fast = tempo(f, 2.0)
    assert 14 <= len(fast) <= 16
    assert abs(clip_motion(fast) - 0.2) < 0.01
    assert abs(clip_motion(tempo(f, 1.0)) - 0.1) < 1e-4
