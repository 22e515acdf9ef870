"""ONNX export of the pose encoder (torch's default exporter, dynamic batch and time axes),
parity check against torch, and an optional int8 (dynamic quantisation) variant."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np


def export_encoder(encoder, path, num_points: int, num_channels: int, example_frames: int = 24) -> Path:
    """Write ``encoder`` ([B, T, P, D] -> [B, E]) as ONNX with input ``keypoints``, output ``embedding``."""
    import torch

    path = Path(path)
    encoder = encoder.eval()
    x = torch.zeros(2, example_frames, num_points, num_channels)
    x[..., -1] = 1.0
    max_len = int(getattr(encoder, "config", {}).get("max_len", 256))
    batch = torch.export.Dim("batch", min=1, max=4096)
    time = torch.export.Dim("time", min=2, max=max_len)
    with warnings.catch_warnings(), open(os.devnull, "w") as devnull:
        warnings.simplefilter("ignore")
        import contextlib

        with contextlib.redirect_stdout(devnull):
            prog = torch.onnx.export(encoder, (x,), input_names=["keypoints"], output_names=["embedding"],
                                     dynamic_shapes={"keypoints": {0: batch, 1: time}}, opset_version=18,
                                     dynamo=True, optimize=True)
    prog.save(str(path), external_data=False)
    return path


def onnx_session(path):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def parity(encoder, onnx_path, num_points: int, num_channels: int, seed: int = 0) -> float:
    """Largest |torch - onnx| over a few random inputs with different batch/time sizes and blank frames."""
    import torch

    rng = np.random.default_rng(seed)
    sess = onnx_session(onnx_path)
    worst = 0.0
    for b, t in ((1, 32), (3, 17), (2, 48), (1, 5)):
        x = rng.normal(0, 0.5, (b, t, num_points, num_channels)).astype(np.float32)
        vis = (rng.random((b, t, num_points)) > 0.3).astype(np.float32)
        vis[:, :2] = 0.0  # blank frames
        x[..., -1] = vis
        x[..., :-1] *= vis[..., None]
        with torch.no_grad():
            ref = encoder.eval()(torch.from_numpy(x)).numpy()
        (out,) = sess.run(["embedding"], {"keypoints": x})
        worst = max(worst, float(np.abs(out - ref).max()))
    return worst


def quantize_int8(src, dst) -> Path:
    """Dynamic int8 quantisation of the MatMul weights: the same call as the packs' int8 copies."""
    from ..tools.encoder_variants import quantize_int8 as _quantize

    return _quantize(src, dst)
