"""Fingerspelling practice: pick an alphabet and a word list, spell the prompted word letter by
letter. Each letter shows its state with a colour *and* a symbol and a word (right ✓, slow ◔,
wrong ✗, now ▶), so colour is never the only cue. Score, streak and per-letter statistics
(kept across sessions) are shown."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from .common import PAGE_STYLE
from ...practice.fingerspelling import (CURRENT, PENDING, RIGHT, SLOW, SYMBOLS, WRONG, FingerspellingSession,
                                        word_list)

STATUS_COLOURS = {RIGHT: "#2e7d46", SLOW: "#8a6d1f", WRONG: "#9c2f3a", CURRENT: "#244a6b", PENDING: "#2a3039"}
STATUS_WORDS = {RIGHT: "right", SLOW: "slow", WRONG: "wrong", CURRENT: "now", PENDING: "next"}


class LetterTile(QLabel):
    def __init__(self, letter: str):
        super().__init__()
        self.letter = letter
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(64, 84)
        self.set_status(PENDING)

    def set_status(self, status: str) -> None:
        self.status = status
        self.setText(f"<div style='font-size:28pt;font-weight:700'>{self.letter}</div>"
                     f"<div style='font-size:11pt'>{SYMBOLS[status]} {STATUS_WORDS[status]}</div>")
        border = "3px solid #7cc4ff" if status == CURRENT else "1px solid #3a424d"
        self.setStyleSheet(f"background:{STATUS_COLOURS[status]}; border:{border}; border-radius:8px;")
        self.setAccessibleName(f"{self.letter}: {STATUS_WORDS[status]}")


class FingerspellingPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(PAGE_STYLE)
        self.ctx = ctx
        self.session: FingerspellingSession | None = None
        self.stats = None
        self.tiles: list[LetterTile] = []
        self.shown_hook = self.hidden_hook = None
        self._active = False
        self._last_feed = 0.0
        self._idle = QTimer(self)  # no live prediction for a while = hands down: releases a held letter
        self._idle.timeout.connect(self._idle_check)
        self._idle.start(250)
        self._build()
        self.alphabets = {}
        self._loaded = False  # the pack's alphabets and the statistics are read when first shown

    def _build(self) -> None:
        root = QVBoxLayout(self)
        card = QFrame()
        card.setObjectName("card")
        cv = QVBoxLayout(card)
        h = QLabel("FINGERSPELLING PRACTICE")
        h.setObjectName("heading")
        cv.addWidget(h)
        row = QHBoxLayout()
        self.alphabet = QComboBox()
        self.alphabet.setAccessibleName("Alphabet")
        self.alphabet.currentIndexChanged.connect(self._alphabet_changed)
        self.source = QComboBox()
        self.source.addItems(["Built-in words", "My words"])
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("your words, separated by spaces or commas")
        self.hold = QSpinBox()
        self.hold.setRange(1, 10)
        self.hold.setValue(2)
        self.hold.setToolTip("windows a letter must be held to count")
        self.start_btn = QPushButton("Start")
        self.start_btn.setObjectName("big")
        self.start_btn.clicked.connect(self.start)
        for w in (QLabel("Alphabet"), self.alphabet, QLabel("Words"), self.source, self.typed, QLabel("Hold"),
                  self.hold, self.start_btn):
            row.addWidget(w)
        cv.addLayout(row)
        self.prompt = QLabel("Press Start")
        self.prompt.setObjectName("current")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cv.addWidget(self.prompt)
        self.letter_row = QHBoxLayout()
        self.letter_row.setSpacing(8)
        wrap = QHBoxLayout()
        wrap.addStretch(1)
        wrap.addLayout(self.letter_row)
        wrap.addStretch(1)
        cv.addLayout(wrap)
        self.feedback = QLabel("")
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.feedback.setObjectName("history")
        cv.addWidget(self.feedback)
        legend = QLabel("  ".join(f"{SYMBOLS[s]} {STATUS_WORDS[s]}" for s in (RIGHT, SLOW, WRONG, CURRENT)))
        legend.setObjectName("dim")
        legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cv.addWidget(legend)
        row = QHBoxLayout()
        self.score = QLabel("Score 0")
        self.streak = QLabel("Streak 0")
        self.best = QLabel("Best 0")
        self.skip_btn = QPushButton("Skip letter")
        self.skip_btn.clicked.connect(self.skip)
        self.next_btn = QPushButton("Next word")
        self.next_btn.clicked.connect(self.next_word)
        for w in (self.score, self.streak, self.best):
            w.setObjectName("history")
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.skip_btn)
        row.addWidget(self.next_btn)
        cv.addLayout(row)
        root.addWidget(card)
        st = QFrame()
        st.setObjectName("card")
        sv = QVBoxLayout(st)
        h = QLabel("YOUR LETTERS (ALL SESSIONS)")
        h.setObjectName("heading")
        sv.addWidget(h)
        self.table = QTableWidget(0, 5)
        self.table.setMaximumWidth(620)
        self.table.setHorizontalHeaderLabels(["Letter", "Tries", "✓ right", "◔ slow", "✗ wrong"])
        self.table.verticalHeader().setVisible(False)
        sv.addWidget(self.table)
        self.weak = QLabel("")
        sv.addWidget(self.weak)
        root.addWidget(st, 1)

    # ------------------------------------------------------------------ setup
    def reload_alphabets(self) -> None:
        self._loaded = True
        self.alphabets = self.ctx.alphabets()
        self.alphabet.blockSignals(True)
        self.alphabet.clear()
        for lang, a in self.alphabets.items():
            self.alphabet.addItem(f"{lang} ({len(a.letters)} letters)", lang)
        ase = self.alphabet.findData("ase")
        self.alphabet.setCurrentIndex(max(0, ase))
        self.alphabet.blockSignals(False)
        self._alphabet_changed()

    def _alphabet_changed(self) -> None:
        lang = self.alphabet.currentData()
        if lang:
            self.refresh_stats()

    def current_alphabet(self):
        return self.alphabets.get(self.alphabet.currentData())

    def words(self) -> list[str]:
        alpha = self.current_alphabet()
        if self.source.currentIndex() == 1 or self.typed.text().strip():
            raw = self.typed.text().replace(",", " ").split()
            ok = []
            for w in raw:
                try:
                    alpha.tokenize(w)
                    ok.append(w)
                except ValueError as e:
                    self.feedback.setText(f"Skipped “{w}”: {e}")
            return ok
        return word_list(alpha.language, alpha)

    def start(self) -> None:
        alpha = self.current_alphabet()
        if alpha is None:
            return
        words = self.words()
        if not words:
            self.feedback.setText("No words to practise: type some words for this alphabet.")
            return
        if self.stats is None:
            try:
                self.stats = self.ctx.stats()
            except Exception:  # noqa: BLE001 - practise without statistics rather than not at all
                self.stats = None
        self.session = FingerspellingSession(alpha, words, hold_windows=self.hold.value(), stats=self.stats)
        self.next_word()

    def next_word(self, word: str | None = None) -> None:
        if self.session is None:
            self.start()
            return
        self.session.next_word(self._now(), word)
        self._show_word()
        self.feedback.setText(f"Spell it. First letter: {self.session.expected}")

    # ------------------------------------------------------------------ input
    def on_live_prediction(self, ev) -> None:
        """A ``live.PredictionEvent`` from the Live page's ``prediction_shown`` signal."""
        if not self._active or self.session is None:
            return
        pred = ev.prediction  # a typed model.scorer.Prediction (None while nobody signs)
        labels = [g.label for g in pred.top] if pred is not None else []
        # the best guess within the chosen alphabet; one clock (monotonic) for the whole session
        self.feed(self.session.pick(labels), final=bool(ev.update.final))

    def feed(self, label, t: float | None = None, final: bool = False) -> list:
        if self.session is None:
            return []
        self._last_feed = time.monotonic()
        t = self._now() if t is None else t
        events = self.session.feed(label, t, final)
        self._apply(events)
        return events

    def skip(self) -> None:
        if self.session is not None:
            self._apply(self.session.skip(self._now()))

    def _idle_check(self) -> None:
        if self.session is not None and self._active and time.monotonic() - self._last_feed > 0.6:
            self.session.feed(None, self._now())

    def _apply(self, events) -> None:
        s = self.session
        for e in events:
            if e.kind == "wrong":
                self.feedback.setText(f"That was {e.signed} ✗ — try {e.letter} again.")
            elif e.kind == "letter":
                word = {RIGHT: "Right ✓", SLOW: "Right, but slow ◔", WRONG: "Missed ✗"}[e.status]
                nxt = f" Next: {s.expected}" if s.expected else ""
                self.feedback.setText(f"{e.letter}: {word}.{nxt}")
            elif e.kind == "word":
                msg = {RIGHT: "Perfect word! ✓", SLOW: "Word done ◔ — try it a bit faster.",
                       WRONG: "Word done — some letters to practise ✗"}[e.status]
                self.feedback.setText(msg + " Press Next word.")
                self.refresh_stats()
        self._update_tiles()

    # ------------------------------------------------------------------ display
    def _show_word(self) -> None:
        while self.letter_row.count():
            it = self.letter_row.takeAt(0)
            if it.widget():
                it.widget().deleteLater()
        self.tiles = [LetterTile(l.letter) for l in self.session.letters]
        for t in self.tiles:
            self.letter_row.addWidget(t)
        self.prompt.setText(self.session.word.upper())
        self._update_tiles()

    def _update_tiles(self) -> None:
        s = self.session
        if s is None:
            return
        for tile, st in zip(self.tiles, s.letters):
            tile.set_status(st.status)
        self.score.setText(f"Score {s.score}")
        self.streak.setText(f"Streak {s.streak}")
        self.best.setText(f"Best {s.best_streak}")

    def refresh_stats(self) -> None:
        lang = self.alphabet.currentData()
        if self.stats is None:
            try:
                self.stats = self.ctx.stats()
            except Exception:  # noqa: BLE001
                return
        st = self.stats.letters(lang)
        self.table.setRowCount(len(st))
        for r, (letter, d) in enumerate(sorted(st.items())):
            for c, v in enumerate((letter, d["attempts"], d["right"], d["slow"], d["wrong"])):
                self.table.setItem(r, c, QTableWidgetItem(str(v)))
        weak = self.stats.weakest(lang, 3) if st else []
        self.weak.setText(("Practise these letters: " + ", ".join(weak)) if weak else "")

    def text_state(self) -> str:
        return self.session.display() if self.session else ""

    def _now(self) -> float:
        return time.monotonic()

    # ------------------------------------------------------------------ page hooks
    def page_shown(self) -> None:
        if not self._loaded:
            self.reload_alphabets()
        self._active = True
        if self.shown_hook:
            self.shown_hook()

    def page_hidden(self) -> None:
        self._active = False
        if self.hidden_hook:
            self.hidden_hook()

    def shutdown(self) -> None:
        self._idle.stop()
        if self.stats is not None:
            self.stats.close()
            self.stats = None
