"""PySide6 6.12 on Python 3.11 drops a reference to None on every void Qt call; the gui package
works around it (signclip_desktop/gui/_compat.py). Without it this test aborts the process."""
import sys

from PySide6.QtCore import QLineF
from PySide6.QtGui import QImage, QPainter

from signclip_desktop.gui._compat import make_none_immortal


def test_many_void_qt_calls_do_not_kill_none():
    make_none_immortal()  # idempotent
    before = sys.getrefcount(None)
    img = QImage(64, 64, QImage.Format.Format_RGB32)
    p = QPainter(img)
    line = QLineF(0, 0, 10, 10)
    for _ in range(200_000):
        p.drawLine(line)
    p.end()
    assert sys.getrefcount(None) > 1_000_000 or sys.version_info >= (3, 12)
    assert before - sys.getrefcount(None) <= 250_000
