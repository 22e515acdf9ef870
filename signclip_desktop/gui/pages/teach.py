"""Teach a sign: record 3-10 examples (countdown over the live stream) or add files, name the
sign and its language, save. The sign joins live recognition at once (prototype embeddings,
no retraining). The list on the right manages the personal library: rename, delete, export,
import."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QFormLayout, QFrame, QGridLayout, QHBoxLayout, QInputDialog,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QVBoxLayout,
                               QWidget)

from ...languages import full_name, short_name
from ..widgets import LanguageBox
from .common import PAGE_STYLE, Countdown, SkeletonPlayer, page_body, run_async
from .live_mirror import NO_CAMERA_TEXT, LiveMirror, MirrorRecording, bind_record_keys

LANGUAGES = ("und", "ase", "bfi", "ins", "gsg", "fsl", "lsf", "ssp", "mfs", "ise", "bzs", "swl", "tsm", "jsl", "csl")


class TeachPage(MirrorRecording, QWidget):
    library_changed = Signal()

    def __init__(self, ctx, parent=None, countdown_s: int = 3, record_s: float = 3.0):
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(PAGE_STYLE)
        self.ctx = ctx
        self.pending: list = []   # practice.library.NewExample (embedded on save)
        self.busy = False
        self._source = ""         # where the recording being made comes from ("camera 0", "clip.mp4")
        # what to do when the name exists: existing signs -> "add" | "new" | None (a dialog; tests replace it)
        self.ask_duplicate = self._duplicate_dialog
        # nothing is ever recorded from the built-in demo (checked again when the recording is taken)
        tap = (lambda sec: ctx.tap(sec) if ctx.can_record() else None) if ctx.tap else None
        self.countdown = Countdown(tap, countdown_s, record_s, parent=self, can_record=ctx.can_record,
                                   refuse_text=NO_CAMERA_TEXT)
        self.mirror = LiveMirror(ctx)
        self.countdown.tick.connect(lambda t: self.mirror.set_state(t, self.countdown.state == "recording"))
        self.countdown.recorded.connect(self.add_recording)
        self.countdown.failed.connect(self._failed)
        self._build()
        bind_record_keys(self, self._toggle, self.countdown.cancel)
        self._loaded = False  # nothing is read from disk until the page is first shown

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QHBoxLayout(page_body(self))
        root.addWidget(self.mirror, 3)
        left = QFrame()
        left.setObjectName("card")
        lv = QVBoxLayout(left)
        h = QLabel("TEACH A SIGN")
        h.setObjectName("heading")
        lv.addWidget(h)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("name of the sign, e.g. coffee")
        self.name.setAccessibleName("Sign name")
        self.language = LanguageBox(LANGUAGES)
        self.language.setAccessibleName("Sign language")
        form.addRow("Name", self.name)
        form.addRow("Language", self.language)
        lv.addLayout(form)
        row = QHBoxLayout()
        self.record_btn = QPushButton("● Record")
        self.record_btn.setObjectName("big")
        self.record_btn.setToolTip("3-second countdown, then 3 seconds of recording from the live camera (Space)")
        self.record_btn.clicked.connect(self.record)
        self.files_btn = QPushButton("Add files…")
        self.files_btn.clicked.connect(self._add_files_dialog)
        row.addWidget(self.record_btn)
        row.addWidget(self.files_btn)
        lv.addLayout(row)
        keys = QLabel("Space starts and stops a recording, Esc cancels it.")
        keys.setObjectName("dim")
        keys.setWordWrap(True)
        lv.addWidget(keys)
        self.preview = SkeletonPlayer("Last example")
        self.preview.view.setMinimumSize(200, 120)
        self.preview.view.clear("No example yet")
        lv.addWidget(self.preview, 1)
        self.examples = QListWidget()
        self.examples.setAccessibleName("Examples of the new sign")
        self.examples.setMaximumHeight(80)
        ex_label = QLabel("Examples (3 to 10), trimmed from hands up to hands down")
        ex_label.setWordWrap(True)
        lv.addWidget(ex_label)
        lv.addWidget(self.examples)
        row = QHBoxLayout()
        self.drop_btn = QPushButton("Remove")
        self.drop_btn.clicked.connect(self.remove_selected_example)
        self.save_btn = QPushButton("Save sign")
        self.save_btn.setObjectName("big")
        self.save_btn.clicked.connect(self.save)
        row.addWidget(self.drop_btn)
        row.addStretch(1)
        row.addWidget(self.save_btn)
        lv.addLayout(row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lv.addWidget(self.status)

        right = QFrame()
        right.setObjectName("card")
        rv = QVBoxLayout(right)
        h = QLabel("YOUR SIGNS")
        h.setObjectName("heading")
        rv.addWidget(h)
        self.signs = QListWidget()
        self.signs.setAccessibleName("Signs in your library")
        rv.addWidget(self.signs, 1)
        grid = QGridLayout()  # two by two: the labels fit a narrow column
        for i, (text, fn) in enumerate((("Rename…", self._rename_dialog), ("Delete", self._delete_dialog),
                                        ("Export…", self._export_dialog), ("Import…", self._import_dialog))):
            b = QPushButton(text)
            b.clicked.connect(fn)
            grid.addWidget(b, i // 2, i % 2)
        rv.addLayout(grid)
        root.addWidget(left, 3)
        root.addWidget(right, 2)
        self.mirror.setMinimumWidth(250)
        self._update_buttons()

    # ------------------------------------------------------------------ examples
    def _before_recording(self) -> None:
        self._source = self.ctx.source_title()

    def _tell(self, text: str) -> None:
        self._say(text)

    def add_recording(self, frames, fps: float) -> None:
        from ...practice.examples import example_from_frames

        if not self.ctx.can_record():  # the source turned into the demo while recording
            self._failed("")
            return
        ex = example_from_frames(frames, fps, source=self._source or self.ctx.source_title())
        fr = ex.frames
        if len(fr) < 4 or not (fr[..., 3] > 0).any():
            self._say("No signing found in that recording: raise your hands into view and try again.")
            return
        self._add(ex)

    def add_files(self, paths) -> None:
        from ...practice.library import make_examples

        self._set_busy(True, "Reading files…")

        def done(result, err):
            self._set_busy(False)
            if err:
                self._say(f"Could not read the files: {err}")
                return
            for ex in result:
                self._add(ex)

        run_async(lambda: make_examples(paths), done, self)

    def _add(self, ex) -> None:
        from ...practice.library import MAX_EXAMPLES

        if len(self.pending) >= MAX_EXAMPLES:
            self._say(f"A sign keeps at most {MAX_EXAMPLES} examples.")
            return
        self.pending.append(ex)
        src = Path(ex.source).name if ex.source and not ex.source.startswith("camera") else ex.source or "?"
        self.examples.addItem(QListWidgetItem(f"Example {len(self.pending)}: {len(ex.frames)} frames ({src})"))
        self.preview.set_clip(ex.frames, ex.fps)
        self._say(f"{len(self.pending)} example(s). " + ("Ready to save." if len(self.pending) >= 3 else
                                                          f"{3 - len(self.pending)} more needed."))
        self._update_buttons()

    def remove_selected_example(self) -> None:
        row = self.examples.currentRow()
        if row < 0 and self.pending:
            row = len(self.pending) - 1
        if 0 <= row < len(self.pending):
            self.pending.pop(row)
            self.examples.clear()
            for i, ex in enumerate(self.pending):
                self.examples.addItem(f"Example {i + 1}: {len(ex.frames)} frames")
        self._update_buttons()

    # ------------------------------------------------------------------ saving
    def save(self) -> None:
        from ...practice.library import MAX_EXAMPLES, MIN_EXAMPLES

        name, lang = self.name.text().strip(), self.language.code()
        if not name:
            self._say("Give the sign a name first.")
            return
        if lang is None:
            self._say(f"“{self.language.currentText().strip()}” is not a sign language I know: pick one from the "
                      "list, or type its ISO 639-3 code (e.g. ase).")
            return
        if not (MIN_EXAMPLES <= len(self.pending) <= MAX_EXAMPLES):
            self._say(f"A sign needs {MIN_EXAMPLES} to {MAX_EXAMPLES} examples (you have {len(self.pending)}).")
            return
        existing = self._find(name)
        target = None
        if existing:
            choice = self.ask_duplicate(existing)
            if choice == "add":
                target = next((x for x in existing if x.language == lang), existing[0])
            elif choice == "new":
                self.name.selectAll()
                self.name.setFocus()
                self._say(f"“{name}” is taken: type a new name, then press Save sign.")
                return
            else:
                self._say("Not saved.")
                return
        examples = list(self.pending)
        ctx = self.ctx
        self._set_busy(True, "Saving…")

        def work():
            from ...stream.clip import embed_clip
            from ...practice.library import pack_id

            pack, enc = ctx.embedder("words")
            pid = ""
            if enc is not None:
                pid = pack_id(pack)
                for ex in examples:
                    ex.embedding = embed_clip(enc, pack, ex.frames, ex.fps)
            lib = ctx.library()
            try:
                if target is not None:
                    return lib.add_examples(target, examples, pid)
                return lib.add_sign(name, lang, examples, pack=pid)
            finally:
                lib.close()

        def done(sign, err):
            self._set_busy(False)
            if err:
                self._say(err)
                return
            self.pending.clear()
            self.examples.clear()
            self.name.clear()
            note = "" if sign.pack else " (no model pack yet: it is recognised once a pack is installed)"
            added = f"Added {len(examples)} examples to" if target is not None else "Saved"
            self._say(f"{added} “{sign.name}” ({sign.n_examples} examples). It is recognised live now{note}.")
            self._changed()

        run_async(work, done, self)

    def _find(self, name: str) -> list:
        if not self.ctx.library_exists():
            return []
        lib = self.ctx.library()
        try:
            return lib.find(name)
        finally:
            lib.close()

    def _duplicate_dialog(self, existing) -> str | None:
        s = existing[0]
        box = QMessageBox(self)
        box.setWindowTitle("This name exists")
        box.setText(f"You already have a sign “{s.name}” ({full_name(s.language)}, {s.n_examples} examples).")
        add = box.addButton("Add these examples to it", QMessageBox.ButtonRole.AcceptRole)
        new = box.addButton("Save under a new name", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return "add" if box.clickedButton() is add else "new" if box.clickedButton() is new else None

    def default_language(self) -> str:
        """The pack's main language (its manifest's, else the one with most labels), never "und" when the
        pack knows better."""
        from collections import Counter

        pack = self.ctx.current_pack() if (self.ctx.live_pack or self.ctx.words_pack) else None
        if getattr(pack, "main_language", ""):
            return pack.main_language
        langs = Counter(getattr(lab, "language", "und") for lab in (pack.labels if pack is not None else []))
        langs.pop("und", None)
        return langs.most_common(1)[0][0] if langs else "und"

    # ------------------------------------------------------------------ library management
    def refresh(self) -> None:
        self._loaded = True
        self.signs.clear()
        if not self.ctx.library_exists():
            return
        try:
            lib = self.ctx.library()
        except Exception as e:  # noqa: BLE001
            self._say(f"The library cannot be opened: {e}")
            return
        try:
            for s in lib.signs():
                it = QListWidgetItem(f"{s.name}  ·  {short_name(s.language)}  ·  {s.n_examples} examples")
                it.setToolTip(f"{s.name}: {full_name(s.language)} (language code {s.language}), "
                              f"{s.n_examples} examples")
                it.setData(Qt.ItemDataRole.UserRole, (s.name, s.language))
                self.signs.addItem(it)
        finally:
            lib.close()

    def sign_names(self) -> list[str]:
        return [self.signs.item(i).data(Qt.ItemDataRole.UserRole)[0] for i in range(self.signs.count())]

    def _selected(self):
        it = self.signs.currentItem()
        return it.data(Qt.ItemDataRole.UserRole) if it else None

    def _with_library(self, fn, ok_text):
        from ...practice.library import LibraryError

        try:
            lib = self.ctx.library()
            try:
                r = fn(lib)
            finally:
                lib.close()
        except LibraryError as e:
            self._say(str(e))
            return None
        self._say(ok_text(r) if callable(ok_text) else ok_text)
        self._changed()
        return r

    def rename_sign(self, name: str, new_name: str, language: str | None = None):
        return self._with_library(lambda lib: lib.rename(name, new_name, language), f"Renamed “{name}” to “{new_name}”.")

    def delete_sign(self, name: str, language: str | None = None):
        return self._with_library(lambda lib: lib.remove(name, language), f"Deleted “{name}”.")

    def export_to(self, path):
        return self._with_library(lambda lib: lib.export(path), lambda p: f"Exported your signs to {p}.")

    def import_from(self, path):
        return self._with_library(lambda lib: lib.import_file(path),
                                  lambda added: f"Imported {len(added)} sign(s).")

    def _rename_dialog(self) -> None:
        sel = self._selected()
        if not sel:
            self._say("Pick a sign in the list first.")
            return
        new, ok = QInputDialog.getText(self, "Rename sign", "New name:", text=sel[0])
        if ok and new.strip():
            self.rename_sign(sel[0], new.strip(), sel[1])

    def _delete_dialog(self) -> None:
        sel = self._selected()
        if not sel:
            self._say("Pick a sign in the list first.")
            return
        if QMessageBox.question(self, "Delete sign", f"Delete “{sel[0]}” and its examples?") == \
                QMessageBox.StandardButton.Yes:
            self.delete_sign(*sel)

    def _export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export your signs", "my-signs.signlib", "Sign library (*.signlib)")
        if path:
            self.export_to(path)

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import signs", "", "Sign library (*.signlib *.sqlite3);;All files (*)")
        if path:
            self.import_from(path)

    def _add_files_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add recordings of the sign", "",
                                                "Recordings (*.mp4 *.mov *.avi *.mkv *.webm *.pose *.npz);;All files (*)")
        if paths:
            self.add_files(paths)

    # ------------------------------------------------------------------ helpers
    def _changed(self) -> None:
        self.refresh()
        self.ctx.library_changed()
        self.library_changed.emit()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        if text:
            self._say(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        from ...practice.library import MIN_EXAMPLES

        self.save_btn.setEnabled(not self.busy and len(self.pending) >= MIN_EXAMPLES)
        self.record_btn.setEnabled(not self.busy)
        self.files_btn.setEnabled(not self.busy)
        self.drop_btn.setEnabled(bool(self.pending))

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def page_shown(self) -> None:
        if not self._loaded:
            self.language.set_code(self.default_language())
        self.refresh()
        self.mirror.refresh_source()

    def page_hidden(self) -> None:
        self.countdown.cancel()
        self.mirror.set_state("")
        self.preview.stop()

    def shutdown(self) -> None:
        self.page_hidden()
