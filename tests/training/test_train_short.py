import time

import pytest

pytest.importorskip("torch")

CFG = {
    "name": "words-tiny", "kind": "words", "min_signers": 10,
    "input": {"components": ["pose", "left_hand", "right_hand"], "normalization": "shoulders", "dims": ["x", "y"],
              "fps": 30, "window_frames": 32, "min_frames": 8},
    "model": {"d_model": 48, "layers": 2, "heads": 2, "ff": 96, "embed_dim": 64, "dropout": 0.1, "max_len": 128},
    "train": {"steps": 100, "batch_size": 48, "lr": 0.002, "weight_decay": 0.01, "all_labels_weight": 1.0,
              "log_every": 1000, "checkpoint_every": 1000},
    "augment": {"max_len": 32},
    "split": {"fraction": 0.3, "max_word_fraction": 0.4, "seed": 0},
    "eval": {},
    "seed": 0,
}


@pytest.mark.slow
def test_short_training_beats_chance_on_unseen_signers(shared_data, tmp_path):
    from signclip_desktop.model.encoder import Encoder
    from signclip_desktop.model.pack import load_pack
    from signclip_desktop.training.train import train

    t = time.time()
    m = train(dict(CFG), shared_data, tmp_path, limit_per_label=4, quiet=True, evaluate_int8=False, threads=1)
    # the training itself: < 60 s of CPU (wall time depends on what else runs on the machine)
    assert m["train"]["cpu_seconds"] < 60, m["train"]
    assert time.time() - t < 300                      # with data loading, text model, export, evaluation
    held = set(m["heldout_signers"])
    assert held and m["heldout"]["per_signer"] and set(m["heldout"]["per_signer"]) <= held
    n_labels = m["heldout"]["all_labels"]["labels"]
    chance = 1.0 / n_labels
    assert m["heldout"]["all_labels"]["balanced_top1"] > 1.5 * chance, m["heldout"]["all_labels"]
    assert m["onnx_parity_max_abs"] < 1e-4
    assert (tmp_path / "confusion.png").stat().st_size > 1000
    pack = load_pack(tmp_path / "pack")
    assert pack.provenance["train_signers"] and held.isdisjoint(pack.provenance["train_signers"])
    enc = Encoder(pack, providers="cpu", threads=1)
    assert enc.embed(pack_input(pack)).shape == (pack.embedding_dim,)


def pack_input(pack):
    import numpy as np

    return np.zeros((pack.input.window_frames, pack.input.num_points, pack.input.num_channels), np.float32)
