"""The main window: a left navigation of pages (``add_page``) with the Live page first.

Adding a page (practice, teach-a-sign, ...) without editing this file::

    from signclip_desktop.gui.main_window import MainWindow
    win: MainWindow = ...
    win.add_page("Fingerspelling", MyPage(), key="fingerspelling")

``add_page(title, widget, key=None, index=None)`` returns the page's index; the navigation
appears as soon as there is more than one page. A page widget may define
``page_shown()`` / ``page_hidden()`` (called when the user switches to / away from it) and
``shutdown()`` (called once when the window closes, before the workers stop). Pages reach the
live pipeline only through its one door, ``win.live.session`` (a ``live.LiveSession``: configure,
tap, set_prototypes; events through ``win.live.bridge``), and the shared settings through
``win.settings`` (call ``win.save_settings()`` after changing them: the write happens on a
writer thread, once the changes stop for 0.4 s).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QHBoxLayout, QListWidget, QListWidgetItem, QMainWindow, QStackedWidget, QWidget

from . import theme
from .gcguard import MainThreadGC
from .live_page import LivePage
from ..settings import Settings
from ..settings_saver import SettingsSaver


class MainWindow(QMainWindow):
    page_changed = Signal(str)
    _save_failed = Signal(str)   # from the settings writer thread

    def __init__(self, settings: Settings, settings_path=None, persist: bool = True, notice: str | None = None,
                 live_kwargs: dict | None = None, save_delay: float = 0.4):
        super().__init__()
        self.setWindowTitle("SignCLIP Desktop")
        app = QApplication.instance()
        theme.set_theme(settings.theme, settings.zoom)
        font = app.font()
        font.setPointSize(theme.BASE_PT)  # large readable type everywhere (menus and dialogs too), zoomed
        app.setFont(font)
        app.setPalette(theme.palette())  # dialogs (file dialog included) get the theme too
        app.setStyleSheet(theme.stylesheet())
        self.resize(1360, 820)
        self.setMinimumSize(1000, 640)
        self.settings = settings
        self._settings_path = settings_path
        self._persist = persist
        self._save_failed.connect(self._show_save_error, Qt.ConnectionType.QueuedConnection)
        self._saver = SettingsSaver(settings_path, save_delay, on_error=lambda e: self._save_failed.emit(str(e))) \
            if persist else None
        self._pages: list[tuple[str, QWidget]] = []
        self._closed = False
        self.gc_guard = MainThreadGC(parent=self)

        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(190)
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.stack = QStackedWidget()
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.live = LivePage(settings, save=self.save_settings, **(live_kwargs or {}))
        self.add_page("Live", self.live, key="live")
        self.live.heavy_loaded.connect(lambda _what: self.gc_guard.freeze_now())
        self._build_menu()
        if notice:
            self.live.notice.show_message(notice, [("Dismiss", self.live.notice.dismiss)])

    # ------------------------------------------------------------------ pages
    def add_page(self, title: str, widget: QWidget, key: str | None = None, index: int | None = None) -> int:
        """Add a page to the navigation; returns its index."""
        key = key or title.lower().replace(" ", "-")
        if any(k == key for k, _ in self._pages):
            raise ValueError(f"a page with key {key!r} already exists")
        index = len(self._pages) if index is None else max(0, min(index, len(self._pages)))
        self._pages.insert(index, (key, widget))
        self.stack.insertWidget(index, widget)
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.insertItem(index, item)
        self.nav.setVisible(len(self._pages) > 1)
        self._rebuild_go_menu()
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        return index

    def page(self, key: str) -> QWidget | None:
        return next((w for k, w in self._pages if k == key), None)

    def show_page(self, key: str) -> None:
        for i, (k, _w) in enumerate(self._pages):
            if k == key:
                self.nav.setCurrentRow(i)
                return
        raise KeyError(key)

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        old = self.stack.currentWidget()
        new = self._pages[row][1]
        if old is not new and old is not None and hasattr(old, "page_hidden"):
            old.page_hidden()
        self.stack.setCurrentWidget(new)
        if hasattr(new, "page_shown"):
            new.page_shown()
        self.page_changed.emit(self._pages[row][0])

    # ------------------------------------------------------------------ menu
    def _build_menu(self) -> None:
        m = self.menuBar().addMenu("&File")
        a = QAction("&Open a file…", self)
        a.setShortcut(QKeySequence.StandardKey.Open)
        a.triggered.connect(self.live.open_file_dialog)
        m.addAction(a)
        a = QAction("Use the &camera", self)
        a.triggered.connect(lambda: self.live.use_camera(self.settings.camera_index))
        m.addAction(a)
        a = QAction("Show the built-in &demo", self)
        a.triggered.connect(lambda: self.live.show_demo(remember=True))
        m.addAction(a)
        m.addSeparator()
        a = QAction("&Quit", self)
        a.setShortcut(QKeySequence.StandardKey.Quit)
        a.triggered.connect(self.close)
        m.addAction(a)
        e = self.menuBar().addMenu("&Edit")
        a = QAction("&Copy the transcript", self)
        a.setShortcut(QKeySequence.StandardKey.Copy)
        a.triggered.connect(self.live.transcript_panel.copy)
        e.addAction(a)
        a = QAction("&Save the transcript…", self)
        a.triggered.connect(self.live.transcript_panel.save_dialog)
        e.addAction(a)
        a = QAction("C&lear the transcript", self)
        a.triggered.connect(self.live.transcript_panel.clear)
        e.addAction(a)
        v = self.menuBar().addMenu("&View")
        a = QAction("Show the &face outline", self, checkable=True)
        a.setChecked(self.settings.show_face)
        a.toggled.connect(self._face_toggled)
        v.addAction(a)
        self.contrast_action = QAction("&High contrast", self, checkable=True)
        self.contrast_action.setChecked(self.settings.theme == "high-contrast")
        self.contrast_action.toggled.connect(lambda on: self.set_theme("high-contrast" if on else "dark"))
        v.addAction(self.contrast_action)
        v.addSeparator()
        for text, keys, step in (("&Bigger", ("Ctrl+=", "Ctrl++"), +1), ("&Smaller", ("Ctrl+-",), -1),
                                 ("&Normal size", ("Ctrl+0",), 0)):
            a = QAction(text, self)
            a.setShortcuts([QKeySequence(k) for k in keys])
            a.triggered.connect(lambda _=False, s=step: self.zoom(s))
            v.addAction(a)
        self.go_menu = self.menuBar().addMenu("&Go")
        pm = self.menuBar().addMenu("&Practice")
        a = QAction("&Calibrate to me…", self)
        a.setToolTip("Sign the most common signs twice each, so the app learns how you sign them")
        a.triggered.connect(self.open_calibrate_me)
        pm.addAction(a)
        h = self.menuBar().addMenu("&Help")
        a = QAction("&Help", self)
        a.setShortcut(QKeySequence.StandardKey.HelpContents)
        a.triggered.connect(self.show_help)
        h.addAction(a)

    def _rebuild_go_menu(self) -> None:
        """Ctrl+1 … Ctrl+9 go to the pages in their navigation order."""
        menu = getattr(self, "go_menu", None)
        if menu is None:
            return
        menu.clear()
        for i in range(self.nav.count()):
            a = QAction(self.nav.item(i).text(), self)
            if i < 9:
                a.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            a.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
            menu.addAction(a)

    def zoom(self, direction: int) -> None:
        """+1 bigger, -1 smaller, 0 normal; remembered in the settings."""
        self.settings.zoom = theme.zoom_step(self.settings.zoom, direction)
        self.apply_theme()
        self.save_settings()

    def set_theme(self, name: str) -> None:
        self.settings.theme = name if name in theme.PALETTES else "dark"
        self.apply_theme()
        self.save_settings()

    def apply_theme(self) -> None:
        """Re-style the whole app at the current theme and zoom (fonts, colours, pages' own sizes)."""
        theme.set_theme(self.settings.theme, self.settings.zoom)
        app = QApplication.instance()
        font = app.font()
        font.setPointSize(theme.BASE_PT)
        app.setFont(font)
        app.setPalette(theme.palette())
        app.setStyleSheet(theme.stylesheet())
        for w in [self.live] + [w for _k, w in self._pages if w is not self.live]:
            if hasattr(w, "apply_theme"):
                w.apply_theme()
        self.live.video.update()

    def open_calibrate_me(self):
        from .pages.calibrate_me import open_calibrate_me

        return open_calibrate_me(self)

    def show_help(self) -> None:
        from .help_dialog import HelpDialog

        HelpDialog(self).exec()

    def _face_toggled(self, on: bool) -> None:
        self.settings.show_face = bool(on)
        self.live.video.show_face = bool(on)
        self.live.video.update()
        self.save_settings()

    # ------------------------------------------------------------------ lifecycle
    def save_settings(self) -> None:
        """Save soon, off the GUI thread (one write once the changes stop; flushed on close)."""
        if self._saver is not None:
            self._saver.request(self.settings)

    def _show_save_error(self, message: str) -> None:
        self.live.notice.show_message(f"Your settings could not be saved ({message}).",
                                      [("Dismiss", self.live.notice.dismiss)])

    def start(self, spec=None) -> None:
        self.gc_guard.start()  # before any worker thread exists
        self.live.start(spec)

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Stop every page and worker; True when no worker thread is left. Safe to call twice."""
        if self._closed:
            return not self.live.session.threads_alive
        self._closed = True
        for _k, w in self._pages:
            if w is not self.live and hasattr(w, "shutdown"):
                try:
                    w.shutdown()
                except Exception:
                    pass
        ok = self.live.stop(timeout)
        if self._saver is not None:
            ok = self._saver.flush(timeout) and ok
        self.gc_guard.stop()
        return ok

    def closeEvent(self, ev) -> None:
        self.shutdown()
        super().closeEvent(ev)
