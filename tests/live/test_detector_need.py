"""The live session runs only the landmark models its pack needs (issue 13)."""
from pathlib import Path

from signclip_desktop.live.capture import CaptureWorker, _default_detector
from signclip_desktop.live.session import _pack_components
from signclip_desktop.live.slots import LatestSlot, Mailbox, Stats

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_pack_components_come_from_the_manifest(tmp_path):
    assert _pack_components(MODELS / "words") == ("pose", "left_hand", "right_hand")
    assert _pack_components(None) is None
    assert _pack_components(tmp_path / "not-a-pack") is None  # the inference worker reports the bad pack


def test_a_pack_with_another_need_rebuilds_the_detector():
    cap = CaptureWorker(LatestSlot(), Mailbox(4), Stats(), lambda e: None)
    cap.set_components(("pose", "left_hand", "right_hand"))
    assert not cap._rebuild  # nothing built yet: nothing to rebuild
    cap._detector = object()  # as if built
    cap.set_components(("pose", "left_hand", "right_hand"))
    assert not cap._rebuild  # same need
    cap.set_components(("left_hand", "right_hand"))  # words -> fingerspelling: both run pose + hands
    assert not cap._rebuild and cap._components == ("left_hand", "right_hand")
    cap.set_components(("left_hand", "right_hand", "face"))
    assert cap._rebuild


def test_words_pack_gets_the_graph_without_the_face():
    det = _default_detector(("pose", "left_hand", "right_hand"))
    try:
        from signclip_desktop.keypoints.landmark_graph import detector_name
        assert detector_name(det) == "pose_hands"
    finally:
        det.close()
