"""Help: the keyboard shortcuts, what the confidence words mean, and what each installed pack
knows and how well (from its own model card: ``model/card.py``)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from ..languages import short_name
from .live_helpers import html

SHORTCUTS = (
    ("Ctrl+1 … Ctrl+5", "Go to Live, Teach a sign, Fingerspelling, Grade, Signs"),
    ("Space", "Start or stop a recording (Teach a sign, Grade, Fingerspelling, Calibrate to me)"),
    ("Esc", "Cancel a recording"),
    ("Ctrl+= / Ctrl+-", "Make everything bigger / smaller (remembered)"),
    ("Ctrl+0", "Normal size"),
    ("Ctrl+C", "Copy the transcript (or the selected part of it)"),
    ("Ctrl+O", "Open a video or keypoint file"),
    ("F1", "This help"),
    ("Ctrl+Q", "Quit"),
)

CONFIDENCE = (
    ("sure", "The best guess is far ahead of the second one. On signers the model never saw, "
             "“sure” guesses are right most of the time (the pack's card says how often)."),
    ("maybe", "The best guess leads, but another sign is close. Read the list of guesses."),
    ("not sure", "Two or more signs are about as likely. The current sign does not change on such a window."),
    ("Not a sign I know", "What you signed matches none of the pack's signs well enough. The app says so "
                          "instead of guessing; the closest signs are still listed, dimmed."),
    ("dimmed guesses", "The last result, kept while nobody is signing."),
    ("yours", "A match with one of your own taught signs (Teach a sign, Calibrate to me)."),
)


def _table(rows) -> str:
    cells = "".join(f"<tr><td style='padding:4px 16px 4px 0'><b>{html(a)}</b></td><td style='padding:4px 0'>"
                    f"{html(b)}</td></tr>" for a, b in rows)
    return f"<table>{cells}</table>"


def packs_html(packs=None) -> str:
    """Each installed pack's summary: its description and the first rows of its card's results."""
    from ..model.card import summarize_card

    if packs is None:
        from ..model.registry import list_packs

        packs = list_packs()
    parts = []
    for p in packs:
        if getattr(p, "error", None):
            parts.append(f"<h3>{html(p.path.name)}</h3><p>This pack cannot be used: {html(p.error)}</p>")
            continue
        s = summarize_card(p.path, p.description)
        langs = ", ".join(short_name(c) for c in p.languages[:6]) + (" …" if len(p.languages) > 6 else "")
        body = f"<p>{html(s.description)}</p><p>{p.num_labels} signs · {html(langs)}</p>"
        if s.results:
            body += "<p>How well, measured on signers the model never saw (from its model card):</p>" + _table(s.results)
        elif not s.has_card:
            body += "<p>This pack has no model card, so how well it works is not known.</p>"
        parts.append(f"<h3>{html(p.name)}</h3>{body}")
    return "".join(parts) or "<p>No packs are installed.</p>"


class HelpDialog(QDialog):
    def __init__(self, parent=None, packs=None):
        super().__init__(parent)
        self.setWindowTitle("SignCLIP Desktop — Help")
        self.resize(760, 560)
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget()
        for title, text in (("Keyboard", _table(SHORTCUTS)), ("Confidence words", _table(CONFIDENCE)),
                            ("What the signs know", packs_html(packs))):
            self.tabs.addTab(self._page(text), title)
        lay.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    @staticmethod
    def _page(text: str) -> QWidget:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setMargin(12)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(label)
        return area
