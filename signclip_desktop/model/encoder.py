"""Run a pack's ONNX pose encoder with onnxruntime (CUDA when present, else CPU)."""
from __future__ import annotations

import os

import numpy as np

from .pack import Pack, PackError

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def available_providers() -> list[str]:
    from ..offline import onnxruntime

    ort = onnxruntime()

    return list(ort.get_available_providers())


def choose_providers(prefer: str = "auto") -> list[str]:
    """'auto' uses CUDA when onnxruntime offers it; 'cpu' forces CPU; 'cuda' asks for CUDA first."""
    avail = available_providers()
    if prefer == "cpu":
        return [CPU]
    if prefer in ("auto", "cuda") and CUDA in avail:
        return [CUDA, CPU]
    return [CPU]


class Encoder:
    """Embeds encoder inputs ([T, P, D] float32) into unit vectors."""

    def __init__(self, pack: Pack, providers: str = "auto", threads: int | None = None, warmup: bool = True,
                 variant: str = "auto"):
        """``threads``: onnxruntime intra-op threads (default ``$SIGNCLIP_THREADS`` or 1; 0 lets
        onnxruntime choose, for big batches). ``variant``: fp32 / int8 / auto (model/variants.py)."""
        from ..offline import onnxruntime

        ort = onnxruntime()  # telemetry off before any session exists

        self.pack = pack
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        # The live app runs the encoder once per stride, next to Holistic on the same cores:
        # onnxruntime's default spin-waiting pool threads would burn ~10% of a core between
        # runs (measured by `signclip-desktop bench`); block them instead.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        threads = threads if threads is not None else int(os.environ.get("SIGNCLIP_THREADS", "1") or 1)
        # Default 1: a window is tiny (1-3 ms), one thread is as fast as a pool on 2-4 cores
        # (no hand-off) and leaves the other cores to Holistic; 0 = onnxruntime's own choice.
        if threads > 0:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        chosen = choose_providers(providers)
        try:
            from .variants import choose_variant, variant_calibration, variant_file

            self.variant = choose_variant(pack, variant, chosen[0])
            self.encoder_file = variant_file(pack, self.variant)
            self.calibration = variant_calibration(pack, self.variant)  # None: the pack's own
        except ValueError as e:
            raise PackError(pack.path, str(e)) from e
        try:
            self.session = ort.InferenceSession(str(self.encoder_file), opts, providers=chosen)
        except Exception as e:
            raise PackError(pack.path, f"the encoder cannot be loaded ({str(e)[:200]})") from e
        self.provider = self.session.get_providers()[0]
        if warmup:
            self.embed(np.zeros((pack.input.window_frames, pack.input.num_points, pack.input.num_channels), np.float32))

    @property
    def provider_name(self) -> str:
        return "CUDA" if self.provider == CUDA else "CPU"

    def embed_batch(self, x: np.ndarray) -> np.ndarray:
        """[B, T, P, D] -> [B, E] unit vectors."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        (out,) = self.session.run([self.pack.onnx_output], {self.pack.onnx_input: x})
        out = np.asarray(out, np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=-1, keepdims=True), 1e-8)

    def embed(self, x: np.ndarray) -> np.ndarray:
        """[T, P, D] -> [E] unit vector."""
        return self.embed_batch(x[None])[0]
