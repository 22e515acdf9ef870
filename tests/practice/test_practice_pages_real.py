"""The practice pages with real footage and the live view (pytest-qt, offscreen): a real letter
stream through the Fingerspelling page, Grade on real same-sign / different-sign clips and on
inputs it cannot grade, Teach refusing to record the demo, and the duplicate-name path."""
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

import signclip_desktop.gui  # noqa: E402,F401  (PySide6/Python 3.11 work-around before any Qt import)
from signclip_desktop.keypoints import layout as L  # noqa: E402
from signclip_desktop.live import SourceSpec  # noqa: E402

from practice_clips import signing_clip  # noqa: E402

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNCLIP_HOME", str(tmp_path / "home"))




def _ctx(tmp_path, kind="file", **kw):
    from signclip_desktop.gui.pages.context import PracticeContext

    taps, calls = [], {"open": 0, "retry": 0}

    def tap(seconds):
        taps.append(seconds)
        fr = signing_clip(seed=len(taps))
        return np.arange(len(fr)) / 30.0, fr

    spec = {"spec": SourceSpec("demo") if kind == "demo" else SourceSpec("file", path="/videos/me-signing.mp4")}
    c = PracticeContext(library_path=tmp_path / "lib.sqlite3", stats_path=tmp_path / "practice.sqlite3", tap=tap,
                        source=lambda: spec["spec"], open_file=lambda: calls.__setitem__("open", calls["open"] + 1),
                        retry_camera=lambda: calls.__setitem__("retry", calls["retry"] + 1), **kw)
    c.taps, c.calls, c.spec = taps, calls, spec
    return c


def test_teach_refuses_to_record_the_demo_and_offers_a_way_out(qtbot, tmp_path, tiny_pack):
    from signclip_desktop.gui.pages.teach import TeachPage

    ctx = _ctx(tmp_path, "demo", words_pack=str(tiny_pack))
    page = TeachPage(ctx, countdown_s=0, record_s=0.05)
    qtbot.addWidget(page)
    page.show()
    page.page_shown()
    page.record()
    page.countdown.start()  # even the recorder itself refuses
    qtbot.wait(150)
    assert ctx.taps == [] and page.pending == [] and not page.countdown.busy
    assert "No camera" in page.status.text() and "demo" in page.status.text()
    banner = page.mirror.banner
    assert banner.isVisible() and "nothing is recorded" in page.mirror.banner_text.text().lower()
    page.mirror.buttons["Open a file"].click()
    page.mirror.buttons["Retry camera"].click()
    assert ctx.calls == {"open": 1, "retry": 1}
    ctx.spec["spec"] = SourceSpec("camera", camera_index=2)  # the camera came back
    page.record()
    qtbot.waitUntil(lambda: len(page.pending) == 1, timeout=15000)
    assert not banner.isVisible() and page.pending[0].source == "camera 2"
    assert "(camera 2)" in page.examples.item(0).text()


def test_duplicate_name_adds_examples_or_asks_for_a_new_name(qtbot, tmp_path, tiny_pack):
    from signclip_desktop.gui.pages.teach import TeachPage
    from signclip_desktop.practice.library import Library

    ctx = _ctx(tmp_path, words_pack=str(tiny_pack))
    page = TeachPage(ctx, countdown_s=0, record_s=0.05)
    qtbot.addWidget(page)
    page.page_shown()
    assert page.language.code() == "und"  # the tiny pack's labels are all "und": nothing better to say
    assert page.language.currentText() == "unknown / mixed"  # words, not the code
    asked = []

    def record3():
        for _ in range(3):
            page.countdown.toggle()  # Space
            qtbot.waitUntil(lambda: not page.countdown.busy, timeout=15000)

    record3()
    page.name.setText("wave")
    page.save()
    qtbot.waitUntil(lambda: page.sign_names() == ["wave"], timeout=10000)
    record3()
    page.name.setText("Wave")
    page.ask_duplicate = lambda existing: asked.append([s.name for s in existing]) or "new"
    page.save()
    assert asked == [["wave"]] and "is taken" in page.status.text() and len(page.pending) == 3
    page.ask_duplicate = lambda existing: "add"
    page.save()
    qtbot.waitUntil(lambda: "Added 3 examples" in page.status.text(), timeout=10000)
    lib = Library(ctx.library_path)
    assert [s.name for s in lib.signs()] == ["wave"] and lib.get("wave").n_examples == 6
    assert {e.source for e in lib.examples(lib.get("wave"))} == {"me-signing.mp4"} or \
        {Path(e.source).name for e in lib.examples(lib.get("wave"))} == {"me-signing.mp4"}
    lib.close()


def test_live_mirror_shows_hands_what_it_sees_and_the_recording(qtbot, tmp_path):
    from signclip_desktop.gui.pages.live_mirror import LiveMirror
    from signclip_desktop.live import DisplayFrame, FrameEvent
    from signclip_desktop.model.scorer import Guess, Prediction

    ctx = _ctx(tmp_path)
    m = LiveMirror(ctx)
    qtbot.addWidget(m)
    m.show()
    pts = signing_clip()[20]
    m.on_frame(FrameEvent(DisplayFrame(1, 0.0, None, pts, 4 / 3, "keypoints", has_landmarks=True)))
    assert m.hands and "hands in view" in m.hands_label.text() and m.frames_shown == 1

    class Ev:
        prediction = Prediction([Guess("ase:B", "B", "ase", 0.5, 0.7)], "maybe")

    m.on_prediction(Ev())
    assert m.sees.text() == "I see: B · maybe"
    m.set_state("● Recording · 3 s left\nSign now!", recording=True)
    assert m.recording and m.state.height() >= m.state.fontMetrics().height()


@pytest.mark.slow
def test_grade_real_clips_and_inputs_it_cannot_grade(qtbot, tmp_path):
    from signclip_desktop.gui.pages.grade import GradePage
    from signclip_desktop.practice.references import ReferenceSet

    if not (MODELS / "words" / "manifest.json").is_file():
        pytest.skip("no words pack")
    refs = ReferenceSet.load()
    word = next(w for w in refs.words if len({r.signer for r in refs.get(w)}) >= 2)
    other = next(w for w in refs.words if w != word)
    a = refs.get(word)[0]
    same = next(r for r in refs.get(word) if r.signer != a.signer)  # the same sign by another signer
    diff = next(r for r in refs.get(other) if r.signer != a.signer)
    mine = ReferenceSet([a] + refs.get(other)[:1])
    page = GradePage(_ctx(tmp_path, words_pack=str(MODELS / "words")), references=mine)
    qtbot.addWidget(page)
    page.page_shown()
    assert page.select_sign(word)
    got = {}
    for name, clip in (("same", same.frames), ("diff", diff.frames), ("empty", L.empty_frames(0)),
                       ("nobody", L.empty_frames(45))):
        with qtbot.waitSignal(page.graded, timeout=60000):
            page.grade_frames(clip, 30.0)
        got[name] = (page.result, page.score.text(), page.summary.text(),
                     [page.part_labels[k][0].text() for k in page.part_labels])
    for name in ("same", "diff"):
        r, score, _, parts = got[name]
        assert r.graded and "/ 100" in score and all(p != "n/a" for p in parts[:1]), name
    assert got["same"][0].score > got["diff"][0].score and not got["diff"][0].passed
    for name in ("empty", "nobody"):
        r, score, summary, parts = got[name]
        assert not r.graded and r.score is None, name
        assert "not graded" in score and "/ 100" not in score and summary == r.reason and summary, name
        assert set(parts) == {"n/a"} and not page.replay_btn.isEnabled(), name
    page.shutdown()


@pytest.mark.slow
def test_real_letter_stream_through_the_fingerspelling_page(qtbot, tmp_path, shared_data):
    from signclip_desktop.gui.pages.fingerspelling import FingerspellingPage
    from signclip_desktop.model.encoder import Encoder
    from signclip_desktop.model.pack import load_pack
    from signclip_desktop.sources.base import KeypointFrame
    from signclip_desktop.sources.npz import load_npz_sequences
    from signclip_desktop.stream.recognizer import Recognizer

    pack_dir = MODELS / "fingerspelling"
    if not (pack_dir / "manifest.json").is_file():
        pytest.skip("no fingerspelling pack")
    page = FingerspellingPage(_ctx(tmp_path, fingerspelling_pack=str(pack_dir)))
    qtbot.addWidget(page)
    page.show()
    page.page_shown()
    page._idle.stop()  # the test drives the clock
    clock = [0.0]
    page._now = lambda: clock[0]
    assert page.alphabet.currentText().startswith("American") and "ase" not in page.alphabet.currentText()
    assert "ase" in page.alphabet.toolTip()
    by = {}
    for seq in load_npz_sequences(shared_data / "fingerspelling" / "letters" / "traduttore__traduttore-model.npz"):
        by.setdefault(seq.label, seq)
    page.source.setCurrentIndex(1)
    page.typed.setText("cab, c4t")
    page.hold.setValue(2)
    page.start()
    page.session.timeout_s = 1.5
    page.next_word("cab")
    assert "C" in page.target_title.text() and page.target.frames is not None  # the target handshape
    parts = [L.empty_frames(60)]  # two seconds with no hands in view
    for c in "CAB":
        gap = np.repeat(by[c].frames[-1:], 8, axis=0)
        gap[:, L.LEFT_HAND.start:L.RIGHT_HAND.stop] = 0.0
        parts += [by[c].frames, gap]
    rec = Recognizer(pack := load_pack(pack_dir), Encoder(pack, "cpu"))
    kinds, reasons = [], []
    for i, kp in enumerate(np.concatenate(parts)):
        clock[0] = t = i / 30.0
        page.on_frame(t, bool(kp[list(L.HAND_WRISTS), 3].max() > 0))
        ev = page.tick(t)
        kinds += [e.kind for e in ev]
        if "no_hands" in [e.kind for e in ev]:
            reasons.append(page.feedback.text())
        up = rec.push(KeypointFrame(i, t, kp))
        if up is not None:
            page.feed_prediction(up.prediction, t=up.timestamp, final=up.final)
    assert "no_hands" in kinds and "wrong" not in [e for e in kinds[:1]]
    assert reasons and "No hands seen" in reasons[0]
    assert [t.status for t in page.tiles] == ["right", "right", "right"], page.session.view()
    assert page.session.done and "Press Next word" in page.feedback.text()
    assert page.stats.words("ase") == ["cab"]  # own words kept (c4t cannot be spelled)
    assert page.table.rowCount() == 3
    # a wrong letter says what was seen, and the history then says what to practise next
    page.next_word("ab")
    page.feed("ase:K", clock[0] + 0.1)
    page.feed("ase:K", clock[0] + 0.2)
    assert page.tiles[0].reason == "I saw K" and "I saw K" in page.tiles[0].text()
    for k in range(2):
        page.feed(None, clock[0] + 0.3 + k)
        page.feed("ase:K", clock[0] + 0.4 + k)
        page.feed("ase:K", clock[0] + 0.5 + k)
    assert page.tiles[0].status == "wrong"
    assert page.weak.text().startswith("A: wrong")
    page.shutdown()


def test_fingerspelling_i_see_names_a_letter_of_the_chosen_alphabet(qtbot, tmp_path):
    from signclip_desktop.gui.pages.fingerspelling import FingerspellingPage
    from signclip_desktop.model.scorer import Guess, Prediction

    page = FingerspellingPage(_ctx(tmp_path, fingerspelling_pack=None))
    qtbot.addWidget(page)
    page.show()
    page.page_shown()

    class Ev:
        prediction = Prediction([Guess("ukl:Щ", "Щ", "ukl", 0.4, 0.6), Guess("ase:B", "B", "ase", 0.3, 0.5)], "unsure")

    page.mirror.on_prediction(Ev())
    assert page.mirror.sees.text() == "I see: B · unsure"
    Ev.prediction = Prediction([Guess("ukl:Щ", "Щ", "ukl", 0.4, 0.6)], "unsure")
    page.mirror.on_prediction(Ev())
    assert page.mirror.sees.text() == "I see: nothing I know here"
    page.shutdown()
