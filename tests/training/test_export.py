import numpy as np
import pytest

torch = pytest.importorskip("torch")


@pytest.mark.slow
def test_onnx_matches_torch(tmp_path):
    from signclip_desktop.training.export import export_encoder, parity
    from signclip_desktop.training.model import PoseEncoder

    torch.manual_seed(0)
    enc = PoseEncoder(42, 3, d_model=32, layers=2, heads=2, ff=64, embed_dim=16)
    path = export_encoder(enc, tmp_path / "enc.onnx", 42, 3)
    assert parity(enc, path, 42, 3) < 1e-4
    # padding with missing frames does not change the embedding (masked attention and pooling)
    x = torch.randn(1, 10, 42, 3)
    x[..., -1] = 1.0
    padded = torch.cat([x, torch.zeros(1, 6, 42, 3)], dim=1)
    with torch.no_grad():
        assert torch.allclose(enc(x), enc(padded), atol=1e-5)
    import onnxruntime as ort

    out = ort.InferenceSession(str(path)).run(["embedding"], {"keypoints": np.zeros((1, 7, 42, 3), np.float32)})[0]
    assert out.shape == (1, 16) and np.isfinite(out).all()
