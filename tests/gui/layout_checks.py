"""Geometry checks for a rendered window: text that does not fit its widget, and widgets with
text that overlap each other. Used by the size tests (1024x640 to 4K)."""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

ELLIPSIS = "…"


def _visible_text_widgets(root: QWidget) -> list[QWidget]:
    out = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or w.width() <= 0 or w.height() <= 0:
            continue
        if isinstance(w, QLabel) and w.text() and w.pixmap().isNull():
            out.append(w)
        elif isinstance(w, (QAbstractButton, QComboBox)):
            out.append(w)
    return out


def _plain(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def clipped(root: QWidget) -> list[str]:
    """Widgets whose text is cut (not elided on purpose, not wrapped)."""
    bad = []
    for w in _visible_text_widgets(root):
        if isinstance(w, QLabel):
            if w.wordWrap():
                if w.heightForWidth(w.width()) > w.height() + 2:
                    bad.append(f"{w.objectName() or 'label'} {_plain(w.text())[:40]!r}: wrapped text taller than the label")
                continue
            text = _plain(w.text())
            if text.endswith(ELLIPSIS):
                continue
            need = max(w.fontMetrics().horizontalAdvance(line) for line in text.split("\n"))
            if need > w.contentsRect().width() + 2:
                bad.append(f"label {text[:40]!r}: needs {need}px, has {w.contentsRect().width()}px")
        elif isinstance(w, QAbstractButton) and w.text():
            if w.sizeHint().width() > w.width() + 2:
                bad.append(f"button {w.text()!r}: needs {w.sizeHint().width()}px, has {w.width()}px")
    return bad


def overlapping(root: QWidget) -> list[str]:
    """Pairs of text widgets (neither inside the other) whose rectangles intersect."""
    items = []
    for w in _visible_text_widgets(root):
        seen = w.visibleRegion().boundingRect()  # the part not cut off by a parent (a scroll area's viewport)
        if seen.isEmpty():
            continue  # scrolled out of view: the user scrolls to it
        tl = w.mapTo(root, seen.topLeft())
        items.append((w, QRect(tl, seen.size()).adjusted(1, 1, -1, -1)))
    bad = []
    for i, (a, ra) in enumerate(items):
        for b, rb in items[i + 1:]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            if ra.intersects(rb):
                ta = _plain(a.text()) if hasattr(a, "text") else type(a).__name__
                tb = _plain(b.text()) if hasattr(b, "text") else type(b).__name__
                bad.append(f"{ta[:30]!r} overlaps {tb[:30]!r}")
    return bad
