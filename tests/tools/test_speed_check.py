import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.tools.speed_check import clip_motion, tempo


def _waving(t=30, step=0.02):
    """Shoulders 0.2 apart, a right hand moving ``step`` per frame along x."""
    f = np.zeros((t, L.NUM_POINTS, 4), np.float32)
    f[:, L.LEFT_SHOULDER, :2] = (0.6, 0.5)
    f[:, L.RIGHT_SHOULDER, :2] = (0.4, 0.5)
    f[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 3] = 1.0
    hand = L.RIGHT_HAND
    f[:, hand.start:hand.stop, 0] = 0.3 + step * np.arange(t)[:, None]
    f[:, hand.start:hand.stop, 1] = 0.4
    f[:, hand.start:hand.stop, 3] = 1.0
    return f


def test_motion_is_in_shoulder_widths_per_frame():
    assert abs(clip_motion(_waving()) - 0.1) < 1e-4


def test_motion_needs_shoulders_and_a_hand():
    f = _waving()
    f[:, L.RIGHT_HAND.start:L.RIGHT_HAND.stop] = 0
    assert clip_motion(f) is None
    g = _waving()
    g[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 3] = 0
    assert clip_motion(g) is None


def test_tempo_plays_the_clip_faster_at_the_same_frame_rate():
    f = _waving(t=30)
    fast = tempo(f, 2.0)
    assert 14 <= len(fast) <= 16
    assert abs(clip_motion(fast) - 0.2) < 0.01
    assert abs(clip_motion(tempo(f, 1.0)) - 0.1) < 1e-4


def test_held_out_top1_skips_training_signers_and_scores_the_transformed_clips(tmp_path):
    """The shared helper of speed_check and aspect_check: a pack whose labels are the embeddings of
    three clips names each clip right, names none right when each clip is swapped for the next one,
    and leaves out the clips of a signer the pack was trained on."""
    pytest.importorskip("onnx")
    from signclip_desktop.keypoints.features import InputSpec
    from signclip_desktop.model.encoder import Encoder
    from signclip_desktop.model.pack import Label, load_pack, write_pack
    from signclip_desktop.model.tiny import tiny_encoder_bytes, write_tiny_pack
    from signclip_desktop.training.data import Sample
    from signclip_desktop.training.evaluate import embed_samples
    from signclip_desktop.training.pack_eval import HeldOutTop1

    words = ("hello", "thank-you", "yes")
    clips = [_waving(step=0.01 * (i + 1)) for i in range(3)]
    for i, f in enumerate(clips):
        f[:, L.RIGHT_HAND.start:L.RIGHT_HAND.stop, 1] = 0.2 + 0.15 * i
    held = [Sample(f, w, w, "ase", "held-out", "test") for f, w in zip(clips, words)]
    spec = InputSpec(window_frames=16, min_frames=4)
    tiny = load_pack(write_tiny_pack(tmp_path / "tiny", spec))
    emb = embed_samples(Encoder(tiny, providers="cpu", threads=1).embed_batch, held, tiny.input)
    pack = write_pack(tmp_path / "pack", name="t", version="0.0.1", spec=spec, onnx_bytes_or_path=tiny_encoder_bytes(spec),
                      labels=[Label(w, w, "ase", w) for w in words], label_embeddings=emb,
                      provenance={"train_signers": ["trainer"]})
    trainer = Sample(clips[0], "yes", "yes", "ase", "trainer", "test")  # mislabelled: counted, it would lower top-1

    top1 = HeldOutTop1(pack, held + [trainer])
    assert len(top1.clips) == 3 and top1.signers == 1
    assert top1() == 1.0
    following = {id(f): clips[(i + 1) % 3] for i, f in enumerate(clips)}
    assert top1(lambda f: following[id(f)]) == 0.0
