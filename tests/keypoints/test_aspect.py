"""The model reads every picture as if it were 4:3 (the training data's webcams): one body filmed
at 16:9, 4:3 or on an upright phone gives the same encoder input once the picture's aspect is
known; the display keeps the picture's own coordinates."""
import time

import numpy as np
import pytest

from fakes import synthetic_signing, wait_for
from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.features import InputSpec, encode_input
from signclip_desktop.keypoints.normalize import REFERENCE_ASPECT, to_reference_aspect
from signclip_desktop.sources.base import KeypointSequence
from signclip_desktop.stream.clip import for_model, picture_aspect

BODY = synthetic_signing(60)  # image coordinates of a 4:3 picture
WORDS = InputSpec(components=("pose", "left_hand", "right_hand"), dims=("x", "y"))


def filmed_at(frames: np.ndarray, aspect: float) -> np.ndarray:
    """The same body in a picture of ``aspect``: same height, x as a fraction of another width."""
    out = frames.copy()
    vis = out[..., 3] > 0
    k = REFERENCE_ASPECT / aspect
    out[..., 0] = np.where(vis, 0.5 + (out[..., 0] - 0.5) * k, 0.0)
    out[..., 2] = np.where(vis, out[..., 2] * k, 0.0)
    return out


@pytest.mark.parametrize("aspect", [16 / 9, 9 / 16, 3 / 4, 1.0])
def test_one_body_at_any_aspect_gives_the_same_encoder_input(aspect):
    seen = filmed_at(BODY, aspect)
    want = encode_input(BODY, WORDS)
    np.testing.assert_allclose(encode_input(to_reference_aspect(seen, aspect), WORDS), want, atol=1e-5)
    # without the correction the model would see another shape (so this test can fail)
    assert np.abs(encode_input(seen, WORDS) - want).max() > 0.05


@pytest.mark.parametrize("aspect", [None, REFERENCE_ASPECT, float("nan"), 0.0, -1.0, 100.0, "wide"])
def test_unknown_or_implausible_aspects_change_nothing(aspect):
    out = to_reference_aspect(BODY, aspect)
    np.testing.assert_array_equal(out, BODY)
    assert out is not BODY


def test_missing_points_stay_exactly_zero():
    f = BODY.copy()
    f[:, L.LEFT_HAND.slice] = 0.0
    out = to_reference_aspect(f, 9 / 16)
    assert (out[:, L.LEFT_HAND.slice] == 0).all()
    assert (out[:, L.POSE.slice, 1] == f[:, L.POSE.slice, 1]).all()  # y is never touched


def test_a_sequence_from_pictures_is_corrected_once():
    seq = KeypointSequence(filmed_at(BODY, 16 / 9), 30.0, meta={"width": 1920, "height": 1080})
    assert picture_aspect(seq) == pytest.approx(16 / 9)
    once = for_model(seq)
    np.testing.assert_allclose(once.frames, BODY, atol=1e-6)
    assert once.meta["picture_aspect"] == pytest.approx(16 / 9) and seq.frames is not once.frames
    assert for_model(once) is once  # already as the model reads it
    bare = KeypointSequence(BODY, 30.0)  # keypoint data: the picture size is unknown
    assert picture_aspect(bare) is None and for_model(bare) is bare
    assert for_model(KeypointSequence(BODY, 30.0, meta={"width": "x", "height": 0})).frames is BODY


def test_a_pose_file_is_read_for_the_model_at_its_header_aspect(shared_data):
    from signclip_desktop.sources.pose_io import read_pose_sequence
    from signclip_desktop.stream.clip import load_clip

    path = shared_data / "fixtures" / "pose" / "6fb01565da31c5500d1ef2cd2906b06b.pose"
    raw = read_pose_sequence(path)
    got = load_clip(path)
    assert raw.meta["width"] / raw.meta["height"] != pytest.approx(REFERENCE_ASPECT)  # 640x360: a real correction
    np.testing.assert_allclose(got.frames, to_reference_aspect(raw.frames, raw.meta["width"] / raw.meta["height"]))


def test_the_live_session_feeds_the_model_4_3_and_the_display_the_picture(tiny_pack):
    from fakes import FakeDetector, value_image
    from signclip_desktop.live import LiveConfig, LiveSession, SourceSpec
    from signclip_desktop.live.feeds import Feed

    class Wide(Feed):  # a 16:9 video whose pictures all say x = 0.8
        kind, live, fps, aspect = "frames", False, 30.0, 16 / 9

        def next(self):
            time.sleep(0.005)
            return 0.0, value_image(204, size=(36, 64)), None, ""

        def restart(self) -> bool:
            return True

        def close(self) -> None:
            pass

    s = LiveSession(LiveConfig(pack_path=str(tiny_pack), providers="cpu"),
                    detector_factory=lambda: FakeDetector(delay=0.001), feed_factory=lambda spec, stats: Wide(),
                    pool=0)
    s.start(SourceSpec("file", path="wide.avi", loop=False, pace=False))
    try:
        assert wait_for(lambda: s.tap(1.0) is not None and s.peek_frame() is not None)
        _times, frames = s.tap(1.0)
        np.testing.assert_allclose(frames[-1, :, 0], 0.5 + 0.3 * (16 / 9) / REFERENCE_ASPECT, atol=1e-6)
        shown = s.peek_frame().frame
        assert shown.points[0, 0] == pytest.approx(0.8)  # the skeleton stays on the picture
    finally:
        assert s.stop(5.0)
