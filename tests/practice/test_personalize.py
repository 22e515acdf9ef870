from types import SimpleNamespace

from signclip_desktop.model.pack import Label, load_pack
from signclip_desktop.practice.personalize import Progress, common_labels, plan


def _pack(common=None):
    labels = [Label("a", "a", "ase"), Label("thank-you", "thank-you", "ase"), Label("b", "b", "ins")]
    return SimpleNamespace(labels=labels, common_labels=common)


def test_plan_follows_the_packs_common_order_and_repeats_each_sign():
    steps = plan(_pack(["thank-you", "gone", "b"]), n=2, repeats=2)
    assert [(s.label, s.repeat) for s in steps] == [("thank-you", 1), ("thank-you", 2), ("b", 1), ("b", 2)]
    assert steps[0].text == "thank you" and steps[0].prompt == "Sign “thank you” (1 of 2)"


def test_plan_without_common_order_uses_the_pack_order_and_language_filter():
    assert [lab.id for lab in common_labels(_pack(), 5)] == ["a", "thank-you", "b"]
    assert {s.label for s in plan(_pack(), n=5, repeats=1, language="ins")} == {"b"}


def test_progress_skip_drops_the_rest_of_a_sign():
    p = Progress(plan(_pack(), n=3, repeats=2))
    assert p.step.label == "a"
    assert p.next().label == "a" and p.skip_sign().label == "thank-you"
    p.skip_sign()
    p.skip_sign()
    assert p.done and p.step is None and p.fraction == 1.0


def test_plan_on_the_shipped_words_pack():
    from pathlib import Path
    pack = load_pack(Path(__file__).resolve().parents[2] / "models" / "words")
    steps = plan(pack, n=8, repeats=2)
    assert len(steps) == 16 and len({s.label for s in steps}) == 8
    assert [s.label for s in steps[::2][:3]] == ["hello", "thank-you", "i-love-you"]  # most signers first


def test_common_order_counts_signers_not_clips():
    from signclip_desktop.training.common_labels import common_order

    S = SimpleNamespace
    samples = [S(label="a", signer="x")] * 5 + [S(label="b", signer="x"), S(label="b", signer="y")]
    assert common_order(samples, ["a", "b", "c"]) == ["b", "a", "c"]
