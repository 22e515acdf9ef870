"""The guesses panel: the best guesses with a confidence bar and the sign language in words.

It shows the prediction that goes with the current sign (``stream.stable.Decision.shown``), so
the panel and the big current sign never disagree; between signs it keeps the last result,
dimmed, instead of blanking out."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from . import theme
from ..languages import chip_name, language_name

CONFIDENCE_WORDS = {"sure": "sure", "maybe": "maybe", "unsure": "not sure"}
STALE_BAR = "#5b6675"


class ConfidenceBar(QWidget):
    """A horizontal bar with the percentage written at its end."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.value = 0.0
        self.colour = theme.ACCENT
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_value(self, v: float | None, colour: str | None = None) -> None:
        self.value = None if v is None else float(np.clip(v, 0, 1))
        self.colour = colour or theme.ACCENT
        self.update()

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0, 3, 0, -3)
        label_w = self.fontMetrics().horizontalAdvance("100%") + 8
        trough = QRectF(r.x(), r.y(), max(10.0, r.width() - label_w), r.height())
        if self.value is None:
            p.end()
            return
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(theme.PANEL_2))
        p.drawRoundedRect(trough, 5, 5)
        if self.value > 0:
            fill = QRectF(trough.x(), trough.y(), max(trough.height(), trough.width() * self.value), trough.height())
            p.setBrush(QColor(self.colour))
            p.drawRoundedRect(fill, 5, 5)
        p.setPen(QColor(theme.TEXT))
        p.drawText(QRectF(trough.right(), r.y() - 3, label_w, r.height() + 6),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{self.value * 100:.0f}%")
        p.end()


def fit_text(label: QLabel, text: str, width: int, steps: int = 3) -> None:
    """``text`` in ``label`` at its full size, or up to ``steps`` points smaller when that makes it
    fit ``width`` ("how are you" whole at 1024 px), elided only when even that does not."""
    f = label.font()
    full = int(label.property("full_pt") or f.pointSize())
    for pt in range(full, max(6, full - steps) - 1, -1):
        f.setPointSize(pt)
        if QFontMetrics(f).horizontalAdvance(text) <= width:
            break
    label.setFont(f)
    label.setText(QFontMetrics(f).elidedText(text, Qt.TextElideMode.ElideRight, width))


def _chip_style(tag: QLabel, pt: int) -> None:
    if tag.property("shown_pt") != pt:
        tag.setStyleSheet(f"{tag.property('chip_style') or ''} font-size:{pt}pt;")
        tag.setProperty("shown_pt", pt)


def fit_chip(tag: QLabel, text: str, steps: int = 3) -> None:
    """A sign language's chip: its name at the chip's type size, or up to ``steps`` points smaller
    when that makes it whole ('Swiss-German', 'New Zealand'), elided only when even that does not."""
    full = int(tag.property("chip_pt") or tag.font().pointSize())
    width = tag.width() - 12
    f = tag.font()
    for pt in range(full, max(6, full - steps) - 1, -1):
        f.setPointSize(pt)
        if QFontMetrics(f).horizontalAdvance(text) <= width:
            break
    _chip_style(tag, pt)
    tag.setText(QFontMetrics(f).elidedText(text, Qt.TextElideMode.ElideRight, width))


class TopKPanel(QFrame):
    """Best guesses: label, confidence bar, language. Rows keep their place (no jumping)."""

    MAX_ROWS = 10

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("card")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 14)
        lay.setSpacing(6)
        head = QHBoxLayout()
        self.title = QLabel("TOP GUESSES")
        self.title.setObjectName("heading")
        self.confidence = QLabel("")
        self.confidence.setObjectName("dim")
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.confidence)
        lay.addLayout(head)
        self.note = QLabel("")
        self.note.setObjectName("dim")
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # one line, elided
        lay.addWidget(self.note)
        self.rows = []
        for _ in range(self.MAX_ROWS):
            row = QWidget()
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            rl.setSpacing(8)
            name = QLabel("")
            name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            tag = QLabel("")
            tag.setAlignment(Qt.AlignmentFlag.AlignCenter)
            bar = ConfidenceBar()
            rl.addWidget(name, 1)
            rl.addWidget(bar)
            rl.addWidget(tag)
            lay.addWidget(row)
            self.rows.append((row, name, tag, bar))
        lay.addStretch(1)
        self._last = (None, {}, "", False)
        self.apply_theme()
        self.set_k(5)
        self.set_prediction(None)

    def apply_theme(self) -> None:
        """Type sizes and colours of the current theme and zoom."""
        for row, name, tag, bar_ in self.rows:
            f = name.font()
            f.setPointSize(theme.pt(2))
            f.setBold(True)
            name.setFont(f)
            name.setProperty("full_pt", theme.pt(2))
            tag.setProperty("chip_style", f"background:{theme.PANEL_2}; color:{theme.TEXT_DIM}; border-radius:6px;"
                                          f" padding:1px 6px;")
            tag.setProperty("chip_pt", theme.pt(-2))
            tag.setProperty("shown_pt", None)
            _chip_style(tag, theme.pt(-2))
            tag.setFixedWidth(round(84 * theme.ZOOM))  # one width in every row, so the bars line up
            bar_.setFixedWidth(round(104 * theme.ZOOM))
            row.setFixedHeight(max(30, name.fontMetrics().height() + 8))
        self.set_prediction(*self._last)

    def set_k(self, k: int) -> None:
        self.k = max(1, min(int(k), self.MAX_ROWS))
        for i, (row, *_rest) in enumerate(self.rows):
            row.setVisible(i < self.k)

    def set_note(self, text: str) -> None:
        """One line under the heading (elided; the whole text is the tooltip)."""
        self._note_text = text
        self.note.setToolTip(text)
        self.note.setVisible(bool(text))
        self._elide_note()

    def _elide_note(self) -> None:
        text = getattr(self, "_note_text", "")
        w = max(50, self.contentsRect().width() - 32)
        self.note.setText(self.note.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, w))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._elide_note()
        self.set_prediction(*self._last)  # re-elide the names at the new width

    def set_prediction(self, prediction, texts: dict | None = None, idle_text: str = "", stale: bool = False) -> None:
        """``texts`` maps label id -> display text. ``prediction`` None = nothing yet; ``stale``: the last
        result, kept (dimmed) while nobody is signing."""
        texts = texts or {}
        self._last = (prediction, texts, idle_text, stale)
        top = list(prediction.top) if prediction is not None else []
        conf = prediction.confidence if prediction is not None else None
        colour = STALE_BAR if stale else theme.CONFIDENCE_COLOURS.get(conf or "", theme.ACCENT)
        if idle_text:
            self.confidence.setText(idle_text)
        else:
            self.confidence.setText(("last: " if stale else "") + CONFIDENCE_WORDS.get(conf or "", ""))
        for i, (_row, name, tag, bar) in enumerate(self.rows):
            if i < len(top):
                g = top[i]
                text = texts.get(g.label, g.text or g.label)
                fit_text(name, text, max(40, name.width()))
                name.setToolTip(text)
                name.setStyleSheet("" if i == 0 and not stale else f"color:{theme.TEXT_DIM};")
                personal = getattr(g, "source", "pack") == "personal"
                words = "yours" if personal else chip_name(g.language)
                fit_chip(tag, words)
                tag.setToolTip(language_name(g.language) + (" — your own example" if personal else ""))
                tag.setVisible(True)
                bar.set_value(g.score, colour if i == 0 else STALE_BAR)
            else:
                name.setText("—" if i == 0 and prediction is None else "")
                name.setStyleSheet(f"color:{theme.TEXT_DIM};")
                tag.setVisible(False)
                bar.set_value(None)
