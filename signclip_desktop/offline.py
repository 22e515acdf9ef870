"""No phone-home: switch off the telemetry of the libraries the app loads.

onnxruntime (1.2x+ Linux wheels) starts a 1DS telemetry client when it is *imported*: it writes
a device id and an event queue to ``~/.cache/Microsoft/DeveloperTools/.onnxruntime`` and looks
up the vendor's events host to upload them. ``ORT_DISABLE_TELEMETRY=1`` must be in the
environment before the import (checked with strace: no DNS, no file); ``onnxruntime()`` also
calls ``disable_telemetry_events()`` for a process that imported onnxruntime earlier.
Hugging Face libraries (training only) get their telemetry switch too.

``apply_environment()`` runs when the package is imported, so every entry point (CLI, GUI,
bundle, tests) is covered; it never turns telemetry back on for a user who set it off.
"""
from __future__ import annotations

import os

ENVIRONMENT = {
    "ORT_DISABLE_TELEMETRY": "1",       # onnxruntime's 1DS client (read at import)
    "HF_HUB_DISABLE_TELEMETRY": "1",    # huggingface_hub (training extra only)
    "DO_NOT_TRACK": "1",                # the common opt-out some libraries honour
}


def apply_environment() -> None:
    for key, value in ENVIRONMENT.items():
        if key == "ORT_DISABLE_TELEMETRY":
            os.environ[key] = value  # the offline promise is not optional
        else:
            os.environ.setdefault(key, value)


def onnxruntime():
    """The ``onnxruntime`` module with its telemetry off (before any session is created)."""
    apply_environment()
    import onnxruntime as ort  # noqa: PLC0415

    off = getattr(ort, "disable_telemetry_events", None)
    if off is not None:
        off()
    return ort
