"""Our layout + normalisation against pose-format's own functions on its .pose fixtures.

For each holistic fixture: pose-format ``get_components`` (face reduced to the 128 contour
points) + ``pose_hide_legs`` + ``Pose.normalize()`` must equal our ``pose_to_layout`` +
``normalize_shoulders`` on every visible point; every point pose-format does not have, or
has at confidence 0, is exactly zero with confidence 0 on our side.
"""
import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.normalize import normalize_shoulders
from signclip_desktop.sources.posefile import pose_to_layout

HOLISTIC_FIXTURES = ("6fb01565da31c5500d1ef2cd2906b06b.pose", "mediapipe.pose")
COMPONENTS = [c.pose_format_name for c in L.COMPONENTS]


def _read(path):
    from pose_format import Pose

    return Pose.read(path.read_bytes())


def _reference(pose):
    """pose-format's pipeline -> ({our index: pf index}, data [T, n, 3], confidence [T, n])."""
    from pose_format.utils.generic import pose_hide_legs

    have = {c.name: c for c in pose.header.components}
    points = {}
    if "FACE_LANDMARKS" in have:
        points["FACE_LANDMARKS"] = [p for p in L.FACE.points if p in have["FACE_LANDMARKS"].points]
    ref = pose.get_components([n for n in COMPONENTS if n in have], points)
    ref = pose_hide_legs(ref)
    ref = ref.normalize()
    index, k = {}, 0
    for comp in ref.header.components:
        ours = next(c for c in L.COMPONENTS if c.pose_format_name == comp.name)
        for name in comp.points:
            index[ours.start + list(ours.points).index(name)] = k
            k += 1
    data = np.asarray(np.ma.getdata(ref.body.data)[:, 0], np.float64)
    conf = np.asarray(ref.body.confidence[:, 0], np.float64)
    return index, data, conf


@pytest.mark.parametrize("name", HOLISTIC_FIXTURES)
def test_layout_and_shoulder_normalisation_match_pose_format(shared_data, name):
    path = shared_data / "fixtures" / "pose" / name
    ours = normalize_shoulders(pose_to_layout(_read(path)))
    index, ref, conf = _reference(_read(path))
    assert ours.shape == (ref.shape[0], L.NUM_POINTS, 4)
    checked = 0
    for i in range(L.NUM_POINTS):
        j = index.get(i)
        if j is None:  # pose-format has no such point in this file
            assert (ours[:, i] == 0).all(), i
            continue
        vis = conf[:, j] > 0
        assert (ours[~vis, i] == 0).all(), i  # missing / hidden: zeros, confidence 0
        np.testing.assert_allclose(ours[vis, i, 3], conf[vis, j], rtol=1e-6)
        np.testing.assert_allclose(ours[vis, i, :3], ref[vis, j], rtol=1e-4, atol=1e-4, err_msg=f"point {i}")
        checked += int(vis.sum())
    assert checked >= 20 * ours.shape[0]  # really compared something on every frame
    assert (ours[:, list(L.LEG_INDICES)] == 0).all()


def test_full_holistic_fixture_covers_every_part(shared_data):
    ours = pose_to_layout(_read(shared_data / "fixtures" / "pose" / HOLISTIC_FIXTURES[0]))
    for comp in L.COMPONENTS:
        assert ours[:, comp.slice, 3].max() > 0, comp.name
    # the 478-point (refined) face mesh is cut to the 128 contour points by name
    raw = _read(shared_data / "fixtures" / "pose" / HOLISTIC_FIXTURES[0])
    face = np.ma.getdata(raw.body.data)[:, 0, 33:33 + 478]
    np.testing.assert_allclose(ours[:, L.FACE.slice, :3], face[:, list(L.FACE_CONTOUR_MESH_INDICES)], rtol=1e-6)


def test_hand_only_fixture_has_no_body(shared_data):
    ours = pose_to_layout(_read(shared_data / "fixtures" / "pose" / "mediapipe_hand_normalized.pose"))
    assert (ours[:, :L.RIGHT_HAND.start] == 0).all()
    assert ours[:, L.RIGHT_HAND.slice, 3].max() > 0
    # no shoulders: the hand fallback still gives finite, centred values
    n = normalize_shoulders(ours)
    vis = n[..., 3] > 0
    assert np.isfinite(n).all() and abs(n[vis][:, :2].mean()) < 1.0
