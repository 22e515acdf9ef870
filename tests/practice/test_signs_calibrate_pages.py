"""Signs browser and Calibrate-to-me under pytest-qt (offscreen)."""
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

import signclip_desktop.gui  # noqa: E402,F401  (PySide6/Python 3.11 work-around before any Qt import)
from signclip_desktop.live import SourceSpec  # noqa: E402

from practice_clips import signing_clip  # noqa: E402

WORDS = Path(__file__).resolve().parents[2] / "models" / "words"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNCLIP_HOME", str(tmp_path / "home"))




def _ctx(tmp_path, pack, source="camera"):
    from signclip_desktop.gui.pages.context import PracticeContext

    calls = []

    def tap(seconds):
        calls.append(seconds)
        fr = signing_clip(seed=len(calls))
        return np.arange(len(fr)) / 30.0, fr

    spec = {"now": SourceSpec(source) if source != "file" else SourceSpec("file", path="/x/clip.mp4")}
    c = PracticeContext(library_path=tmp_path / "lib.sqlite3", tap=tap, words_pack=str(pack),
                        fingerspelling_pack=None, source=lambda: spec["now"])
    c.spec, c.calls, c.changed = spec, calls, []
    c.on_library_changed = lambda: c.changed.append(1)
    return c


def test_signs_page_lists_the_pack_and_your_signs(qtbot, tmp_path, tiny_pack):
    from signclip_desktop.gui.pages.signs import SignsPage
    from signclip_desktop.practice.library import Library, NewExample

    ctx = _ctx(tmp_path, tiny_pack)
    with Library(ctx.library_path) as lib:
        lib.add_sign("coffee", "bfi", [NewExample(signing_clip(seed=i)[10:50], 30.0, "camera 0") for i in range(3)])
    page = SignsPage(ctx)
    qtbot.addWidget(page)
    page.page_shown()
    qtbot.waitUntil(lambda: page.vocab is not None, timeout=10000)
    assert page.texts() == ["hello", "thank you", "yes", "coffee"]
    assert page.list.item(3).text() == "coffee\nBritish Sign Language   · yours"
    assert "bfi" in page.list.item(3).toolTip() and "bfi" not in page.list.item(3).text()
    assert page.select("coffee", yours=True)
    assert page.player.frames is not None and "your first example (camera 0)" in page.info.text()
    assert page.select("hello")  # the shipped references are ASL; the tiny pack's "hello" has no language
    assert page.player.frames is None and "No reference motion" in page.info.text()
    # live recognition loads another pack: the page lists it
    from signclip_desktop.model.pack import load_pack

    ctx.live_pack = lambda: load_pack(WORDS)
    page.show()
    page.pack_changed()
    n = len(load_pack(WORDS).labels) + 1  # the pack's signs, then yours
    qtbot.waitUntil(lambda: len(page.texts()) == n and page.texts()[-1] == "coffee", timeout=20000)


def test_signs_page_search_narrows_and_plays_a_reference(qtbot, tmp_path):
    from signclip_desktop.gui.pages.signs import SignsPage

    page = SignsPage(_ctx(tmp_path, WORDS))
    qtbot.addWidget(page)
    page.page_shown()
    qtbot.waitUntil(lambda: page.vocab is not None, timeout=20000)
    total = len(page.texts())
    from signclip_desktop.model.pack import load_pack
    assert total == len(load_pack(WORDS).labels)
    page.search.setText("thanks a lot")
    qtbot.waitUntil(lambda: len(page.texts()) < total, timeout=15000)
    assert page.texts()[0] == "thank you" and len(page.texts()) <= 5
    assert page.list.currentRow() == 0 and page.name.text() == "thank you"
    assert page.player.frames is not None and page.player.playing
    first = page.player.index
    qtbot.waitUntil(lambda: page.player.index != first, timeout=15000)  # animated
    page.search.setText("doctor")
    qtbot.waitUntil(lambda: page.texts() == [], timeout=15000)
    assert "No sign matches" in page.count.text() and page.player.frames is None


def test_calibrate_refuses_to_record_from_the_demo(qtbot, tmp_path, tiny_pack):
    from signclip_desktop.gui.pages.calibrate_me import NO_CAMERA, CalibrateMe

    ctx = _ctx(tmp_path, tiny_pack, source="demo")
    dlg = CalibrateMe(ctx, countdown_s=0, record_s=0.05)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClick(dlg, " ")
    assert not dlg.countdown.busy and ctx.calls == [] and dlg.status.text() == NO_CAMERA
    assert "open a file or retry the camera" in NO_CAMERA
    # the source turns into the demo during a countdown: nothing is kept
    ctx.spec["now"] = SourceSpec("camera")
    dlg.start()
    ctx.spec["now"] = SourceSpec("demo")
    qtbot.waitUntil(lambda: not dlg.countdown.busy, timeout=15000)
    assert ctx.calls == [] and dlg.pending == [] and dlg.progress.index == 0
    assert not ctx.library_path.exists()


def test_calibrate_records_two_examples_per_sign_into_the_library(qtbot, tmp_path, tiny_pack):
    from signclip_desktop.gui.pages.calibrate_me import CalibrateMe
    from signclip_desktop.practice.library import Library

    ctx = _ctx(tmp_path, tiny_pack, source="file")
    dlg = CalibrateMe(ctx, countdown_s=0, record_s=0.05)
    qtbot.addWidget(dlg)
    dlg.show()
    first = dlg.progress.step
    assert first.repeats == 2 and "(1 of 2)" in dlg.prompt.text()
    for _ in range(2):
        qtbot.keyClick(dlg, " ")  # Space records
        qtbot.waitUntil(lambda: not dlg.countdown.busy, timeout=15000)
    qtbot.waitUntil(lambda: dlg.saved == [first.label], timeout=20000)
    assert len(ctx.calls) == 2 and ctx.changed  # live recognition gets the prototypes
    with Library(ctx.library_path) as lib:
        s = lib.get(first.label, first.language)
        assert s.n_examples == 2 and s.pack == "tiny-test@0.0.1"
        assert lib.embeddings(s, s.pack).shape == (2, 16)
        assert {e.source for e in lib.examples(s, with_frames=False)} == {"clip.mp4"}
    assert dlg.progress.step.label != first.label and "(1 of 2)" in dlg.prompt.text()


def test_calibrate_skip_and_escape(qtbot, tmp_path, tiny_pack):
    from PySide6.QtCore import Qt

    from signclip_desktop.gui.pages.calibrate_me import CalibrateMe

    ctx = _ctx(tmp_path, tiny_pack)
    dlg = CalibrateMe(ctx, countdown_s=3, record_s=0.05)
    qtbot.addWidget(dlg)
    dlg.show()
    labels = list(dict.fromkeys(s.label for s in dlg.progress.steps))
    assert len(labels) == 3
    dlg.start()
    assert dlg.countdown.busy
    qtbot.keyClick(dlg, " ")  # a second Space while counting changes nothing
    assert dlg.countdown.busy and ctx.calls == []
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)  # Esc cancels the countdown, the dialog stays
    assert not dlg.countdown.busy and dlg.isVisible() and ctx.calls == []
    dlg.skip_btn.click()
    assert dlg.progress.step.label == labels[1]
    dlg.skip()
    dlg.skip()
    assert dlg.progress.done and not dlg.record_btn.isEnabled() and dlg.prompt.text() == "Nothing recorded."
    assert not ctx.library_path.exists()
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)  # Esc with nothing counting closes
    assert not dlg.isVisible()


def test_offer_once_sets_the_setting(qtbot, tmp_path, tiny_pack):
    from PySide6.QtWidgets import QWidget

    from signclip_desktop.gui.pages.calibrate_me import offer_once
    from signclip_desktop.settings import Settings

    win = QWidget()
    qtbot.addWidget(win)
    win.settings, win.practice_context = Settings(), _ctx(tmp_path, tiny_pack)
    saved = []
    win.save_settings = lambda: saved.append(1)
    dlg = offer_once(win)
    assert dlg is not None and dlg.isVisible() and win.settings.calibration_offered and saved
    dlg.close()
    assert offer_once(win) is None


def _clipped_labels(root):
    """Visible word-wrapped labels shorter than their text needs, or sticking out of their parent."""
    from PySide6.QtWidgets import QLabel

    bad = []
    for lab in root.findChildren(QLabel):
        if not lab.isVisible() or not lab.text():
            continue
        need = lab.heightForWidth(lab.width()) if lab.wordWrap() else lab.sizeHint().height()
        inside = lab.parentWidget().rect().contains(lab.geometry())
        if lab.height() + 1 < need or not inside or (not lab.wordWrap() and lab.width() + 1 < lab.sizeHint().width()):
            bad.append((lab.text()[:40], lab.size().toTuple(), need))
    return bad


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_nothing_is_clipped_at_small_and_large_sizes(qtbot, tmp_path, size):
    from signclip_desktop.gui.pages.calibrate_me import CalibrateMe
    from signclip_desktop.gui.pages.signs import SignsPage

    w, h = size
    page = SignsPage(_ctx(tmp_path, WORDS))
    qtbot.addWidget(page)
    page.resize(w - 190, h - 25)  # the window less its navigation list and menu bar
    page.show()
    page.page_shown()
    qtbot.waitUntil(lambda: page.vocab is not None, timeout=20000)
    page.search.setText("nice to meet you")
    qtbot.waitUntil(lambda: "match" in page.count.text(), timeout=15000)
    qtbot.wait(50)
    assert _clipped_labels(page) == []
    dlg = CalibrateMe(_ctx(tmp_path, WORDS, source="demo"), countdown_s=3, record_s=0.05)
    qtbot.addWidget(dlg)
    dlg.resize(min(1200, int(w * 0.8)), min(800, int(h * 0.8)))
    dlg.show()
    qtbot.wait(50)
    assert _clipped_labels(dlg) == []
    dlg.ctx.spec["now"] = SourceSpec("camera")
    dlg.start()  # the countdown text shows too
    qtbot.wait(50)
    assert dlg.count_label.text() and _clipped_labels(dlg) == []
    dlg.cancel()


def test_teach_page_never_records_from_the_demo(qtbot, tmp_path, tiny_pack):
    from signclip_desktop.gui.pages.calibrate_me import NO_CAMERA
    from signclip_desktop.gui.pages.teach import TeachPage

    ctx = _ctx(tmp_path, tiny_pack, source="demo")
    page = TeachPage(ctx, countdown_s=0, record_s=0.05)
    qtbot.addWidget(page)
    page.record_btn.click()
    assert not page.countdown.busy and ctx.calls == [] and page.status.text() == NO_CAMERA
    ctx.spec["now"] = SourceSpec("camera", camera_index=2)
    page.record_btn.click()
    qtbot.waitUntil(lambda: not page.countdown.busy, timeout=15000)
    assert len(page.pending) == 1 and page.pending[0].source == "camera 2"
    ctx.spec["now"] = SourceSpec("camera")
    page.record_btn.click()
    ctx.spec["now"] = SourceSpec("demo")  # the camera is lost during the countdown
    qtbot.waitUntil(lambda: not page.countdown.busy, timeout=15000)
    assert len(page.pending) == 1 and len(ctx.calls) == 1 and page.status.text() == NO_CAMERA
