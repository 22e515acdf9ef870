"""NaN, infinite and empty keypoints through encode_input and the Recognizer; the
detector on no person, two people and 4K frames (real MediaPipe)."""
import time

import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.features import InputSpec, encode_input
from fakes import synthetic_signing
from signclip_desktop.sources.base import KeypointFrame


def _recognizer(tiny_pack):
    from signclip_desktop.model.encoder import Encoder
    from signclip_desktop.model.pack import load_pack
    from signclip_desktop.stream.recognizer import Recognizer

    pack = load_pack(tiny_pack)
    return Recognizer(pack, Encoder(pack, providers="cpu"))


def _poisoned(n=120):
    fr = synthetic_signing(n)
    fr[10:20, L.RIGHT_HAND.slice, :3] = np.nan          # NaN coordinates with confidence 1
    fr[30, :, :] = np.nan                                # a whole NaN frame
    fr[40:45, L.POSE.slice, 0] = np.inf                  # infinities
    fr[50:55, L.LEFT_HAND.slice, 3] = np.nan             # NaN confidence
    fr[60:70] = 0.0                                      # empty frames (nobody)
    fr[80, L.POSE.slice, :2] = 1e30                      # absurdly large
    return fr


@pytest.mark.parametrize("norm", ["shoulders", "hands", "none"])
def test_encode_input_never_returns_nan(norm):
    for comps in (L.SUBSETS["body_hands"], L.SUBSETS["holistic"], L.SUBSETS["hands"]):
        spec = InputSpec(components=comps, normalization=norm) if norm != "none" else InputSpec(components=comps)
        try:
            spec = InputSpec(components=comps, normalization=norm)
        except Exception:
            pass
        for frames in (_poisoned(), L.empty_frames(0), L.empty_frames(1), L.empty_frames(32),
                       np.full((8, L.NUM_POINTS, L.NUM_CHANNELS), np.nan, np.float32)):
            try:
                x = encode_input(frames, spec)
            except ValueError as e:  # an unknown normalisation name is a plain error, not NaN
                assert norm == "none" and "normal" in str(e).lower()
                continue
            assert x.shape[0] == len(frames)
            assert np.isfinite(x).all()


def test_encode_input_rejects_wrong_shapes_plainly():
    spec = InputSpec()
    for bad in (np.zeros((10, 67, 4), np.float32), np.zeros((203, 4), np.float32), np.zeros((5, 203, 3), np.float32)):
        with pytest.raises(ValueError, match="expected frames"):
            encode_input(bad, spec)


def test_recognizer_survives_poisoned_and_empty_frames(tiny_pack):
    import warnings

    warnings.filterwarnings("error", message="invalid value")  # no NaN arithmetic anywhere
    rec = _recognizer(tiny_pack)
    updates = []
    frames = np.concatenate([_poisoned(), L.empty_frames(60), synthetic_signing(120, seed=3)])
    for i, kp in enumerate(frames):
        u = rec.push(KeypointFrame(i, i / 30, kp))
        if u is not None:
            updates.append(u)
            if u.prediction is not None:
                for g in u.prediction.top:
                    assert np.isfinite(g.score) and np.isfinite(g.similarity)
    assert updates and any(u.prediction is not None for u in updates)
    # an empty keypoint array (no person at all) is taken too
    rec.push(KeypointFrame(len(frames), len(frames) / 30, L.empty_frames(1)[0]))


def test_classify_of_all_nan_window_is_finite(tiny_pack):
    rec = _recognizer(tiny_pack)
    pred, ms = rec.classify(np.full((16, L.NUM_POINTS, L.NUM_CHANNELS), np.nan, np.float32))
    assert all(np.isfinite(g.score) for g in pred.top)


# -- the detector with real MediaPipe ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def detector():
    from signclip_desktop.keypoints.holistic import HolisticDetector

    d = HolisticDetector(static_image_mode=True)
    yield d
    d.close()


def _finite_layout(kp):
    assert kp.shape == (L.NUM_POINTS, L.NUM_CHANNELS) and kp.dtype == np.float32
    assert np.isfinite(kp).all()
    assert (kp[kp[:, 3] <= 0] == 0).all()  # a missing point is all zeros


@pytest.mark.parametrize("image", ["black", "white", "noise", "tiny", "grey2d"])
def test_no_person_in_view(detector, image):
    rng = np.random.default_rng(0)
    img = {"black": np.zeros((360, 640, 3), np.uint8), "white": np.full((360, 640, 3), 255, np.uint8),
           "noise": rng.integers(0, 256, (360, 640, 3), dtype=np.uint8), "tiny": np.zeros((2, 2, 3), np.uint8),
           "grey2d": np.zeros((360, 640), np.uint8)}[image]
    kp = detector.detect(img)
    _finite_layout(kp)
    assert kp[L.LEFT_HAND.slice, 3].max() == 0 and kp[L.RIGHT_HAND.slice, 3].max() == 0


def test_two_people_side_by_side_gives_one_consistent_person(detector, signer_image):
    two = np.concatenate([signer_image, signer_image], axis=1)  # 1280x360: the signer twice
    kp = detector.detect(two)
    _finite_layout(kp)
    pose = kp[L.POSE.slice]
    vis = pose[:, 3] > 0.5
    assert vis.sum() >= 10, "no person found"
    xs = pose[vis, 0]
    # one person: every visible body point in the same half of the picture
    assert (xs < 0.5).all() or (xs > 0.5).all(), xs
    # face and hands belong to that same person
    half = xs.mean() > 0.5
    for comp in (L.FACE, L.LEFT_HAND, L.RIGHT_HAND):
        seen = kp[comp.slice, 3] > 0
        if seen.any():
            assert ((kp[comp.slice][seen, 0] > 0.5) == half).all(), comp.name


def test_4k_frames_through_the_detector_and_the_app_path(signer_image, tiny_pack):
    import cv2

    from signclip_desktop.keypoints.holistic import HolisticDetector

    big = cv2.resize(signer_image, (3840, 2160), interpolation=cv2.INTER_LINEAR)
    with HolisticDetector() as det:
        small_kp = det.detect(signer_image)
        det.reset()
        t0 = time.perf_counter()
        kps = [det.detect(big, i / 30) for i in range(3)]
        ms = (time.perf_counter() - t0) / 3 * 1000
    for kp in kps:
        _finite_layout(kp)
    # same person, same normalised coordinates (MediaPipe works on a downscaled copy)
    both = (kps[-1][:, 3] > 0) & (small_kp[:, 3] > 0)
    assert both.sum() > 50
    assert np.median(np.abs(kps[-1][both, :2] - small_kp[both, :2])) < 0.02
    assert ms < 5000, f"{ms:.0f} ms per 4K frame"
    rec = _recognizer(tiny_pack)
    for i, kp in enumerate(kps * 10):
        rec.push(KeypointFrame(i, i / 30, kp))
