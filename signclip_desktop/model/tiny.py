"""A tiny, deterministic ONNX encoder built with onnx.helper.

Not a trained model: tests and benchmarks use it to exercise the pack loader and the
runtime where no trained pack is wanted (it is never shipped under models/).
Needs the ``onnx`` package (train extra).
"""
from __future__ import annotations

import numpy as np

from ..keypoints.features import InputSpec
from .pack import Calibration, Label, write_pack


def tiny_encoder_bytes(spec: InputSpec, dim: int = 16, seed: int = 0) -> bytes:
    """keypoints [B, T, P, D] -> mean over time -> flatten -> linear -> embedding [B, dim]."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    p, c = spec.num_points, spec.num_channels
    w = np.random.default_rng(seed).standard_normal((p * c, dim)).astype(np.float32) / np.sqrt(p * c)
    nodes = [
        helper.make_node("ReduceMean", ["keypoints", "axes"], ["pooled"], keepdims=0),
        helper.make_node("Reshape", ["pooled", "shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "W"], ["embedding"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_encoder",
        [helper.make_tensor_value_info("keypoints", TensorProto.FLOAT, ["batch", "time", p, c])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", dim])],
        initializer=[numpy_helper.from_array(np.array([1], np.int64), "axes"),
                     numpy_helper.from_array(np.array([-1, p * c], np.int64), "shape"),
                     numpy_helper.from_array(w, "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def write_tiny_pack(out_dir, spec: InputSpec | None = None, labels=("hello", "thank-you", "yes"),
                    dim: int = 16, seed: int = 0):
    spec = spec or InputSpec(window_frames=16, min_frames=4)
    rng = np.random.default_rng(seed + 1)
    emb = rng.standard_normal((len(labels), dim)).astype(np.float32)
    return write_pack(
        out_dir, name="tiny-test", version="0.0.1", spec=spec, onnx_bytes_or_path=tiny_encoder_bytes(spec, dim, seed),
        labels=[Label(l, l, "und", f"<en> <und> {l}") for l in labels], label_embeddings=emb,
        calibration=Calibration(temperature=0.1), stride_frames=4,
        description="untrained test encoder", provenance={"trained": False},
    )
