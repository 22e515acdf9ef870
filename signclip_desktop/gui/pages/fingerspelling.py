"""Fingerspelling practice: pick an alphabet (named in words) and a word list (built-in, your own,
or words for the letters you need most), spell the prompted word letter by letter in front of
the camera. You see yourself (``LiveMirror``), the target handshape of the letter asked (the
reference skeleton of that alphabet's letter, animated for moving letters), and per letter its
state with a colour *and* a symbol and a word (now ▶, right ✓, slow ◔, wrong ✗ with the reason,
"I saw K"). A timeout with no hands in view says "no hands seen", never "wrong". Per-letter
history (kept across sessions) says what to practise next."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...practice.fingerspelling import (CURRENT, NO_HANDS_SEEN, PENDING, RIGHT, SLOW, SYMBOLS, WRONG,
                                        FingerspellingSession, parse_words, practice_words, word_list)
from .common import PAGE_STYLE, SkeletonPlayer, page_body
from .live_mirror import LiveMirror

STATUS_COLOURS = {RIGHT: "#2e7d46", SLOW: "#8a6d1f", WRONG: "#9c2f3a", CURRENT: "#244a6b", PENDING: "#2a3039"}
STATUS_WORDS = {RIGHT: "right", SLOW: "slow", WRONG: "wrong", CURRENT: "now", PENDING: "next"}
BUILTIN, MINE, FOCUS = 0, 1, 2


def alphabet_title(code: str) -> str:
    """'American' for ase (the code goes in the tooltip)."""
    from ...languages import short_name

    return short_name(code)


class LetterTile(QLabel):
    def __init__(self, letter: str):
        super().__init__()
        self.letter = letter
        self.reason = ""
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumSize(58, 92)
        self.set_status(PENDING)

    def set_status(self, status: str, reason: str = "") -> None:
        self.status, self.reason = status, reason
        why = f"<div style='font-size:9pt'>{reason}</div>" if reason else ""
        self.setText(f"<div style='font-size:22pt;font-weight:700'>{self.letter}</div>"
                     f"<div style='font-size:11pt'>{SYMBOLS[status]} {STATUS_WORDS[status]}</div>{why}")
        border = "3px solid #7cc4ff" if status == CURRENT else "1px solid #3a424d"
        self.setStyleSheet(f"background:{STATUS_COLOURS[status]}; border:{border}; border-radius:8px; padding:2px;")
        self.setAccessibleName(f"{self.letter}: {STATUS_WORDS[status]}" + (f", {reason}" if reason else ""))


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
        self._target_letter = None
        self.mirror = LiveMirror(ctx, title="YOU (LIVE)", min_size=(260, 190))
        self.mirror.frame_seen.connect(self.on_frame)
        self.mirror.choose = self._in_alphabet  # "I see" names a letter of the chosen alphabet
        self._idle = QTimer(self)  # no live prediction for a while = hands down: releases a held letter
        self._idle.timeout.connect(self._idle_check)
        self._idle.start(250)
        self._build()
        self.alphabets = {}
        self._loaded = False  # the pack's alphabets and the statistics are read when first shown

    def _build(self) -> None:
        root = QVBoxLayout(page_body(self))
        card = QFrame()
        card.setObjectName("card")
        cv = QVBoxLayout(card)
        row = QHBoxLayout()
        self.alphabet = QComboBox()
        self.alphabet.setAccessibleName("Alphabet")
        self.alphabet.currentIndexChanged.connect(self._alphabet_changed)
        self.source = QComboBox()
        self.source.addItems(["Built-in words", "My words", "Words for my weak letters"])
        self.source.setAccessibleName("Words to practise")
        self.hold = QSpinBox()
        self.hold.setRange(1, 10)
        self.hold.setValue(2)
        self.hold.setToolTip("recognition windows a letter must be held to count")
        self.start_btn = QPushButton("Start")
        self.start_btn.setObjectName("big")
        self.start_btn.clicked.connect(self.start)
        for w in (QLabel("Alphabet"), self.alphabet, QLabel("Words"), self.source, QLabel("Hold"), self.hold):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.start_btn)
        cv.addLayout(row)
        row = QHBoxLayout()
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("your own words, separated by spaces or commas")
        self.save_words_btn = QPushButton("Keep my words")
        self.save_words_btn.setToolTip("Remember these words for this alphabet (the “My words” list)")
        self.save_words_btn.clicked.connect(self.keep_words)
        self.skip_btn = QPushButton("Skip letter")
        self.skip_btn.clicked.connect(self.skip)
        self.next_btn = QPushButton("Next word")
        self.next_btn.clicked.connect(self.next_word)
        for w, stretch in ((self.typed, 1), (self.save_words_btn, 0), (self.skip_btn, 0), (self.next_btn, 0)):
            row.addWidget(w, stretch)
        cv.addLayout(row)
        root.addWidget(card)

        mid = QHBoxLayout()
        mid.addWidget(self.mirror, 3)
        tgt = QFrame()
        tgt.setObjectName("card")
        tv = QVBoxLayout(tgt)
        self.target_title = QLabel("SIGN THIS")
        self.target_title.setObjectName("heading")
        tv.addWidget(self.target_title)
        self.target = SkeletonPlayer("")
        self.target.title.hide()
        self.target.view.show_legend = False
        self.target.view.clear("The letter to sign shows here")
        self.target.view.setMinimumSize(150, 150)
        tv.addWidget(self.target, 1)
        mid.addWidget(tgt, 2)
        word = QFrame()
        word.setObjectName("card")
        wv = QVBoxLayout(word)
        self.prompt = QLabel("Press Start")
        self.prompt.setStyleSheet("font-size: 28pt; font-weight: 700;")
        self.prompt.setWordWrap(True)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        wv.addWidget(self.prompt)
        self.letter_row = QHBoxLayout()
        self.letter_row.setSpacing(6)
        wrap = QHBoxLayout()
        wrap.addStretch(1)
        wrap.addLayout(self.letter_row)
        wrap.addStretch(1)
        wv.addLayout(wrap)
        self.feedback = QLabel("")
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.feedback.setWordWrap(True)
        self.feedback.setObjectName("history")
        wv.addWidget(self.feedback)
        legend = QLabel("  ".join(f"{SYMBOLS[s]} {STATUS_WORDS[s]}" for s in (CURRENT, RIGHT, SLOW, WRONG)))
        legend.setObjectName("dim")
        legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        wv.addWidget(legend)
        row = QHBoxLayout()
        self.score = QLabel("Score 0")
        self.streak = QLabel("Streak 0")
        self.best = QLabel("Best 0")
        for w in (self.score, self.streak, self.best):
            row.addWidget(w)
        row.addStretch(1)
        wv.addLayout(row)
        wv.addStretch(1)
        mid.addWidget(word, 4)
        root.addLayout(mid, 3)

        st = QFrame()
        st.setObjectName("card")
        sv = QHBoxLayout(st)
        self.table = QTableWidget(0, 5)
        self.table.setMaximumWidth(460)
        self.table.setHorizontalHeaderLabels(["Letter", "Tries", "✓ right", "◔ slow", "✗ wrong"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # every column in view
        sv.addWidget(self.table, 1)
        nv = QVBoxLayout()
        h = QLabel("WHAT TO PRACTISE NEXT (ALL SESSIONS)")
        h.setObjectName("heading")
        nv.addWidget(h)
        self.weak = QLabel("")
        self.weak.setWordWrap(True)
        self.weak.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        nv.addWidget(self.weak, 1)
        self.focus_btn = QPushButton("Practise these letters")
        self.focus_btn.clicked.connect(lambda: (self.source.setCurrentIndex(FOCUS), self.start()))
        nv.addWidget(self.focus_btn, 0, Qt.AlignmentFlag.AlignLeft)
        sv.addLayout(nv, 1)
        st.setMaximumHeight(210)
        root.addWidget(st, 1)

    # ------------------------------------------------------------------ setup
    def reload_alphabets(self) -> None:
        self._loaded = True
        self.alphabets = self.ctx.alphabets()
        self.alphabet.blockSignals(True)
        self.alphabet.clear()
        for lang, a in sorted(self.alphabets.items(), key=lambda kv: alphabet_title(kv[0])):
            self.alphabet.addItem(f"{alphabet_title(lang)} ({len(a.letters)} letters)", lang)
            self.alphabet.setItemData(self.alphabet.count() - 1, f"{a.name}", Qt.ItemDataRole.ToolTipRole)
        ase = self.alphabet.findData("ase")
        self.alphabet.setCurrentIndex(max(0, ase))
        self.alphabet.blockSignals(False)
        self._alphabet_changed()

    def _alphabet_changed(self) -> None:
        lang = self.alphabet.currentData()
        if lang:
            self.alphabet.setToolTip(self.current_alphabet().name)
            self.refresh_stats()

    def _in_alphabet(self, guesses):
        alpha = self.current_alphabet()
        if alpha is None:
            return guesses[0] if guesses else None
        return next((g for g in guesses if alpha.letter_of(g.label) is not None), None)

    def current_alphabet(self):
        return self.alphabets.get(self.alphabet.currentData())

    def _stats(self):
        if self.stats is None:
            try:
                self.stats = self.ctx.stats()
            except Exception:  # noqa: BLE001 - practise without statistics rather than not at all
                self.stats = None
        return self.stats

    def keep_words(self) -> list[str]:
        """Parse the typed words, keep the ones this alphabet can spell (the "My words" list)."""
        alpha = self.current_alphabet()
        ok, bad = parse_words(self.typed.text(), alpha)
        st = self._stats()
        if ok and st is not None:
            st.add_words(alpha.language, ok)
        msg = f"Kept {len(ok)} word(s)." if ok else "No word to keep."
        self.feedback.setText(msg + (" Skipped " + "; ".join(bad) if bad else ""))
        return ok

    def words(self) -> list[str]:
        alpha = self.current_alphabet()
        st = self._stats()
        if self.typed.text().strip():
            ok, bad = parse_words(self.typed.text(), alpha)
            if bad:
                self.feedback.setText("Skipped " + "; ".join(bad))
            if self.source.currentIndex() == MINE and ok and st is not None:
                st.add_words(alpha.language, ok)
            return ok
        if self.source.currentIndex() == MINE:
            return st.words(alpha.language) if st is not None else []
        words = word_list(alpha.language, alpha)
        if self.source.currentIndex() == FOCUS and st is not None:
            focus = [a["letter"] for a in st.advice(alpha.language, letters=list(alpha.letters))]
            mine = st.words(alpha.language)
            return practice_words(mine + words, focus, alpha, n=8) or words
        return words

    def start(self) -> None:
        alpha = self.current_alphabet()
        if alpha is None:
            return
        words = self.words()
        if not words:
            self.feedback.setText("No words to practise: type some words for this alphabet.")
            return
        self.session = FingerspellingSession(alpha, words, hold_windows=self.hold.value(), stats=self._stats())
        self.next_word()
        if not self.mirror.refresh_source():
            self.feedback.setText("No camera: letters are judged only from your camera or a file, never from the "
                                  "built-in demo. Open a file or retry the camera." if self.ctx.is_demo() else
                                  "Nothing is playing: start the camera or open a file.")

    def next_word(self, word: str | None = None) -> None:
        if self.session is None:
            self.start()
            return
        self.session.next_word(self._now(), word if isinstance(word, str) else None)
        self._show_word()
        self.feedback.setText(f"Spell it. First letter: {self.session.expected}")

    # ------------------------------------------------------------------ input
    def on_live_prediction(self, ev) -> None:
        """A ``live.PredictionEvent`` from the Live page's ``prediction_shown`` signal."""
        if not self._active or self.session is None or self.ctx.is_demo():
            return  # letters are judged from you (a camera or a file), never from the built-in demo
        self.feed_prediction(ev.prediction, final=bool(ev.update.final))

    def feed_prediction(self, prediction, t: float | None = None, final: bool = False) -> list:
        """One recognition update; one clock (monotonic) for the whole session unless ``t`` is given."""
        if self.session is None:
            return []
        self._last_feed = time.monotonic()
        events = self.session.feed_prediction(prediction, self._now() if t is None else t, final)
        self._apply(events)
        return events

    def feed(self, label, t: float | None = None, final: bool = False) -> list:
        """A bare top-1 label (tests, scripted streams)."""
        if self.session is None:
            return []
        self._last_feed = time.monotonic()
        events = self.session.feed(label, self._now() if t is None else t, final)
        self._apply(events)
        return events

    def on_frame(self, t: float, hands: bool) -> None:
        """Every live frame while shown: hands in view or not, and the letter's timeout."""
        if self.session is not None and self._active and not self.ctx.is_demo():
            self.session.hands(t, hands)

    def tick(self, t: float | None = None) -> list:
        if self.session is None:
            return []
        events = self.session.tick(self._now() if t is None else t)
        self._apply(events)
        return events

    def skip(self) -> None:
        if self.session is not None:
            self._apply(self.session.skip(self._now()))

    def _idle_check(self) -> None:
        if self.session is None or not self._active:
            return
        if time.monotonic() - self._last_feed > 0.6:
            self.session.feed(None, self._now())
        self.tick()

    def _apply(self, events) -> None:
        s = self.session
        for e in events:
            if e.kind == "wrong":
                self.feedback.setText(f"{e.reason} ✗ — try {e.letter} again.")
            elif e.kind == "no_hands":
                self.feedback.setText(f"{NO_HANDS_SEEN.capitalize()}: raise your hand into the camera view for "
                                      f"{e.letter}.")
            elif e.kind == "letter":
                word = {RIGHT: "Right ✓", SLOW: "Right, but slow ◔", WRONG: "Missed ✗"}[e.status]
                why = f" ({e.reason})" if e.status == WRONG and e.reason else ""
                nxt = f" Next: {s.expected}" if s.expected else ""
                self.feedback.setText(f"{e.letter}: {word}{why}.{nxt}")
                self.refresh_stats()  # the history and what to practise next follow every letter
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
        for tile, st, v in zip(self.tiles, s.letters, s.view()):
            tile.set_status(st.status, v["reason"])
        self.score.setText(f"Score {s.score}")
        self.streak.setText(f"Streak {s.streak}")
        self.best.setText(f"Best {s.best_streak}")
        self.show_target(s.expected)

    def show_target(self, letter: str | None) -> None:
        """The reference handshape of the letter asked (animated when the letter moves)."""
        if letter == self._target_letter:
            return
        self._target_letter = letter
        if letter is None:
            self.target_title.setText("SIGN THIS")
            self.target.set_clip(None)
            self.target.view.clear("The letter to sign shows here")
            return
        from ...practice.letter_shapes import letter_frames

        lang = self.current_alphabet().language
        frames = letter_frames(lang, letter)
        self.target_title.setText(f"SIGN THIS: {letter}" + (" (moving)" if frames is not None and len(frames) > 1 else ""))
        if frames is None:
            self.target.set_clip(None)
            self.target.view.clear(f"No picture of {letter} for this alphabet")
        else:
            self.target.set_clip(frames, 8.0)

    def refresh_stats(self) -> None:
        lang = self.alphabet.currentData()
        st = self._stats()
        if st is None or not lang:
            return
        rows = st.letters(lang)
        self.table.setRowCount(len(rows))
        for r, (letter, d) in enumerate(sorted(rows.items())):
            for c, v in enumerate((letter, d["attempts"], d["right"], d["slow"], d["wrong"])):
                self.table.setItem(r, c, QTableWidgetItem(str(v)))
        alpha = self.current_alphabet()
        advice = st.advice(lang, letters=list(alpha.letters) if alpha else None)
        weak = [a for a in advice if a["need"] > 0]
        self.advice = advice
        if weak:
            self.weak.setText("\n".join(f"{a['letter']}: {a['why']}" for a in weak))
        else:
            self.weak.setText("Nothing weak yet." + (" Not practised yet: " + ", ".join(a["letter"] for a in advice)
                                                     if advice else ""))

    def text_state(self) -> str:
        return self.session.display() if self.session else ""

    def _now(self) -> float:
        return time.monotonic()

    # ------------------------------------------------------------------ page hooks
    def page_shown(self) -> None:
        if not self._loaded:
            self.reload_alphabets()
        self._active = True
        self.mirror.refresh_source()
        if self.shown_hook:
            self.shown_hook()

    def page_hidden(self) -> None:
        self._active = False
        if self.hidden_hook:
            self.hidden_hook()

    def shutdown(self) -> None:
        self._idle.stop()
        self.target.stop()
        if self.stats is not None:
            self.stats.close()
            self.stats = None
