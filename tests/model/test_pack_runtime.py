import json

import numpy as np
import pytest

from signclip_desktop.keypoints.features import InputSpec, encode_input
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


def test_corrupt_encoder_is_reported(tiny_pack, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_pack, bad)
    (bad / "encoder.onnx").write_bytes(b"not an onnx model")
    with pytest.raises(PackError, match="not a readable ONNX"):
        load_pack(bad)
