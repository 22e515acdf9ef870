"""Label embeddings from training clips (signclip_desktop.training.prototypes)."""
import numpy as np

from signclip_desktop.training.prototypes import blend, recipe, variants, visual_prototypes


def _unit(x):
    x = np.asarray(x, np.float32)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _toy():
    emb = _unit([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [0, 1, 0], [0, 2, 1]])
    y = np.array([0, 0, 2, 2, 2, 2])          # label 1 has no clips
    signers = np.array(["a", "b", "a", "b", "b", "b"])
    text = _unit([[0, 1, 0], [1, 0, 1], [1, 1, 1]])
    return emb, y, signers, text


def test_visual_prototypes_are_normalised_class_means_in_label_order():
    emb, y, _, text = _toy()
    p = visual_prototypes(emb, y, 3, fallback=text)
    assert p.shape == (3, 3) and np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-6)
    assert np.allclose(p[0], _unit(emb[:2].mean(axis=0)), atol=1e-6)
    assert np.allclose(p[2], _unit(emb[2:].mean(axis=0)), atol=1e-6)
    assert np.allclose(p[1], text[1], atol=1e-6)  # no clips: falls back to the label's text row
    assert np.allclose(visual_prototypes(emb, y, 3)[1], 0)


def test_signer_mean_weighs_signers_equally():
    emb, y, signers, _ = _toy()
    p = visual_prototypes(emb, y, 3, signers)
    want = _unit((emb[2] + emb[3:].mean(axis=0)) / 2)  # signer a: 1 clip, signer b: 3 clips
    assert np.allclose(p[2], want, atol=1e-6)
    assert not np.allclose(p[2], visual_prototypes(emb, y, 3)[2], atol=1e-3)


def test_variants_blend_and_recipe_keep_label_rows():
    emb, y, signers, text = _toy()
    v = variants(text, emb, y, signers, alphas=(0.5, 1.0))
    assert set(v) == {"text", "clip_mean", "signer_mean", "text+0.5*clip_mean", "text+1*clip_mean",
                      "text+0.5*signer_mean", "text+1*signer_mean"}
    for name, m in v.items():
        assert m.shape == text.shape and np.allclose(np.linalg.norm(m, axis=1), 1, atol=1e-6)
        assert np.allclose(recipe(name, text, emb, y, signers), m, atol=1e-6)
    assert np.allclose(v["text"], text)
    b = blend(text, v["clip_mean"], 1.0)
    assert np.allclose(b[0], _unit(text[0] + v["clip_mean"][0]), atol=1e-6)
    assert np.allclose(b[1], text[1], atol=1e-6)  # label without clips keeps its text embedding
