"""extract -> .pose -> pose-format and our reader give back what the detector produced."""
import numpy as np

from signclip_desktop.cli import main
from signclip_desktop.keypoints import layout as L
from signclip_desktop.sources import load_sequences
from media_helpers import make_video, silfa_frames


def test_extract_roundtrip(shared_data, tmp_path, capsys):
    frames = silfa_frames(shared_data, "A", 4)
    video = make_video(tmp_path / "a.avi", frames, fps=12)
    (direct,) = load_sequences(video)
    assert main(["extract", str(video), "-o", str(tmp_path / "out"), "--no-progress"]) == 0
    assert "a.pose" in capsys.readouterr().out
    pose_file = tmp_path / "out" / "a.pose"

    # pose-format reads it: reduced holistic header, XYZC, pixel coordinates
    from pose_format import Pose
    from pose_format.utils.generic import detect_known_pose_format

    pose = Pose.read(pose_file.read_bytes())
    assert detect_known_pose_format(pose) == "holistic"
    assert [(c.name, len(c.points), c.format) for c in pose.header.components] == [
        ("POSE_LANDMARKS", 33, "XYZC"), ("FACE_LANDMARKS", 128, "XYZC"),
        ("LEFT_HAND_LANDMARKS", 21, "XYZC"), ("RIGHT_HAND_LANDMARKS", 21, "XYZC")]
    assert pose.header.components[1].points == [str(i) for i in L.FACE_CONTOUR_MESH_INDICES]
    h, w = frames[0].shape[:2]
    assert (pose.header.dimensions.width, pose.header.dimensions.height) == (w, h)
    assert pose.body.fps == 12 and pose.body.data.shape == (4, 1, 203, 3)
    vis = direct.frames[..., 3] > 0
    data = np.ma.getdata(pose.body.data)[:, 0]
    np.testing.assert_allclose(data[..., 0][vis], direct.frames[..., 0][vis] * w, rtol=1e-5)
    np.testing.assert_allclose(pose.body.confidence[:, 0], direct.frames[..., 3], rtol=1e-6)

    # our reader gives the detector's output back (MediaPipe image coordinates)
    (back,) = load_sequences(pose_file)
    assert back.fps == 12 and back.frames.shape == direct.frames.shape
    np.testing.assert_allclose(back.frames, direct.frames, rtol=1e-5, atol=1e-6)
    assert (back.frames[~vis] == 0).all()


def test_extract_image_folders_to_folder(shared_data, tmp_path, capsys):
    silfa = shared_data / "images" / "silfa"
    assert main(["extract", str(silfa / "A"), str(silfa / "B"), "-o", str(tmp_path), "--no-progress"]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.pose")) == ["A.pose", "B.pose"]
    assert main(["extract", str(silfa / "A"), "-o", str(tmp_path), "--no-progress"]) == 1  # exists
    assert "--overwrite" in capsys.readouterr().err
    (a,) = load_sequences(tmp_path / "A.pose")
    assert len(a) == 6 and (a.frames[:, L.LEFT_HAND.slice, 3].max() > 0 or a.frames[:, L.RIGHT_HAND.slice, 3].max() > 0)
