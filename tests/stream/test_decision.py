"""The live view's one story: current sign, guesses and transcript come from one decision."""
import dataclasses

from signclip_desktop.model.scorer import Guess, Prediction
from signclip_desktop.stream.stable import IDLE, KNOWN, UNKNOWN, StableSign
from signclip_desktop.stream.transcript import Transcript, TranscriptEntry


def _pred(label, score, conf="sure", known=True):
    p = Prediction([Guess(label, label, "ase", score, 0.9), Guess("x", "x", "ase", 1 - score, 0.1)], conf)
    if known is not True:  # packs without an open-set rule have no ``known``; the rule sets it
        object.__setattr__(p, "known", known)
    return p


def test_guesses_shown_always_agree_with_the_current_sign():
    s = StableSign(enter_windows=2)
    s.update(_pred("hello", 0.9), 0.0)
    assert s.decision.state == IDLE and s.decision.shown is None  # one window is not a sign yet
    s.update(_pred("hello", 0.9), 0.3)
    d = s.decision
    assert d.state == KNOWN and d.label == "hello" and d.fresh
    assert d.shown.top[0].label == "hello" and d.committed.label == "hello"
    s.update(_pred("yes", 0.9), 0.6)  # a stray window: neither the sign nor its guesses change
    d = s.decision
    assert d.label == "hello" and d.shown.top[0].label == "hello" and not d.fresh and d.committed is None
    s.update(_pred("yes", 0.9), 0.9)  # confirmed: both switch together
    d = s.decision
    assert d.label == "yes" and d.shown.top[0].label == "yes" and d.committed.label == "yes"


def test_last_result_is_kept_dimmed_between_signs():
    s = StableSign(enter_windows=1, idle_clear_s=1.0)
    s.update(_pred("hello", 0.9), 0.0)
    s.update(None, 0.5)
    d = s.decision
    assert d.state == KNOWN and d.shown.top[0].label == "hello" and not d.fresh
    s.update(None, 2.0)
    d = s.decision
    assert d.state == IDLE and d.label is None and d.shown.top[0].label == "hello" and not d.fresh


def test_unknown_sign_is_not_a_word():
    s = StableSign(enter_windows=2)
    s.update(_pred("more", 0.9), 0.0)
    s.update(_pred("more", 0.9), 0.3)
    assert s.current == "more"
    s.update(_pred("more", 0.6, known=False), 0.6)
    assert s.current == "more"  # one window is not enough either way
    changed = s.update(_pred("more", 0.6, known=False), 0.9)
    d = s.decision
    assert changed and s.current is None and d.state == UNKNOWN and d.label is None and d.committed is None
    assert list(s.history) == ["more"]  # the unknown segment adds no word


def test_final_window_commits_and_unknown_final_clears():
    s = StableSign(enter_windows=3)
    s.update(_pred("thank-you", 0.8), 0.0, final=True)
    assert s.decision.committed.label == "thank-you"
    s.update(_pred("x", 0.5, known=False), 0.3, final=True)
    assert s.decision.state == UNKNOWN and s.current is None


def test_transcript_keeps_order_text_and_saves_atomically(tmp_path):
    tr = Transcript(max_entries=3)
    for i, w in enumerate(["hello", "thank you", "yes", "please"]):
        tr.append(TranscriptEntry(1_700_000_000 + i, i * 1.0, w.replace(" ", "-"), w, "sure", 0.8))
    assert len(tr) == 3 and tr.words() == "thank you yes please"  # bounded: the oldest goes
    out = tr.save(tmp_path / "sub" / "transcript.txt")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and lines[0].endswith("thank you  (sure, 80%)")
    assert not [p for p in out.parent.iterdir() if p.suffix == ".tmp"]
    tr.clear()
    assert len(tr) == 0 and tr.to_text() == ""


def test_entries_are_immutable():
    e = TranscriptEntry(0, 0, "a", "a", "sure", 1.0)
    try:
        e.label = "b"
    except dataclasses.FrozenInstanceError:
        return
    raise AssertionError("TranscriptEntry must be frozen")
