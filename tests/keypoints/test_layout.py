"""The 203-point layout pinned against MediaPipe and pose-format."""
import numpy as np

from signclip_desktop.keypoints import layout as L


def test_face_contour_indices_are_mediapipes():
    from signclip_desktop.keypoints.holistic import import_holistic

    holistic = import_holistic()
    want = sorted({p for pair in holistic.FACEMESH_CONTOURS for p in pair})
    assert list(L.FACE_CONTOUR_MESH_INDICES) == want
    assert len(want) == 128


def test_face_contour_points_are_pose_formats_reduced_holistic(shared_data):
    from pose_format import Pose
    from pose_format.utils.generic import reduce_holistic

    f = shared_data / "fixtures" / "pose" / "6fb01565da31c5500d1ef2cd2906b06b.pose"
    reduced = reduce_holistic(Pose.read(f.read_bytes()))
    face = next(c for c in reduced.header.components if c.name == "FACE_LANDMARKS")
    assert [int(p) for p in face.points] == list(L.FACE_CONTOUR_MESH_INDICES)
    assert list(L.FACE.points) == list(face.points)  # our point names are pose-format's


def test_component_table():
    assert L.NUM_POINTS == 203
    assert [(c.name, c.start, c.stop) for c in L.COMPONENTS] == [
        ("pose", 0, 33), ("face", 33, 161), ("left_hand", 161, 182), ("right_hand", 182, 203)]
    assert [c.pose_format_name for c in L.COMPONENTS] == [
        "POSE_LANDMARKS", "FACE_LANDMARKS", "LEFT_HAND_LANDMARKS", "RIGHT_HAND_LANDMARKS"]
    from signclip_desktop.keypoints.holistic import import_holistic

    h = import_holistic()
    assert list(L.POSE_POINTS) == list(h.PoseLandmark._member_names_)
    assert list(L.HAND_POINTS) == list(h.HandLandmark._member_names_)
    assert L.LEFT_SHOULDER == 11 and L.RIGHT_SHOULDER == 12
    assert set(L.LEG_INDICES) == set(range(23, 33))  # hips, knees, ankles, heels, feet: like pose_hide_legs


def test_mirror_permutation_is_an_involution_swapping_hands():
    perm = L.MIRROR_PERMUTATION
    assert sorted(perm.tolist()) == list(range(L.NUM_POINTS))  # a permutation
    np.testing.assert_array_equal(perm[perm], np.arange(L.NUM_POINTS))  # involution
    np.testing.assert_array_equal(perm[L.LEFT_HAND.slice], np.arange(L.RIGHT_HAND.start, L.RIGHT_HAND.stop))
    np.testing.assert_array_equal(perm[L.RIGHT_HAND.slice], np.arange(L.LEFT_HAND.start, L.LEFT_HAND.stop))
    assert perm[L.LEFT_SHOULDER] == L.RIGHT_SHOULDER and perm[L.LEFT_WRIST] == L.RIGHT_WRIST
    assert perm[0] == 0  # nose stays
    face = perm[L.FACE.slice]
    assert face.min() >= L.FACE.start and face.max() < L.FACE.stop  # face maps onto face


def test_face_mirror_agrees_with_pose_format():
    """pose-format's FLIPPED_FACE_POINTS (from MediaPipe's canonical face) restricted to the contour."""
    from signclip_desktop.keypoints.holistic import import_holistic

    import_holistic()
    from pose_format.utils.holistic import FLIPPED_FACE_POINTS

    ours = dict(zip(L.FACE_CONTOUR_MESH_INDICES, L.FACE_CONTOUR_MIRROR))
    theirs = {m: FLIPPED_FACE_POINTS[m] for m in L.FACE_CONTOUR_MESH_INDICES}
    agree = sum(ours[m] == theirs[m] for m in ours)
    assert all(theirs[m] in ours for m in ours)  # the contour set is closed under mirroring
    assert agree == len(ours), {m: (ours[m], theirs[m]) for m in ours if ours[m] != theirs[m]}
