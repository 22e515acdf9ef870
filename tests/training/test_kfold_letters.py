"""K-fold for the fingerspelling pack: one-signer alphabets stay in training, top-1 within the clip's
own alphabet, no open-set rule without negatives, and the card's comparison with the previous pack."""
from types import SimpleNamespace as NS

import numpy as np

from signclip_desktop.training import folds as F


def _letters():
    """4 webcam signers of ase:A/ase:B, 2 of ins:A, and 2 one-signer alphabets (Spreadthesign-like)."""
    labels, signers = [], []
    for i in range(4):
        for lab in ("ase:A", "ase:B"):
            labels += [lab] * 3
            signers += [f"w{i}"] * 3
    for i in range(2):
        labels += ["ins:A"] * 3
        signers += [f"i{i}"] * 3
    for lang in ("gsg", "svk"):
        for lab in ("A", "B"):
            labels.append(f"{lang}:{lab}")
            signers.append(f"st-{lang}")
    return labels, signers


def test_one_signer_alphabets_are_in_every_folds_training():
    labels, signers = _letters()
    fold_of = F.signer_folds(labels, signers, k=3)
    assert fold_of["st-gsg"] == fold_of["st-svk"] == -1
    assert {fold_of[s] for s in signers if not s.startswith("st-")} <= {0, 1, 2}
    for f in range(3):
        ix = F.fold_indices(labels, signers, fold_of, [], f)
        train_signers = {signers[i] for i in ix["train"]}
        assert {"st-gsg", "st-svk"} <= train_signers
        assert not {signers[i] for i in ix["test"]} & {"st-gsg", "st-svk"}


def test_words_folds_unchanged_when_every_signer_shares_a_word():
    labels = ["hello"] * 6 + ["yes"] * 6
    signers = [f"s{i % 6}" for i in range(12)]
    fold_of = F.signer_folds(labels, signers, k=3)
    assert -1 not in fold_of.values() and set(fold_of.values()) == {0, 1, 2}


def _fold_files(tmp_path, samples, known, label_emb, dirs, k=2):
    rng = np.random.default_rng(0)
    for f in range(k):
        test = [i for i, s in enumerate(samples) if s.signer.startswith("w") and int(s.signer[1:]) % k == f]
        var = [i for i, s in enumerate(samples) if i not in test]

        def emb(idx):
            e = np.stack([dirs[samples[i].label] for i in idx]) + 0.05 * rng.normal(size=(len(idx), 8))
            return (e / np.linalg.norm(e, axis=1, keepdims=True)).astype(np.float32)
        empty = np.zeros((0, 8), np.float32)
        np.savez(tmp_path / f"fold{f}.npz", known=np.array(known), label_emb=label_emb, test_idx=np.array(test),
                 unseen_idx=np.zeros(0, np.int64), variant_idx=np.array(var), unseen_words=np.array([], str),
                 seconds=1.0, emb_test=emb(test), emb_unseen=empty, emb_variant=emb(var), emb_letters=empty)


def test_report_scores_within_the_alphabet_and_skips_the_open_set(tmp_path):
    from signclip_desktop.training.kfold_report import markdown, report

    known = ["ase:A", "ase:B", "gsg:A"]
    samples = [NS(label=lab, signer=f"w{i}", language="ase") for i in range(4) for lab in ("ase:A", "ase:B") for _ in range(6)]
    samples += [NS(label="gsg:A", signer="st-gsg", language="gsg")]
    # ase:A clips lie nearer the gsg:A row than their own: wrong over all labels, right within ase
    label_emb = np.eye(8, dtype=np.float32)[[0, 1, 2]]
    dirs = {"ase:A": 0.6 * np.eye(8)[0] + 0.8 * np.eye(8)[2], "ase:B": np.eye(8)[1], "gsg:A": np.eye(8)[2]}
    _fold_files(tmp_path, samples, known, label_emb, dirs)
    rep = report(tmp_path, samples, known, {"kfold": {"per_language": True}}, 2)
    s = rep["summary"]
    assert s["top1_text"]["mean"] == 0.5
    assert s["alpha_top1_text"]["mean"] == 1.0 == s["alpha_top1_text@ase"]["mean"]
    assert rep["open_set"] is None and s["open_known_rate"]["mean"] is None
    assert rep["per_word"]["ase:A"]["top1"] == 0.0 and rep["per_word"]["ase:A"]["top1_alphabet"] == 1.0
    assert set(rep["per_signer"]) == {f"w{i}" for i in range(4)}
    md = markdown(rep)
    assert "own alphabet" in md and "within `ase`" in md and "Open set" not in md


def test_card_compares_with_the_previous_split_on_the_same_signers():
    from signclip_desktop.training.card_kinds import previous_lines

    ms = lambda m: {"mean": m, "sd": 0.1, "folds": [m]}  # noqa: E731
    rep = {"scoring": "text", "summary": {"alpha_top1_text@ase": ms(0.7), "alpha_top1_text@ins": ms(0.5), "top1_text": ms(0.4)},
           "per_signer": {"a": {"top1": 0.5, "top1_alphabet": 1.0, "clips": 30}, "b": {"top1": 0.2, "top1_alphabet": 0.4, "clips": 10},
                          "c": {"top1": 0.1, "top1_alphabet": 0.6, "clips": 10}}}
    cfg = {"kind": "fingerspelling", "previous": {
        "version": "1.0.0", "source": "card", "heldout_signers": ["a", "b"], "signer_language": {"a": "ase", "b": "ase"},
        "ase_within": 0.6, "ins_within": 0.6, "top1_all": 0.3, "per_signer_top1": {"a": 0.3, "b": 0.1}}}
    text = "\n".join(previous_lines(cfg, rep, None))
    assert "| 0.850 | n/a | 0.425 |" in text          # (30 * 1.0 + 10 * 0.4) / 40 within ase; all labels pooled
    assert "a 0.30 -> 0.50" in text and "0.700 ± 0.100" in text
    assert previous_lines({"kind": "words"}, rep, None) == []


def test_steps_ablation_rows_name_both_runs():
    from signclip_desktop.training.card_kinds import ablation_lines

    def run(m, steps):
        ms = {"mean": m, "sd": 0.0, "folds": [m]}
        return {"scoring": "text", "steps": steps, "command": f"kfold --steps {steps}", "train_seconds_per_fold": ms,
                "summary": {"alpha_top1_text": ms, "alpha_top1_text@ase": ms, "top1_text": ms}}
    text = "\n".join(ablation_lines("fs.json", run(0.7, 2500), run(0.6, 1500)))
    assert "1500 steps | 0.600 ± 0.000" in text and "2500 steps (shipped) | 0.700 ± 0.000" in text
    assert "`kfold --steps 1500`" in text


def test_a_baseline_of_another_config_is_named_as_the_previous_recipe():
    from signclip_desktop.training.card_kinds import ablation_lines

    def run(m, cfg):
        ms = {"mean": m, "sd": 0.0, "folds": [m]}
        return {"scoring": "text", "steps": 2500, "command": f"kfold {cfg} --data D", "train_seconds_per_fold": ms,
                "summary": {"alpha_top1_text": ms, "alpha_top1_text@ase": ms, "top1_text": ms}}
    text = "\n".join(ablation_lines("fs_v3.json", run(0.7, "fs_v3.json"), run(0.6, "fs_v2.json")))
    assert "Against the previous recipe" in text and "training steps" not in text
    assert "`fs_v2.json`, 2500 steps | 0.600" in text and "`fs_v3.json`, 2500 steps (shipped) | 0.700" in text
