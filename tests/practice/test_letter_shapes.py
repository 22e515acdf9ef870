"""The shipped target handshapes (resources/letter_shapes.npz, built by tools/letter_shapes.py)."""
import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.practice.letter_shapes import hand_shape, has_shapes, letter_frames, letter_hand


def test_shipped_shapes_cover_american_and_move_for_j_and_z():
    assert has_shapes("ase") and has_shapes("gsg") and not has_shapes("xyz")
    b, j, z = (letter_hand("ase", c) for c in "BJZ")
    assert b.shape == (1, 21, 3) and len(j) > 1 and len(z) > 1  # still letter: one frame; moving: several
    assert 0 <= b[..., :2].min() and b[..., :2].max() <= 1
    f = letter_frames("ase", "J")
    assert f.shape == (len(j), L.NUM_POINTS, 4) and (f[:, L.RIGHT_HAND.slice, 3] == 1).all()
    assert letter_frames("ase", "Ü") is None and letter_frames("xyz", "A") is None


def test_hand_shape_keeps_one_frame_of_a_still_hand_and_several_of_a_moving_one():
    rng = np.random.default_rng(0)
    hand = rng.normal(0.5, 0.05, (1, 21, 2)) + rng.normal(0, 0.002, (30, 21, 2))  # one shape, a little jitter
    still = np.concatenate([hand, np.ones((30, 21, 1))], -1)
    moving = still.copy()
    moving[..., 0] += np.linspace(0, 0.5, 30)[:, None]
    assert hand_shape(still).shape == (1, 21, 3) and len(hand_shape(moving)) > 1
    assert hand_shape(np.zeros((10, 21, 3))) is None  # the hand never seen: no picture
