"""Practice pages: Teach a sign, Fingerspelling practice, Grade (Qt side of ``practice/``).

``install_practice_pages(win)`` adds them to a ``MainWindow`` through its ``add_page`` hook
and connects them to the live pipeline (see ``pages/context.py``).
"""
from __future__ import annotations


def install_practice_pages(win) -> dict:
    from .context import install

    return install(win)
