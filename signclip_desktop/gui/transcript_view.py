"""The transcript panel: every sign the live view committed, with time and confidence, in a
scrollable list; Copy (also Ctrl+C), Save as text, Clear. It shows a ``stream.transcript.Transcript``
that the Live page owns, so it survives page and source switches."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QFileDialog, QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy,
                               QVBoxLayout)

from . import theme
from ..stream.transcript import Transcript, TranscriptEntry


class TranscriptPanel(QFrame):
    def __init__(self, transcript: Transcript, parent=None):
        super().__init__(parent)
        self.setObjectName("card")
        self.transcript = transcript
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 8, 14, 10)
        lay.setSpacing(6)
        head = QHBoxLayout()
        title = QLabel("TRANSCRIPT")
        title.setObjectName("heading")
        head.addWidget(title)
        self.count = QLabel("")
        self.count.setObjectName("dim")
        head.addWidget(self.count)
        head.addStretch(1)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the signs as text (Ctrl+C)")
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the transcript with times and confidence as a text file")
        self.save_button.clicked.connect(self.save_dialog)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        for b in (self.copy_button, self.save_button, self.clear_button):
            head.addWidget(b)
        lay.addLayout(head)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setObjectName("transcript")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setPlaceholderText("Every sign the app recognises is written here, with its time and how sure it was.")
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        lay.addWidget(self.text, 1)
        self.message = QLabel("")
        self.message.setObjectName("dim")
        self.message.hide()
        lay.addWidget(self.message)
        self.refresh()

    def add(self, entry: TranscriptEntry) -> None:
        self.transcript.append(entry)
        self.text.appendPlainText(entry.line())
        self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())
        self._update_count()

    def refresh(self) -> None:
        self.text.setPlainText(self.transcript.to_text().rstrip("\n"))
        self._update_count()

    def _update_count(self) -> None:
        n = len(self.transcript)
        self.count.setText(f"· {n} sign{'s' if n != 1 else ''}" if n else "")
        for b in (self.copy_button, self.save_button, self.clear_button):
            b.setEnabled(n > 0)

    def copy(self) -> str:
        """The signs as one line on the clipboard (a selection in the panel copies just that)."""
        sel = self.text.textCursor().selectedText().replace("\u2029", "\n")
        text = sel or self.transcript.words()
        QGuiApplication.clipboard().setText(text)
        self._say("Copied." if text else "Nothing to copy yet.")
        return text

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the transcript", str(Path.home() / "transcript.txt"),
                                              "Text files (*.txt);;All files (*)")
        if path:
            self.save(path)

    def save(self, path) -> bool:
        try:
            out = self.transcript.save(path)
        except OSError as e:
            self._say(f"Could not save the transcript to {path}: {e.strerror or e}")
            return False
        self._say(f"Saved to {out}")
        return True

    def clear(self) -> None:
        self.transcript.clear()
        self.refresh()
        self._say("")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setStyleSheet(f"color:{theme.TEXT_DIM};")
