"""``signing_hands_path``: the handshape as ``signing_hands`` gives it, and the hand's path kept."""
import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.normalize import normalize


def _hand_tracing(n=24, step=0.02, palm=0.05, seed=0):
    """A right hand of fixed shape whose wrist moves ``step`` per frame along x (a Z stroke)."""
    rng = np.random.default_rng(seed)
    shape = rng.normal(0, palm, (21, 2)).astype(np.float32)
    shape[L.HAND_WRIST] = 0.0
    shape[L.HAND_MIDDLE_MCP] = (0.0, -palm)
    f = L.empty_frames(n)
    wrist = np.stack([0.4 + step * np.arange(n), np.full(n, 0.5)], axis=1)
    f[:, L.RIGHT_HAND.slice, :2] = wrist[:, None, :] + shape[None]
    f[:, L.RIGHT_HAND.slice, 3] = 1.0
    return f


def test_the_path_stays_and_the_shape_is_the_per_frame_one():
    f = _hand_tracing()
    per_frame = normalize(f, "signing_hands")[:, L.RIGHT_HAND.slice]
    path = normalize(f, "signing_hands_path")[:, L.RIGHT_HAND.slice]
    wrist = path[:, L.HAND_WRIST, :2]
    np.testing.assert_allclose(wrist.mean(axis=0), 0.0, atol=1e-5)  # centred on the window's mean wrist
    np.testing.assert_allclose(np.diff(wrist[:, 0]), 0.02 / 0.05, rtol=1e-4)  # the stroke, in palm lengths
    np.testing.assert_allclose(np.abs(per_frame[:, L.HAND_WRIST, :2]).max(), 0.0)  # per frame: no stroke
    np.testing.assert_allclose(path[..., :2] - wrist[:, None], per_frame[..., :2], atol=1e-5)


def test_a_still_hand_reads_as_with_per_frame_centring_and_missing_frames_stay_missing():
    f = _hand_tracing(step=0.0)
    f[5, L.RIGHT_HAND.slice] = 0.0  # a frame without the hand
    per_frame = normalize(f, "signing_hands")
    path = normalize(f, "signing_hands_path")
    np.testing.assert_allclose(path, per_frame, atol=1e-5)
    assert (path[5, L.RIGHT_HAND.slice] == 0).all() and (path[:, L.LEFT_HAND.slice] == 0).all()
