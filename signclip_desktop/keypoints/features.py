"""From a window of layout frames to the exact tensor a pack's encoder takes.

A pack's manifest names its input (components, normalisation, coordinate dims);
``InputSpec`` reads that and ``encode_input`` builds [T, P, D] float32 where the
last channel is the confidence. Training calls the same function.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from . import layout as L
from .normalize import mirror, normalize

_DIMS = {"x": 0, "y": 1, "z": 2}


@dataclass(frozen=True)
class InputSpec:
    components: tuple[str, ...] = L.SUBSETS["body_hands"]
    normalization: str = "shoulders"
    dims: tuple[str, ...] = ("x", "y", "z")
    fps: float = 30.0
    window_frames: int = 32          # frames the encoder sees per window
    min_frames: int = 8
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def point_indices(self) -> np.ndarray:
        return L.component_indices(self.components)

    @property
    def num_points(self) -> int:
        return int(self.point_indices.size)

    @property
    def num_channels(self) -> int:
        return len(self.dims) + 1

    @classmethod
    def from_dict(cls, d: dict) -> "InputSpec":
        unknown_dims = [x for x in d.get("dims", ()) if x not in _DIMS]
        if unknown_dims:
            raise ValueError(f"unknown coordinate dims {unknown_dims}")
        spec = cls(
            components=tuple(d.get("components", cls.components)),
            normalization=d.get("normalization", cls.normalization),
            dims=tuple(d.get("dims", cls.dims)),
            fps=float(d.get("fps", cls.fps)),
            window_frames=int(d.get("window_frames", cls.window_frames)),
            min_frames=int(d.get("min_frames", cls.min_frames)),
        )
        spec.point_indices  # validates component names
        return spec

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        d["components"] = list(self.components)
        d["dims"] = list(self.dims)
        d["num_points"] = self.num_points
        d["num_channels"] = self.num_channels
        return d


def encode_input(frames: np.ndarray, spec: InputSpec, mirrored: bool = False) -> np.ndarray:
    """[T, 203, 4] layout frames -> [T, P, D] encoder input for ``spec``.

    ``mirrored`` swaps left/right after normalisation (left-handed signers)."""
    if frames.ndim != 3 or frames.shape[1:] != (L.NUM_POINTS, L.NUM_CHANNELS):
        raise ValueError(f"expected frames of shape [T, {L.NUM_POINTS}, {L.NUM_CHANNELS}], got {frames.shape}")
    x = np.nan_to_num(frames.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    bad = ~np.isfinite(frames).all(axis=-1)
    x[bad] = 0.0
    x = normalize(x, spec.normalization)
    if mirrored:
        x = mirror(x)
    x = x[:, spec.point_indices]
    cols = [_DIMS[d] for d in spec.dims] + [3]
    out = x[..., cols]
    out[..., -1] = (out[..., -1] > 0).astype(np.float32)
    return np.ascontiguousarray(out, dtype=np.float32)
