"""Helpers for the fault suite (imported by the tests; fixtures are in conftest.py)."""
import sys
import threading
from pathlib import Path

from fakes import wait_for  # noqa: F401 (the fault tests import it from here)

REPO = Path(__file__).resolve().parents[2]


class Events:
    """Collects LiveSession events from the worker threads (by ``event.name``)."""

    def __init__(self):
        self.items = []
        self.lock = threading.Lock()

    def __call__(self, event):
        with self.lock:
            self.items.append((event.name, event))

    def of(self, name):
        with self.lock:
            return [p for n, p in self.items if n == name]

    def names(self):
        with self.lock:
            return [n for n, _ in self.items]


def python() -> str:
    return sys.executable
