"""The resting-hand rules: ``signing_hands`` (fingerspelling: the lower of two far-apart hands)
and ``signing_shoulders`` (words: a hand far below the shoulders)."""
import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.features import InputSpec, encode_input
from signclip_desktop.keypoints.normalize import (REST_BELOW_SHOULDERS, REST_HAND_PALMS, drop_resting_hand, normalize,
                                                  resting_hands)

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
    from signclip_desktop.keypoints.normalize import normalize_hands_path

    np.testing.assert_array_equal(normalize(f, "signing_hands_path"), normalize_hands_path(drop_resting_hand(f)))
    spec = InputSpec.from_dict({"components": ["left_hand", "right_hand"], "normalization": "signing_hands",
                                "dims": ["x", "y"]})
    x = encode_input(f, spec)
    assert x.shape == (6, 42, 3) and (x[:, :21, -1] == 0).all() and (x[:, 21:, -1] == 1).all()
    # the old "hands" packs keep reading both hands
    old = encode_input(f, InputSpec.from_dict({**spec.to_dict(), "normalization": "hands"}))
    assert (old[..., -1] == 1).all()


def _body(hand_below_sw, n=5):
    """Shoulders 0.2 wide at y 0.4, the right hand signing at the chin, the left hand
    ``hand_below_sw`` shoulder widths below the shoulders."""
    f = L.empty_frames(n)
    f[:, L.LEFT_SHOULDER] = [0.6, 0.4, 0, 1]
    f[:, L.RIGHT_SHOULDER] = [0.4, 0.4, 0, 1]
    _hand(f, L.RIGHT_HAND, 0.45, 0.3)
    _hand(f, L.LEFT_HAND, 0.7, 0.4 + hand_below_sw * 0.2)
    return f


def test_a_hand_far_below_the_shoulders_rests():
    f = _body(REST_BELOW_SHOULDERS + 0.6)  # on the desk
    out = drop_resting_hand(f, "below")
    assert (out[:, L.LEFT_HAND.slice] == 0).all()
    np.testing.assert_array_equal(out[:, L.RIGHT_HAND.slice], f[:, L.RIGHT_HAND.slice])
    assert resting_hands(f, "below")[:, 0].all() and not resting_hands(f, "below")[:, 1].any()
    low_sign = _body(REST_BELOW_SHOULDERS - 0.4)  # a sign made low, at the belly: kept
    np.testing.assert_array_equal(drop_resting_hand(low_sign, "below"), low_sign)


def test_below_needs_the_shoulders_and_the_words_rule_ignores_distance():
    f = _body(REST_BELOW_SHOULDERS + 0.6)
    f[:, L.LEFT_SHOULDER] = 0  # no body: the below rule cannot say
    np.testing.assert_array_equal(drop_resting_hand(f, "below"), f)
    far, _, _ = _two(REST_HAND_PALMS + 3)  # far apart, no body: a two-handed word sign may do that
    np.testing.assert_array_equal(drop_resting_hand(far, "below"), far)


def test_signing_shoulders_is_shoulders_without_the_resting_hand():
    f = _body(REST_BELOW_SHOULDERS + 0.6)
    np.testing.assert_array_equal(normalize(f, "signing_shoulders"),
                                  normalize(drop_resting_hand(f, "below"), "shoulders"))
    with pytest.raises(ValueError, match="rule"):
        resting_hands(f, "sideways")


def test_the_resting_hand_put_in_by_the_check_tool_is_one_the_words_rule_finds():
    """tools/resting_hand.py measures recognition with a hand on the desk: it goes into the empty
    slot, on that slot's side, low, and the ``below`` rule takes exactly it out again."""
    from signclip_desktop.tools.resting_hand import with_resting_hand

    f = _body(0.0)
    f[:, L.LEFT_HAND.slice] = 0  # one-handed sign: the left slot is empty
    desk = np.zeros((21, 3), np.float32)
    desk[:, 0], desk[:, 1] = -1.2, 2.0  # silfa-like: beside and two shoulder widths below
    out = with_resting_hand(f, desk)
    np.testing.assert_array_equal(out[:, L.RIGHT_HAND.slice], f[:, L.RIGHT_HAND.slice])
    assert (out[:, L.LEFT_HAND.slice, 3] == 1).all()
    assert (out[:, L.LEFT_HAND.slice, 0] > 0.6).all()  # on the left shoulder's side (x 0.6), mirrored there
    np.testing.assert_allclose(out[:, L.LEFT_HAND.slice, 1], 0.4 + 2.0 * 0.2, atol=1e-6)
    np.testing.assert_array_equal(drop_resting_hand(out, "below"), f)


def test_a_resting_hand_alone_is_hands_down_for_activity_trim_and_the_indicator():
    from signclip_desktop.gui.pages.live_mirror import hands_in_view
    from signclip_desktop.keypoints.normalize import hands_signing
    from signclip_desktop.stream.activity import ActivityDetector
    from signclip_desktop.stream.clip import hands_up, trim_span

    rest_only = _body(REST_BELOW_SHOULDERS + 0.6, n=30)
    rest_only[:, L.RIGHT_HAND.slice] = 0  # only the hand on the desk is in view
    assert not hands_signing(rest_only).any() and not hands_up(rest_only).any()
    assert not ActivityDetector()(rest_only, 30.0).signing
    assert not hands_in_view(rest_only[0])
    signing = _body(REST_BELOW_SHOULDERS + 0.6, n=30)  # the other hand signs meanwhile
    assert hands_signing(signing)[:, 1].all() and not hands_signing(signing)[:, 0].any()
    assert ActivityDetector()(signing, 30.0).signing and hands_in_view(signing[0])
    clip = np.concatenate([rest_only[:10], signing[:10], rest_only[:10]])
    a, b = trim_span(clip, 30.0, pad_s=0.0)
    assert (a, b) == (10, 20)  # hands up .. hands down, the resting hand throughout notwithstanding


def test_predict_says_when_only_a_resting_hand_was_seen():
    from signclip_desktop.commands.predict import nothing_seen

    rest_only = _body(REST_BELOW_SHOULDERS + 0.6)
    rest_only[:, L.RIGHT_HAND.slice] = 0
    assert "resting hand" in nothing_seen(rest_only)
    assert nothing_seen(_body(REST_BELOW_SHOULDERS + 0.6)) is None
    no_hands = _body(0.0)
    no_hands[:, L.LEFT_HAND.slice] = no_hands[:, L.RIGHT_HAND.slice] = 0
    assert nothing_seen(no_hands) == "no hands seen"


def test_the_hands_indicator_reads_display_points_as_the_model_does():
    """On a 16:9 picture the shoulders are narrower in x than the model reads them: a hand 1.2 model
    shoulder widths low is up (1.6 in the display's own units would look like resting)."""
    from signclip_desktop.gui.pages.live_mirror import hands_in_view

    f = L.empty_frames(1)
    f[0, L.LEFT_SHOULDER] = [0.55, 0.4, 0, 1]
    f[0, L.RIGHT_SHOULDER] = [0.45, 0.4, 0, 1]
    _hand(f, L.RIGHT_HAND, 0.47, 0.4 + 1.2 * 0.1 * (16 / 9) / (4 / 3), palm=0.02)
    assert hands_in_view(f[0], 16 / 9) and not hands_in_view(f[0])


def test_grading_says_when_only_a_resting_hand_was_seen():
    from signclip_desktop.practice.grading.verdict import not_graded_reason

    rest_only = _body(REST_BELOW_SHOULDERS + 0.6)
    rest_only[:, L.RIGHT_HAND.slice] = 0
    code, why = not_graded_reason(rest_only)
    assert code == "hand_not_seen" and "resting" in why
    assert not_graded_reason(_body(REST_BELOW_SHOULDERS + 0.6)) is None
