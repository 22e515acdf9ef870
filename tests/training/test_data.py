import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.keypoints.features import InputSpec, encode_input
from signclip_desktop.sources.pose_io import load_pose_file
from signclip_desktop.training import data as D


def test_pose_to_layout_reduced_and_full(shared_data):
    st = next((shared_data / "fingerspelling" / "spreadthesign" / "gsg").glob("*.pose"))
    seq = load_pose_file(st)
    assert seq.frames.dtype == np.float32 and seq.frames.shape[1:] == (L.NUM_POINTS, 4)
    vis = seq.frames[..., 3] > 0
    assert vis[:, L.LEFT_SHOULDER].all() and vis[:, L.RIGHT_HAND.slice].any()
    assert (seq.frames[:, list(L.LEG_INDICES)] == 0).all()          # legs hidden
    assert (seq.frames[~vis][:, :3] == 0).all()                       # missing = zeros
    full = load_pose_file(shared_data / "fixtures" / "pose" / "mediapipe.pose")  # 468-point face
    assert full.frames.shape[1] == L.NUM_POINTS and (full.frames[..., L.FACE.slice, 3] > 0).any()


def test_words_loader_and_signer_split(shared_data):
    words = D.load_words(shared_data, max_per_file=6)
    assert len(words) > 300
    assert all(s.frames.shape[1:] == (L.NUM_POINTS, 4) for s in words[:50])
    held = D.heldout_signers(words, fraction=0.25, seed=0)
    train, test = D.split_by_signer(words, held)
    assert held and {s.signer for s in train}.isdisjoint({s.signer for s in test})
    assert {s.label for s in test} <= {s.label for s in train}    # every held-out label still trained
    labels = D.label_table(words, "words")
    hello = next(l for l in labels if l.id == "hello")
    assert hello.language == "ase" and hello.prompt == "<en> <ase> hello"


def test_fingerspelling_loaders(shared_data):
    letters = D.load_letters(shared_data)
    assert {s.label.split(":")[0] for s in letters} == {"ase", "ins"}
    assert len({s.signer for s in letters}) == 8
    static = D.load_asl_static(shared_data)
    assert len(static) > 10000 and static[0].static and static[0].label.startswith("ase:")
    x = encode_input(static[0].frames, InputSpec(components=("left_hand", "right_hand"), normalization="hands",
                                                 dims=("x", "y")))
    assert x.shape == (D.STATIC_FRAMES, 42, 3) and x[:, 21:, -1].all()
    st = D.load_spreadthesign(shared_data)
    assert len(st) > 500 and any(s.label == "gsg:A" for s in st)
    assert all(s.signer.startswith("spreadthesign-") for s in st)


def test_training_reads_a_pose_file_exactly_as_the_app_does(shared_data):
    """One source of truth: a Spreadthesign clip (a 500x500 .pose) reaches training as the app's
    ``load_clip`` gives it to the model: image units, read as a 4:3 picture."""
    from signclip_desktop.keypoints.normalize import REFERENCE_ASPECT
    from signclip_desktop.stream.clip import load_clip

    folder = shared_data / "fingerspelling" / "spreadthesign"
    st = [s for s in D.load_spreadthesign(shared_data) if s.source.startswith("gsg/")][:3]
    assert st
    for s in st:
        app = load_clip(folder / s.source)
        assert app.meta["picture_aspect"] == 1.0 and app.meta["model_aspect"] == REFERENCE_ASPECT
        np.testing.assert_array_equal(s.frames, app.frames)
        vis = s.frames[..., 3] > 0
        assert np.abs(s.frames[vis][:, :2]).max() < 3.0  # image units (points may lie a little off the picture), not pixels
