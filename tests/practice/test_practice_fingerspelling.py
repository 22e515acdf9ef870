from signclip_desktop.model.pack import Label
from signclip_desktop.practice.fingerspelling import (RIGHT, SLOW, WRONG, FingerspellingSession,
                                                      PracticeStats, alphabets_from_labels, word_list)

ASE = alphabets_from_labels([Label(f"ase:{c}", c, "ase") for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])["ase"]


def _script(session, steps, t0=0.0, dt=0.2):
    """Feed a scripted stream: each (label, windows) pair repeats label for that many windows."""
    t, events = t0, []
    for label, n in steps:
        for _ in range(n):
            events += session.feed(label, t)
            t += dt
    return events, t


def test_alphabets_and_tokenizing():
    sgg = alphabets_from_labels([Label(f"sgg:{c}", c, "sgg") for c in ["A", "C", "H", "S", "SCH", "U"]])["sgg"]
    assert sgg.tokenize("Schach") == ["SCH", "A", "C", "H"]
    assert ASE.tokenize("hello") == list("HELLO")
    assert "cat" in word_list("ase", ASE)
    try:
        ASE.tokenize("olá")
        assert False
    except ValueError as e:
        assert "á" in str(e)


def test_scripted_word_right_slow_wrong_and_double_letters(tmp_path):
    stats = PracticeStats(tmp_path / "p.sqlite3")
    s = FingerspellingSession(ASE, ["hello"], hold_windows=3, slow_after_s=2.0, stats=stats)
    s.next_word(0.0, "hello")
    ev, t = _script(s, [("ase:H", 3), (None, 2),          # H right
                        ("ase:A", 3), ("ase:E", 3),      # A held: wrong try for E, then E -> wrong
                        ("ase:L", 5),                    # first L; held longer does not count twice
                        ("ase:L", 0), (None, 1), ("ase:L", 3),  # release, second L
                        (None, 12), ("ase:O", 3)])       # O after a long pause -> slow
    assert [l.status for l in s.letters] == [RIGHT, WRONG, RIGHT, RIGHT, SLOW]
    assert [e.kind for e in ev].count("wrong") == 1 and ev[-1].kind == "word"
    assert s.done and s.score == 10 + 0 + 10 + 10 + 5
    assert s.best_streak == 3 and s.streak == 3
    assert s.display().startswith("H✓ E✗ L✓ L✓ O◔")
    # statistics persist across sessions
    s2 = FingerspellingSession(ASE, ["ab"], stats=stats)
    s2.next_word(0.0)
    _script(s2, [("ase:A", 3), ("ase:B", 3)])
    stats.close()
    again = PracticeStats(tmp_path / "p.sqlite3")
    st = again.letters("ase")
    assert st["L"]["right"] == 2 and st["E"]["wrong"] == 1 and st["O"]["slow"] == 1 and st["A"]["right"] == 1
    assert [x["score"] for x in again.sessions("ase")] == [35, 20]
    assert again.weakest("ase", 1) == ["E"]


def test_max_tries_moves_on_and_skip():
    s = FingerspellingSession(ASE, ["cab"], hold_windows=2, max_tries=2)
    s.next_word(0.0, "cab")
    _script(s, [("ase:X", 2), (None, 1), ("ase:Y", 2)])
    assert s.letters[0].status == WRONG and s.position == 1
    s.skip(1.0)
    assert s.letters[1].status == WRONG and s.expected == "B"
    ev, _ = _script(s, [("B", 2)])  # plain letter text works too
    assert s.done and s.word_status == WRONG and s.streak == 1


def test_alphabet_restriction_final_release_and_lingering_letter():
    from signclip_desktop.model.scorer import Guess, Prediction

    def pred(*labels):
        return Prediction([Guess(l, l, l.split(":")[0], 0.5, 0.5) for l in labels], "sure")

    s = FingerspellingSession(ASE, ["all"], hold_windows=2)
    s.next_word(0.0, "all")
    # another alphabet's letter ranked first: the best guess within ASL letters counts
    s.feed_prediction(pred("ins:A", "ase:A"), 0.1)
    s.feed_prediction(pred("gsg:A", "ase:A"), 0.2)
    assert s.letters[0].status == RIGHT
    # still showing A just after it counted: not a wrong attempt at L
    s.feed_prediction(pred("ase:A"), 0.3, final=True)
    s.feed_prediction(pred("ase:A"), 0.4)
    s.feed_prediction(pred("ase:A"), 0.5)
    assert s.letters[1].wrong == []
    # double letter: the end of a signing segment (final) releases the held L
    s.feed_prediction(pred("ase:L"), 0.6)
    s.feed_prediction(pred("ase:L"), 0.7, final=True)
    s.feed_prediction(pred("ase:L"), 0.8)
    s.feed_prediction(pred("ase:L"), 0.9)
    assert s.done and s.display() == "A✓ L✓ L✓"
