"""Where model packs are: built-in packs shipped in the repository's ``models/`` folder
(also inside a PyInstaller bundle, via ``sys._MEIPASS``) and the user's own packs.

The folders come from ``paths.py``; in search order for a pack *name*:

1. the user's packs: ``$SIGNCLIP_HOME/packs`` when ``SIGNCLIP_HOME`` is set, else
   ``$XDG_DATA_HOME/signclip-desktop/packs`` (``~/.local/share/signclip-desktop/packs``;
   ``%APPDATA%`` on Windows, ``~/Library/Application Support`` on macOS);
2. the built-in packs: ``<repo>/models`` (``$SIGNCLIP_MODELS`` overrides it).

A user pack with the same name as a built-in one wins. ``--pack`` may also be a path.
Listing reads manifests only (fast); ``load_pack`` does the full check.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from .pack import MANIFEST, PackError, check_manifest, read_manifest

DEFAULT_PACK = "words"
APP_DIR = paths.APP_DIR


def data_dir() -> Path:
    """The user's data folder for this app (not created here)."""
    return paths.data_dir()


def user_packs_dir() -> Path:
    return paths.user_packs_dir()


def builtin_packs_dir() -> Path:
    """``models/`` next to the package (repository checkout), or inside a frozen bundle."""
    return paths.builtin_packs_dir()


def pack_dirs() -> list[tuple[Path, bool]]:
    """(folder, built_in) in search order; folders may not exist."""
    return [(user_packs_dir(), False), (builtin_packs_dir(), True)]


@dataclass
class PackInfo:
    name: str
    path: Path
    builtin: bool
    version: str = ""
    num_labels: int = 0
    languages: list[str] = field(default_factory=list)
    description: str = ""
    error: str | None = None  # why the manifest is unusable (the pack is listed as broken)

    @property
    def status(self) -> str:
        return "ok" if self.error is None else "broken"

    def to_json(self) -> dict:
        return {"name": self.name, "version": self.version, "labels": self.num_labels, "languages": self.languages,
                "path": str(self.path), "builtin": self.builtin, "description": self.description, "error": self.error,
                "status": self.status}


def pack_info(path, builtin: bool = False) -> PackInfo:
    """What a pack's manifest says; ``error`` holds why the pack is broken (manifest only:
    ``load_pack`` does the full check)."""
    path = Path(path)
    try:
        m = read_manifest(path)
        check_manifest(path, m)
    except PackError as e:
        return PackInfo(path.name, path, builtin, error=e.reason)
    except Exception as e:  # noqa: BLE001 - one bad pack never hides the others
        return PackInfo(path.name, path, builtin, error=f"unreadable ({e.__class__.__name__}: {str(e)[:120]})")
    labels = m.get("labels") if isinstance(m.get("labels"), list) else []
    langs = sorted({str(l.get("language", "und")) for l in labels if isinstance(l, dict)})
    return PackInfo(name=str(m.get("name", path.name)), path=path, builtin=builtin, version=str(m.get("version", "")),
                    num_labels=len(labels), languages=langs, description=str(m.get("description", "")))


def list_packs() -> list[PackInfo]:
    """Every pack folder (a folder with manifest.json) in the search folders, user ones first."""
    out, seen = [], set()
    for d, builtin in pack_dirs():
        if not d.is_dir():
            continue
        try:
            kids = sorted(d.iterdir(), key=lambda q: q.name)
        except OSError:  # an unreadable folder hides nothing else
            continue
        for p in kids:
            if p.is_dir() and (p / MANIFEST).is_file() and p.resolve() not in seen:
                seen.add(p.resolve())
                out.append(pack_info(p, builtin))
    return out


def broken_packs() -> list[PackInfo]:
    """The packs ``list_packs`` found unusable, each with its reason."""
    return [p for p in list_packs() if p.error is not None]


def resolve_pack(name_or_path: str | os.PathLike | None = None) -> Path:
    """A pack folder for a name (folder name or manifest name) or a path; ``PackError`` when none."""
    want = str(name_or_path or DEFAULT_PACK)
    p = Path(want).expanduser()
    looks_like_path = os.sep in want or "/" in want or want.startswith(".") or p.is_dir()
    if p.is_dir():
        return p
    if looks_like_path:
        raise PackError(p, "not found")
    for d, _ in pack_dirs():
        if (d / want / MANIFEST).is_file():
            return d / want
    for info in list_packs():
        if info.name == want and info.error is None:
            return info.path
    where = ", ".join(str(d) for d, _ in pack_dirs())
    raise PackError(want, f"no pack with this name (looked in {where}); `signclip-desktop packs` lists what is installed")
