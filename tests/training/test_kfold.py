"""K-fold splits by signer with held-out words, sign variants, the open-set threshold, and the
derived (hand-centred, velocity) encoder features."""
from collections import defaultdict

import numpy as np
import pytest

from signclip_desktop.training import folds as F
from signclip_desktop.training import openset as O
from signclip_desktop.training.kfold_report import few_shot
from signclip_desktop.training.variants import best_per_label, kmeans_cosine, signer_variants


def _toy():
    """30 signers; 'hello' by all, 'yes' by 10, rare words by 2-3 signers each."""
    labels, signers = [], []
    for i in range(30):
        words = ["hello"] + (["yes"] if i < 10 else []) + [f"rare{i % 8}"]
        for w in words:
            labels += [w] * 3
            signers += [f"s{i}"] * 3
    return labels, signers


def test_every_signer_in_one_fold_and_common_words_in_every_fold():
    labels, signers = _toy()
    fold_of = F.signer_folds(labels, signers, k=5)
    assert set(fold_of) == set(signers) and set(fold_of.values()) == set(range(5))
    in_fold = defaultdict(set)
    for lab, sg in zip(labels, signers):
        in_fold[lab].add(fold_of[sg])
    assert in_fold["hello"] == in_fold["yes"] == set(range(5))
    # a word with several signers is spread over folds, so it keeps a training signer in each
    for w in (f"rare{j}" for j in range(8)):
        assert len(in_fold[w]) >= 2


def test_held_out_words_leave_training_and_test():
    labels, signers = _toy()
    fold_of = F.signer_folds(labels, signers, k=5)
    groups = F.heldout_word_groups(labels, signers, k=5, common_min_signers=8)
    flat = [w for g in groups for w in g]
    assert sorted(flat) == sorted({f"rare{j}" for j in range(8)})       # each rare word unseen exactly once
    assert "hello" not in flat and "yes" not in flat
    ix = F.fold_indices(labels, signers, fold_of, groups[0], 0)
    lab = np.array(labels)
    assert not set(lab[ix["train"]]) & set(groups[0])
    assert not set(lab[ix["test"]]) & set(groups[0])
    assert set(lab[ix["unseen"]]) == set(groups[0])
    assert not {signers[i] for i in ix["train"]} & {signers[i] for i in ix["test"]}
    assert set(lab[ix["test"]]) <= set(lab[ix["train"]])


def test_variants_capture_two_ways_of_signing():
    rng = np.random.default_rng(0)
    a, b = np.eye(8)[0], np.eye(8)[1]
    emb, labels, signers = [], [], []
    for i in range(8):                      # half the signers sign it like a, half like b
        centre = a if i % 2 else b
        for _ in range(3):
            emb.append(centre + 0.05 * rng.normal(size=8))
            labels.append("w")
            signers.append(f"s{i}")
    var, owner = signer_variants(np.array(emb), labels, signers, ["w"], per_signers=4, max_k=4)
    assert len(var) == 2 and set(owner) == {0}
    assert sorted(np.round(np.max(var @ np.stack([a, b]).T, axis=0), 1)) == [1.0, 1.0]
    text = np.eye(8)[None, 2]
    sims = best_per_label(np.stack([a, b]), text, var, owner)
    assert sims.shape == (2, 1) and (sims > 0.95).all()
    assert (best_per_label(np.stack([a, b]), text) < 0.1).all()
    assert kmeans_cosine(np.stack([a, a, a]), 3).shape[0] >= 1


def test_open_set_threshold_separates():
    pos = np.array([0.9, 0.8, 0.85, 0.7])
    neg = np.array([0.3, 0.5, 0.75, 0.2])
    fit = O.fit_threshold(pos, neg)
    assert 0.5 < fit["threshold"] <= 0.8 and fit["balanced"] >= 0.85
    assert O.rates(pos, neg, fit["threshold"])["known_rate"] == fit["known_rate"]
    sims = np.array([[0.9, 0.1], [0.5, 0.45]])
    assert O.scores(sims, "margin", 0.1)[1] == pytest.approx(0.05)
    assert O.scores(sims, "probability", 0.1)[0] > 0.99


def test_few_shot_own_examples_fix_a_signer():
    """Pack rows point the wrong way for this signer; their own examples fix it."""
    rng = np.random.default_rng(0)
    emb, y = [], []
    for lab in (0, 1):
        for _ in range(8):
            emb.append(np.eye(4)[lab + 2] + 0.05 * rng.normal(size=4))
            y.append(lab)
    emb = np.array(emb)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    sims = emb @ np.eye(4)[[1, 0]].T          # label 0's row is where label 1 lives: wrong for everything
    out = few_shot(sims, emb, np.array(y), np.array(["s"] * len(y)))
    assert out[0][0] / out[0][1] < 0.6 and out[5][0] == out[5][1] and out[1][1] == out[5][1]


def test_derived_features_hand_centred_ignore_hand_position():
    torch = pytest.importorskip("torch")
    from signclip_desktop.training.model import DerivedFeatures

    f = DerivedFeatures(42, 3, ("hand_centred", "velocity"), ((0, 21), (21, 42)))
    x = torch.rand(1, 5, 42, 3)
    x[..., -1] = 1.0
    moved = x.clone()
    moved[..., :21, :2] += 0.3
    a, b = f(x), f(moved)
    assert a.shape == (1, 5, f.dim) and f.dim == 42 * 3 + 42 * 2 + 42 * 2
    hc = slice(42 * 3, 42 * 3 + 42 * 2)
    assert torch.allclose(a[..., hc], b[..., hc], atol=1e-5)          # handshape unchanged by moving the hand
    vel = a[..., 42 * 3 + 42 * 2:]
    assert torch.all(vel[:, 0] == 0) and vel[:, 1:].abs().sum() > 0
    with pytest.raises(ValueError, match="unknown"):
        DerivedFeatures(42, 3, ("colour",))


def _two_clips_of_two_hands(torch):
    """[2, 4, 42, 3] random hands, every point seen, except the second clip's right hand."""
    x = torch.rand(2, 4, 42, 3)
    x[..., -1] = 1.0
    x[1, :, 21:, -1] = 0.0
    return x


def test_hand_distances_ignore_where_the_hand_is_how_big_and_how_it_turns_in_the_picture():
    torch = pytest.importorskip("torch")
    from signclip_desktop.training.model import DerivedFeatures

    f = DerivedFeatures(42, 3, ("hand_distances",), ((0, 21), (21, 42)))
    x = _two_clips_of_two_hands(torch)
    c, s = np.cos(0.6), np.sin(0.6)
    turned = x.clone()
    turned[..., :21, :2] = x[..., :21, :2] @ torch.tensor([[c, s], [-s, c]], dtype=x.dtype) * 1.8 + 0.25
    a, b = f(x), f(turned)
    assert f.dim == 42 * 3 + 2 * 210 and a.shape == (2, 4, f.dim)
    left, right = slice(126, 126 + 210), slice(126 + 210, None)
    assert torch.allclose(a[..., left], b[..., left], atol=1e-4)      # same handshape
    assert not torch.allclose(a[..., :126], b[..., :126])              # while the raw points moved
    assert torch.all(a[1, :, right] == 0) and a[0, :, right].abs().sum() > 0
    bent = x.clone()
    bent[..., 8, :2] = bent[..., 0, :2]                                 # index fingertip folded onto the wrist
    assert not torch.allclose(f(bent)[..., left], a[..., left])
    with pytest.raises(ValueError, match="one size"):
        DerivedFeatures(45, 3, ("hand_distances",), ((0, 21), (21, 45)))


def test_hand_angles_read_the_joints_whatever_the_hands_size_turn_or_finger_lengths():
    torch = pytest.importorskip("torch")
    from signclip_desktop.training.model import DerivedFeatures

    f = DerivedFeatures(42, 3, ("hand_angles",), ((0, 21), (21, 42)))
    torch.manual_seed(0)   # random points: a bone shorter than ~0.01 would meet the normalisation's epsilon
    x = _two_clips_of_two_hands(torch)
    a = f(x)
    assert f.dim == 42 * 3 + 2 * 19 and a.shape == (2, 4, f.dim)
    left, right = slice(126, 126 + 19), slice(126 + 19, None)
    c, s = np.cos(0.6), np.sin(0.6)
    turned = x.clone()
    turned[..., :21, :2] = x[..., :21, :2] @ torch.tensor([[c, s], [-s, c]], dtype=x.dtype) * 1.8 + 0.25
    assert torch.allclose(f(turned)[..., left], a[..., left], atol=1e-4)
    # a signer with a longer index finger: each index bone twice as long, its joints bent alike
    long = x.clone()
    for joint in (6, 7, 8):
        long[..., joint, :2] = long[..., joint - 1, :2] + 2 * (x[..., joint, :2] - x[..., joint - 1, :2])
    assert torch.allclose(f(long)[..., left], a[..., left], atol=1e-4)
    dist = DerivedFeatures(42, 3, ("hand_distances",), ((0, 21), (21, 42)))
    assert not torch.allclose(dist(long)[..., 126:126 + 210], dist(x)[..., 126:126 + 210], atol=1e-3)
    bent = x.clone()
    bent[..., 8, :2] = 2 * x[..., 7, :2] - x[..., 8, :2]                # index fingertip folded back
    assert not torch.allclose(f(bent)[..., left], a[..., left], atol=1e-3)
    assert torch.all(a[1, :, right] == 0) and a[0, :, right].abs().sum() > 0
    assert a[..., left].abs().max() <= 1.0 + 1e-5


def test_hand_frame_ignores_how_the_hand_turns_but_tells_palm_from_back():
    torch = pytest.importorskip("torch")
    from signclip_desktop.training.model import DerivedFeatures

    f = DerivedFeatures(42, 3, ("hand_frame",), ((0, 21), (21, 42)))
    x = _two_clips_of_two_hands(torch)
    x[..., 9, :2] = x[..., 0, :2] + torch.tensor([0.3, -0.2])          # a palm long enough not to be clamped
    c, s = np.cos(2.2), np.sin(2.2)
    turned = x.clone()
    turned[..., :21, :2] = x[..., :21, :2] @ torch.tensor([[c, s], [-s, c]], dtype=x.dtype) * 0.6 - 0.4
    a, b = f(x), f(turned)
    assert f.dim == 42 * 3 + 2 * 42 and a.shape == (2, 4, f.dim)
    left, right = slice(126, 126 + 42), slice(126 + 42, None)
    assert torch.allclose(a[..., left], b[..., left], atol=1e-4)      # same handshape, turned and smaller
    assert torch.all(a[1, :, right] == 0) and a[0, :, right].abs().sum() > 0
    wrist_to_middle = a[0, :, 126 + 2 * 9: 126 + 2 * 9 + 2]
    assert torch.allclose(wrist_to_middle, torch.tensor([1.0, 0.0]).expand_as(wrist_to_middle), atol=1e-4)
    flipped = x.clone()
    flipped[..., :21, 0] = -x[..., :21, 0]                               # the same hand seen from its other side
    assert not torch.allclose(f(flipped)[..., left], a[..., left], atol=1e-2)
    both = DerivedFeatures(42, 3, ("hand_distances",), ((0, 21), (21, 42)))
    assert torch.allclose(both(flipped)[..., 126:126 + 210], both(x)[..., 126:126 + 210], atol=1e-4)  # distances cannot


def test_hand_contacts_say_where_a_hand_touches_whatever_the_tilt():
    torch = pytest.importorskip("torch")
    from signclip_desktop.keypoints.features import InputSpec
    from signclip_desktop.training.model import DerivedFeatures
    from signclip_desktop.training.recipe import body_point_positions, model_kwargs

    spec = InputSpec.from_dict({"components": ["pose", "left_hand", "right_hand"], "dims": ["x", "y"]})
    kw = model_kwargs({"model": {"derived": ["hand_contacts"]}}, spec)
    nose = kw["body_points"][0]
    assert nose == 0 and len(kw["body_points"]) == 7                   # pose comes first; NOSE is its point 0
    f = DerivedFeatures(spec.num_points, 3, ("hand_contacts",), tuple(kw["hand_slices"]), tuple(kw["body_points"]))
    x = torch.rand(2, 3, spec.num_points, 3)
    x[..., -1] = 1.0
    x[1, :, 54:75, -1] = 0.0                                            # second clip: right hand not seen
    c, s = np.cos(0.3), np.sin(0.3)
    tilted = x.clone()
    tilted[..., :2] = x[..., :2] @ torch.tensor([[c, s], [-s, c]], dtype=x.dtype) + 0.2
    a, b = f(x), f(tilted)
    assert f.dim == 75 * 3 + 2 * 6 * 7 + 36 and a.shape == (2, 3, f.dim)
    contacts = slice(75 * 3, None)
    assert torch.allclose(a[..., contacts], b[..., contacts], atol=1e-4)   # the signer leans, the contacts stay
    right_rows = a[1, :, 75 * 3 + 42: 75 * 3 + 84]
    assert torch.all(right_rows == 0) and torch.all(a[1, :, 75 * 3 + 84:] == 0)
    touch = x.clone()
    touch[..., 33 + 8, :2] = x[..., nose, :2]                            # left index fingertip on the nose
    assert f(touch)[0, 0, 75 * 3 + 2 * 7 + 0] < 1e-3                     # tip 8 (third contact point) to NOSE
    with pytest.raises(ValueError, match="pose"):
        body_point_positions(InputSpec.from_dict({"components": ["left_hand", "right_hand"], "dims": ["x", "y"]}))


def test_encoder_with_recipe_options_exports_with_the_same_output(tmp_path):
    pytest.importorskip("torch")
    from signclip_desktop.keypoints.features import InputSpec
    from signclip_desktop.training.export import export_encoder, parity
    from signclip_desktop.training.model import PoseEncoder, SymmetricEncoder
    from signclip_desktop.training.recipe import model_kwargs

    spec = InputSpec.from_dict({"components": ["pose", "left_hand", "right_hand"], "dims": ["x", "y"]})
    cfg = {"model": {"d_model": 16, "layers": 1, "heads": 2, "ff": 32, "embed_dim": 8, "time_stride": 2,
                     "derived": ["hand_centred", "velocity", "hand_distances", "hand_frame", "hand_contacts",
                                 "hand_angles"],
                     "conv_layers": 1,
                     "symmetric": True}}
    enc = SymmetricEncoder(PoseEncoder(spec.num_points, spec.num_channels, **model_kwargs(cfg, spec)), spec).eval()
    p = export_encoder(enc, tmp_path / "e.onnx", spec.num_points, spec.num_channels)
    assert parity(enc, p, spec.num_points, spec.num_channels) < 1e-4


def test_report_pools_folds_and_fits_the_open_set_rule(tmp_path):
    """Two synthetic folds: known words embed on their text rows, unseen words and letters elsewhere."""
    from types import SimpleNamespace as NS

    from signclip_desktop.training.kfold_report import markdown, report

    rng = np.random.default_rng(0)
    words = ["hello", "yes", "rare"]
    samples = [NS(label=w, signer=f"s{i}") for i in range(10) for w in words for _ in range(6)]
    label_emb = np.eye(8, dtype=np.float32)[:2]           # hello, yes
    for f in range(2):
        test = [i for i, s in enumerate(samples) if int(s.signer[1:]) % 2 == f and s.label != "rare"]
        unseen = [i for i, s in enumerate(samples) if s.label == "rare"]
        var = [i for i, s in enumerate(samples) if int(s.signer[1:]) % 2 != f and s.label != "rare"]

        def emb(idx, known_dirs):
            e = np.stack([known_dirs[samples[i].label] for i in idx]) + 0.05 * rng.normal(size=(len(idx), 8))
            return (e / np.linalg.norm(e, axis=1, keepdims=True)).astype(np.float32)
        dirs = {"hello": np.eye(8)[0], "yes": np.eye(8)[1], "rare": np.ones(8) / np.sqrt(8)}
        letters = np.tile(np.eye(8)[5], (4, 1)).astype(np.float32)
        np.savez(tmp_path / f"fold{f}.npz", known=np.array(["hello", "yes"]), label_emb=label_emb,
                 test_idx=np.array(test), unseen_idx=np.array(unseen), variant_idx=np.array(var),
                 unseen_words=np.array(["rare"]), seconds=1.0, emb_test=emb(test, dirs), emb_unseen=emb(unseen, dirs),
                 emb_variant=emb(var, dirs), emb_letters=letters)
    rep = report(tmp_path, samples, words, {"kfold": {"common_min_signers": 8}}, 2)
    assert rep["k"] == 2 and rep["common_words"] == ["hello", "rare", "yes"]
    assert rep["summary"]["top1_text"]["mean"] == 1.0 and len(rep["summary"]["top1_text"]["folds"]) == 2
    assert rep["summary"]["open_known_rate"]["mean"] == 1.0
    assert rep["summary"]["open_unknown_rate_words"]["mean"] == 1.0 == rep["summary"]["open_unknown_rate_letters"]["mean"]
    assert rep["few_shot"]["0"]["top1"] == 1.0 and rep["few_shot"]["5"]["queries"] == rep["few_shot"]["0"]["queries"] > 0
    assert set(rep["per_signer"]) == {f"s{i}" for i in range(10)}
    assert "mean ± sd" in markdown(rep)
    # every measure is fitted, the nearest-training-clips one among them, and each fold is also scored
    # with a threshold fitted on the other fold only
    assert {"similarity", "probability", "margin", "neighbours"} <= set(rep["open_set"]["fits"])
    assert rep["open_set"]["fits"]["neighbours"]["balanced"] == 1.0
    assert rep["summary"]["open_known_rate_lofo"]["mean"] is not None
    assert "`neighbours`" in markdown(rep)


def test_card_names_a_run_by_its_config_and_steps():
    from signclip_desktop.training.card_kinds import run_name

    rep = {"command": "python -m signclip_desktop.training.kfold words_v2.json --data ../shared/data --folds 5 "
                      "--out runs/kfold_v2 --only 0 1 2", "steps": 800}
    assert run_name(rep) == "`words_v2.json`, 800 steps"
    assert run_name({}) == "`?`, ? steps"


def test_card_gives_a_whole_baseline_command_only_when_the_run_holds_every_fold():
    from signclip_desktop.training.card_kinds import baseline_command

    cmd = "python -m signclip_desktop.training.kfold words_v3.json --data D --folds 5 --out runs/kfold_v3 --only 3 4"
    whole = {"command": cmd, "k": 5, "folds": [{"fold": i} for i in range(5)]}
    assert baseline_command({}, whole, None) == cmd.replace(" --only 3 4", "")
    part = {"command": cmd, "k": 5, "folds": [{"fold": 3}, {"fold": 4}]}
    assert baseline_command({}, part, None) == cmd  # the folds it holds are the ones the command names


def test_the_card_names_how_the_kfold_config_differs_from_the_shipped_one():
    from signclip_desktop.training.card_kinds import kfold_config
    from signclip_desktop.training.train import load_config

    cfg = load_config("words_v5.json")
    rep = {"command": "python -m signclip_desktop.training.kfold words_v4.json --data D --folds 5 --out runs/kfold_v4"}
    name, lines = kfold_config(cfg, rep)
    assert name == "words_v4.json" and len(lines) == 1
    assert "`input.normalization` 'shoulders' -> 'signing_shoulders'" in lines[0] and "version" not in lines[0]
    same = {"command": "python -m signclip_desktop.training.kfold words_v5.json --out X"}
    assert kfold_config(cfg, same) == ("words_v5.json", [])


def test_fewer_signers_keeps_a_share_of_the_signers_and_every_word():
    from types import SimpleNamespace as NS

    from signclip_desktop.training.kfold import fewer_signers

    samples = [NS(label=w, signer=f"s{i}") for i in range(20) for w in ("hello", "yes") for _ in range(3)]
    samples += [NS(label="rare", signer="s19") for _ in range(3)]        # one signer only
    idx = np.arange(len(samples))
    kept = fewer_signers(samples, idx, 0.5, seed=0)
    signers = {samples[i].signer for i in kept}
    assert 10 <= len(signers) <= 11                                     # half, plus rare's one signer if it was out
    assert {samples[i].label for i in kept} == {"hello", "yes", "rare"}
    assert all(sum(samples[j].signer == s for j in kept) == sum(x.signer == s for x in samples) for s in signers)
    assert not np.array_equal(kept, fewer_signers(samples, idx, 0.5, seed=1))


def _fold_npz(path, rng, test_idx, dim=6):
    def unit(n):
        e = rng.normal(size=(n, dim))
        return (e / np.linalg.norm(e, axis=1, keepdims=True)).astype(np.float32)
    np.savez(path, known=np.array(["hello", "yes", "no"]), label_emb=unit(3), test_idx=np.array(test_idx),
             unseen_idx=np.array([7, 8]), variant_idx=np.array([0, 1, 2, 3]), unseen_words=np.array(["rare"]),
             seconds=2.0, emb_test=unit(len(test_idx)), emb_unseen=unit(2), emb_variant=unit(4), emb_letters=unit(0))


def test_an_ensemble_fold_scores_each_clip_by_the_mean_of_the_runs_cosines(tmp_path):
    from signclip_desktop.training.ensemble import merge_fold

    rng = np.random.default_rng(3)
    paths = [tmp_path / f"run{i}.npz" for i in range(3)]
    for p in paths:
        _fold_npz(p, rng, [10, 11, 12, 13, 14])
    m = merge_fold(paths)
    zs = [np.load(p) for p in paths]
    mean_cos = np.mean([z["emb_test"] @ z["label_emb"].T for z in zs], axis=0)
    assert m["emb_test"].shape == (5, 18) and np.allclose(np.linalg.norm(m["emb_test"], axis=1), 1.0, atol=1e-5)
    assert np.allclose(m["emb_test"] @ m["label_emb"].T, mean_cos, atol=1e-5)
    assert m["emb_unseen"].shape == (2, 18) and m["emb_letters"].shape == (0, 18) and m["seconds"] == 6.0


def test_an_ensemble_refuses_runs_that_held_out_other_clips(tmp_path):
    from signclip_desktop.training.ensemble import merge_fold

    rng = np.random.default_rng(4)
    _fold_npz(tmp_path / "a.npz", rng, [10, 11, 12])
    _fold_npz(tmp_path / "b.npz", rng, [10, 11, 13])
    with pytest.raises(ValueError, match="test_idx"):
        merge_fold([tmp_path / "a.npz", tmp_path / "b.npz"])


def test_distillation_pulls_the_student_to_the_teachers_answer_not_the_hard_label():
    torch = pytest.importorskip("torch")
    from signclip_desktop.training.loss import distillation_kl

    torch.manual_seed(0)
    labels = torch.nn.functional.normalize(torch.randn(4, 8), dim=1)
    teacher = torch.softmax(torch.tensor([[0.0, 0.0, 3.0, 0.0]] * 5), dim=1)
    video = torch.randn(5, 8, requires_grad=True)
    scale = torch.tensor(10.0)

    def kl():
        return distillation_kl(torch.nn.functional.normalize(video, dim=1), labels, scale, teacher, 2.0)
    start = kl().item()
    opt = torch.optim.SGD([video], lr=0.5)
    for _ in range(100):
        opt.zero_grad()
        kl().backward()
        opt.step()
    assert start > 0.1 and kl().item() < 0.1 * start
    assert (torch.nn.functional.normalize(video, dim=1) @ labels.t()).argmax(dim=1).tolist() == [2] * 5
    # a student that already answers as the teacher does has nothing to learn
    same = torch.softmax(scale * labels[:1] @ labels.t() / 2.0, dim=1)
    assert distillation_kl(labels[:1], labels, scale, same, 2.0).item() == pytest.approx(0.0, abs=1e-5)


def test_teachers_answer_the_same_for_a_sign_and_its_mirror_image():
    torch = pytest.importorskip("torch")
    from signclip_desktop.keypoints.features import InputSpec
    from signclip_desktop.training.model import SignCLIP, SymmetricEncoder
    from signclip_desktop.training.recipe import model_kwargs, prepare_teachers, teacher_probabilities

    spec = InputSpec.from_dict({"components": ["pose", "left_hand", "right_hand"], "dims": ["x", "y"]})
    cfg = {"model": {"d_model": 16, "layers": 1, "heads": 2, "ff": 32, "embed_dim": 8, "derived": ["hand_centred"]}}
    torch.manual_seed(1)
    teachers = [SignCLIP(spec.num_points, spec.num_channels, text_dim=6, **model_kwargs(cfg, spec)).eval() for _ in range(2)]
    x = torch.randn(3, 12, spec.num_points, spec.num_channels)
    text = torch.randn(5, 6)
    prepared = prepare_teachers(teachers, spec, text)
    p = teacher_probabilities(prepared, x, 2.0)
    mirrored = SymmetricEncoder(teachers[0].encoder, spec).mirror(x)
    assert p.shape == (3, 5) and torch.allclose(p.sum(dim=1), torch.ones(3))
    assert torch.allclose(p, teacher_probabilities(prepared, mirrored, 2.0), atol=1e-5)
    assert not torch.allclose(p, teacher_probabilities(prepared[:1], x, 2.0), atol=1e-3)


def test_outlier_exposure_wants_no_label_to_stand_out():
    torch = pytest.importorskip("torch")
    from signclip_desktop.training.loss import flat_over_labels

    labels = torch.eye(4, 6)
    scale = torch.tensor(20.0)
    like_a_label = labels[:2].clone()                       # an outlier that looks like label 0 / 1
    like_none = torch.nn.functional.normalize(torch.tensor([[0.0, 0, 0, 0, 1, 1]] * 2), dim=1)
    floor = float(np.log(4))                                # cross-entropy to uniform of a uniform answer
    assert flat_over_labels(like_none, labels, scale).item() == pytest.approx(floor, abs=1e-5)
    assert flat_over_labels(like_a_label, labels, scale).item() > floor + 5


def test_training_with_outliers_refuses_to_run_without_them():
    from signclip_desktop.training.recipe import train_encoder

    class Enc:
        spec = None
    with pytest.raises(ValueError, match="outliers"):
        train_encoder({"train": {"steps": 1, "outliers": {"kind": "spreadthesign"}}, "model": {}}, Enc(), [], np.arange(0),
                      [], np.zeros((0, 4), np.float32))


def test_outliers_of_an_unknown_kind_are_refused_by_name():
    from signclip_desktop.training.kfold import outlier_set

    assert outlier_set({"train": {}}, "nowhere", None) is None
    with pytest.raises(ValueError, match="'selfies'"):
        outlier_set({"train": {"outliers": {"kind": "selfies"}}}, "nowhere", None)
