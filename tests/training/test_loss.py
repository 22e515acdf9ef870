import torch
import torch.nn.functional as F

from signclip_desktop.training.loss import all_labels_ce, label_aware_infonce


def test_matches_clip_when_labels_unique():
    torch.manual_seed(0)
    v = F.normalize(torch.randn(6, 8), dim=-1)
    t = F.normalize(torch.randn(6, 8), dim=-1)
    y = torch.arange(6)
    s = torch.tensor(10.0)
    logits = s * v @ t.t()
    clip = 0.5 * (F.cross_entropy(logits, y) + F.cross_entropy(logits.t(), y))
    assert torch.allclose(label_aware_infonce(v, t, y, s), clip, atol=1e-6)


def test_duplicate_labels_are_positives():
    torch.manual_seed(0)
    protos = F.normalize(torch.randn(3, 16), dim=-1)
    y = torch.tensor([0, 0, 1, 1, 2, 2])
    t = protos[y]
    aligned = label_aware_infonce(protos[y], t, y, torch.tensor(30.0))
    # the minimum for duplicated labels is log(#positives), not 0: targets are uniform over them
    assert abs(float(aligned) - float(torch.log(torch.tensor(2.0)))) < 0.05
    shuffled = label_aware_infonce(protos[torch.tensor([1, 2, 0, 2, 0, 1])], t, y, torch.tensor(30.0))
    assert shuffled > aligned + 1.0
    v = F.normalize(torch.randn(6, 16), dim=-1).requires_grad_()
    (label_aware_infonce(v, t, y, torch.tensor(10.0)) + all_labels_ce(v, protos, y, torch.tensor(10.0))).backward()
    assert torch.isfinite(v.grad).all()


def test_within_language_losses_are_the_per_alphabet_losses():
    from signclip_desktop.training.recipe import label_groups

    torch.manual_seed(1)
    groups = label_groups(["ase:A", "ase:B", "gsg:A", "gsg:B", "gsg:C"])
    assert groups.tolist() == [0, 0, 1, 1, 1]
    lt = F.normalize(torch.randn(5, 8), dim=-1)
    v = F.normalize(torch.randn(4, 8), dim=-1).requires_grad_()
    y = torch.tensor([0, 1, 2, 4])
    s = torch.tensor(10.0)
    logits = s * v @ lt.t()
    per_alphabet = (F.cross_entropy(logits[:2, :2], y[:2], label_smoothing=0.1, reduction="sum")
                    + F.cross_entropy(logits[2:, 2:], y[2:] - 2, label_smoothing=0.1, reduction="sum")) / 4
    assert torch.allclose(all_labels_ce(v, lt, y, s, 0.1, groups), per_alphabet, atol=1e-5)
    # InfoNCE: a pair from two alphabets is neither a positive nor a negative
    pairs = s * v @ lt[y].t()
    one = 0.5 * (F.cross_entropy(pairs[:2, :2], y[:2]) + F.cross_entropy(pairs[:2, :2].t(), y[:2]))
    two = 0.5 * (F.cross_entropy(pairs[2:, 2:], torch.arange(2)) + F.cross_entropy(pairs[2:, 2:].t(), torch.arange(2)))
    got = label_aware_infonce(v, lt[y], y, s, groups)
    assert torch.allclose(got, (2 * one + 2 * two) / 4, atol=1e-5)
    (got + all_labels_ce(v, lt, y, s, 0.1, groups)).backward()
    assert torch.isfinite(v.grad).all()
    assert not torch.allclose(got, label_aware_infonce(v, lt[y], y, s))  # the other alphabet's pairs did count before
