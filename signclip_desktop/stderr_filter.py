"""Hold back native libraries' start-up chatter on stderr without losing anyone's errors.

MediaPipe, TF Lite, absl/glog and FFmpeg print INFO/WARNING lines on file descriptor 2
before any log level applies. Pointing fd 2 at /dev/null for that window (as before) also
threw away whatever *other* threads wrote there meanwhile. Instead, fd 2 goes to a temporary
file for the window; afterwards the real stderr is back and every captured line that is not
known noise is written to it (late, but complete). Overlapping uses from several threads
share one capture; the last one out restores and replays.
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading

NOISE = re.compile(
    r"^(?:[IW]\d{4} [\d:.]+\s+\d+ \S+:\d+\]"            # glog/absl INFO and WARNING lines
    r"|WARNING: All log messages before absl::InitializeLog\(\)"
    r"|INFO: Created TensorFlow Lite"                      # TF Lite delegates
    r"|INFO: Initialized TensorFlow Lite"
    r"|\[(?:mov,mp4|h264|hevc|mpeg4|matroska|avi|NULL|swscaler|image2)[^\]]*@ ?0x[0-9a-f]+\]"  # FFmpeg
    r"|OpenCV: FFMPEG:"
    r")"
)

_lock = threading.Lock()
_depth = 0
_saved: int | None = None
_capture = None


def is_noise(line: str) -> bool:
    return bool(NOISE.match(line.strip())) or not line.strip()


@contextlib.contextmanager
def filtered_stderr(enabled: bool = True):
    """fd 2 into a temp file while the block runs, then replay what is not noise."""
    global _depth, _saved, _capture
    if not enabled:
        yield
        return
    with _lock:
        if _depth == 0:
            _flush()
            try:
                cap = tempfile.TemporaryFile()
                saved = os.dup(2)
                os.dup2(cap.fileno(), 2)
            except OSError:
                cap, saved = None, None
            _capture, _saved = cap, saved
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                _flush()
                os.dup2(_saved, 2)
                os.close(_saved)
                _saved = None
                _replay(_capture)
                _capture = None


def _flush() -> None:
    try:
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _replay(cap) -> None:
    if cap is None:
        return
    try:
        cap.seek(0)
        data = cap.read(1 << 20)  # a runaway writer is cut, not replayed in full
        keep = [ln for ln in data.decode("utf-8", "replace").splitlines(True) if not is_noise(ln)]
        if keep:
            os.write(2, "".join(keep).encode("utf-8", "replace"))
    except OSError:
        pass
    finally:
        cap.close()
