"""Work-around for a PySide6 6.12 reference-count bug on Python 3.11.

With PySide6-Essentials 6.12.0 on CPython 3.11, every call of a Qt method that returns
``void`` (``QPainter.drawLine``, ``setPen``, ``QObject.setObjectName``, ...) *decrements*
the reference count of ``None`` without having incremented it (shiboken returns
``Py_None`` as if it were immortal, which it is only from Python 3.12 on, PEP 683). A
window that paints 30 frames a second reaches zero after a few seconds and the process
aborts with "Fatal Python error: none_dealloc: deallocating None".

``make_none_immortal()`` gives ``None`` a huge reference count, which is what Python
3.12+ does anyway; it is a no-op on 3.12 and later. ``gui/__init__.py`` calls it before
any Qt import, so everything under ``signclip_desktop.gui`` is covered.
``tests/gui/test_pyside_none_refcount.py`` checks that the work-around holds.
"""
from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 60


def none_refcount() -> int:
    return sys.getrefcount(None)


def make_none_immortal() -> bool:
    """True if the work-around was applied now (CPython < 3.12 only)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    ref = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is the first field of PyObject
    if ref.value >= _BOOST // 2:
        return False
    ref.value += _BOOST
    return True
