import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.stream.clip import trim_span
from signclip_desktop.tools.rest_check import with_rest

from test_speed_check import _waving


def test_rest_is_the_body_standing_still_with_no_hands_and_the_trim_finds_the_sign_again():
    f = _waving(t=30)
    padded = with_rest(f, 1.0)
    assert padded.shape == (90, L.NUM_POINTS, 4)
    np.testing.assert_array_equal(padded[30:60], f)
    for part in (padded[:30], padded[60:]):
        assert not (part[:, L.LEFT_HAND.slice, 3] > 0).any() and not (part[:, L.RIGHT_HAND.slice, 3] > 0).any()
        np.testing.assert_array_equal(part[:, L.LEFT_SHOULDER], np.repeat(f[:1, L.LEFT_SHOULDER], 30, 0))
    a, b = trim_span(padded)
    assert 27 <= a <= 30 and 60 <= b <= 63  # the sign, with trim_span's 0.1 s of context
    assert with_rest(f, 0.0) is f


def test_hands_low_rest_holds_the_clips_hand_still_at_the_waist():
    from signclip_desktop.keypoints.normalize import below_shoulders

    f = _waving(t=30)
    padded = with_rest(f, 1.0, hands_low=1.2)
    below = below_shoulders(padded)
    np.testing.assert_allclose(below[:30, 1], 1.2, atol=1e-4)  # the right hand, the only one the clip shows
    assert np.isnan(below[:30, 0]).all()
    np.testing.assert_allclose(below[60:, 1], 1.2, atol=1e-4)
    hand = padded[0, L.RIGHT_HAND.slice, :2]
    np.testing.assert_allclose(hand - hand.mean(0), f[0, L.RIGHT_HAND.slice, :2] - f[0, L.RIGHT_HAND.slice, :2].mean(0),
                               atol=1e-6)  # the same hand shape, moved


def _tiny_held_out_pack(tmp_path):
    """A tiny pack whose labels are three clips' own predict-path embeddings, and those clips."""
    from signclip_desktop.keypoints.features import InputSpec
    from signclip_desktop.model.encoder import Encoder
    from signclip_desktop.model.pack import Label, load_pack, write_pack
    from signclip_desktop.model.tiny import tiny_encoder_bytes, write_tiny_pack
    from signclip_desktop.stream.clip import embed_clip
    from signclip_desktop.training.data import Sample

    words = ("hello", "thank-you", "yes")
    clips = [_waving(step=0.01 * (i + 1)) for i in range(3)]
    for i, f in enumerate(clips):
        f[:, L.RIGHT_HAND.start:L.RIGHT_HAND.stop, 1] = 0.2 + 0.15 * i
    spec = InputSpec(window_frames=16, min_frames=4)
    tiny = load_pack(write_tiny_pack(tmp_path / "tiny", spec))
    enc = Encoder(tiny, providers="cpu", threads=1)
    emb = np.stack([embed_clip(enc, tiny, f, 30.0) for f in clips])
    pack = write_pack(tmp_path / "pack", name="t", version="0.0.1", spec=spec, onnx_bytes_or_path=tiny_encoder_bytes(spec),
                      labels=[Label(w, w, "ase", w) for w in words], label_embeddings=emb,
                      provenance={"train_signers": ["trainer"]})
    return pack, clips, [Sample(f, w, w, "ase", "held-out", "test") for f, w in zip(clips, words)]


def test_live_check_counts_windows_classified_at_rest_with_and_without_the_rule(tmp_path):
    pytest.importorskip("onnx")
    from signclip_desktop.tools.rest_check import live_check

    pack, _, held = _tiny_held_out_pack(tmp_path)
    out = live_check(pack, held, n=3)
    assert out["clips"] == 3
    for low in ("1", "1.2", "1.4"):
        assert out["held-low rule"][f"rest {low}"]["classified"] == 0
        assert out["held-low rule"][f"rest {low}"]["windows"] > 0
    assert out["no rule"]["rest 1.2"]["classified"] > 0  # the hand held still in view was classified


def test_as_predict_reads_held_out_clips_as_predict_does(tmp_path):
    """Labels made from each clip's own predict-path embedding: every clip is named right, with
    and without rest around it (the trim), and a signer the pack trained on is left out."""
    pytest.importorskip("onnx")
    from signclip_desktop.training.data import Sample
    from signclip_desktop.training.pack_eval import HeldOutTop1

    pack, clips, held = _tiny_held_out_pack(tmp_path)
    h = HeldOutTop1(pack, held + [Sample(clips[0], "yes", "yes", "ase", "trainer", "test")])
    assert h.as_predict() == {"top1": 1.0, "known": 1.0}
    assert h.as_predict(lambda f: with_rest(f, 2.0))["top1"] == 1.0
    assert h.as_predict(lambda f: with_rest(f, 2.0, hands_low=1.2))["top1"] == 1.0
    # read over every frame, the rest does mislead this pack: the two lines above test the trim
    assert h.as_predict(lambda f: with_rest(f, 2.0), whole=True)["top1"] < 1.0
    assert h.as_predict(lambda f: with_rest(f, 2.0, hands_low=1.2), whole=True)["top1"] < 1.0
    following = {id(f): clips[(i + 1) % 3] for i, f in enumerate(clips)}
    assert h.as_predict(lambda f: following[id(f)])["top1"] == 0.0
