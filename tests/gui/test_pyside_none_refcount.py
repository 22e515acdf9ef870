"""PySide6 6.12 on Python 3.11 drops references to None (every void Qt call) and to True/False
(signals carrying Python objects); the gui package works around it (gui/_compat.py).
Without the work-around these tests abort the process."""
import sys

from PySide6.QtCore import QLineF, QObject, Signal
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


class _Emitter(QObject):
    as_dict = Signal(dict)
    as_object = Signal(object)


def test_signals_carrying_bools_do_not_kill_true_and_false(qapp):
    e = _Emitter()
    got = []
    e.as_dict.connect(got.append)
    e.as_object.connect(got.append)
    for _ in range(5_000):
        e.as_dict.emit({"final": True, "sure": False})
        e.as_object.emit({"final": True, "sure": False})
    assert len(got) == 10_000
    got.clear()
    assert sys.getrefcount(True) > 1_000_000 or sys.version_info >= (3, 12)
    assert sys.getrefcount(False) > 1_000_000 or sys.version_info >= (3, 12)
