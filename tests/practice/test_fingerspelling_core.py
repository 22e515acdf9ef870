"""Fingerspelling core: per-letter states and reasons, no-hands timeouts, names, own words, history."""
import numpy as np
import pytest

from signclip_desktop.languages import alphabet_name, language_name, short_name
from signclip_desktop.model.pack import Label
from signclip_desktop.practice.fingerspelling import (
    NO_HANDS_SEEN,
    RIGHT,
    WRONG,
    FingerspellingSession,
    PracticeStats,
    alphabets_from_labels,
    parse_words,
    practice_words,
)

ASE = alphabets_from_labels([Label(f"ase:{c}", c, "ase") for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])["ase"]


def test_language_names_in_words():
    assert short_name("ase") == "American" and short_name("gsg") == "German" and short_name("ins") == "Indian"
    assert short_name("bfi") == "British"
    spreadthesign = ["asq", "bzs", "cse", "csq", "eso", "gsg", "gss", "ise", "jos", "lls", "mfs", "psr", "sgg", "ssp", "svk", "swl", "tsm", "ukl"]
    names = [short_name(c) for c in spreadthesign]
    assert all(n != c for n, c in zip(names, spreadthesign)), dict(zip(spreadthesign, names))
    assert len(set(names)) == len(names)
    assert short_name("und") == "unknown / mixed" == alphabet_name(None)
    assert language_name("und") == "Unknown sign language (unknown / mixed)"
    assert language_name("ase") == "American Sign Language (ase)" and alphabet_name("gsg") == "German (gsg)"
    assert short_name("xyz") == "xyz"  # unknown codes are shown as they are
    assert ASE.name == "American (ase)"


def test_letter_states_and_the_reason_for_a_wrong():
    s = FingerspellingSession(ASE, ["cab"], hold_windows=2, max_tries=1, timeout_s=None)
    s.next_word(0.0, "cab")
    assert [v["state"] for v in s.view()] == ["now", "next", "next"]
    s.feed("ase:K", 0.1)
    ev = s.feed("ase:K", 0.2)
    v = s.view()
    assert v[0] == {"letter": "C", "state": "wrong", "reason": "I saw K"} and v[1]["state"] == "now"
    assert [e.kind for e in ev] == ["wrong", "letter"] and ev[0].reason == "I saw K"
    s.feed("ase:A", 0.3)
    s.feed("ase:A", 0.4)
    assert s.view()[1] == {"letter": "A", "state": "right", "reason": ""}


def test_timeout_without_hands_is_no_hands_seen_not_wrong():
    s = FingerspellingSession(ASE, ["ab"], hold_windows=2, timeout_s=10.0)
    s.next_word(0.0, "ab")
    assert s.tick(5.0) == []
    ev = s.tick(10.5)
    assert [e.kind for e in ev] == ["no_hands"] and ev[0].reason == NO_HANDS_SEEN
    assert s.view()[0] == {"letter": "A", "state": "now", "reason": NO_HANDS_SEEN}
    assert s.letters[0].status != WRONG and s.position == 0 and s.score == 0
    # hands come back: the note goes, and the letter can still be signed right
    s.hands(11.0, True)
    assert s.view()[0]["reason"] == ""
    s.feed("ase:A", 11.1)
    s.feed("ase:A", 11.2)
    assert s.letters[0].status != WRONG and s.position == 1


def test_timeout_with_hands_seen_is_wrong_with_what_was_seen():
    s = FingerspellingSession(ASE, ["ab"], hold_windows=3, timeout_s=10.0)
    s.next_word(0.0, "ab")
    for i in range(2):               # K glimpsed twice, never held long enough to count
        s.feed("ase:K", 1.0 + i)
        s.feed(None, 1.5 + i)
    s.feed("ase:M", 4.0)
    ev = s.tick(10.1)
    assert [e.kind for e in ev] == ["letter"] and ev[0].status == WRONG
    assert s.view()[0] == {"letter": "A", "state": "wrong", "reason": "I saw K"}
    # hands in view, nothing recognised
    s2 = FingerspellingSession(ASE, ["ab"], timeout_s=10.0)
    s2.next_word(0.0, "ab")
    s2.hands(1.0, True)
    s2.tick(10.0)
    assert s2.view()[0]["state"] == "wrong" and "could not make out" in s2.view()[0]["reason"]


def test_own_words_history_and_what_to_practise_next(tmp_path):
    ok, bad = parse_words("Anna, Bob\nzoë  dog", ASE)
    assert ok == ["Anna", "Bob", "dog"] and len(bad) == 1 and bad[0].startswith("zoë")
    stats = PracticeStats(tmp_path / "p.sqlite3")
    stats.add_words("ase", ok)
    stats.add_words("ase", ["dog"])  # no duplicates
    assert stats.words("ase") == ["Anna", "Bob", "dog"]
    s = FingerspellingSession(ASE, stats.words("ase"), hold_windows=1, max_tries=1, stats=stats, timeout_s=None)
    for _ in range(3):  # D signed as B three times, O right, G slow
        s.next_word(0.0, "dog")
        s.feed("ase:B", 0.1)
        s.feed("ase:O", 0.2)
        s.feed("ase:G", 9.0)
    s.next_word(0.0, "dog")
    s.feed("ase:D", 0.1)
    stats.close()
    again = PracticeStats(tmp_path / "p.sqlite3")
    hist = again.history("ase", "D")
    assert [h["status"] for h in hist] == [RIGHT, WRONG, WRONG, WRONG] and hist[1]["signed"] == "B"
    adv = again.advice("ase", letters=list("ABDGO"))
    assert adv[0]["letter"] == "D" and "wrong 3 of the last 4" in adv[0]["why"] and "mostly as B" in adv[0]["why"]
    assert adv[1]["letter"] == "G" and adv[1]["why"].startswith("slow 3 of the last 3")
    assert "O" not in [a["letter"] for a in adv[:2]] and {"A", "B"} <= {a["letter"] for a in adv}
    assert practice_words(["cat", "good", "dad", "hi"], ["D", "G"], ASE, 2) == ["dad", "good"]
    again.close()


@pytest.mark.slow
def test_real_letter_stream_through_recognition_and_the_session(shared_data):
    """Real recordings of one signer's letters (hands down between letters) streamed through the
    live recogniser of the fingerspelling pack and a session: the letters come out right, and a
    stretch with no hands says "no hands seen" instead of wrong."""
    from pathlib import Path

    from signclip_desktop.keypoints import layout as L
    from signclip_desktop.model.encoder import Encoder
    from signclip_desktop.model.pack import load_pack
    from signclip_desktop.sources.base import KeypointFrame
    from signclip_desktop.sources.npz import load_npz_sequences
    from signclip_desktop.stream.recognizer import Recognizer

    pack_dir = Path(__file__).resolve().parents[2] / "models" / "fingerspelling"
    if not (pack_dir / "manifest.json").is_file():
        pytest.skip("no fingerspelling pack")
    pack = load_pack(pack_dir)
    alpha = alphabets_from_labels(pack.labels)["ase"]
    by = {}
    for seq in load_npz_sequences(shared_data / "fingerspelling" / "letters" / "traduttore__traduttore-model.npz"):
        by.setdefault(seq.label, seq)
    word = "cab"
    idle = L.empty_frames(60)                  # two seconds with nobody's hands in view
    parts = [idle]
    for c in word.upper():
        gap = np.repeat(by[c].frames[-1:], 8, axis=0)
        gap[:, L.LEFT_HAND.start:L.RIGHT_HAND.stop] = 0.0
        parts += [by[c].frames, gap]
    frames = np.concatenate(parts)
    rec = Recognizer(pack, Encoder(pack, "cpu"))
    sess = FingerspellingSession(alpha, [word], hold_windows=2, timeout_s=1.5)
    sess.next_word(0.0, word)
    notes = []
    for i, kp in enumerate(frames):
        t = i / 30.0
        sess.hands(t, bool(kp[list(L.HAND_WRISTS), 3].max() > 0))
        notes += [e.kind for e in sess.tick(t)]
        up = rec.push(KeypointFrame(i, t, kp))
        if up is not None:
            sess.feed_prediction(up.prediction, up.timestamp, up.final)
    assert "no_hands" in notes                          # the idle start: no hands seen, not wrong
    assert [v["state"] for v in sess.view()] == ["right", "right", "right"], sess.view()
