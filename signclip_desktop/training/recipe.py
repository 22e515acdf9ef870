"""One encoder training run on a chosen set of clips (a k-fold fold, or every signer for the shipped
pack): the SignCLIP losses of ``train.py`` plus the recipe options the k-fold numbers decide on.

Config keys (``cfg["model"]``, ``cfg["train"]``, ``cfg["augment"]`` as in ``train.py``), recipe extras:
- ``model.derived``: any of ``["hand_centred", "velocity", "hand_distances", "hand_frame", "hand_contacts",
  "hand_angles"]``:
  features computed inside the encoder graph (``model.DerivedFeatures``);
  ``model.conv_layers``: residual temporal conv blocks before the transformer;
- ``train.time_mask``: [p, max_fraction] blank a random span of frames with probability p;
- ``train.late_dropout``: [from_fraction, p] raise every dropout to p for the last part of training;
- ``train.ema``: decay of an exponential moving average of the weights (0 = off); the average is
  what gets evaluated and exported;
- ``train.within_language``: labels compete only with labels of their own language (``ase:A``
  against ``ase:*``): for alphabets, where one handshape is a letter of many alphabets;
- ``train.distill``: {"teachers": n, "weight": w, "temperature": t}: first train n encoders of the same
  recipe (seeds seed+1..seed+n), then this one also learns their averaged label probabilities
  (mirror-symmetric, at temperature t, weight w * t^2): an ensemble's answers in one model of the
  same size and speed. ``teachers=`` passes ready ones (a k-fold run's ``fold<i>.pt``);
- ``train.outliers``: {"kind": "spreadthesign", "weight": w, "batch": n}: each step also shows n clips
  of that kind (``outliers=``, an ``Encoded`` set; no label of this pack) and asks that no label stand out
  for them (outlier exposure, for the "not a sign I know" rule).
"""
from __future__ import annotations

import copy
import math
import time

import numpy as np

from ..keypoints import layout as L
from . import data as D
from .augment import AugmentConfig, Augmenter, hand_point_slices, pad_batch


class Encoded:
    """Every clip encoded once (plain + mirrored, float16) so folds only index into it."""

    def __init__(self, samples: list[D.Sample], spec, augment_cfg: dict | None):
        aug = Augmenter(spec, AugmentConfig.from_dict(augment_cfg))
        self.spec = spec
        self.input_spec = aug.input_spec()
        enc = D.EncodedSet(samples, self.input_spec, sorted({s.label for s in samples}), zero_unreliable_z=aug.extra_z)
        self.plain, self.mirrored, self.static = enc.plain, enc.mirrored, enc.static


def model_kwargs(cfg: dict, spec) -> dict:
    m = dict(cfg.get("model", {}))
    m.pop("symmetric", None)
    if m.get("derived"):
        h = hand_point_slices(spec)
        m["hand_slices"] = [(h[k].start, h[k].stop) for k in ("left_hand", "right_hand") if k in h]
    if "hand_contacts" in m.get("derived", ()):
        m["body_points"] = body_point_positions(spec)
    return m


CONTACT_BODY = ("NOSE", "LEFT_EYE", "RIGHT_EYE", "MOUTH_LEFT", "MOUTH_RIGHT", "LEFT_SHOULDER", "RIGHT_SHOULDER")


def body_point_positions(spec) -> list[int]:
    """Where the face and shoulder points of ``hand_contacts`` sit in the spec's point axis."""
    where = {int(p): i for i, p in enumerate(spec.point_indices)}
    wanted = [L.POSE.start + L.POSE_POINTS.index(n) for n in CONTACT_BODY]
    if any(w not in where for w in wanted):
        raise ValueError("hand_contacts needs the pose component in the input")
    return [where[w] for w in wanted]


def _time_mask(x: np.ndarray, rng, p: float, frac: float) -> np.ndarray:
    if rng.random() >= p or x.shape[0] < 6:
        return x
    n = int(rng.integers(1, max(2, int(frac * x.shape[0]) + 1)))
    s = int(rng.integers(0, x.shape[0] - n + 1))
    x[s:s + n] = 0.0
    return x


def label_groups(label_ids: list[str]):
    """[num_labels] int64: the language part of each ``lang:letter`` label (one group for bare labels)."""
    import torch

    langs = [lab.split(":", 1)[0] if ":" in lab else "" for lab in label_ids]
    index = {g: i for i, g in enumerate(sorted(set(langs)))}
    return torch.tensor([index[g] for g in langs], dtype=torch.long)


def prepare_teachers(teachers, spec, text_feats) -> list:
    """Each teacher as the app embeds (mirror-symmetric) with its scaled label texts, built once for
    the whole run rather than every step."""
    import torch

    from .model import SymmetricEncoder

    with torch.no_grad():
        return [(SymmetricEncoder(t.encoder, spec).eval(), t.scale() * t.text(torch.as_tensor(text_feats)))
                for t in teachers]


def teacher_probabilities(prepared: list, x, temperature: float):
    """[B, L]: the teachers' label probabilities for a batch (``prepare_teachers``), averaged."""
    import torch

    with torch.no_grad():
        return torch.stack([torch.softmax(enc(x) @ labels.t() / temperature, dim=1) for enc, labels in prepared]).mean(0)


def train_encoder(cfg: dict, enc: Encoded, samples: list[D.Sample], idx: np.ndarray, label_ids: list[str],
                  text_feats, threads: int = 2, log=print, seed: int | None = None, teachers=None,
                  outliers: Encoded | None = None):
    """Train on ``samples[idx]`` (labels ``label_ids``); returns (SignCLIP model in eval mode with the
    averaged weights, seconds of training, teachers' included)."""
    import torch

    from .loss import contrastive_step
    from .model import SignCLIP

    torch.set_num_threads(threads)
    seed = int(cfg.get("seed", 0) if seed is None else seed)
    distill = cfg["train"].get("distill")
    out_cfg = cfg["train"].get("outliers")
    if out_cfg and outliers is None:
        raise ValueError(f"train.outliers needs the {out_cfg.get('kind')!r} clips (outliers=)")
    t_teachers = 0.0
    if distill and teachers is None:
        plain = copy.deepcopy(cfg)
        plain["train"].pop("distill")
        teachers = []
        for i in range(int(distill.get("teachers", 2))):
            log(f"  teacher {i + 1}/{distill.get('teachers', 2)} (seed {seed + 1 + i})")
            t, secs = train_encoder(plain, enc, samples, idx, label_ids, text_feats, threads, log, seed=seed + 1 + i,
                                    outliers=outliers)
            teachers.append(t)
            t_teachers += secs
    torch.manual_seed(seed)
    spec = enc.spec
    if distill:
        for t in teachers:
            t.eval()
        prepared = prepare_teachers(teachers, spec, text_feats)
        temp, kd_weight = float(distill.get("temperature", 2.0)), float(distill.get("weight", 1.0))
        log(f"  student (seed {seed}) learns from {len(teachers)} teachers")
    aug = Augmenter(spec, AugmentConfig.from_dict(cfg.get("augment")), seed=seed)
    index = {l: i for i, l in enumerate(label_ids)}
    tr = [samples[i] for i in idx]
    y_all = torch.tensor([index[s.label] for s in tr])
    weights = D.balanced_weights(tr, float(cfg["train"].get("label_power", 0.5)))
    model = SignCLIP(spec.num_points, spec.num_channels, text_dim=text_feats.shape[1], **model_kwargs(cfg, spec))
    tc = cfg["train"]
    steps, bs = int(tc["steps"]), int(tc.get("batch_size", 96))
    opt = torch.optim.AdamW(model.parameters(), lr=float(tc.get("lr", 1e-3)), weight_decay=float(tc.get("weight_decay", 0.05)))
    warm = int(tc.get("warmup", max(1, steps // 20)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps)))))
    all_w, smoothing = float(tc.get("all_labels_weight", 1.0)), float(tc.get("label_smoothing", 0.0))
    tm_p, tm_frac = tc.get("time_mask", [0.0, 0.0])
    late = tc.get("late_dropout")
    ema_decay = float(tc.get("ema", 0.0))
    ema = copy.deepcopy(model) if ema_decay else None
    text_feats = torch.as_tensor(text_feats)
    groups = label_groups(label_ids) if tc.get("within_language") else None
    rng = np.random.default_rng(seed + 1000)
    t0 = time.time()
    model.train()
    loss_avg = None
    for step in range(steps):
        if late and step == int(late[0] * steps):
            for mod in model.modules():
                if isinstance(mod, torch.nn.Dropout):
                    mod.p = float(late[1])
        b = rng.choice(len(tr), size=bs, p=weights)
        xs = []
        for j in b:
            k = int(idx[j])
            src = enc.mirrored if rng.random() < aug.cfg.mirror_p else enc.plain
            x = aug(src[k].astype(np.float32), static=bool(enc.static[k]))
            xs.append(_time_mask(x, rng, tm_p, tm_frac) if tm_p else x)
        x = torch.from_numpy(pad_batch(xs, aug.cfg.max_len))
        yb = y_all[b]
        soft = (teacher_probabilities(prepared, x, temp), kd_weight, temp) if distill else None
        out_x = None
        if out_cfg:
            ob = rng.choice(len(outliers.plain), size=int(out_cfg.get("batch", 16)))
            xo = [aug(outliers.plain[k].astype(np.float32), static=bool(outliers.static[k])) for k in ob]
            out_x = (torch.from_numpy(pad_batch(xo, aug.cfg.max_len)), float(out_cfg.get("weight", 0.5)))
        loss = contrastive_step(model, x, yb, text_feats, opt, sched, all_w, smoothing, groups, soft, out_x)
        if ema is not None:
            d = 0.0 if step < int(tc.get("ema_start", 0.25) * steps) else ema_decay
            with torch.no_grad():
                for pe, pm in zip(ema.state_dict().values(), model.state_dict().values()):
                    if pe.dtype.is_floating_point:
                        pe.mul_(d).add_(pm, alpha=1.0 - d)
                    else:
                        pe.copy_(pm)
        loss_avg = loss.item() if loss_avg is None else 0.95 * loss_avg + 0.05 * loss.item()
        if (step + 1) % int(tc.get("log_every", 100)) == 0 or step + 1 == steps:
            log(f"  step {step + 1}/{steps} loss {loss_avg:.3f} {time.time() - t0:.0f}s")
    out = ema if ema is not None else model
    out.eval()
    return out, time.time() - t0 + t_teachers


def embed_fn(model, spec, symmetric: bool):
    """[B, T, P, D] numpy -> [B, E] with the torch model, as the exported graph computes it."""
    import torch

    from .model import SymmetricEncoder

    net = SymmetricEncoder(model.encoder, spec).eval() if symmetric else model.encoder.eval()

    def f(x):
        with torch.no_grad():
            return net(torch.from_numpy(np.ascontiguousarray(x, np.float32))).numpy()
    return f


def label_embeddings(model, text_feats) -> np.ndarray:
    import torch

    with torch.no_grad():
        return model.text(torch.as_tensor(text_feats)).numpy().astype(np.float32)
