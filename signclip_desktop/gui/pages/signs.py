"""Signs: every sign the app knows (the live pack's and the user's own), with its sign language
in words and an animated reference skeleton; searchable by meaning ("thanks a lot" finds
thank you). The list and the search are ``practice/vocabulary.py``; this page only shows them.

The text index loads on a worker thread (~0.5 s); a query then takes well under a
few milliseconds (``python -m signclip_desktop.practice.vocabulary`` prints both), so filtering
runs on the GUI thread as the user types.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from .. import theme
from .common import PAGE_STYLE, SkeletonPlayer, run_async


class SignsPage(QWidget):
    def __init__(self, ctx, parent=None, references=None):
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(PAGE_STYLE + (
            f"QListWidget#signList::item {{ padding: 6px 8px; border-bottom: 1px solid {theme.BORDER or '#3a424d'}; }}"
            f"QLabel#signName {{ font-size: {theme.pt(12)}pt; font-weight: 700; }}"))
        self.ctx = ctx
        self.vocab = None                 # practice.vocabulary.Vocabulary, built on a worker thread
        self.shown: list = []             # the entries listed now, in list order
        self._refs = references           # practice.references.ReferenceSet (loaded lazily)
        self._refs_error = ""
        self._pack_key = None
        self.loading = False
        self._again = False
        self._build()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QHBoxLayout(self)
        left = QFrame()
        left.setObjectName("card")
        lv = QVBoxLayout(left)
        h = QLabel("SIGNS THE APP KNOWS")
        h.setObjectName("heading")
        lv.addWidget(h)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search, e.g. “thanks a lot”")
        self.search.setAccessibleName("Search signs")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        lv.addWidget(self.search)
        self.count = QLabel("")
        self.count.setWordWrap(True)
        self.count.setObjectName("dim")
        lv.addWidget(self.count)
        self.list = QListWidget()
        self.list.setAccessibleName("Signs")
        self.list.setObjectName("signList")
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(self._selected)
        lv.addWidget(self.list, 1)

        right = QFrame()
        right.setObjectName("card")
        rv = QVBoxLayout(right)
        self.player = SkeletonPlayer("REFERENCE")
        self.player.view.clear("Pick a sign to see how it looks")
        rv.addWidget(self.player, 1)
        self.name = QLabel("")
        self.name.setObjectName("signName")
        self.name.setWordWrap(True)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        rv.addWidget(self.name)
        rv.addWidget(self.info)
        root.addWidget(left, 2)
        root.addWidget(right, 3)

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Read the pack and the personal library again and build the search (worker thread)."""
        if self.loading:
            self._again = True  # the pack or the library changed while loading: load once more
            return
        ctx = self.ctx
        self.loading = True
        self.count.setText("Loading the signs…")

        def work():
            from ...practice.vocabulary import Vocabulary, entries

            pack = ctx.current_pack()
            signs = []
            if ctx.library_exists():
                lib = ctx.library()
                try:
                    signs = lib.signs()
                finally:
                    lib.close()
            return pack, Vocabulary(entries(pack, signs)).prepare()

        def done(result, err):
            self.loading = False
            if self._again:
                self._again = False
                self.reload()
                return
            if err:
                self.count.setText(f"The signs cannot be listed: {err}")
                return
            pack, self.vocab = result
            self._pack_key = getattr(pack, "path", None)
            self.apply_filter()

        run_async(work, done, self)

    def apply_filter(self) -> None:
        if self.vocab is None:
            return
        query = self.search.text()
        keep = self.list.currentRow()
        keep = self.shown[keep].key if 0 <= keep < len(self.shown) else None
        self.shown = self.vocab.filter(query)
        self.list.blockSignals(True)
        self.list.clear()
        for e in self.shown:
            mine = "   · yours" if e.yours else ""
            it = QListWidgetItem(f"{e.text}\n{e.language_words}{mine}")
            it.setToolTip(f"{e.label_id} · language code {e.language}")
            it.setData(Qt.ItemDataRole.UserRole, e.key)
            self.list.addItem(it)
        self.list.blockSignals(False)
        total = len(self.vocab.items)
        if not total:
            self.count.setText("No signs: no model pack is installed and your library is empty.")
        elif query.strip():
            self.count.setText(f"{len(self.shown)} of {total} signs match “{query.strip()}”" if self.shown
                               else f"No sign matches “{query.strip()}”.")
        else:
            mine = sum(e.yours for e in self.vocab.items)
            self.count.setText(f"{total} signs" + (f" ({mine} of them yours)" if mine else ""))
        rows = [i for i, e in enumerate(self.shown) if e.key == keep]
        self.list.setCurrentRow(rows[0] if rows else (0 if self.shown else -1))
        if not self.shown:
            self._selected(-1)

    def texts(self) -> list[str]:
        return [e.text for e in self.shown]

    # ------------------------------------------------------------------ the selected sign
    def references(self):
        if self._refs is None and not self._refs_error:
            from ...practice.references import ReferenceSet

            try:
                self._refs = ReferenceSet.load()
            except Exception as e:  # noqa: BLE001 - a missing resource: the page says so per sign
                self._refs_error = str(e)
        return self._refs

    def select(self, label_id: str, yours: bool = False) -> bool:
        for i, e in enumerate(self.shown):
            if e.label_id == label_id and e.yours == yours:
                self.list.setCurrentRow(i)
                return True
        return False

    def _selected(self, row: int) -> None:
        self.player.stop()
        if not 0 <= row < len(self.shown):
            self.player.set_clip(None)
            self.player.view.clear("Pick a sign to see how it looks")
            self.name.setText("")
            self.info.setText("")
            return
        e = self.shown[row]
        self.name.setText(e.text)
        self.name.setToolTip(e.label_id)
        self.info.setToolTip(f"language code: {e.language}")
        frames, fps, where = self._clip_for(e)
        whose = f"Your sign · {e.n_examples} example{'s' if e.n_examples != 1 else ''}" if e.yours \
            else "In the model pack"
        self.info.setText(f"{e.language_words}\n{whose}\n{where}")
        self.player.set_clip(frames, fps)
        if frames is None:
            self.player.view.clear("No reference motion for this sign")

    def _clip_for(self, e):
        """(frames | None, fps, a line saying what is shown)."""
        if e.yours:
            try:
                lib = self.ctx.library()
                try:
                    sign = lib.get(e.label_id, e.language)
                    ex = lib.examples(sign)
                finally:
                    lib.close()
            except Exception as err:  # noqa: BLE001
                return None, 30.0, f"Your examples cannot be read: {err}"
            ex = [x for x in ex if x.n_frames > 1]
            if not ex:
                return None, 30.0, "No reference: this sign has no stored example."
            return ex[0].frames, ex[0].fps, f"Showing your first example ({ex[0].source or 'recorded'})."
        refs = self.references()
        got = refs.get(e.label_id) if refs is not None else []
        # the same word in another sign language is another sign: never show it as this one
        got = [r for r in got if r.language in (e.language, "und")]
        if not got:
            why = "the reference file is missing" if self._refs_error else \
                f"no recording of it in {e.language_words} ships with the app"
            return None, 30.0, f"No reference motion for this sign ({why})."
        r = got[0]
        return r.frames, r.fps, "Reference: a recorded signer, played in a loop."

    # ------------------------------------------------------------------ page hooks
    def page_shown(self) -> None:
        live = self.ctx.live_pack() if self.ctx.live_pack else None  # no pack is read on the GUI thread
        if self.vocab is None or (live is not None and live.path != self._pack_key):
            self.reload()
        elif self.player.frames is not None:
            self.player.play()
        self.search.setFocus()

    def pack_changed(self) -> None:
        """Live recognition loaded another pack: list its signs."""
        self.library_changed()

    def library_changed(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self.vocab = None  # read again when the page is next shown

    def page_hidden(self) -> None:
        self.player.stop()

    def shutdown(self) -> None:
        self.page_hidden()

