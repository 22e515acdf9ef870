"""The Live view a signer keeps open: transcript, one story, zoom, themes, help, page keys,
and a layout that fits from 1024x640 to 4K."""
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from signclip_desktop.gui import theme
from signclip_desktop.gui.help_dialog import HelpDialog, packs_html
from signclip_desktop.live import SourceSpec, demo_path
from signclip_desktop.model.registry import list_packs
from signclip_desktop.settings import load_settings, settings_path

from layout_checks import clipped, overlapping


@pytest.fixture(autouse=True)
def _theme_back():
    yield
    theme.set_theme("dark", 1.0)


def test_transcript_collects_every_sign_and_survives_source_switches(make_window, qtbot):
    win = make_window()
    win.start(SourceSpec("file", path=str(demo_path())))
    qtbot.waitUntil(lambda: len(win.live.transcript) >= 1, timeout=30000)
    entries = win.live.transcript.entries()
    assert all(e.confidence in ("sure", "maybe") and 0 < e.score <= 1 for e in entries)
    assert win.live.transcript_panel.text.toPlainText().count("\n") + 1 == len(entries)
    n = len(entries)
    win.live.show_demo()  # another source: the transcript stays
    qtbot.wait(200)
    assert len(win.live.transcript) >= n
    win.show_page("live")
    copied = win.live.transcript_panel.copy()
    assert copied and QGuiApplication.clipboard().text() == copied
    assert copied.split()[0] == entries[0].text.split()[0]
    win.live.transcript_panel.clear()
    assert len(win.live.transcript) == 0 and win.live.transcript_panel.text.toPlainText() == ""


def test_the_guesses_tell_the_same_story_as_the_current_sign(make_window, qtbot):
    win = make_window()
    win.start(SourceSpec("file", path=str(demo_path())))
    qtbot.waitUntil(lambda: win.live._last_current is not None, timeout=30000)
    for _ in range(20):
        qtbot.wait(100)
        cur = win.live._last_current
        top = win.live.topk.rows[0][1].text()
        if cur is not None and not win.live.topk._last[3]:  # a fresh result: its top is the current sign
            assert top == win.live._label_texts.get(cur, cur)


def test_zoom_and_high_contrast_apply_and_persist(make_window, qtbot):
    win = make_window(persist=True)
    before = win.live.current.font().pointSize()
    win.zoom(+1)
    win.zoom(+1)
    assert win.settings.zoom == 1.3 and theme.ZOOM == 1.3
    assert QApplication.instance().font().pointSize() == theme.pt(0)
    win.live._set_current("hello")
    assert win.live.current.font().pointSize() > before
    win.contrast_action.setChecked(True)
    assert theme.NAME == "high-contrast" and win.settings.theme == "high-contrast"
    win.save_settings()
    qtbot.waitUntil(lambda: load_settings(settings_path())[0].theme == "high-contrast", timeout=15000)
    assert load_settings(settings_path())[0].zoom == 1.3
    win.zoom(0)
    assert win.settings.zoom == 1.0


def test_help_names_the_shortcuts_and_each_packs_card(qtbot, tiny_pack):
    from signclip_desktop.model.registry import PackInfo

    info = PackInfo("tiny-test", tiny_pack, False, num_labels=3, languages=["und"], description="tiny")
    dlg = HelpDialog(packs=[info])
    qtbot.addWidget(dlg)
    assert dlg.tabs.count() == 3
    keys = dlg.tabs.widget(0).widget().text()
    for k in ("Ctrl+1", "Space", "Esc", "Ctrl+=", "Ctrl+C"):
        assert k in keys
    assert "Not a sign I know" in dlg.tabs.widget(1).widget().text()
    assert "no model card" in dlg.tabs.widget(2).widget().text()


def test_help_summarises_the_shipped_packs_with_their_numbers(monkeypatch):
    from pathlib import Path
    monkeypatch.setenv("SIGNCLIP_MODELS", str(Path(__file__).resolve().parents[2] / "models"))
    text = packs_html(list_packs())
    assert "words" in text and "fingerspelling" in text and "never saw" in text


def test_page_keys_go_to_each_page(make_window):
    from PySide6.QtWidgets import QLabel
    win = make_window()
    win.add_page("Second", QLabel("second page"), key="second")
    actions = win.go_menu.actions()
    assert [a.shortcut().toString() for a in actions] == ["Ctrl+1", "Ctrl+2"]
    actions[1].trigger()
    assert win.stack.currentIndex() == 1
    actions[0].trigger()
    assert win.stack.currentIndex() == 0


@pytest.mark.parametrize("size", [(1024, 640), (1366, 768), (1920, 1080), (3840, 2160)])
def test_nothing_is_clipped_or_overlapping(make_window, qtbot, size):
    win = make_window()
    win.start(SourceSpec("file", path=str(demo_path())))
    qtbot.waitUntil(lambda: win.live._last_current is not None, timeout=30000)
    win.resize(*size)
    qtbot.wait(300)
    assert win.width() >= min(size[0], 1000)
    assert not clipped(win), clipped(win)
    assert not overlapping(win), overlapping(win)


def test_zoomed_interface_still_fits_at_full_hd(make_window, qtbot):
    win = make_window()
    win.zoom(+1)
    win.zoom(+1)
    win.start(SourceSpec("file", path=str(demo_path())))
    win.resize(1920, 1080)
    qtbot.waitUntil(lambda: not clipped(win), timeout=10000)  # layout settles (slowly on a loaded machine)
    assert not clipped(win), clipped(win)
    assert not overlapping(win), overlapping(win)


def test_practice_menu_opens_calibrate_to_me(make_window, qtbot, tmp_path):
    from signclip_desktop.gui.pages import install_practice_pages

    win = make_window()
    install_practice_pages(win)
    titles = [m.title() for m in win.menuBar().findChildren(type(win.go_menu))]
    assert "&Practice" in titles
    dlg = win.open_calibrate_me()
    assert dlg is not None and dlg.isVisible()
    dlg.close()


def test_a_long_guess_shrinks_to_fit_before_it_is_cut(qtbot):
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QLabel

    from signclip_desktop.gui.guesses import fit_text

    label = QLabel()
    qtbot.addWidget(label)
    f = label.font()
    f.setPointSize(16)
    f.setBold(True)
    label.setFont(f)
    label.setProperty("full_pt", 16)
    full = QFontMetrics(f).horizontalAdvance("how are you")
    fit_text(label, "how are you", full - 8)  # a little too narrow: a smaller size, the whole text
    assert label.text() == "how are you" and label.font().pointSize() < 16
    fit_text(label, "how are you", full + 20)  # room again: back to the full size
    assert label.text() == "how are you" and label.font().pointSize() == 16
    fit_text(label, "how are you", full // 3)  # far too narrow: elided, never cut
    assert label.text().endswith("…") and QFontMetrics(label.font()).horizontalAdvance(label.text()) <= full // 3


def test_every_sign_language_chip_of_the_shipped_packs_is_whole(qtbot):
    """The guesses' language chips: the name of each language of both packs whole (a smaller size
    where needed, 'Swiss-German'), never cut to 'unknow…'."""
    from pathlib import Path

    from signclip_desktop.gui.guesses import TopKPanel, fit_chip
    from signclip_desktop.languages import chip_name
    from signclip_desktop.model.pack import load_pack

    models = Path(__file__).resolve().parents[2] / "models"

    panel = TopKPanel()
    qtbot.addWidget(panel)
    panel.resize(360, 300)
    panel.show()
    tag = panel.rows[0][2]
    for pack in ("words", "fingerspelling"):
        for code in sorted({lab.language for lab in load_pack(models / pack).labels}):
            fit_chip(tag, chip_name(code))
            assert tag.text() == chip_name(code), (code, tag.text())
    assert "font-size" in tag.styleSheet()
