"""Symmetric InfoNCE with label-aware targets (several clips of one label in a batch are all
positives of each other and of that label's text)."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def label_aware_infonce(video: torch.Tensor, text: torch.Tensor, labels: torch.Tensor,
                        scale: torch.Tensor) -> torch.Tensor:
    """CLIP loss over a batch of (video, text-of-its-label) pairs.

    video, text: [B, E] unit vectors (text[i] is the embedding of labels[i]'s prompt);
    labels: [B] int. Targets are uniform over the same-label entries, in both directions."""
    logits = scale * video @ text.t()                                  # [B, B]
    pos = (labels[:, None] == labels[None, :]).to(logits.dtype)
    target = pos / pos.sum(dim=1, keepdim=True)
    v2t = -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
    t2v = -(target * F.log_softmax(logits.t(), dim=1)).sum(dim=1).mean()
    return 0.5 * (v2t + t2v)


def all_labels_ce(video: torch.Tensor, label_text: torch.Tensor, labels: torch.Tensor, scale: torch.Tensor,
                  smoothing: float = 0.0) -> torch.Tensor:
    """Video -> every label's text (the whole vocabulary as negatives, as at inference)."""
    return F.cross_entropy(scale * video @ label_text.t(), labels, label_smoothing=smoothing)


def contrastive_step(model, x, yb, text_feats, opt, sched, all_w: float = 0.0, smoothing: float = 0.0):
    """One optimiser step of the SignCLIP loss (label-aware InfoNCE, plus an all-labels
    cross-entropy when ``all_w``); the trainer and the k-fold recipe share it. Returns the loss."""
    import torch

    v = model.encoder(x)
    lt = model.text(text_feats)
    scale = model.scale()
    loss = label_aware_infonce(v, lt[yb], yb, scale)
    if all_w:
        loss = loss + all_w * all_labels_ce(v, lt, yb, scale, smoothing)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    return loss
