"""Sign variants (several rows per label) and the open-set rule in the Scorer and the pack format."""
import shutil

import numpy as np
import pytest

from signclip_desktop.model.pack import Calibration, Label, PackError, load_pack, write_pack
from signclip_desktop.model.scorer import OpenSet, Prediction, Scorer


def _unit(v):
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


LABELS = [Label("hello", "hello", "ase"), Label("yes", "yes", "ase"), Label("A", "A", "ins")]
TEXT = _unit(np.eye(4, dtype=np.float32)[:3])
VARIANT = _unit([[0.0, 0.0, 0.0, 1.0]])   # a second way of signing hello


def test_a_label_scores_its_best_row():
    q = VARIANT[0]
    plain = Scorer(LABELS, TEXT, Calibration(temperature=0.1))
    with_var = Scorer(LABELS, TEXT, Calibration(temperature=0.1), variants=VARIANT, variant_labels=["hello"])
    assert plain.similarities(q).max() == pytest.approx(0.0, abs=1e-6)
    p = with_var.predict(q, k=3)
    assert p.top[0].label == "hello" and p.top[0].similarity == pytest.approx(1.0)
    assert [g.label for g in p.top].count("hello") == 1          # one guess per label, not per row
    assert len(with_var.labels) == 3 and with_var.similarities(q).shape == (3,)


def test_variants_follow_the_language_filter_and_personal_signs_still_compete():
    sc = Scorer(LABELS, TEXT, Calibration(temperature=0.1), variants=VARIANT, variant_labels=["hello"])
    sc.set_language("ins")
    assert sc.predict(VARIANT[0], k=1).top[0].label == "A"      # hello (and its variant) filtered out
    sc.set_prototypes([(Label("mine", "mine"), VARIANT)])
    assert sc.predict(VARIANT[0], k=1).top[0].source == "personal"


def test_bad_variants_are_refused():
    with pytest.raises(ValueError, match="does not have"):
        Scorer(LABELS, TEXT, Calibration(), variants=VARIANT, variant_labels=["nope"])
    with pytest.raises(ValueError, match="shape"):
        Scorer(LABELS, TEXT, Calibration(), variants=np.ones((2, 4)), variant_labels=["hello"])


def test_open_set_rule_marks_far_windows_unknown_and_json_says_so():
    os_rule = OpenSet(threshold=0.8, measure="similarity")
    sc = Scorer(LABELS, TEXT, Calibration(temperature=0.1), open_set=os_rule)
    near = sc.predict(_unit([1.0, 0.1, 0.0, 0.0]))
    far = sc.predict(_unit([0.5, 0.5, 0.5, 0.5]))
    assert near.known and not far.known
    j = far.to_json()
    assert j["known"] is False and j["top"] and j["top"][0]["label"] in {"hello", "yes", "A"}
    assert Scorer(LABELS, TEXT, Calibration()).predict(_unit([0.5, 0.5, 0.5, 0.5])).known  # no rule: always known
    assert Prediction([], "unsure").to_json()["known"] is True


def test_open_set_measures():
    sims = np.array([0.9, 0.85]), np.array([0.6, 0.4])
    assert OpenSet(0.5, "margin").known(*sims) is False
    assert OpenSet(0.05, "margin").known(*sims) is True
    assert OpenSet(0.55, "probability").known(*sims) is True
    assert OpenSet.from_manifest(None) is None
    with pytest.raises(ValueError, match="measure"):
        OpenSet.from_manifest({"threshold": 0.5, "measure": "vibes"})


def test_pack_round_trip_with_variants_and_open_set(tiny_pack, tmp_path):
    base = load_pack(tiny_pack)
    dst = tmp_path / "p"
    e = base.embedding_dim
    var = _unit(np.random.default_rng(0).normal(size=(3, e)))
    ids = [base.labels[0].id, base.labels[0].id, base.labels[1].id]
    write_pack(dst, name="t", version="1", spec=base.input, onnx_bytes_or_path=base.encoder_file, labels=base.labels,
               label_embeddings=base.label_embeddings, calibration=base.calibration,
               extra={"open_set": {"threshold": 0.3, "measure": "similarity"}}, variants=(var, ids))
    pack = load_pack(dst)
    assert pack.variant_labels == ids and pack.variant_embeddings.shape == (3, e)
    sc = Scorer.from_pack(pack)
    assert sc.open_set == OpenSet(0.3, "similarity")
    assert sc.predict(var[2], k=1).top[0].label == base.labels[1].id
    # an old pack (one embedding per label) still loads, with no variants and no rule
    old = load_pack(tiny_pack)
    assert old.variant_embeddings is None and old.variant_labels == []
    assert Scorer.from_pack(old).open_set is None


def test_variants_naming_unknown_labels_are_a_pack_error(tiny_pack, tmp_path):
    base = load_pack(tiny_pack)
    dst = tmp_path / "p"
    shutil.copytree(tiny_pack, dst)
    z = dict(np.load(dst / "labels.npz"))
    z["variant_embeddings"] = np.ones((1, base.embedding_dim), np.float32)
    z["variant_labels"] = np.array(["not-a-label"])
    np.savez(dst / "labels.npz", **z)
    with pytest.raises(PackError, match="unknown labels"):
        load_pack(dst)


def test_a_personal_sign_named_like_a_pack_label_is_one_guess_not_two():
    from signclip_desktop.model.pack import Calibration, Label
    from signclip_desktop.model.scorer import Scorer

    emb = np.eye(3, 8, dtype=np.float32)
    labels = [Label("hello", "hello"), Label("thank-you", "thank-you"), Label("yes", "yes")]
    sc = Scorer(labels, emb, Calibration(temperature=0.1))
    mine = np.zeros((2, 8), np.float32)
    mine[:, 5] = 1.0  # the user's own way of signing "hello" looks nothing like the pack's
    sc.set_prototypes([(Label("hello", "hello"), mine), (Label("wave", "wave"), np.eye(1, 8, 6, dtype=np.float32))])
    assert [lab.id for lab in sc.labels] == ["hello", "thank-you", "yes", "wave"]
    q = np.zeros(8, np.float32)
    q[5] = 1.0
    pred = sc.predict(q, k=4)
    ids = [g.label for g in pred.top]
    assert ids.count("hello") == 1 and ids[0] == "hello" and pred.top[0].source == "personal"
    q2 = np.zeros(8, np.float32)
    q2[0] = 1.0
    top = sc.predict(q2, k=1).top[0]
    assert top.label == "hello" and top.source == "pack"  # the pack's own row won this time


def test_neighbours_rule_knows_windows_near_its_training_clips():
    from signclip_desktop.model.open_set import neighbour_scores

    bank = _unit([[1.0, 0.05, 0.0, 0.0], [1.0, 0.0, 0.05, 0.0], [0.05, 1.0, 0.0, 0.0]])
    assert neighbour_scores(bank[:1], bank, 1)[0] == pytest.approx(1.0, abs=1e-6)
    rule = OpenSet.from_manifest({"measure": "neighbours", "k": 2, "threshold": 0.9}, bank)
    sc = Scorer(LABELS, TEXT, Calibration(temperature=0.1), open_set=rule)
    near_hello = sc.predict(_unit([1.0, 0.02, 0.02, 0.0]))
    # nearest text is "yes", but no training clip is near it: not a sign the pack knows
    odd = sc.predict(_unit([0.3, 0.6, 0.0, 0.6]))
    assert near_hello.known and near_hello.top[0].label == "hello"
    assert not odd.known and odd.to_json()["known"] is False
    # a sign the user taught is known on their own examples, though no pack clip is near it
    sc.set_prototypes([(Label("mine", "mine"), _unit([[0.0, 0.0, 0.0, 1.0]]))])
    mine = sc.predict(_unit([0.0, 0.0, 0.1, 1.0]))
    assert mine.top[0].label == "mine" and mine.known


def test_neighbours_rule_is_validated():
    bank = _unit(np.eye(4)[:2])
    with pytest.raises(ValueError, match="neighbour_embeddings"):
        OpenSet.from_manifest({"measure": "neighbours", "threshold": 0.5})
    for k in (0, 1001, 2.5, True, "3"):
        with pytest.raises(ValueError, match="k must be"):
            OpenSet.from_manifest({"measure": "neighbours", "threshold": 0.5, "k": k}, bank)
    with pytest.raises(ValueError, match="finite"):
        OpenSet.from_manifest({"measure": "similarity", "threshold": float("nan")})
    # a label-score rule ignores a bank it does not use
    assert OpenSet.from_manifest({"measure": "margin", "threshold": 0.1}, bank).bank is None


def test_pack_round_trip_with_a_neighbour_bank(tiny_pack, tmp_path):
    base = load_pack(tiny_pack)
    e = base.embedding_dim
    bank = np.random.default_rng(1).normal(size=(5, e))
    dst = tmp_path / "p"
    kw = dict(name="t", version="1", spec=base.input, onnx_bytes_or_path=base.encoder_file, labels=base.labels,
              label_embeddings=base.label_embeddings, calibration=base.calibration,
              extra={"open_set": {"threshold": 0.3, "measure": "neighbours", "k": 3}})
    write_pack(dst, neighbours=bank, **kw)
    pack = load_pack(dst)
    assert pack.neighbour_embeddings.shape == (5, e) and pack.neighbour_embeddings.dtype == np.float32
    assert np.allclose(np.linalg.norm(pack.neighbour_embeddings, axis=1), 1.0, atol=1e-3)
    sc = Scorer.from_pack(pack)
    assert sc.open_set.measure == "neighbours" and sc.open_set.k == 3 and len(sc.open_set.bank) == 5
    assert sc.predict(pack.neighbour_embeddings[0], k=1).known
    for bad in (np.ones((4, e + 1)), np.full((2, e), np.nan)):
        write_pack(tmp_path / "bad", neighbours=bad, **kw)
        with pytest.raises(PackError, match="neighbour embeddings"):
            load_pack(tmp_path / "bad")
