"""Symmetric InfoNCE with label-aware targets (several clips of one label in a batch are all
positives of each other and of that label's text)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

_LEFT_OUT = -1e4  # a left-out pair's logit: exp() is 0, and 0 * log-softmax stays finite


def label_aware_infonce(video: torch.Tensor, text: torch.Tensor, labels: torch.Tensor,
                        scale: torch.Tensor, groups: torch.Tensor | None = None) -> torch.Tensor:
    """CLIP loss over a batch of (video, text-of-its-label) pairs.

    video, text: [B, E] unit vectors (text[i] is the embedding of labels[i]'s prompt);
    labels: [B] int. Targets are uniform over the same-label entries, in both directions.
    ``groups`` [num_labels] (a label's alphabet): pairs from different groups are left out, so
    the same handshape in two alphabets is never pushed apart."""
    logits = scale * video @ text.t()                                  # [B, B]
    if groups is not None:
        g = groups[labels]
        logits = logits.masked_fill(g[:, None] != g[None, :], _LEFT_OUT)
    pos = (labels[:, None] == labels[None, :]).to(logits.dtype)
    target = pos / pos.sum(dim=1, keepdim=True)
    v2t = -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
    t2v = -(target * F.log_softmax(logits.t(), dim=1)).sum(dim=1).mean()
    return 0.5 * (v2t + t2v)


def all_labels_ce(video: torch.Tensor, label_text: torch.Tensor, labels: torch.Tensor, scale: torch.Tensor,
                  smoothing: float = 0.0, groups: torch.Tensor | None = None) -> torch.Tensor:
    """Video -> every label's text (the whole vocabulary as negatives, as at inference); with
    ``groups``, only the labels of the clip's own group (its alphabet) compete."""
    logits = scale * video @ label_text.t()
    if groups is None:
        return F.cross_entropy(logits, labels, label_smoothing=smoothing)
    own = groups[None, :] == groups[labels][:, None]                   # [B, L]
    logp = F.log_softmax(logits.masked_fill(~own, _LEFT_OUT), dim=1)
    nll = -logp.gather(1, labels[:, None])[:, 0]
    if smoothing:  # spread over the own group's labels only
        smooth = -(logp.masked_fill(~own, 0.0)).sum(dim=1) / own.sum(dim=1)
        nll = (1 - smoothing) * nll + smoothing * smooth
    return nll.mean()


def distillation_kl(video: torch.Tensor, label_text: torch.Tensor, scale: torch.Tensor, teacher_p: torch.Tensor,
                    temperature: float) -> torch.Tensor:
    """KL(teacher || student) over every label, both softened by ``temperature``, times t^2 (so its
    gradient keeps the size of the hard-label loss's whatever t is)."""
    logp = F.log_softmax(scale * video @ label_text.t() / temperature, dim=1)
    kl = (teacher_p * (torch.log(teacher_p.clamp_min(1e-8)) - logp)).sum(dim=1).mean()
    return kl * temperature ** 2


def flat_over_labels(video: torch.Tensor, label_text: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of each clip's label probabilities to the uniform distribution: for clips that
    are none of the labels (outlier exposure), no label should stand out."""
    return -F.log_softmax(scale * video @ label_text.t(), dim=1).mean()


def contrastive_step(model, x, yb, text_feats, opt, sched, all_w: float = 0.0, smoothing: float = 0.0,
                     groups=None, soft=None, outliers=None):
    """One optimiser step of the SignCLIP loss (label-aware InfoNCE, plus an all-labels
    cross-entropy when ``all_w``); the trainer and the k-fold recipe share it. ``groups``: see
    ``label_aware_infonce``. ``soft``: (teacher probabilities [B, L], weight, temperature) adds
    ``distillation_kl``. ``outliers``: (a batch of clips of no label, weight) adds ``flat_over_labels``.
    Returns the loss."""
    import torch

    v = model.encoder(x)
    lt = model.text(text_feats)
    scale = model.scale()
    loss = label_aware_infonce(v, lt[yb], yb, scale, groups)
    if all_w:
        loss = loss + all_w * all_labels_ce(v, lt, yb, scale, smoothing, groups)
    if soft is not None:
        loss = loss + soft[1] * distillation_kl(v, lt, scale, soft[0], soft[2])
    if outliers is not None:
        loss = loss + outliers[1] * flat_over_labels(model.encoder(outliers[0]), lt, scale)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    return loss
