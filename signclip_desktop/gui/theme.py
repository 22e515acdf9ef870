"""Colours, type sizes and the style sheet: a calm dark theme and a high-contrast one, at a zoom.

Hand colours are an orange / sky-blue pair that stays distinct for the common kinds of
colour blindness; nothing in the app blinks or flashes.
"""
from __future__ import annotations

import os

# Two palettes. Module-level names (theme.TEXT, ...) always hold the active one: widgets read
# them when they paint, so a switch shows at the next repaint.
PALETTES = {
    "dark": dict(
        BG="#15181d", PANEL="#1f242b", PANEL_2="#2a3039", CANVAS="#101317", TEXT="#f3f5f8",
        TEXT_DIM="#a9b2bf", ACCENT="#7cc4ff", SELECT="#244a6b", BORDER="#3a424d", OK="#7bd88f",
        WARN_BG="#3b2f12", WARN_BORDER="#f0b53c", INFO_BG="#15304a", INFO_BORDER="#7cc4ff",
        LEFT_HAND="#ff9f40", RIGHT_HAND="#4db8ff", POSE="#e8ecf1", FACE="#8c96a3", CARD_BORDER="#1f242b"),
    # pure black and white with yellow focus: for low vision and bright rooms
    "high-contrast": dict(
        BG="#000000", PANEL="#000000", PANEL_2="#1a1a1a", CANVAS="#000000", TEXT="#ffffff",
        TEXT_DIM="#e6e6e6", ACCENT="#ffd400", SELECT="#003d80", BORDER="#ffffff", OK="#00ff66",
        WARN_BG="#000000", WARN_BORDER="#ffd400", INFO_BG="#000000", INFO_BORDER="#ffffff",
        LEFT_HAND="#ff9900", RIGHT_HAND="#33ccff", POSE="#ffffff", FACE="#bfbfbf", CARD_BORDER="#ffffff"),
}
THEMES = {"dark": "Dark (calm)", "high-contrast": "High contrast"}
CONFIDENCE_BY_THEME = {
    "dark": {"sure": "#7bd88f", "maybe": "#f0c75e", "unsure": "#8c96a3"},
    "high-contrast": {"sure": "#00ff66", "maybe": "#ffd400", "unsure": "#e6e6e6"},
}
ZOOM_STEPS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)

BASE_PT_100 = 12
CURRENT_PT_100 = 44
HISTORY_PT_100 = 17

NAME = "dark"
ZOOM = 1.0
BG = PANEL = PANEL_2 = CANVAS = TEXT = TEXT_DIM = ACCENT = SELECT = BORDER = OK = ""
WARN_BG = WARN_BORDER = INFO_BG = INFO_BORDER = LEFT_HAND = RIGHT_HAND = POSE = FACE = CARD_BORDER = ""
CONFIDENCE_COLOURS: dict[str, str] = {}
BASE_PT, CURRENT_PT, HISTORY_PT = BASE_PT_100, CURRENT_PT_100, HISTORY_PT_100


def set_theme(name: str = "dark", zoom: float = 1.0) -> None:
    """Make ``name`` (a key of PALETTES; unknown names fall back to dark) and ``zoom`` current."""
    global NAME, ZOOM, CONFIDENCE_COLOURS, BASE_PT, CURRENT_PT, HISTORY_PT
    NAME = name if name in PALETTES else "dark"
    ZOOM = clamp_zoom(zoom)
    globals().update(PALETTES[NAME])
    CONFIDENCE_COLOURS = dict(CONFIDENCE_BY_THEME[NAME])
    BASE_PT, CURRENT_PT, HISTORY_PT = pt(0), round(CURRENT_PT_100 * ZOOM), round(HISTORY_PT_100 * ZOOM)


def clamp_zoom(zoom) -> float:
    try:
        z = float(zoom)
    except (TypeError, ValueError):
        return 1.0
    return min(ZOOM_STEPS[-1], max(ZOOM_STEPS[0], z)) if z == z else 1.0


def zoom_step(zoom: float, direction: int) -> float:
    """The next zoom step up (+1) or down (-1) from ``zoom``; 0 resets to 100%."""
    if direction == 0:
        return 1.0
    steps = ZOOM_STEPS if direction > 0 else ZOOM_STEPS[::-1]
    for s in steps:
        if (s > zoom + 1e-6) if direction > 0 else (s < zoom - 1e-6):
            return s
    return steps[-1]


def pt(offset: int = 0) -> int:
    """A type size ``offset`` points above the base, at the current zoom."""
    return max(6, round((BASE_PT_100 + offset) * ZOOM))


set_theme("dark", 1.0)


def _style() -> str:
    return f"""
QMainWindow, QWidget#page, QDialog {{ background: {BG}; color: {TEXT}; }}
QWidget {{ color: {TEXT}; }}
QFrame#card {{ background: {PANEL}; border: 1px solid {CARD_BORDER}; border-radius: 10px; }}
QLabel#dim {{ color: {TEXT_DIM}; }}
QLabel#heading {{ color: {TEXT_DIM}; font-size: {pt(0)}pt; font-weight: 600; letter-spacing: 1px; }}
QLabel#current {{ font-size: {CURRENT_PT}pt; font-weight: 700; }}
QLabel#history {{ font-size: {HISTORY_PT}pt; color: {TEXT_DIM}; }}
QLabel#status {{ color: {TEXT_DIM}; font-family: "DejaVu Sans Mono", monospace; font-size: {pt(-1)}pt; }}
QFrame#banner {{ background: {WARN_BG}; border: 2px solid {WARN_BORDER}; border-radius: 10px; }}
QFrame#notice {{ background: {INFO_BG}; border: 2px solid {INFO_BORDER}; border-radius: 10px; }}
QFrame#banner QLabel, QFrame#notice QLabel {{ font-size: {pt(2)}pt; }}
QPushButton, QToolButton {{ background: {PANEL_2}; border: 1px solid {BORDER}; border-radius: 8px; padding: 7px 14px; }}
QPushButton:hover, QToolButton:hover {{ border-color: {ACCENT}; }}
QPushButton:focus, QToolButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton:disabled {{ color: {TEXT_DIM}; }}
QPushButton#big {{ font-size: {pt(4)}pt; font-weight: 600; padding: 12px 24px; background: {SELECT}; border-color: {ACCENT}; }}
QComboBox, QSpinBox, QDoubleSpinBox, QLineEdit, QPlainTextEdit, QTextEdit {{ background: {PANEL_2}; color: {TEXT};
    border: 1px solid {BORDER}; border-radius: 6px; padding: 4px 8px; selection-background-color: {SELECT}; }}
QComboBox, QSpinBox, QDoubleSpinBox, QLineEdit {{ min-height: 26px; }}
QComboBox::drop-down {{ border: none; width: 28px; }}
QComboBox::down-arrow {{ image: url(@DOWN@); width: 12px; height: 8px; }}
QSpinBox::up-button, QSpinBox::down-button {{ border: none; width: 24px; background: transparent; }}
QSpinBox::up-arrow {{ image: url(@UP@); width: 10px; height: 7px; }}
QSpinBox::down-arrow {{ image: url(@DOWN@); width: 10px; height: 7px; }}
QComboBox QAbstractItemView {{ background: {PANEL_2}; selection-background-color: {SELECT}; }}
QAbstractItemView, QTreeView, QListView, QTableView {{ background: {PANEL_2}; color: {TEXT}; alternate-background-color: {PANEL};
    selection-background-color: {SELECT}; selection-color: {TEXT}; border: 1px solid {BORDER}; }}
QHeaderView::section {{ background: {PANEL}; color: {TEXT}; border: none; padding: 4px 8px; }}
QScrollBar {{ background: {PANEL}; }}
QScrollBar::handle {{ background: {BORDER}; border-radius: 4px; min-height: 24px; min-width: 24px; }}
QCheckBox {{ spacing: 8px; }}
QSlider::groove:horizontal {{ height: 6px; background: {PANEL_2}; border-radius: 3px; }}
QSlider::handle:horizontal {{ background: {ACCENT}; width: 18px; margin: -7px 0; border-radius: 9px; }}
QListWidget#nav {{ background: {PANEL}; border: none; font-size: {pt(2)}pt; padding: 6px; }}
QListWidget#nav::item {{ padding: 10px 12px; border-radius: 8px; }}
QListWidget#nav::item:selected {{ background: {SELECT}; color: {TEXT}; }}
QMenuBar {{ background: {PANEL}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: {SELECT}; }}
QMenu {{ background: {PANEL}; border: 1px solid {BORDER}; }}
QToolTip {{ background: {PANEL}; color: {TEXT}; border: 1px solid {ACCENT}; }}
"""


def palette():
    """A QPalette of the current theme: dialogs and views that the style sheet misses (the file
    dialog's list, message boxes) still get dark backgrounds with light text."""
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette()
    R = QPalette.ColorRole
    for role, colour in ((R.Window, BG), (R.WindowText, TEXT), (R.Base, PANEL_2), (R.AlternateBase, PANEL),
                         (R.Text, TEXT), (R.Button, PANEL_2), (R.ButtonText, TEXT), (R.Highlight, SELECT),
                         (R.HighlightedText, TEXT), (R.ToolTipBase, PANEL), (R.ToolTipText, TEXT),
                         (R.PlaceholderText, TEXT_DIM), (R.BrightText, ACCENT), (R.Link, ACCENT)):
        pal.setColor(role, QColor(colour))
    for role in (R.Text, R.WindowText, R.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(TEXT_DIM))
    return pal


def _arrow_files() -> dict[str, str]:
    """Small arrow PNGs for the combo and spin boxes, drawn once with QPainter into a cache
    folder (no image files to ship, no SVG plugin needed). Needs a QGuiApplication."""
    import tempfile
    from pathlib import Path

    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPolygonF

    folder = Path(tempfile.gettempdir()) / f"signclip-desktop-ui-{os.getuid() if hasattr(os, 'getuid') else 0}"
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, pts in (("down", [(1, 2), (23, 2), (12, 14)]), ("up", [(1, 14), (23, 14), (12, 2)])):
        path = folder / f"arrow-{name}-{TEXT_DIM.lstrip('#')}.png"  # one per theme colour
        if not path.exists():
            img = QImage(24, 16, QImage.Format.Format_ARGB32)
            img.fill(Qt.GlobalColor.transparent)
            p = QPainter(img)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(TEXT_DIM))
            p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in pts]))
            p.end()
            tmp = path.with_suffix(".tmp.png")
            img.save(str(tmp))
            os.replace(tmp, path)
        out[name] = path.as_posix()
    return out


def stylesheet() -> str:
    """The style sheet with its arrow images in place (call after QApplication exists)."""
    try:
        arrows = _arrow_files()
    except OSError:
        arrows = {"down": "", "up": ""}
    return _style().replace("@DOWN@", arrows["down"]).replace("@UP@", arrows["up"])
