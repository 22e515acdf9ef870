"""No phone-home: switch off the telemetry of the libraries the app loads.

onnxruntime (1.2x+ Linux wheels) starts a 1DS telemetry client when it is *imported*: it writes
a device id and an event queue to ``~/.cache/Microsoft/DeveloperTools/.onnxruntime`` and looks
up the vendor's events host to upload them. ``ORT_DISABLE_TELEMETRY=1`` must be in the
environment before the import (checked with strace: no DNS, no file); ``onnxruntime()`` also
calls ``disable_telemetry_events()`` for a process that imported onnxruntime earlier.
Hugging Face libraries (training only) get their telemetry switch too, and matplotlib (imported
by MediaPipe) keeps its font cache in the app's cache folder instead of ``~/.config/matplotlib``.

``apply_environment()`` runs when the package is imported, so every entry point (CLI, GUI,
bundle, tests) is covered; it never turns telemetry back on for a user who set it off.
"""
from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT = {
    "ORT_DISABLE_TELEMETRY": "1",       # onnxruntime's 1DS client (read at import)
    "HF_HUB_DISABLE_TELEMETRY": "1",    # huggingface_hub (training extra only)
    "DO_NOT_TRACK": "1",                # the common opt-out some libraries honour
}


def cache_dir() -> Path:
    """The app's cache folder (not created here): ``$XDG_CACHE_HOME/signclip-desktop``
    (``~/.cache/signclip-desktop``), also with ``SIGNCLIP_HOME`` set: a cache holds nothing of
    the user's, and a fresh ``SIGNCLIP_HOME`` then does not rebuild matplotlib's font list."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "signclip-desktop"


def apply_environment() -> None:
    for key, value in ENVIRONMENT.items():
        if key == "ORT_DISABLE_TELEMETRY":
            os.environ[key] = value  # the offline promise is not optional
        else:
            os.environ.setdefault(key, value)
    # MediaPipe imports matplotlib, which writes a font cache to ~/.cache and ~/.config/matplotlib:
    # keep it in the app's own cache folder
    os.environ.setdefault("MPLCONFIGDIR", str(cache_dir() / "matplotlib"))


def onnxruntime():
    """The ``onnxruntime`` module with its telemetry off (before any session is created)."""
    apply_environment()
    import onnxruntime as ort  # noqa: PLC0415

    off = getattr(ort, "disable_telemetry_events", None)
    if off is not None:
        off()
    return ort
