"""SignCLIP-style pose encoder, laptop-sized, ONNX-exportable with a dynamic time axis.

keypoints [B, T, P, D] (``encode_input`` output, confidence last)
 -> per-frame MLP embedding of the P*D values
 -> depthwise temporal conv (local motion) + learned positions
 -> small pre-norm transformer (frames with no visible point are masked)
 -> masked mean pooling -> projection -> L2-normalised embedding [B, E].

The text side (``TextProjection``) maps fixed sentence embeddings of the label prompts into
the same space; its output for the pack's labels is precomputed into labels.npz.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..keypoints import layout as L

MASK_BIAS = -1e4


class Block(nn.Module):
    def __init__(self, d: int, heads: int, ff: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.n1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.n2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(ff, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, d = h.shape
        dh = d // self.heads
        q, k, v = self.qkv(self.n1(h)).reshape(b, t, 3, self.heads, dh).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(dh)) + bias
        att = self.drop(att.softmax(dim=-1))
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        h = h + self.drop(self.out(y))
        return h + self.drop(self.ff(self.n2(h)))


def _palm_length(hand: torch.Tensor) -> torch.Tensor:
    """[B, T, 21, C] hand points -> [B, T, 1] wrist-to-middle-finger-base length (>= 0.05), written
    out rather than ``.norm()``: the exporter turns that into ONNX ReduceL2, which was measured slower."""
    v = hand[:, :, L.HAND_MIDDLE_MCP] - hand[:, :, L.HAND_WRIST]
    return torch.sqrt((v * v).sum(dim=-1, keepdim=True)).clamp(min=0.05)


class DerivedFeatures(nn.Module):
    """Per-frame input vector, computed inside the exported graph (so training and the app
    cannot disagree): the ``encode_input`` values, plus optionally
    ``hand_centred`` (each hand's points relative to its wrist, in palm lengths: handshape
    independent of where the hand is), ``velocity`` (frame-to-frame coordinate change) and
    ``hand_distances`` (every pair of a hand's points, their distance in palm lengths: a handshape
    that does not change when the hand turns in the picture plane) and ``hand_frame`` (each hand's
    points in the hand's own frame: along and across the wrist-to-middle-finger axis, in palm
    lengths; turning the hand changes nothing, but unlike distances a hand seen from its back and
    from its palm, mirror images in the picture, stay apart) and ``hand_contacts`` (distances from
    each hand's wrist and fingertips to the face and shoulders (``body_points``) and to the other
    hand's: where a sign touches, the same when the signer leans or the camera tilts) and
    ``hand_angles`` (the cosine of each finger joint's bend and of the spread between neighbouring
    fingers: handshape as a signer's joints make it, whatever the hand's size, proportions or turn)."""

    KNOWN = ("hand_centred", "velocity", "hand_distances", "hand_frame", "hand_contacts", "hand_angles")
    FINGERS = ("THUMB", "INDEX_FINGER", "MIDDLE_FINGER", "RING_FINGER", "PINKY")
    # a hand's wrist and five fingertips
    CONTACT_POINTS = tuple(i for i, n in enumerate(L.HAND_POINTS) if n == "WRIST" or n.endswith("_TIP"))

    def __init__(self, num_points: int, num_channels: int, derived: tuple = (), hand_slices: tuple = (),
                 body_points: tuple = ()):
        super().__init__()
        unknown = set(derived) - set(self.KNOWN)
        if unknown:
            raise ValueError(f"unknown derived features {sorted(unknown)}")
        self.derived, self.hand_slices = derived, hand_slices
        c = num_channels - 1
        self.dim = num_points * num_channels
        if "hand_centred" in derived:
            self.dim += sum(e - s for s, e in hand_slices) * c
        if "velocity" in derived:
            self.dim += num_points * c
        if "hand_distances" in derived:
            sizes = {e - s for s, e in hand_slices}
            if len(sizes) != 1:
                raise ValueError("hand_distances needs hands of one size")
            n = sizes.pop()
            # constant pair indices: a plain gather in the exported graph (one MatMul with a 0 / +-1
            # matrix instead measured 7 % slower)
            i, j = torch.triu_indices(n, n, 1)
            self.register_buffer("pair_i", i, persistent=False)
            self.register_buffer("pair_j", j, persistent=False)
            self.dim += len(hand_slices) * len(i)
        if "hand_frame" in derived:
            self.dim += sum(e - s for s, e in hand_slices) * 2
        if "hand_contacts" in derived:
            if len(hand_slices) != 2 or not body_points:
                raise ValueError("hand_contacts needs both hands and body points")
            k = len(self.CONTACT_POINTS)
            tips = [torch.tensor([s + p for p in self.CONTACT_POINTS]) for s, _ in hand_slices]
            self.register_buffer("tips_l", tips[0], persistent=False)
            self.register_buffer("tips_r", tips[1], persistent=False)
            self.register_buffer("body", torch.tensor(list(body_points)), persistent=False)
            self.dim += 2 * k * len(body_points) + k * k
        if "hand_angles" in derived:
            bone_from, bone_to, bend, spread = self.hand_bones()
            for name, v in (("bone_from", bone_from), ("bone_to", bone_to), ("bend_a", bend[0]), ("bend_b", bend[1]),
                            ("spread_a", spread[0]), ("spread_b", spread[1])):
                self.register_buffer(name, torch.tensor(v), persistent=False)
            self.dim += len(hand_slices) * (len(bend[0]) + len(spread[0]))

    @classmethod
    def hand_bones(cls):
        """Each finger's four bones (wrist -> base -> ... -> tip) as (from, to) hand point indices; the
        bone pairs whose angle is a joint's bend (3 per finger) and the neighbouring fingers' first
        free bones whose angle is their spread (4)."""
        bone_from, bone_to, first_free = [], [], []
        for f in cls.FINGERS:
            chain = [L.HAND_WRIST] + [i for i, n in enumerate(L.HAND_POINTS) if n.startswith(f + "_")]
            first_free.append(len(bone_from) + 1)
            bone_from += chain[:-1]
            bone_to += chain[1:]
        bend = ([b for f in range(len(cls.FINGERS)) for b in range(4 * f, 4 * f + 3)],
                [b + 1 for f in range(len(cls.FINGERS)) for b in range(4 * f, 4 * f + 3)])
        return bone_from, bone_to, bend, (first_free[:-1], first_free[1:])

    def forward(self, kp: torch.Tensor) -> torch.Tensor:
        b, t = kp.shape[0], kp.shape[1]
        parts = [kp.reshape(b, t, -1)]
        xy, conf = kp[..., :-1], kp[..., -1:]
        if "hand_centred" in self.derived:
            for s, e in self.hand_slices:
                hand, hc = xy[:, :, s:e], conf[:, :, s:e]
                rel = hand - hand[:, :, :1]
                parts.append((rel / _palm_length(hand).unsqueeze(2) * hc).reshape(b, t, -1))
        if "velocity" in self.derived:
            v = (xy[:, 1:] - xy[:, :-1]) * (conf[:, 1:] * conf[:, :-1])
            v = torch.cat([torch.zeros_like(v[:, :1]), v], dim=1) * 4.0   # ~unit scale at 30 fps
            parts.append(v.reshape(b, t, -1))
        if "hand_distances" in self.derived:
            for s, e in self.hand_slices:
                # x and y apart, not .norm() over the pair axis (ReduceL2 again)
                hx, hy, hc = kp[:, :, s:e, 0], kp[:, :, s:e, 1], kp[:, :, s, -1:]
                dx = hx[:, :, self.pair_i] - hx[:, :, self.pair_j]
                dy = hy[:, :, self.pair_i] - hy[:, :, self.pair_j]
                palm = _palm_length(kp[:, :, s:e, :2])
                parts.append(torch.sqrt(dx * dx + dy * dy) / palm * hc)
        if "hand_frame" in self.derived:
            for s, e in self.hand_slices:
                hand, hc = xy[:, :, s:e, :2], conf[:, :, s:e]
                rel = hand - hand[:, :, L.HAND_WRIST:L.HAND_WRIST + 1]
                palm = _palm_length(hand).unsqueeze(2)                          # [B, T, 1, 1]
                axis = rel[:, :, L.HAND_MIDDLE_MCP:L.HAND_MIDDLE_MCP + 1] / palm  # unit, or short when no hand
                along = (rel * axis).sum(dim=-1, keepdim=True)
                across = rel[..., :1] * axis[..., 1:] - rel[..., 1:] * axis[..., :1]
                parts.append((torch.cat([along, across], dim=-1) / palm * hc).reshape(b, t, -1))
        if "hand_contacts" in self.derived:
            body = kp[:, :, self.body]
            left, right = kp[:, :, self.tips_l], kp[:, :, self.tips_r]
            for a, o in ((left, body), (right, body), (left, right)):
                d = a[:, :, :, None, :2] - o[:, :, None, :, :2]                 # [B, T, 6, M, 2]
                seen = a[:, :, :, None, -1] * o[:, :, None, :, -1]
                parts.append((torch.sqrt((d * d).sum(dim=-1) + 1e-8) * seen).reshape(b, t, -1))
        if "hand_angles" in self.derived:
            for s, e in self.hand_slices:
                hand, hc = kp[:, :, s:e, :2], kp[:, :, s, -1:]
                bones = hand[:, :, self.bone_to] - hand[:, :, self.bone_from]               # [B, T, 20, 2]
                bones = bones / torch.sqrt((bones * bones).sum(dim=-1, keepdim=True) + 1e-8)
                for a, o in ((self.bend_a, self.bend_b), (self.spread_a, self.spread_b)):
                    parts.append((bones[:, :, a] * bones[:, :, o]).sum(dim=-1) * hc)
        return torch.cat(parts, dim=-1)


class ConvBlock(nn.Module):
    """Residual depthwise-separable temporal conv (local motion patterns before attention)."""

    def __init__(self, d: int, kernel: int, dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.dw = nn.Conv1d(d, d, kernel, padding=kernel // 2, groups=d)
        self.pw = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        y = self.dw((self.norm(h) * mask.unsqueeze(-1)).transpose(1, 2)).transpose(1, 2)
        return h + self.drop(self.pw(y))


class PoseEncoder(nn.Module):
    def __init__(self, num_points: int, num_channels: int, d_model: int = 192, layers: int = 4, heads: int = 4,
                 ff: int = 384, embed_dim: int = 256, dropout: float = 0.1, max_len: int = 256, conv_kernel: int = 5,
                 time_stride: int = 1, derived: tuple = (), hand_slices: tuple = (), conv_layers: int = 0,
                 body_points: tuple = ()):
        super().__init__()
        self.config = dict(num_points=num_points, num_channels=num_channels, d_model=d_model, layers=layers,
                           heads=heads, ff=ff, embed_dim=embed_dim, dropout=dropout, max_len=max_len,
                           conv_kernel=conv_kernel, time_stride=time_stride)
        if derived or conv_layers:  # keep old checkpoints' configs unchanged
            self.config.update(derived=list(derived), hand_slices=[list(h) for h in hand_slices], conv_layers=conv_layers)
        if body_points:
            self.config["body_points"] = list(body_points)
        self.time_stride = time_stride
        self.features = DerivedFeatures(num_points, num_channels, tuple(derived), tuple(tuple(h) for h in hand_slices),
                                        tuple(body_points))
        self.inp = nn.Sequential(nn.Linear(self.features.dim, d_model), nn.GELU(), nn.LayerNorm(d_model),
                                 nn.Linear(d_model, d_model))
        # depthwise temporal conv; with time_stride 2 it also halves the frames the transformer sees
        self.conv = nn.Conv1d(d_model, d_model, conv_kernel, stride=time_stride, padding=conv_kernel // 2, groups=d_model)
        self.convs = nn.ModuleList([ConvBlock(d_model, conv_kernel, dropout) for _ in range(conv_layers)])
        self.pos = nn.Parameter(torch.zeros(max_len, d_model))
        nn.init.normal_(self.pos, std=0.02)
        self.blocks = nn.ModuleList([Block(d_model, heads, ff, dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.proj = nn.Linear(d_model, embed_dim)
        self.in_drop = nn.Dropout(dropout)

    def forward(self, keypoints: torch.Tensor) -> torch.Tensor:
        b, t = keypoints.shape[0], keypoints.shape[1]
        mask = (keypoints[..., -1].sum(dim=-1) > 0).to(keypoints.dtype)          # [B, T]
        h = self.inp(self.features(keypoints)) * mask.unsqueeze(-1)
        if self.time_stride > 1:
            c = self.conv(h.transpose(1, 2)).transpose(1, 2)
            h = h[:, ::self.time_stride] + c
            assert self.time_stride == 2, "time_stride must be 1 or 2"
            # a token is present if either of its two frames is (length ceil(T/2), like the conv output)
            mask = torch.maximum(mask[:, ::2], F.pad(mask, (0, 1))[:, 1::2])
            t = h.shape[1]
        else:
            h = h + self.conv(h.transpose(1, 2)).transpose(1, 2)
        for cb in self.convs:
            h = cb(h, mask)
        h = self.in_drop(h + self.pos[:t])
        bias = ((1.0 - mask) * MASK_BIAS).reshape(b, 1, 1, t)
        for blk in self.blocks:
            h = blk(h, bias)
        h = self.norm(h)
        m = mask.unsqueeze(-1)
        pooled = (h * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
        return F.normalize(self.proj(pooled), dim=-1, eps=1e-6)


class TextProjection(nn.Module):
    """Sentence embeddings of label prompts -> the joint space (unit vectors)."""

    def __init__(self, text_dim: int = 384, embed_dim: int = 256, hidden: int = 512):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(text_dim, hidden), nn.GELU(), nn.Linear(hidden, embed_dim))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.net(t), dim=-1, eps=1e-6)


class SignCLIP(nn.Module):
    def __init__(self, num_points: int, num_channels: int, text_dim: int = 384, init_temperature: float = 0.07,
                 **encoder_kw):
        super().__init__()
        self.encoder = PoseEncoder(num_points, num_channels, **encoder_kw)
        self.text = TextProjection(text_dim, self.encoder.config["embed_dim"])
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / init_temperature)))

    def scale(self) -> torch.Tensor:
        return self.logit_scale.clamp(max=math.log(100.0)).exp()


def rebuilt(encoder: PoseEncoder) -> PoseEncoder:
    """The same weights in a module built by this code. A pickled checkpoint (``model.pt``) keeps the
    module it was trained with, constant buffers included; features whose constants were
    restated since (``DerivedFeatures``) must be computed the current way before export."""
    fresh = PoseEncoder(**encoder.config)
    fresh.load_state_dict(encoder.state_dict())
    return fresh.train(encoder.training)


def count_parameters(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def mirror_indices(spec) -> tuple[list[int], int | None]:
    """Permutation of ``spec``'s points that swaps left and right (``keypoints.layout.MIRROR_PERMUTATION``
    restricted to the selected components) and the channel holding x."""
    from ..keypoints import layout as L

    idx = [int(i) for i in spec.point_indices]
    pos = {g: k for k, g in enumerate(idx)}
    perm = [pos[int(L.MIRROR_PERMUTATION[g])] for g in idx]
    return perm, (list(spec.dims).index("x") if "x" in spec.dims else None)


class SymmetricEncoder(nn.Module):
    """embedding = normalise(f(x) + f(mirror(x))): the same answer for a sign and its mirror image
    (left-handed signers, webcams that flip the image). ``mirror`` here equals
    ``encode_input(..., mirrored=True)`` on the encoded tensor."""

    def __init__(self, encoder: PoseEncoder, spec):
        super().__init__()
        self.encoder = encoder
        self.config = dict(encoder.config, symmetric=True)
        perm, x_ch = mirror_indices(spec)
        self.register_buffer("perm", torch.tensor(perm, dtype=torch.long), persistent=False)
        sign = torch.ones(spec.num_channels)
        if x_ch is not None:
            sign[x_ch] = -1.0
        self.register_buffer("sign", sign, persistent=False)

    def mirror(self, keypoints: torch.Tensor) -> torch.Tensor:
        return keypoints.index_select(2, self.perm) * self.sign

    def forward(self, keypoints: torch.Tensor) -> torch.Tensor:
        e = self.encoder(keypoints) + self.encoder(self.mirror(keypoints))
        return F.normalize(e, dim=-1, eps=1e-6)
