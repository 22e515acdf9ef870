"""MediaPipe Holistic on real photos of a signer (silfa): the detector and its layout."""
import subprocess
import sys

import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L

PHOTOS = ("A", "B", "L")  # a few letters, two frames each: hands must be found


@pytest.fixture(scope="module")
def photos(shared_data):
    import cv2

    out = []
    for letter in PHOTOS:
        files = sorted((shared_data / "images" / "silfa" / letter).glob("*.jpg"))[:2]
        out += [(f, cv2.imread(str(f))) for f in files]
    assert out and all(img is not None for _, img in out)
    return out


@pytest.fixture(scope="module")
def detector():
    from signclip_desktop.keypoints.holistic import HolisticDetector

    d = HolisticDetector(static_image_mode=True)
    yield d
    d.close()


def test_detects_body_face_and_hands_on_photos(detector, photos):
    for f, img in photos:
        kp = detector.detect(img, 0.0)
        assert kp.shape == (L.NUM_POINTS, 4) and kp.dtype == np.float32
        assert np.isfinite(kp).all()
        assert (kp[L.LEFT_SHOULDER, 3] > 0) and (kp[L.RIGHT_SHOULDER, 3] > 0), f
        hands = [kp[c.slice, 3].max() > 0 for c in (L.LEFT_HAND, L.RIGHT_HAND)]
        assert any(hands), f"no hand found in {f}"
        for c in (L.LEFT_HAND, L.RIGHT_HAND):  # hands: all 21 points at confidence 1, or none
            assert set(np.unique(kp[c.slice, 3])) <= {0.0, 1.0}
        assert (kp[L.FACE.slice, 3] == 1).all(), f"face not found in {f}"
        vis = kp[:, 3] > 0
        assert (kp[~vis] == 0).all()  # missing = zeros with confidence 0
        assert (kp[list(L.LEG_INDICES)] == 0).all()  # legs hidden
        xy = kp[vis, :2]
        assert (xy > -0.5).all() and (xy < 1.5).all()  # MediaPipe image coordinates


def test_face_contour_points_come_from_the_mesh(detector, photos):
    from signclip_desktop.keypoints.holistic import results_to_layout

    _, img = photos[0]
    res = detector.process(img)
    kp = results_to_layout(res)
    mesh = np.array([(p.x, p.y, p.z) for p in res.face_landmarks.landmark], np.float32)
    np.testing.assert_array_equal(kp[L.FACE.slice, :3], mesh[list(L.FACE_CONTOUR_MESH_INDICES)])
    pose = np.array([(p.x, p.y, p.z, p.visibility) for p in res.pose_landmarks.landmark], np.float32)
    np.testing.assert_array_equal(kp[L.LEFT_SHOULDER], pose[11])


def test_empty_image_gives_all_missing(detector):
    kp = detector.detect(np.full((240, 320, 3), 255, np.uint8))
    assert (kp == 0).all()


def test_video_mode_tracks_a_sequence(photos):
    from signclip_desktop.keypoints.holistic import HolisticDetector

    with HolisticDetector() as d:  # default: video mode
        assert not d.static_image_mode
        out = [d.detect(img, i / 30) for i, (_, img) in enumerate(photos[:2])]
    assert all(o[L.LEFT_SHOULDER, 3] > 0 for o in out)


def test_other_model_complexity_is_refused():
    from signclip_desktop.keypoints.holistic import DetectorError, HolisticDetector

    with pytest.raises(DetectorError, match="download"):
        HolisticDetector(model_complexity=2)


def test_missing_mediapipe_is_a_clear_error(tmp_path):
    """A mediapipe without solutions.holistic (0.10.30+) first on the path: a plain error naming the version."""
    import os

    (tmp_path / "mediapipe").mkdir()
    (tmp_path / "mediapipe" / "__init__.py").write_text("__version__ = '0.10.30'\n")
    code = ("from signclip_desktop.keypoints.holistic import HolisticDetector, DetectorError\n"
            "try:\n    HolisticDetector()\nexcept DetectorError as e:\n    print(e)\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "no solutions.holistic" in r.stdout and "mediapipe==0.10.21" in r.stdout, r.stdout + r.stderr


def test_detector_logs_are_quiet(shared_data):
    """No MediaPipe INFO/WARNING lines on stderr from building and running the graph."""
    img = sorted((shared_data / "images" / "silfa" / "A").glob("*.jpg"))[0]
    code = ("import cv2, numpy as np\nfrom signclip_desktop.keypoints.holistic import HolisticDetector\n"
            "HolisticDetector.QUIET_CALLS = 1\nd = HolisticDetector()\n"
            "for _ in range(3):\n    d.detect(np.full((240, 320, 3), 255, np.uint8))\n"  # nobody in view at first
            f"kp = d.detect(cv2.imread({str(img)!r}))\nd.close()\nprint('ok', kp.shape)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "ok (203, 4)" in r.stdout
    assert "XNNPACK" not in r.stderr and "W0000" not in r.stderr and "I0000" not in r.stderr, r.stderr


def test_reset_between_clips_matches_a_fresh_detector(photos):
    from signclip_desktop.keypoints.holistic import HolisticDetector

    clip_a, clip_b = [img for _, img in photos[:2]], [img for _, img in photos[2:4]]
    with HolisticDetector() as fresh:
        want = [fresh.detect(img) for img in clip_b]
    with HolisticDetector() as reused:
        for img in clip_a:
            reused.detect(img)
        reused.reset()
        got = [reused.detect(img) for img in clip_b]
    # tracking is gone (same detections), only a little smoothing state remains
    np.testing.assert_allclose(np.stack(got), np.stack(want), atol=0.02)


def test_silencing_stderr_is_thread_safe():
    """Overlapping silenced windows from several threads always give stderr back."""
    import os
    import threading
    import time

    from signclip_desktop.keypoints.holistic import silenced_stderr

    before = os.fstat(2)

    def work(k):
        for i in range(20):
            with silenced_stderr():
                time.sleep(0.001 * ((i + k) % 3))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = os.fstat(2)
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)
