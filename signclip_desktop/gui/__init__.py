"""The desktop window. The only package that imports Qt (PySide6).

* ``app.run_gui(args)``: QApplication + ``MainWindow`` (+ headless controls).
* ``main_window.MainWindow``: left navigation of pages; ``add_page(title, widget)`` adds one.
* ``live_page.LivePage``: video + skeleton, current sign, history, top guesses, settings.
* ``bridge.LiveBridge``: the one place where ``live.LiveSession`` events become Qt signals.
* ``widgets``: VideoView (frame + skeleton), TopKPanel, Banner, NoSourceScreen.
* ``make_demo``: builds ``resources/demo/demo.npz``, the built-in demo clip.

Importing this package applies ``_compat.make_none_immortal()`` (PySide6 6.12 on Python
3.11 drops a reference to ``None`` on every void Qt call; see ``_compat``).
"""
from ._compat import make_none_immortal

make_none_immortal()
