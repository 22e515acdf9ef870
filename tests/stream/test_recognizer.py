import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.model.encoder import Encoder
from signclip_desktop.model.pack import load_pack
from signclip_desktop.model.scorer import Guess, Prediction
from signclip_desktop.sources.base import KeypointFrame
from signclip_desktop.stream.activity import ActivityDetector
from signclip_desktop.stream.recognizer import Recognizer
from signclip_desktop.stream.stable import StableSign


def _person(n, hands=True, seed=0):
    rng = np.random.default_rng(seed)
    f = L.empty_frames(n)
    f[:, L.LEFT_SHOULDER, :] = [0.6, 0.5, 0, 1]
    f[:, L.RIGHT_SHOULDER, :] = [0.4, 0.5, 0, 1]
    if hands:
        t = np.arange(n)[:, None]
        f[:, L.RIGHT_HAND.slice, :2] = 0.4 + 0.05 * np.sin(t / 3)[:, :, None] + 0.01 * rng.random((n, 21, 2))
        f[:, L.RIGHT_HAND.slice, 3] = 1
    return f


def test_idle_frames_are_not_classified(tiny_pack):
    pack = load_pack(tiny_pack)
    rec = Recognizer(pack, Encoder(pack, "cpu", 1))
    ups = [rec.push(KeypointFrame(i, i / 30, kp)) for i, kp in enumerate(_person(60, hands=False))]
    ups = [u for u in ups if u]
    assert ups and all(u.prediction is None for u in ups)


def test_signing_is_classified_and_end_of_sign_is_final(tiny_pack):
    pack = load_pack(tiny_pack)
    rec = Recognizer(pack, Encoder(pack, "cpu", 1))
    frames = np.concatenate([_person(40), _person(5, hands=False)])
    ups = [u for i, kp in enumerate(frames) if (u := rec.push(KeypointFrame(i, i / 30, kp)))]
    live = [u for u in ups if u.prediction is not None]
    assert live and live[0].prediction.top[0].label in pack.label_ids
    finals = [u for u in ups if u.final]
    assert len(finals) == 1 and finals[0].timestamp == 40 / 30  # first frame without hands


def test_activity_detector_sees_motion():
    act = ActivityDetector()
    moving = act(_person(30), 30)
    assert moving.signing and moving.hands_visible == 1.0 and moving.motion > 0
    assert not act(_person(30, hands=False), 30).signing


def _pred(label, score, conf="sure"):
    return Prediction([Guess(label, label, "und", score, 0.9), Guess("x", "x", "und", 1 - score, 0.1)], conf)


def test_stable_sign_needs_two_windows_and_does_not_flicker():
    s = StableSign(enter_windows=2)
    assert not s.update(_pred("hello", 0.9), 0.0)
    assert s.update(_pred("hello", 0.9), 0.3) and s.current == "hello"
    assert not s.update(_pred("yes", 0.9), 0.6)  # one stray window does not switch
    assert s.current == "hello"
    assert not s.update(_pred("hello", 0.2, "unsure"), 0.9)
    assert s.current == "hello"
    assert s.update(None, 4.0) and s.current is None  # fades after idle
    assert list(s.history) == ["hello"]


def test_the_end_of_a_sign_is_final_with_a_resting_hand_in_view(tiny_pack):
    """The other hand lies on the desk throughout: the signing hand going down still ends the sign."""
    pack = load_pack(tiny_pack)
    rec = Recognizer(pack, Encoder(pack, "cpu", 1))
    frames = np.concatenate([_person(40), _person(5, hands=False)])
    frames[:, L.LEFT_HAND.slice, :2] = [0.7, 0.5 + 2.0 * 0.2]  # two shoulder widths below the shoulders
    frames[:, L.LEFT_HAND.slice, 3] = 1
    ups = [u for i, kp in enumerate(frames) if (u := rec.push(KeypointFrame(i, i / 30, kp)))]
    finals = [u for u in ups if u.final]
    assert len(finals) == 1 and finals[0].timestamp == 40 / 30  # the first frame with only the resting hand


def test_hands_held_at_the_waist_end_a_sign_and_are_not_classified(tiny_pack):
    """After a sign the hand comes down to the waist and stays in view (1.1 shoulder widths under
    the shoulders, above the model's resting rule): the sign ends there, and the second of rest
    after it is idle, not "not a sign I know" or another guess."""
    pack = load_pack(tiny_pack)
    rec = Recognizer(pack, Encoder(pack, "cpu", 1))
    frames = np.concatenate([_person(40), _person(40)])
    frames[40:, L.RIGHT_HAND.slice, 1] += 0.5 + 1.1 * 0.2 - 0.4  # the same hand, moved to the waist
    ups = [(i, u) for i, kp in enumerate(frames) if (u := rec.push(KeypointFrame(i, i / 30, kp)))]
    finals = [u for _, u in ups if u.final]
    assert len(finals) == 1 and finals[0].timestamp == 40 / 30
    at_rest = [u for i, u in ups if i >= 40 + pack.input.window_frames]  # windows wholly at the waist
    assert at_rest and all(u.prediction is None and not u.activity.signing for u in at_rest)
    old = Recognizer(pack, Encoder(pack, "cpu", 1), activity=ActivityDetector(held_low_below=None))
    old_ups = [(i, u) for i, kp in enumerate(frames) if (u := old.push(KeypointFrame(i, i / 30, kp)))]
    assert not any(u.final for _, u in old_ups)  # without the rule: no end, and the rest is classified
    assert all(u.prediction is not None for i, u in old_ups if i >= 40 + pack.input.window_frames)
