"""The packs committed under models/ load with the app's loader and run with its encoder."""
from pathlib import Path

import numpy as np
import pytest

from signclip_desktop.keypoints.features import encode_input
from signclip_desktop.model.encoder import Encoder
from signclip_desktop.model.pack import load_pack
from signclip_desktop.model.scorer import Scorer

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.mark.parametrize("name", ["words", "fingerspelling"])
def test_committed_pack_loads_and_runs(name):
    path = MODELS / name
    if not (path / "manifest.json").exists():
        pytest.skip(f"{path} not committed yet")
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size <= 10 * 1024 * 1024
    pack = load_pack(path)
    assert pack.provenance.get("trained") and pack.calibration.temperature > 0
    assert (path / "MODEL_CARD.md").is_file()
    enc = Encoder(pack, providers="cpu", threads=1)
    rng = np.random.default_rng(0)
    frames = np.zeros((pack.input.window_frames, 203, 4), np.float32)
    frames[:, :25, :2] = rng.random((pack.input.window_frames, 25, 2))
    frames[:, 161:203, :2] = rng.random((pack.input.window_frames, 42, 2)) * 0.2 + 0.4
    frames[:, :25, 3] = frames[:, 161:203, 3] = 1.0
    e = enc.embed(encode_input(frames, pack.input))
    assert e.shape == (pack.embedding_dim,) and abs(np.linalg.norm(e) - 1) < 1e-4
    pred = Scorer.from_pack(pack).predict(e, k=3)
    assert len(pred.top) == 3 and pred.top[0].label in pack.label_ids
    # batch and time are dynamic
    out = enc.embed_batch(np.zeros((2, 7, pack.input.num_points, pack.input.num_channels), np.float32))
    assert out.shape == (2, pack.embedding_dim)
