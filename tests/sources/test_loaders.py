"""Every loader on the shared fixtures, and every bad-input path."""
import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.sources import (
    NpzSource, SourceError, describe_kind, expand_inputs, load_sequences, open_source, to_sequences,
)
from media_helpers import make_video, silfa_frames


def _check_layout(frames):
    assert frames.dtype == np.float32 and frames.ndim == 3 and frames.shape[1:] == (L.NUM_POINTS, 4)
    assert np.isfinite(frames).all()
    vis = frames[..., 3] > 0
    assert (frames[~vis] == 0).all()
    assert (frames[:, list(L.LEG_INDICES)] == 0).all()


# ---------------------------------------------------------------- MP_Data
def test_mp_data_raw(shared_data):
    root = shared_data / "fixtures" / "mp_data_raw"
    assert describe_kind(root) == "mp_data"
    seqs = load_sequences(root)
    assert [s.label for s in seqs] == ["no"] * 3 + ["yes"] * 3
    assert all(len(s) == 30 and s.fps == 30 for s in seqs)
    raw = np.load(root / "MP_Data" / "yes" / "0" / "0.npy")
    s = seqs[3]
    _check_layout(s.frames)
    kp = s.frames[0]
    pose = raw[:132].reshape(33, 4)
    face = raw[132:132 + 1404].reshape(468, 3)
    lh = raw[1536:1599].reshape(21, 3)
    rh = raw[1599:].reshape(21, 3)
    np.testing.assert_allclose(kp[:23], pose[:23], rtol=1e-6)  # 23, 24 = hips: hidden with the legs
    np.testing.assert_allclose(kp[L.FACE.slice, :3], face[list(L.FACE_CONTOUR_MESH_INDICES)], rtol=1e-6)
    assert (kp[L.FACE.slice, 3] == (1.0 if np.abs(face).sum() else 0.0)).all()
    for comp, hand in ((L.LEFT_HAND, lh), (L.RIGHT_HAND, rh)):
        if np.abs(hand).sum():
            np.testing.assert_allclose(kp[comp.slice, :3], hand, rtol=1e-6)
            assert (kp[comp.slice, 3] == 1).all()
        else:
            assert (kp[comp.slice] == 0).all()


def test_mp_data_word_and_sequence_folders(shared_data):
    word = shared_data / "fixtures" / "mp_data_raw" / "MP_Data" / "no"
    assert [s.label for s in load_sequences(word)] == ["no"] * 3
    one = load_sequences(word / "1")
    assert len(one) == 1 and one[0].label == "no" and len(one[0]) == 30


def test_mp_data_bad_frame(tmp_path):
    seq = tmp_path / "MP_Data" / "hi" / "0"
    seq.mkdir(parents=True)
    np.save(seq / "0.npy", np.zeros(1662))
    np.save(seq / "1.npy", np.zeros(7))
    with pytest.raises(SourceError, match="1.npy.*7 values"):
        load_sequences(tmp_path)
    (seq / "1.npy").write_bytes(b"garbage")
    with pytest.raises(SourceError, match="1.npy"):
        load_sequences(tmp_path)


# ---------------------------------------------------------------- Kaggle parquet
def test_kaggle_parquet(shared_data):
    root = shared_data / "fixtures" / "kaggle_parquet"
    assert describe_kind(root) == "parquet"
    seqs = load_sequences(root)
    assert [s.label for s in seqs] == ["A", "B", "C"]
    import pyarrow.parquet as pq

    t = pq.read_table(root / "train_landmark_files" / "100" / "1015.parquet").to_pydict()
    s = seqs[0]
    _check_layout(s.frames)
    got = {}
    for typ, i, x, y, z in zip(t["type"], t["landmark_index"], t["x"], t["y"], t["z"]):
        got[(typ, i)] = (x, y, z)
    kp = s.frames[0]
    np.testing.assert_allclose(kp[L.LEFT_SHOULDER, :3], got[("pose", 11)], rtol=1e-6)
    k = L.FACE_CONTOUR_MESH_INDICES.index(61)
    np.testing.assert_allclose(kp[L.FACE.start + k, :3], got[("face", 61)], rtol=1e-6)
    for comp, name in ((L.LEFT_HAND, "left_hand"), (L.RIGHT_HAND, "right_hand")):
        hand = np.array([got[(name, i)] for i in range(21)])
        if np.nan_to_num(np.abs(hand)).sum() > 0:
            np.testing.assert_allclose(kp[comp.slice, :3], hand, rtol=1e-6)
        else:
            assert (kp[comp.slice] == 0).all()


def test_kaggle_nan_rows_are_missing(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = {"frame": [], "row_id": [], "type": [], "landmark_index": [], "x": [], "y": [], "z": []}
    for f in (3, 4):
        for typ, n in (("pose", 33), ("left_hand", 21), ("right_hand", 21), ("face", 468)):
            for i in range(n):
                missing = typ == "left_hand" and f == 4
                rows["frame"].append(f)
                rows["row_id"].append(f"{f}-{typ}-{i}")
                rows["type"].append(typ)
                rows["landmark_index"].append(i)
                for c in "xyz":
                    rows[c].append(float("nan") if missing else 0.5)
    pq.write_table(pa.table(rows), tmp_path / "7.parquet")
    (s,) = load_sequences(tmp_path / "7.parquet")
    assert len(s) == 2 and s.label is None
    assert (s.frames[0, L.LEFT_HAND.slice, 3] == 1).all()
    assert (s.frames[1, L.LEFT_HAND.slice] == 0).all()
    assert (s.frames[1, L.RIGHT_HAND.slice, 3] == 1).all()


def test_garbage_parquet(tmp_path):
    bad = tmp_path / "x.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(SourceError, match="x.parquet"):
        load_sequences(bad)


# ---------------------------------------------------------------- .pose
def test_pose_fixtures(shared_data):
    d = shared_data / "fixtures" / "pose"
    seqs = {s.source.split("/")[-1]: s for s in load_sequences(d)}
    assert set(seqs) == {"mediapipe.pose", "mediapipe_hand_normalized.pose", "6fb01565da31c5500d1ef2cd2906b06b.pose"}
    for s in seqs.values():
        _check_layout(s.frames)
    full = seqs["6fb01565da31c5500d1ef2cd2906b06b.pose"]
    assert len(full) == 5 and full.fps == 25
    assert full.frames[:, L.FACE.slice, 3].min() > 0  # all 128 contour points found in the 478-point face
    x = full.frames[..., 0][full.frames[..., 3] > 0]
    assert x.min() > -0.5 and x.max() < 1.5  # image units by default
    hand_only = seqs["mediapipe_hand_normalized.pose"]
    assert (hand_only.frames[:, :L.RIGHT_HAND.start] == 0).all()
    assert hand_only.frames[:, L.RIGHT_HAND.slice, 3].max() > 0


def test_pose_units_pixels(shared_data):
    from signclip_desktop.sources.pose_io import read_pose_sequence

    f = shared_data / "fixtures" / "pose" / "6fb01565da31c5500d1ef2cd2906b06b.pose"
    px, im = read_pose_sequence(f, units="pixels"), read_pose_sequence(f)
    vis = px.frames[..., 3] > 0
    np.testing.assert_allclose(im.frames[..., 0][vis] * 640, px.frames[..., 0][vis], rtol=1e-5)
    np.testing.assert_allclose(im.frames[..., 1][vis] * 360, px.frames[..., 1][vis], rtol=1e-5)


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage" * 10])
def test_bad_pose_file(tmp_path, content):
    bad = tmp_path / "bad.pose"
    bad.write_bytes(content)
    with pytest.raises(SourceError, match="bad.pose"):
        load_sequences(bad)


# ---------------------------------------------------------------- npz
def test_npz(shared_data):
    f = sorted((shared_data / "words").glob("*.npz"))[0]
    seqs = list(open_source(f))
    assert len(seqs) > 1 and all(s.label for s in seqs)
    _check_layout(seqs[0].frames)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 garbage", b"plain text"])
def test_garbage_npz(tmp_path, content):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(content)
    with pytest.raises(SourceError, match="bad.npz"):
        list(NpzSource(bad))


def test_npz_without_keypoints(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(SourceError, match="missing arrays"):
        load_sequences(tmp_path / "other.npz")


# ---------------------------------------------------------------- frames: video, images, webcam
def test_video_source_and_detection(shared_data, tmp_path):
    from signclip_desktop.sources.video import VideoSource

    frames = silfa_frames(shared_data, "A", 4)
    v = make_video(tmp_path / "clip.avi", frames, fps=10)
    assert describe_kind(v) == "video"
    src = open_source(v)
    assert isinstance(src, VideoSource) and src.fps == 10 and len(src) == 4
    got = list(src)
    assert [f.index for f in got] == [0, 1, 2, 3]
    np.testing.assert_allclose([f.timestamp for f in got], [0, 0.1, 0.2, 0.3])
    assert got[0].image.shape == frames[0].shape
    src.close()
    calls = []
    (seq,) = to_sequences(open_source(v), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4)
    _check_layout(seq.frames)
    assert len(seq) == 4 and seq.fps == 10 and seq.meta["width"] == frames[0].shape[1]
    assert (seq.frames[:, L.LEFT_HAND.slice, 3].max() > 0) or (seq.frames[:, L.RIGHT_HAND.slice, 3].max() > 0)


def test_truncated_video(shared_data, tmp_path):
    v = make_video(tmp_path / "clip.avi", silfa_frames(shared_data, "B", 6) * 4, fps=10)
    data = v.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(SourceError, match="cut.avi"):
        list(open_source(cut))
    head = tmp_path / "head.avi"
    head.write_bytes(data[:200])
    with pytest.raises(SourceError, match="head.avi"):
        list(open_source(head))


def test_zero_length_and_missing_video(tmp_path):
    from signclip_desktop.sources.video import VideoSource

    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="empty.mp4.*empty"):
        open_source(empty)
    with pytest.raises(SourceError, match="nope.mp4.*not found"):
        open_source(tmp_path / "nope.mp4")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 100)
    with pytest.raises(SourceError, match="junk.mp4"):
        list(VideoSource(junk))


def test_image_folder(shared_data, tmp_path):
    from signclip_desktop.sources.images import ImageFolderSource

    import cv2

    for i, img in enumerate(silfa_frames(shared_data, "C", 3)):
        cv2.imwrite(str(tmp_path / f"f{[10, 2, 1][i]}.png"), img)
    (tmp_path / "notes.txt").write_text("ignored")
    src = open_source(tmp_path, fps=5)
    assert isinstance(src, ImageFolderSource)
    assert [p.name for p in src.files] == ["f1.png", "f2.png", "f10.png"]  # natural order
    got = list(src)
    assert [f.timestamp for f in got] == [0, 0.2, 0.4]
    (tmp_path / "f11.png").write_bytes(b"broken")
    with pytest.raises(SourceError, match="f11.png"):
        list(open_source(tmp_path))


def test_expand_inputs_and_unknowns(shared_data, tmp_path):
    silfa = shared_data / "images" / "silfa"
    kids = expand_inputs([silfa])
    assert silfa / "A" in kids and silfa / "Z" in kids and all(describe_kind(k) == "images" for k in kids)
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="empty"):
        open_source(tmp_path / "empty")
    odd = tmp_path / "file.xyz"
    odd.write_bytes(b"1234")
    with pytest.raises(SourceError, match="file.xyz.*unknown file type"):
        open_source(odd)


def test_webcam_missing_is_clear():
    with pytest.raises(SourceError, match="camera 97"):
        open_source(97)
    with pytest.raises(SourceError, match="camera 96"):
        open_source("96")


def test_list_cameras_is_fast():
    import time

    from signclip_desktop.sources.webcam import list_cameras

    t = time.perf_counter()
    cams = list_cameras()
    assert time.perf_counter() - t < 2.0
    assert isinstance(cams, list)


def test_kaggle_train_csv_labels(shared_data, tmp_path):
    import shutil

    src = shared_data / "fixtures" / "kaggle_parquet" / "train_landmark_files" / "100" / "1050.parquet"
    dst = tmp_path / "train_landmark_files" / "26734" / "1000035562.parquet"
    dst.parent.mkdir(parents=True)
    shutil.copy(src, dst)
    (tmp_path / "train.csv").write_text("path,participant_id,sequence_id,sign\n"
                                        "train_landmark_files/26734/1000035562.parquet,26734,1000035562,blow\n")
    (s,) = load_sequences(tmp_path)
    assert s.label == "blow" and s.signer == "26734" and len(s) == 1


def test_progress_printer():
    import io

    from signclip_desktop.progress import Progress

    buf = io.StringIO()
    with Progress(4, "work", stream=buf, min_interval=0) as p:
        for _ in range(4):
            p.update()
    assert "4/4" in buf.getvalue() and "work" in buf.getvalue()
    quiet = io.StringIO()
    with Progress(4, "x", stream=quiet, enabled=False) as p:
        p.update()
    assert quiet.getvalue() == ""


def test_mp_data_other_vector_orders_are_recognised(shared_data):
    """Face-first (F3P4LR) and right-hand-first (P4RL) projects map onto the same layout."""
    from signclip_desktop.sources.mp_data import detect_layout, vectors_to_layout

    d = shared_data / "fixtures" / "mp_data_raw" / "MP_Data" / "yes" / "0"
    vec = np.stack([np.load(d / f"{i}.npy") for i in range(30)])
    assert detect_layout(vec) == "P4F3LR"
    want = vectors_to_layout(vec)
    face_first = np.concatenate([vec[:, 132:1536], vec[:, :132], vec[:, 1536:]], axis=1)
    assert detect_layout(face_first) == "F3P4LR"
    np.testing.assert_array_equal(vectors_to_layout(face_first), want)
    p4lr = np.concatenate([vec[:, :132], vec[:, 1536:]], axis=1)  # 258: pose, left, right
    has_both = (np.abs(vec[:, 1536:1599]).sum(1) > 0).any() or (np.abs(vec[:, 1599:]).sum(1) > 0).any()
    assert has_both
    if detect_layout(p4lr) == "P4LR":  # MediaPipe's left hand sits at pose LEFT_WRIST in this recording
        p4rl = np.concatenate([vec[:, :132], vec[:, 1599:], vec[:, 1536:1599]], axis=1)
        assert detect_layout(p4rl) == "P4RL"
        np.testing.assert_array_equal(vectors_to_layout(p4rl)[:, L.LEFT_HAND.slice], want[:, L.LEFT_HAND.slice])


def test_mp4_and_truncated_mp4(tmp_path, capfd):
    import cv2

    path = tmp_path / "ramp.mp4"
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (320, 240))
    assert vw.isOpened()
    for i in range(10):
        vw.write(np.full((240, 320, 3), i * 20, np.uint8))
    vw.release()
    src = open_source(path)
    assert src.fps == 25 and len(list(src)) == 10
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # the index (moov) is at the end
    capfd.readouterr()
    with pytest.raises(SourceError, match="cut.mp4.*cannot be read as a video"):
        open_source(cut)
    assert "moov" not in capfd.readouterr().err  # FFmpeg's own complaint is kept quiet
