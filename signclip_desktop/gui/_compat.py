"""Work-around for PySide6 6.12 reference-count bugs on Python 3.11.

With PySide6-Essentials 6.12.0 on CPython 3.11, shiboken treats ``None``, ``True`` and
``False`` as immortal (which they are only from Python 3.12 on, PEP 683) and drops
references it never took:

* every call of a Qt method that returns ``void`` (``QPainter.drawLine``, ``setPen``,
  ``QWidget.setVisible``, ...) decrements ``None``;
* a signal that carries a Python object holding ``True``/``False`` (``Signal(dict)``,
  ``Signal(object)`` with a dict or tuple) decrements ``True``/``False`` once per emit.

A window painting 30 frames a second takes ``None`` to zero within seconds, and the bools
die at interpreter exit; the process aborts with "Fatal Python error: none_dealloc" /
"bool_dealloc". ``make_none_immortal()`` gives the three singletons a huge reference count,
which is what Python 3.12+ does anyway (no-op there). ``gui/__init__.py`` calls it before
any Qt import, so everything under ``signclip_desktop.gui`` is covered.
``tests/gui/test_pyside_none_refcount.py`` checks that the work-around holds.
"""
from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 60


def none_refcount() -> int:
    return sys.getrefcount(None)


SINGLETONS = (None, True, False)


def make_none_immortal() -> bool:
    """Make None, True and False effectively immortal; True if applied now (CPython < 3.12 only)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    applied = False
    for obj in SINGLETONS:
        ref = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field of PyObject
        if ref.value < _BOOST // 2:
            ref.value += _BOOST
            applied = True
    return applied
