"""The Signs page's list and search (Qt-free): pack + personal signs, search by meaning."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from signclip_desktop.model.pack import Label, load_pack
from signclip_desktop.practice.vocabulary import Vocabulary, entries, language_words

WORDS = Path(__file__).resolve().parents[2] / "models" / "words"


def _sign(name, language, n=3):
    return SimpleNamespace(name=name, language=language, n_examples=n)


def test_entries_list_the_pack_then_your_signs_with_languages_in_words():
    pack = SimpleNamespace(labels=[Label("thank-you", "thank-you", "ase"), Label("eat", "eat", "bfi")])
    items = entries(pack, [_sign("coffee-cup", "und", 4)])
    assert [(e.text, e.yours) for e in items] == [("thank you", False), ("eat", False), ("coffee cup", True)]
    assert items[0].language_words == "American Sign Language"
    assert items[1].language_words == "British Sign Language"
    assert items[2].language_words == "Unknown or mixed sign language" and items[2].n_examples == 4
    assert "(" not in items[0].language_words  # the code is a tooltip, not part of the words
    assert language_words("xyz") == "xyz" and entries(None, []) == []


def test_empty_query_lists_everything_and_text_matches_come_first():
    pack = SimpleNamespace(labels=[Label("thank-you", "thank-you", "ase"), Label("hello", "hello", "ase"),
                                   Label("eat", "eat", "ase")])
    v = Vocabulary(entries(pack, [_sign("thank-you", "ase")]))
    assert [e.text for e in v.filter("  ")] == ["thank you", "hello", "eat", "thank you"]
    got = v.filter("thank")
    assert [e.text for e in got[:2]] == ["thank you", "thank you"] and {e.yours for e in got[:2]} == {True, False}
    assert "hello" not in [e.text for e in got]


@pytest.fixture(scope="module")
def words_vocab():
    return Vocabulary(entries(load_pack(WORDS))).prepare()


def test_a_paraphrase_finds_the_sign_on_the_shipped_words_pack(words_vocab):
    got = [e.text for e in words_vocab.filter("thanks a lot")]
    assert got[0] == "thank you" and len(got) < len(words_vocab.items) // 4
    assert [e.text for e in words_vocab.filter("beverage")][:1] == ["drink"]
    assert "father" in [e.text for e in words_vocab.filter("dad")][:2]


def test_a_query_with_nothing_close_lists_nothing(words_vocab):
    assert words_vocab.filter("doctor") == []


def test_store_makes_a_personal_sign_of_two_examples_then_adds_to_it(tmp_path):
    from signclip_desktop.keypoints import layout as L
    from signclip_desktop.practice.library import Library, NewExample
    from signclip_desktop.practice.personalize import Step, store

    def ex():
        f = L.empty_frames(12)
        f[:, :, 3] = 1
        return NewExample(f, 30.0, "camera 0", np.ones(8, np.float32))

    lib = Library(tmp_path / "lib.sqlite3")
    step = Step("thank-you", "thank you", "ase", 2, 2)
    s = store(lib, step, [ex(), ex()], pack="p@1")
    assert (s.name, s.language, s.n_examples) == ("thank-you", "ase", 2)
    assert [e.source for e in lib.examples(s, with_frames=False)] == ["camera 0", "camera 0"]
    for _ in range(5):
        s = store(lib, step, [ex(), ex()], pack="p@1")
    assert s.n_examples == 10 and len(lib.signs()) == 1  # the oldest give way past the maximum
    assert lib.embeddings(s, "p@1").shape == (10, 8)
    lib.close()
