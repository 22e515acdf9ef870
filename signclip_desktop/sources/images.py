"""A folder of images (frames of one clip) -> ``Frame``s in natural name order at a fixed fps."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import numpy as np

from .base import Frame, SourceError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


def natural_key(name: str):
    """'frame_2' < 'frame_10' (numbers compared as numbers)."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def list_images(folder) -> list[Path]:
    folder = Path(folder)
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS),
                  key=lambda p: natural_key(p.name))


class ImageFolderSource:
    """Images of one folder (not recursive), sorted by name, as frames ``1/fps`` apart.

    A file that cannot be decoded raises ``SourceError`` naming it."""

    kind = "frames"

    def __init__(self, folder, fps: float = 30.0, files: list | None = None):
        self.path = Path(folder)
        if not self.path.exists():
            raise SourceError(self.path, "folder not found")
        if not self.path.is_dir():
            raise SourceError(self.path, "not a folder")
        self.files = [Path(f) for f in files] if files is not None else list_images(self.path)
        if not self.files:
            raise SourceError(self.path, f"no images ({', '.join(IMAGE_EXTENSIONS)}) in this folder")
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.fps = float(fps)

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self) -> Iterator[Frame]:
        import cv2  # noqa: PLC0415

        for i, f in enumerate(self.files):
            img = None
            try:
                data = np.fromfile(str(f), np.uint8)  # works with non-ASCII paths on Windows too
                if data.size:
                    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
            except (OSError, cv2.error):
                img = None
            if img is None:
                raise SourceError(f, "not a readable image")
            yield Frame(i, i / self.fps, img)

    def close(self) -> None:
        pass
