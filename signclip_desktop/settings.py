"""The app's user settings: a dataclass, read from and written to one JSON file.

Plain Python (no Qt), so it is tested on its own and the CLI can read it too.

Where: ``$SIGNCLIP_HOME/settings.json`` when ``SIGNCLIP_HOME`` is set, else
``$XDG_CONFIG_HOME/signclip-desktop/settings.json`` (``~/.config/signclip-desktop``).

Writes are atomic (temp file in the same folder, fsync, ``os.replace``): a crash
never leaves half a file. A file that is not valid JSON (or not a JSON object, or nested
more than ``limits.MAX_JSON_DEPTH`` levels; a UTF-8 BOM is accepted) is
moved aside to ``settings.json.bad`` and the defaults are used; ``load_settings``
returns a notice the window shows. A field with a wrong type or out-of-range value
falls back to its default on its own (the other fields are kept) and is named in the notice.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from . import limits
from .atomic import write_atomic

SETTINGS_FILE = "settings.json"
APP_DIR = "signclip-desktop"

SOURCE_KINDS = ("camera", "demo", "file")


def config_dir() -> Path:
    """The user's config folder for this app (not created here)."""
    home = os.environ.get("SIGNCLIP_HOME")
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / APP_DIR


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


@dataclass
class Settings:
    source: str = "camera"          # what to open at start: camera | demo | file
    camera_index: int = 0
    last_file: str = ""             # the video / .pose / .npz opened last (source == "file")
    loop: bool = True               # loop files and the demo
    mirror: bool = True             # show the camera like a mirror (inference always sees the real frame)
    left_handed: bool = False       # the signer's dominant hand is the left one
    pack: str = "words"             # pack name (words, fingerspelling, a user pack) or a pack folder path
    top_k: int = 5
    sensitivity: float = 1.0        # > 1 shows a sign sooner, < 1 waits for more certainty
    show_face: bool = True          # draw the face contour
    history_size: int = 8
    theme: str = "dark"             # dark | high-contrast
    zoom: float = 1.0               # the whole interface's size (Ctrl+= / Ctrl+-)
    calibration_offered: bool = False  # the first-run "calibrate to me" flow was shown once
    pack_languages: dict = field(default_factory=dict)  # pack name -> the sign language to recognise ("" = all)
    extra: dict = field(default_factory=dict)  # unknown keys are kept, for newer/older versions and pages

    def clamped(self) -> "Settings":
        """A copy with every value in its valid range."""
        s = Settings(**asdict(self))
        s.top_k = min(max(int(s.top_k), 1), 10)
        s.sensitivity = min(max(float(s.sensitivity), 0.25), 4.0)
        s.camera_index = max(int(s.camera_index), 0)
        s.history_size = min(max(int(s.history_size), 1), 30)
        s.zoom = min(max(float(s.zoom), 0.8), 2.0)
        if s.theme not in ("dark", "high-contrast"):
            s.theme = "dark"
        if s.source not in SOURCE_KINDS:
            s.source = "camera"
        return s

    def to_json(self) -> dict:
        d = asdict(self)
        extra = d.pop("extra")
        return {**extra, **d}




def _coerce(name: str, value, default):
    """Value of the default's type, or raise ValueError/TypeError."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(name)
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
            raise TypeError(name)
        return int(value)
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:  # NaN
            raise TypeError(name)
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise TypeError(name)
        return value
    if isinstance(default, dict):
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise TypeError(name)
        return dict(value)
    return value


def from_dict(d: dict) -> tuple[Settings, list[str]]:
    """Settings from a JSON object; returns (settings, names of fields that were invalid)."""
    base = Settings()
    bad: list[str] = []
    values = {}
    for f in fields(Settings):
        if f.name == "extra" or f.name not in d:
            continue
        try:
            values[f.name] = _coerce(f.name, d[f.name], getattr(base, f.name))
        except (TypeError, ValueError):
            bad.append(f.name)
    known = {f.name for f in fields(Settings)}
    extra = {k: v for k, v in d.items() if k not in known}
    if isinstance(d.get("extra"), dict):
        extra.update(d["extra"])
    s = Settings(**values, extra=extra)
    c = s.clamped()
    bad += [f.name for f in fields(Settings) if f.name != "extra" and f.name not in bad
            and getattr(c, f.name) != getattr(s, f.name)]
    return c, bad


def load_settings(path: Path | str | None = None) -> tuple[Settings, str | None]:
    """(settings, notice). ``notice`` is None when all went well, else a plain sentence for the user.

    A missing file gives the defaults silently. A corrupt file is renamed to
    ``settings.json.bad`` (replacing an older one) and the defaults are used."""
    path = Path(path) if path else settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(), None
    except OSError as e:
        return Settings(), _set_aside(path, f"could not be read ({e.__class__.__name__})")
    try:  # a BOM is fine; bad UTF-8, bad JSON, NaN, huge or deeply nested files are damage
        data = limits.json_text(raw, SETTINGS_FILE, max_bytes=1 << 20)
    except (limits.Invalid, RecursionError):
        return Settings(), _set_aside(path, "was damaged")
    if not isinstance(data, dict):
        return Settings(), _set_aside(path, "was not a settings file")
    try:
        s, bad = from_dict(data)
    except (TypeError, ValueError, RecursionError, OverflowError):
        return Settings(), _set_aside(path, "was not a settings file")
    if bad:
        return s, (f"Some settings were invalid and were reset to their defaults: {', '.join(bad)}.")
    return s, None


def _set_aside(path: Path, why: str) -> str:
    bad = path.with_name(path.name + ".bad")
    try:
        os.replace(path, bad)
        kept = f" The old file was kept as {bad}."
    except OSError:
        kept = ""
    return f"Your settings file {why}, so the default settings are used.{kept}"


def save_settings(settings: Settings, path: Path | str | None = None) -> Path:
    """Write atomically: temp file in the same folder, fsync, os.replace."""
    path = Path(path) if path else settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(settings.clamped().to_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomic(path, data)
    return path
