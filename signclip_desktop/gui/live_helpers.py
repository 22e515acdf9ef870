"""Small look-ups for the Live page: cameras, packs, the file dialog filter (no widgets here)."""
from __future__ import annotations

from pathlib import Path

FILE_FILTER = ("Videos and keypoint files (*.mp4 *.mov *.avi *.mkv *.webm *.m4v *.pose *.npz);;"
               "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;Keypoint files (*.pose *.npz);;All files (*)")
CAMERA_RETRY_S = 5.0


def list_cameras() -> list[tuple[int, str]]:
    try:
        from ..sources.webcam import list_cameras as _list

        return [(c.index, c.name) for c in _list()]
    except Exception:
        return []


def list_packs() -> list[tuple[str, str]]:
    """(display name, folder) of every usable pack."""
    try:
        from ..model.registry import list_packs as _list

        return [(p.path.name if p.name == p.path.name else f"{p.path.name} — {p.name}", str(p.path))
                for p in _list() if p.error is None]
    except Exception:
        return []


def probe_camera(index: int) -> bool:
    """Can camera ``index`` be opened right now? (opened and closed again at once)"""
    try:
        from ..sources.webcam import WebcamSource

        WebcamSource(index).close()
        return True
    except Exception:
        return False


def resolve_pack(name_or_path: str) -> str | None:
    if not name_or_path:
        return None
    try:
        from ..model.registry import resolve_pack as _resolve

        return str(_resolve(name_or_path))
    except Exception:
        p = Path(name_or_path)
        return str(p) if (p / "manifest.json").is_file() else None


def html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
