"""The resting-hand rule of the ``signing_hands`` normalisation (fingerspelling packs)."""
import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.features import InputSpec, encode_input
from signclip_desktop.keypoints.normalize import REST_HAND_PALMS, drop_resting_hand, normalize

HAND = np.random.default_rng(0).normal(0, 0.01, (21, 2))


def _hand(frames, comp, x, y, palm=0.05):
    """A hand at (x, y) whose wrist -> middle-MCP length is ``palm``."""
    h = np.zeros((21, 4), np.float32)
    h[:, :2] = HAND + (x, y)
    h[L.HAND_MIDDLE_MCP, :2] = h[L.HAND_WRIST, :2] + (0, -palm)
    h[:, 3] = 1
    frames[:, comp.slice] = h


def _two(dist_palms, lower="left"):
    f = L.empty_frames(6)
    up, down = (L.RIGHT_HAND, L.LEFT_HAND) if lower == "left" else (L.LEFT_HAND, L.RIGHT_HAND)
    _hand(f, up, 0.5, 0.3)
    _hand(f, down, 0.5, 0.3 + dist_palms * 0.05)
    return f, up, down


@pytest.mark.parametrize("lower", ["left", "right"])
def test_a_hand_far_below_the_other_is_dropped(lower):
    f, up, down = _two(REST_HAND_PALMS + 3, lower)
    out = drop_resting_hand(f)
    assert (out[:, down.slice] == 0).all()                  # marked missing: zeros, confidence 0
    np.testing.assert_array_equal(out[:, up.slice], f[:, up.slice])
    assert (f[:, down.slice, 3] == 1).all()                 # the input is not changed


def test_two_hands_spelling_together_are_kept():
    f, _, _ = _two(1.5)  # a two-handed letter (Indian, Czech, Turkish alphabets): hands close
    np.testing.assert_array_equal(drop_resting_hand(f), f)
    f, _, _ = _two(REST_HAND_PALMS - 0.5)
    np.testing.assert_array_equal(drop_resting_hand(f), f)


def test_one_hand_and_no_hands_are_unchanged():
    f = L.empty_frames(4)
    np.testing.assert_array_equal(drop_resting_hand(f), f)
    _hand(f, L.RIGHT_HAND, 0.5, 0.5)
    np.testing.assert_array_equal(drop_resting_hand(f), f)


def test_only_the_frames_with_a_resting_hand_change():
    f, up, down = _two(1.0)
    far, _, _ = _two(REST_HAND_PALMS + 4)
    f[2:4] = far[2:4]
    out = drop_resting_hand(f)
    assert (out[[0, 1, 4, 5], down.slice, 3] == 1).all() and (out[2:4, down.slice] == 0).all()


def test_signing_hands_is_hands_without_the_resting_hand():
    f, _, _ = _two(REST_HAND_PALMS + 3)
    np.testing.assert_array_equal(normalize(f, "signing_hands"), normalize(drop_resting_hand(f), "hands"))
    spec = InputSpec.from_dict({"components": ["left_hand", "right_hand"], "normalization": "signing_hands",
                                "dims": ["x", "y"]})
    x = encode_input(f, spec)
    assert x.shape == (6, 42, 3) and (x[:, :21, -1] == 0).all() and (x[:, 21:, -1] == 1).all()
    # the old "hands" packs keep reading both hands
    old = encode_input(f, InputSpec.from_dict({**spec.to_dict(), "normalization": "hands"}))
    assert (old[..., -1] == 1).all()
