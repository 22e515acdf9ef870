"""The post-hoc fixes of tools/adapt_check: what they do to embeddings, on hand-made cases."""
import numpy as np

from signclip_desktop.tools.adapt_check import csls, signer_shift


def test_a_signers_constant_offset_is_taken_away_by_the_whole_shift():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(6, 4))
    target = base.mean(axis=0)
    offset = np.array([3.0, 0.0, 0.0, 0.0])
    signers = np.array(["a"] * 3 + ["b"] * 3)
    shifted = signer_shift(base + offset * (signers == "a")[:, None], signers, target, 1.0)
    # signer a's clips point where they would have without the offset (up to the unit length)
    expect = signer_shift(base, signers, target, 1.0)
    assert np.allclose(shifted, expect, atol=1e-6)
    assert not np.allclose(signer_shift(base + offset * (signers == "a")[:, None], signers, target, 0.0), expect, atol=1e-3)


def test_csls_stops_a_hub_label_from_taking_every_clip():
    labels = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.6, 0.6, 0.2]])
    labels /= np.linalg.norm(labels, axis=1, keepdims=True)
    clips = np.array([[0.8, 0.45, 0.4], [0.45, 0.8, 0.4]])
    clips /= np.linalg.norm(clips, axis=1, keepdims=True)
    assert (clips @ labels.T).argmax(axis=1).tolist() == [2, 2]     # the hub wins both by cosine
    assert csls(clips, labels, np.array(["s", "s"]), k=2).argmax(axis=1).tolist() == [0, 1]
