import json

import numpy as np
import pytest

from signclip_desktop.keypoints.features import encode_input
from signclip_desktop.keypoints import layout as L
from signclip_desktop.model.encoder import Encoder
from signclip_desktop.model.pack import PackError, load_pack
from signclip_desktop.model.scorer import Scorer


def test_tiny_pack_loads_and_embeds(tiny_pack):
    pack = load_pack(tiny_pack)
    enc = Encoder(pack, providers="cpu", threads=1)
    assert enc.provider_name == "CPU"
    frames = np.random.default_rng(0).random((20, L.NUM_POINTS, 4)).astype(np.float32)
    e = enc.embed(encode_input(frames, pack.input))
    assert e.shape == (pack.embedding_dim,)
    assert abs(np.linalg.norm(e) - 1) < 1e-5
    pred = Scorer.from_pack(pack).predict(e, k=2)
    assert len(pred.top) == 2 and pred.top[0].score >= pred.top[1].score
    assert pred.confidence in ("sure", "maybe", "unsure")


def test_manifest_mismatch_is_reported(tiny_pack, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_pack, bad)
    m = json.loads((bad / "manifest.json").read_text())
    m["input"]["components"] = ["right_hand"]
    (bad / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(PackError, match="points"):
        load_pack(bad)


def test_unknown_normalisation_is_refused_at_load(tiny_pack, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_pack, bad)
    m = json.loads((bad / "manifest.json").read_text())
    m["input"]["normalization"] = "from_the_future"
    (bad / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(PackError, match="from_the_future.*newer SignCLIP Desktop"):
        load_pack(bad)


def test_corrupt_encoder_is_reported(tiny_pack, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_pack, bad)
    (bad / "encoder.onnx").write_bytes(b"not an onnx model")
    with pytest.raises(PackError, match="not a readable ONNX"):
        load_pack(bad)


def test_language_filter_keeps_one_alphabet_and_personal_signs():
    from signclip_desktop.model.pack import Calibration, Label

    labels = [Label("ase:A", "A", "ase"), Label("gsg:A", "A", "gsg"), Label("ase:B", "B", "ase")]
    emb = np.eye(3, 4, dtype=np.float32)
    sc = Scorer(labels, emb, Calibration(temperature=0.1))
    assert sc.languages == ("ase", "gsg")
    query = np.array([0.1, 1.0, 0.0, 0.0], np.float32)  # closest to gsg:A
    assert sc.predict(query, k=1).top[0].label == "gsg:A"
    sc.set_language("ase")
    assert [g.label for g in sc.predict(query, k=5).top] == ["ase:A", "ase:B"]
    sc.set_prototypes([(Label("mine", "mine", "gsg"), np.array([[0.0, 1.0, 0.0, 0.0]], np.float32))])
    assert sc.predict(query, k=1).top[0].label == "mine"
    sc.set_language(None)
    assert len(sc.labels) == 4
    with pytest.raises(ValueError):
        sc.set_language("bfi")


def test_label_display_text_reads_as_words():
    from signclip_desktop.model.pack import Label

    assert Label("thank-you", "thank-you").display == "thank you"
    assert Label("ase:A", "A", "ase").display == "A"
