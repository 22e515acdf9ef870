"""Practice pages under pytest-qt (offscreen): Teach a sign, Fingerspelling, Grade."""
import numpy as np
import pytest

pytest.importorskip("pytestqt")

import signclip_desktop.gui  # noqa: E402,F401  (PySide6/Python 3.11 work-around before any Qt import)
from signclip_desktop.keypoints import layout as L  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNCLIP_HOME", str(tmp_path / "home"))


def _clip(n=40, seed=0, hands=(6, 34), height=0.0):
    rng = np.random.default_rng(seed)
    f = L.empty_frames(n)
    f[:, L.LEFT_SHOULDER] = [0.6, 0.5, 0, 1]
    f[:, L.RIGHT_SHOULDER] = [0.4, 0.5, 0, 1]
    a, b = hands
    t = np.arange(b - a)[:, None]
    base = np.random.default_rng(0).normal(0, 0.03, (21, 3))
    f[a:b, L.RIGHT_HAND.slice, 0] = 0.35 + 0.08 * np.sin(t / 4) + base[:, 0]
    f[a:b, L.RIGHT_HAND.slice, 1] = 0.35 + height + base[:, 1] + 0.002 * rng.random((b - a, 21))
    f[a:b, L.RIGHT_HAND.slice, 2] = base[:, 2]
    f[a:b, L.RIGHT_HAND.slice, 3] = 1
    return f


@pytest.fixture
def ctx(tmp_path, tiny_pack):
    from signclip_desktop.gui.pages.context import PracticeContext

    calls = []

    def tap(seconds):
        fr = _clip(60, seed=len(calls), hands=(10, 50))
        calls.append(seconds)
        return np.arange(len(fr)) / 30.0, fr

    from signclip_desktop.live import SourceSpec

    c = PracticeContext(library_path=tmp_path / "lib.sqlite3", stats_path=tmp_path / "practice.sqlite3", tap=tap,
                        words_pack=str(tiny_pack), fingerspelling_pack=None,
                        source=lambda: SourceSpec("file", path="clip.npz"))  # recordings come from a file
    c.changed = []
    c.on_library_changed = lambda: c.changed.append(1)
    return c


def test_teach_page_records_saves_and_manages(qtbot, ctx, tmp_path):
    from signclip_desktop.gui.pages.teach import TeachPage
    from signclip_desktop.practice.library import Library

    page = TeachPage(ctx, countdown_s=0, record_s=0.05)
    qtbot.addWidget(page)
    page.page_shown()
    assert not ctx.library_path.exists()  # showing the page does not create the library
    for _ in range(3):
        page.countdown.start()
        qtbot.waitUntil(lambda: not page.countdown.busy, timeout=15000)
    assert len(page.pending) == 3 and page.save_btn.isEnabled()
    assert all(len(e.frames) < 60 for e in page.pending)  # trimmed to hands up .. hands down
    page.name.setText("wave")
    page.language.setCurrentText("bfi")
    page.save()
    qtbot.waitUntil(lambda: page.sign_names() == ["wave"], timeout=10000)
    assert ctx.changed  # live recognition gets the new prototypes
    lib = Library(ctx.library_path)
    s = lib.get("wave")
    assert s.language == "bfi" and s.n_examples == 3 and s.pack == "tiny-test@0.0.1"
    assert lib.embeddings(s, s.pack).shape == (3, 16)
    lib.close()
    page.rename_sign("wave", "hello there")
    assert page.sign_names() == ["hello there"]
    out = page.export_to(tmp_path / "mine.signlib")
    page.delete_sign("hello there")
    assert page.sign_names() == []
    page.import_from(out)
    assert page.sign_names() == ["hello there"]
    # too few examples: a plain message, nothing saved
    page.name.setText("x")
    page.save()
    assert "3 to 10" in page.status.text()


def test_fingerspelling_page_shows_letters_with_symbols(qtbot, ctx):
    from signclip_desktop.gui.pages.fingerspelling import FingerspellingPage

    page = FingerspellingPage(ctx)
    qtbot.addWidget(page)
    page.page_shown()
    assert page.current_alphabet().language == "ase"
    page.source.setCurrentIndex(1)
    page.typed.setText("cab")
    page.hold.setValue(2)
    page.start()
    assert page.prompt.text() == "CAB" and len(page.tiles) == 3
    assert "now" in page.tiles[0].text() and "▶" in page.tiles[0].text()
    for label in ["ase:C", "ase:C", None, "ase:X", "ase:X", None, "ase:A", "ase:A"]:
        page.feed(label)
    assert page.tiles[0].status == "right" and "✓" in page.tiles[0].text()
    assert page.tiles[1].status == "wrong" and "✗" in page.tiles[1].text()
    assert "Streak 0" in page.streak.text()
    page.feed("ase:B")
    page.feed("ase:B")
    assert page.session.done and page.score.text() == "Score 20"
    assert page.text_state() == "C✓ A✗ B✓"
    assert page.table.rowCount() == 3  # per-letter statistics
    page.shutdown()


def test_grade_page_scores_and_replays(qtbot, ctx):
    from signclip_desktop.gui.pages.grade import GradePage
    from signclip_desktop.practice.references import Reference, ReferenceSet

    refs = ReferenceSet([Reference("wave", _clip(), 30.0, "t"), Reference("point", _clip(height=0.3), 30.0, "t")])
    page = GradePage(ctx, countdown_s=0, record_s=0.05, references=refs)
    qtbot.addWidget(page)
    page.page_shown()
    assert page.select_sign("wave")
    assert page.reference.frames is not None
    with qtbot.waitSignal(page.graded, timeout=15000):
        page.grade_frames(_clip(seed=3), 30.0)
    r = page.result
    assert 0 <= r.score <= 100
    assert "/ 100" in page.score.text() and ("PASS" in page.score.text() or "NOT YET" in page.score.text())
    assert all(page.part_labels[k][1].text() for k in page.part_labels)
    assert page.side.path and page.replay_btn.isEnabled()
    # the live recording path works too
    with qtbot.waitSignal(page.graded, timeout=15000):
        page.countdown.start()
    page.shutdown()


def test_install_adds_pages_and_feeds_prototypes_to_live_recognition(qtbot, tiny_pack, tmp_path, monkeypatch):
    """The wiring into a main window: add_page hook, live keypoint tap, prototypes, live top-1,
    all through the live session's public door (``win.live.session``, ``win.live.bridge``)."""
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QStackedWidget

    from signclip_desktop.gui.bridge import LiveBridge
    from signclip_desktop.gui.pages import install_practice_pages
    from signclip_desktop.live import KeypointFeed, LiveConfig, LiveSession, PredictionEvent, SourceSpec
    from signclip_desktop.model.encoder import Encoder
    from signclip_desktop.model.pack import load_pack
    from signclip_desktop.model.scorer import Guess, Prediction
    from signclip_desktop.stream.clip import embed_clip
    from signclip_desktop.practice.library import Library, NewExample, pack_id
    from signclip_desktop.sources.base import KeypointSequence
    from signclip_desktop.stream.activity import Activity
    from signclip_desktop.stream.recognizer import RecognitionUpdate

    monkeypatch.setenv("SIGNCLIP_MODELS", str(tmp_path / "no-models"))
    pack = load_pack(tiny_pack)
    enc = Encoder(pack, "cpu", 1)

    def feed(spec, stats):  # the clip, once, as fast as it goes
        return KeypointFeed([KeypointSequence(_clip(60), 30.0)], 30.0, stats, pace=False)

    class Live(QObject):
        prediction_shown = Signal(object)

    class Win(QStackedWidget):
        def __init__(self):
            super().__init__()
            self.live = Live()
            self.live.bridge = LiveBridge(parent=self)
            self.live.session = LiveSession(LiveConfig(pack_path=str(tiny_pack), providers="cpu"),
                                            on_event=self.live.bridge.post, feed_factory=feed)
            self.pages = {}

        def add_page(self, title, widget, key=None, index=None):
            self.pages[key] = (title, widget)
            self.addWidget(widget)
            return len(self.pages) - 1

    win = Win()
    qtbot.addWidget(win)
    session = win.live.session
    got = install_practice_pages(win)
    session.start(SourceSpec("file", path="clip.npz", loop=False, pace=False))
    assert [t for t, _ in win.pages.values()] == ["Teach a sign", "Fingerspelling", "Grade", "Signs"]
    ctx = got["context"]
    assert ctx.source_kind() == "file" and ctx.can_record() and not ctx.is_demo()
    assert ctx.source_title() == "clip.npz" and win.practice_context is ctx
    qtbot.waitUntil(lambda: session.stats().frames_recognised >= 60, timeout=10000)
    times, frames = got["context"].tap(1.0)
    assert len(times) == len(frames) >= 29 and frames.shape[1:] == (L.NUM_POINTS, 4)
    lib = Library()
    lib.add_sign("wave", "und", [NewExample(_clip(seed=i), 30.0, "t", embed_clip(enc, pack, _clip(seed=i), 30.0))
                                 for i in range(3)], pack=pack_id(pack))
    lib.add_sign("point", "und", [NewExample(_clip(seed=9 + i), 30.0, "t") for i in range(3)])  # not embedded yet
    lib.close()
    qtbot.waitUntil(lambda: session.pack is not None, timeout=10000)
    qtbot.waitUntil(lambda: ctx.current_pack() is session.pack, timeout=10000)  # the Signs page lists the live pack
    got["context"].library_changed()

    def live_labels():  # white-box: the scorer on the inference thread
        rec = session._inference._recognizer
        return {lab.id for lab in rec.scorer.labels} if rec is not None else set()

    # both join live recognition (applied on the inference thread); "point" is embedded with the live pack first
    qtbot.waitUntil(lambda: {"wave", "point"} <= live_labels(), timeout=10000)
    fs = got["fingerspelling"]
    fs.page_shown()
    fs.source.setCurrentIndex(1)
    fs.typed.setText("ab")
    fs.hold.setValue(1)
    fs.start()
    pred = Prediction([Guess("ase:A", "A", "ase", 0.9, 0.8)], "sure")
    up = RecognitionUpdate(0.0, pred, Activity(1.0, 1.0, True), None, False, [], 1.0, False)
    win.live.prediction_shown.emit(PredictionEvent(up))
    assert fs.session.letters[0].status == "right"
    assert session.stop(5.0)
    for p in got.values():
        if hasattr(p, "shutdown"):
            p.shutdown()


def test_teach_language_box_shows_names_and_stores_codes(qtbot, ctx):
    from PySide6.QtCore import Qt

    from signclip_desktop.gui.pages.teach import TeachPage

    page = TeachPage(ctx, countdown_s=0, record_s=0.05)
    qtbot.addWidget(page)
    box = page.language
    shown = [box.itemText(i) for i in range(box.count())]
    assert "American" in shown and "ase" not in shown  # names in the list, codes as data
    box.set_code("ins")
    assert box.currentText() == "Indian" and box.code() == "ins"
    assert "Indian Sign Language" in box.itemData(box.currentIndex(), Qt.ItemDataRole.ToolTipRole)
    box.setCurrentText("British")  # typed name
    assert box.code() == "bfi"
    box.setCurrentText("no such language at all")
    assert box.code() is None
    page.name.setText("wave")
    page.pending = [object()] * 3
    page.save()
    assert "not a sign language I know" in page.status.text() and not ctx.library_path.exists()


def test_i_see_names_a_sign_as_the_live_page_does_and_the_legend_keeps_off_a_small_picture(qtbot):
    from signclip_desktop.gui.pages.live_mirror import seen_text
    from signclip_desktop.gui.widgets import VideoView
    from signclip_desktop.model.scorer import Guess, Prediction

    pred = Prediction([Guess("thank-you", "thank-you", "ase", 0.6, 0.5), Guess("B", "B", "ase", 0.1, 0.1)], "maybe")
    assert seen_text(pred) == "I see: thank you · maybe"          # a gloss in words, not its id
    assert seen_text(Prediction([pred.top[1]], "sure")) == "I see: B · sure"
    # a practice page's small view keeps a strip above the picture for the legend; the live view does not
    v = VideoView()
    v.setMinimumSize(100, 100)
    qtbot.addWidget(v)
    v.resize(240, 200)
    strip = v.legend_strip()
    assert strip > 0 and v.picture_rect(4 / 3).top() >= strip and v.drawing_box()[1] == 200 - 8 - strip
    v.resize(640, 488)                                           # a 4:3 picture fills it: over the corner
    assert v.legend_strip(4 / 3) == 0 and v.picture_rect(4 / 3).top() < v.MARGIN + 5
    v.resize(260, 480)                                           # letterboxed: above it, same size
    full = v.picture_rect(4 / 3)
    assert v.legend_strip(4 / 3) > 0 and full.top() >= v.legend_strip(4 / 3) and round(full.width()) == 260 - 8
    v.show_legend = False
    v.resize(240, 200)
    assert v.legend_strip() == 0
