"""Where things are: the one place that knows the folders of a checkout, a frozen bundle and the user.

* **Packs** (built-in): ``models/`` of the checkout, ``sys._MEIPASS/models`` in a PyInstaller
  bundle; ``$SIGNCLIP_MODELS`` overrides both.
* **App resources** (top level ``resources/``: the self-test photo, the demo clip): the
  checkout's ``resources/`` or ``sys._MEIPASS/resources``.
* **Package resources** (``signclip_desktop/resources/``: grading calibration, references,
  word lists): beside the package, or ``sys._MEIPASS/signclip_desktop/resources`` when
  frozen; ``$SIGNCLIP_PACKAGE_RESOURCES`` overrides both (tests point it at an empty folder).
* **User folders** (not created here): data (``library.sqlite3``, ``packs/``), config
  (``settings.json``) and cache. ``$SIGNCLIP_HOME`` puts all three in one folder; else
  the platform's (XDG on Linux, ``%APPDATA%`` on Windows, ``~/Library`` on macOS).

Shipped resources are required: ``require`` turns a missing one into ``ResourceMissing``
(names the file and says it is a broken install), never a silent default.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR = "signclip-desktop"
_PACKAGE = Path(__file__).resolve().parent


class ResourceMissing(FileNotFoundError):
    """A resource that ships with the app is not there: the install or the bundle is incomplete."""

    def __init__(self, path, what: str):
        self.path, self.what = str(path), what
        super().__init__(f"{self.path}: {what} is missing; this install is incomplete "
                         "(reinstall, or rebuild the bundle with build.spec)")


def frozen_root() -> Path | None:
    """``sys._MEIPASS`` inside a PyInstaller bundle, else None."""
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if getattr(sys, "frozen", False) and meipass else None


def repo_root() -> Path:
    """The checkout (the folder holding ``signclip_desktop/``, ``models/``, ``resources/``)."""
    return _PACKAGE.parent


def _env_dir(name: str) -> Path | None:
    v = os.environ.get(name)
    return Path(v).expanduser() if v else None


def builtin_packs_dir() -> Path:
    env = _env_dir("SIGNCLIP_MODELS")
    if env is not None:
        return env
    root = frozen_root()
    return (root or repo_root()) / "models"


def resources_dir() -> Path:
    """The top-level ``resources/`` (self-test photo, demo clip)."""
    root = frozen_root()
    return (root or repo_root()) / "resources"


def package_resources_dir() -> Path:
    """``signclip_desktop/resources/`` (grading calibration, references, word lists)."""
    env = _env_dir("SIGNCLIP_PACKAGE_RESOURCES")
    if env is not None:
        return env
    root = frozen_root()
    return root / "signclip_desktop" / "resources" if root else _PACKAGE / "resources"


def calibration_file() -> Path:
    return package_resources_dir() / "grading_calibration.json"


def references_file() -> Path:
    return package_resources_dir() / "references.npz"


def wordlists_dir() -> Path:
    return package_resources_dir() / "wordlists"


def demo_path() -> Path:
    return resources_dir() / "demo" / "demo.npz"


def selftest_image_path() -> Path:
    return resources_dir() / "selftest" / "signer.jpg"


def require(path, what: str) -> Path:
    """``path`` when it is a file, else ``ResourceMissing``."""
    p = Path(path)
    if not p.is_file():
        raise ResourceMissing(p, what)
    return p


def _platform_base(kind: str) -> Path:
    home = Path.home()
    if sys.platform.startswith("win"):
        env = "LOCALAPPDATA" if kind == "cache" else "APPDATA"
        return Path(os.environ.get(env) or home / "AppData" / ("Local" if kind == "cache" else "Roaming"))
    if sys.platform == "darwin":
        return home / "Library" / ("Caches" if kind == "cache" else "Application Support")
    xdg, default = {"data": ("XDG_DATA_HOME", home / ".local" / "share"),
                    "cache": ("XDG_CACHE_HOME", home / ".cache")}[kind]
    return _env_dir(xdg) or default


def data_dir() -> Path:
    """The user's data folder (library, practice progress, user packs)."""
    return _env_dir("SIGNCLIP_HOME") or _platform_base("data") / APP_DIR


def config_dir() -> Path:
    """The user's config folder (``settings.json``); XDG_CONFIG_HOME / ``~/.config`` off Windows/macOS."""
    home = _env_dir("SIGNCLIP_HOME")
    if home is not None:
        return home
    xdg = _env_dir("XDG_CONFIG_HOME")
    return (xdg or Path.home() / ".config") / APP_DIR


def cache_dir() -> Path:
    home = _env_dir("SIGNCLIP_HOME")
    return home / "cache" if home is not None else _platform_base("cache") / APP_DIR


def user_packs_dir() -> Path:
    return data_dir() / "packs"
