"""The pose+hands landmark graph on real video frames of a signer (silfa J): it must give
Holistic's own pose and hand keypoints, zeros for the face, behind the same interface."""
import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints import landmark_graph as G
from signclip_desktop.keypoints.holistic import DetectorError, HolisticDetector

pytestmark = pytest.mark.slow  # two MediaPipe graphs: ~4 s idle, more on a busy machine

FRAMES = 8  # consecutive video frames: exercises tracking (hand ROI from the previous frame)


@pytest.fixture(scope="module")
def frames(shared_data):
    import cv2

    files = sorted((shared_data / "images" / "silfa" / "J").glob("*.jpg"))[:FRAMES]
    imgs = [cv2.imread(str(f)) for f in files]
    assert len(imgs) == FRAMES and all(im is not None for im in imgs)
    return imgs


@pytest.fixture(scope="module")
def both(frames):
    ref, graph = G.make_detector(need="holistic"), G.make_detector(["pose", "left_hand", "right_hand"])
    try:
        kr = np.stack([ref.detect(im, i / 30) for i, im in enumerate(frames)])
        kg = np.stack([graph.detect(im, i / 30) for i, im in enumerate(frames)])
    finally:
        ref.close()
        graph.close()
    return kr, kg, ref, graph


def test_need_follows_the_pack_components():
    assert G.need_for(["pose", "left_hand", "right_hand"]) == G.POSE_HANDS
    assert G.need_for(["left_hand", "right_hand"]) == G.POSE_HANDS
    assert G.need_for(L.SUBSETS["holistic"]) == G.HOLISTIC
    assert G.need_for(["face"]) == G.HOLISTIC
    assert G.need_for(["pose"]) == G.POSE
    with pytest.raises(ValueError, match="unknown"):
        G.need_for(["tail"])
    with pytest.raises(ValueError, match="unknown landmark need"):
        G.make_detector(need="face_only")


def test_graph_is_holistic_without_the_face_branch():
    cfg = G.pose_hands_graph_config()
    calcs = [n.calculator for n in cfg.node]
    assert calcs == ["PoseLandmarkCpu", "HandLandmarksLeftAndRightCpu"]
    assert not any(s.startswith("FACE_LANDMARKS") for s in cfg.output_stream)
    assert not any("REFINE_FACE" in s for s in cfg.input_side_packet)


def test_pose_only_graph_matches_holistic_pose(frames, both):
    kr = both[0]
    det = G.make_detector(["pose"])
    try:
        assert G.detector_name(det) == "pose"
        kp = np.stack([det.detect(im, i / 30) for i, im in enumerate(frames)])
    finally:
        det.close()
    np.testing.assert_allclose(kp[:, L.POSE.slice], kr[:, L.POSE.slice], atol=1e-4)
    assert (kp[:, L.FACE.start:] == 0).all()  # face and both hands: not computed
    cfg = G.graph_config(G.POSE)
    assert [n.calculator for n in cfg.node] == ["PoseLandmarkCpu"]
    assert not any("HAND" in s for s in cfg.output_stream)
    with pytest.raises(ValueError, match="no landmark graph"):
        G.graph_config(G.POSE_HANDS, hand_model="tiny")


def test_factory_picks_the_detector_kind(both):
    _, _, ref, graph = both
    assert type(ref) is HolisticDetector and G.detector_name(ref) == "holistic"
    assert isinstance(graph, G.LandmarkGraphDetector) and G.detector_name(graph) == "pose_hands"
    with pytest.raises(DetectorError, match="download"):
        G.LandmarkGraphDetector(model_complexity=2)


def test_pose_and_hands_match_holistic_face_is_zero(both):
    kr, kg, _, _ = both
    assert kg.shape == (FRAMES, L.NUM_POINTS, 4) and kg.dtype == np.float32
    # the frames show the signer: Holistic finds pose, a hand and the face in each
    assert (kr[:, L.LEFT_SHOULDER, 3] > 0).all()
    assert (kr[:, L.FACE.slice, 3] == 1).all()
    assert (np.maximum(kr[:, L.LEFT_HAND.start, 3], kr[:, L.RIGHT_HAND.start, 3]) > 0).all()
    for c in (L.POSE, L.LEFT_HAND, L.RIGHT_HAND):
        np.testing.assert_array_equal(kg[:, c.slice, 3] > 0, kr[:, c.slice, 3] > 0, err_msg=c.name)
        np.testing.assert_allclose(kg[:, c.slice], kr[:, c.slice], atol=1e-4, err_msg=c.name)
    assert (kg[:, L.FACE.slice] == 0).all()  # not computed: the layout's "missing"
    assert (kg[:, list(L.LEG_INDICES)] == 0).all()


def test_lean_mediapipe_import_leaves_no_stand_ins():
    """import_holistic skips matplotlib.pyplot and the Tasks API, and a later real import works."""
    import subprocess
    import sys

    code = ("import sys; from signclip_desktop.keypoints.holistic import import_holistic; h = import_holistic(); "
            "assert 'matplotlib' not in sys.modules and 'matplotlib.pyplot' not in sys.modules; "
            "assert 'mediapipe.tasks.python' not in sys.modules; assert hasattr(h, 'Holistic'); "
            "import matplotlib; assert matplotlib.__file__; "
            "import mediapipe.tasks.python as t; assert hasattr(t, 'vision'); print('OK')")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.strip().endswith("OK"), p.stderr[-2000:]


def test_start_detector_builds_in_the_background(frames):
    fut = G.start_detector(["pose"])
    det = fut.result(timeout=120)
    try:
        assert G.detector_name(det) == "pose"
        assert det.detect(frames[0], 0.0)[L.LEFT_SHOULDER, 3] > 0
    finally:
        det.close()
    bad = G.start_detector(need="face_only")
    with pytest.raises(ValueError, match="unknown landmark need"):
        bad.result(timeout=30)
