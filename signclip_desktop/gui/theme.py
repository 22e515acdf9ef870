"""Colours, type sizes and the style sheet: one calm, high-contrast dark theme.

Hand colours are an orange / sky-blue pair that stays distinct for the common kinds of
colour blindness; nothing in the app blinks or flashes.
"""
from __future__ import annotations

import os

BG = "#15181d"            # window
PANEL = "#1f242b"         # cards
PANEL_2 = "#2a3039"       # inputs, bar troughs
CANVAS = "#101317"        # behind the video / the skeleton-only canvas
TEXT = "#f3f5f8"
TEXT_DIM = "#a9b2bf"
ACCENT = "#7cc4ff"
OK = "#7bd88f"
WARN_BG = "#3b2f12"
WARN_BORDER = "#f0b53c"
INFO_BG = "#15304a"
INFO_BORDER = "#7cc4ff"

LEFT_HAND = "#ff9f40"     # orange
RIGHT_HAND = "#4db8ff"    # sky blue
POSE = "#e8ecf1"
FACE = "#8c96a3"

CONFIDENCE_COLOURS = {"sure": "#7bd88f", "maybe": "#f0c75e", "unsure": "#8c96a3"}

BASE_PT = 12
CURRENT_PT = 44
HISTORY_PT = 17

STYLE = f"""
QMainWindow, QWidget#page {{ background: {BG}; color: {TEXT}; }}
QWidget {{ color: {TEXT}; }}
QFrame#card {{ background: {PANEL}; border-radius: 10px; }}
QLabel#dim {{ color: {TEXT_DIM}; }}
QLabel#heading {{ color: {TEXT_DIM}; font-size: {BASE_PT}pt; font-weight: 600; letter-spacing: 1px; }}
QLabel#current {{ font-size: {CURRENT_PT}pt; font-weight: 700; }}
QLabel#history {{ font-size: {HISTORY_PT}pt; color: {TEXT_DIM}; }}
QLabel#status {{ color: {TEXT_DIM}; font-family: "DejaVu Sans Mono", monospace; font-size: {BASE_PT - 1}pt; }}
QFrame#banner {{ background: {WARN_BG}; border: 2px solid {WARN_BORDER}; border-radius: 10px; }}
QFrame#notice {{ background: {INFO_BG}; border: 2px solid {INFO_BORDER}; border-radius: 10px; }}
QFrame#banner QLabel, QFrame#notice QLabel {{ font-size: {BASE_PT + 2}pt; }}
QPushButton {{ background: {PANEL_2}; border: 1px solid #3a424d; border-radius: 8px; padding: 7px 14px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton#big {{ font-size: {BASE_PT + 4}pt; font-weight: 600; padding: 12px 24px; background: #244a6b; border-color: {ACCENT}; }}
QComboBox, QSpinBox, QDoubleSpinBox {{ background: {PANEL_2}; border: 1px solid #3a424d; border-radius: 6px; padding: 4px 8px; min-height: 26px; }}
QComboBox::drop-down {{ border: none; width: 28px; }}
QComboBox::down-arrow {{ image: url(@DOWN@); width: 12px; height: 8px; }}
QSpinBox::up-button, QSpinBox::down-button {{ border: none; width: 24px; background: transparent; }}
QSpinBox::up-arrow {{ image: url(@UP@); width: 10px; height: 7px; }}
QSpinBox::down-arrow {{ image: url(@DOWN@); width: 10px; height: 7px; }}
QComboBox QAbstractItemView {{ background: {PANEL_2}; selection-background-color: #244a6b; }}
QCheckBox {{ spacing: 8px; }}
QSlider::groove:horizontal {{ height: 6px; background: {PANEL_2}; border-radius: 3px; }}
QSlider::handle:horizontal {{ background: {ACCENT}; width: 18px; margin: -7px 0; border-radius: 9px; }}
QListWidget#nav {{ background: {PANEL}; border: none; font-size: {BASE_PT + 2}pt; padding: 6px; }}
QListWidget#nav::item {{ padding: 10px 12px; border-radius: 8px; }}
QListWidget#nav::item:selected {{ background: #244a6b; color: {TEXT}; }}
QMenuBar {{ background: {PANEL}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: #244a6b; }}
QMenu {{ background: {PANEL}; border: 1px solid #3a424d; }}
QToolTip {{ background: {PANEL}; color: {TEXT}; border: 1px solid {ACCENT}; }}
"""


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
        path = folder / f"arrow-{name}.png"
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
    return STYLE.replace("@DOWN@", arrows["down"]).replace("@UP@", arrows["up"])
