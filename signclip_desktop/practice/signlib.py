"""``.signlib`` files: export a whole library atomically, import one sign by sign; re-embedding.

An import trusts nothing in the file: every sign is checked (``limits``: name, 3-10 examples,
fps, frames unpacked within bounds, embeddings finite and of the pack's size) and a bad one
is skipped with its reason while the good ones are kept. ``self`` is the ``Library``.
"""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import numpy as np

from .. import limits
from .library_base import (EXPORT_SUFFIX, MAX_EXAMPLES, MIN_EXAMPLES, LibraryError, Sign, _frames_of,
                           blob_to_frames, pack_id)


def export_library(self, dest) -> Path:
    """Write the whole library to one self-contained SQLite file (``.signlib``), atomically."""
    dest = Path(dest)
    if not dest.suffix:
        dest = dest.with_suffix(EXPORT_SUFFIX)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    if tmp.exists():
        tmp.unlink()
    try:
        self.db.execute("VACUUM INTO ?", (str(tmp),))
        out = sqlite3.connect(tmp, isolation_level=None)
        try:
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
        _fsync(tmp)
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    finally:
        if tmp.exists():
            tmp.unlink()
    return dest



def import_library(self, src, on_conflict: str = "rename", dims: dict[str, int] | None = None,
                   skipped: list[str] | None = None) -> list[Sign]:
    """Merge the signs of an exported library (or another library file) into this one.

    ``on_conflict``: 'rename' (keep both, the new one gets " (2)"), 'replace' or 'skip'.
    Each sign is checked first (name, 3-10 examples, fps, frames, embeddings: finite and
    ``dims[pack]``-sized, or the size this library already uses for that pack); a bad one
    is left out and its reason appended to ``skipped``. The good ones go in one transaction."""
    if on_conflict not in ("rename", "replace", "skip"):
        raise ValueError("on_conflict must be rename, replace or skip")
    src = Path(src)
    if not src.is_file():
        raise LibraryError(f"{src}: file not found")
    skipped = [] if skipped is None else skipped
    dims = dict(dims or {})
    for pk, vec in self.db.execute("SELECT pack, vector FROM embeddings GROUP BY pack").fetchall():
        if isinstance(vec, bytes) and len(vec) % 4 == 0:
            dims.setdefault(pk, len(vec) // 4)
    other = type(self)(src, readonly=True)  # the same Library class (no import back into library.py)
    try:
        # a pack's size: the caller's (installed packs), else this library's, else the file's majority
        for pk, n, _ in other.db.execute("SELECT pack, length(vector), COUNT(*) AS c FROM embeddings "
                                         "GROUP BY pack, length(vector) ORDER BY c DESC").fetchall():
            if isinstance(pk, str) and isinstance(n, int) and n % 4 == 0:
                dims.setdefault(pk, n // 4)
        checked = []
        for s in other.signs():
            try:
                checked.append(_checked_sign(other, s, dims))
            except limits.Invalid as e:
                skipped.append(f"{_printable(s.name)}: {e}")
        added: list[Sign] = []
        with self.transaction() as db:
            for s, name, language, exs in checked:
                clash = db.execute("SELECT id FROM signs WHERE name = ? AND language = ?", (name, language)).fetchone()
                if clash:
                    if on_conflict == "skip":
                        skipped.append(f"{name}: already in the library")
                        continue
                    if on_conflict == "replace":
                        db.execute("DELETE FROM signs WHERE id = ?", (clash[0],))
                    else:
                        base, k = name[:limits.MAX_NAME_CHARS - 6], 2
                        while db.execute("SELECT 1 FROM signs WHERE name = ? AND language = ?",
                                         (f"{base} ({k})", language)).fetchone():
                            k += 1
                        name = f"{base} ({k})"
                cur = db.execute("INSERT INTO signs (name, language, pack, created, updated) VALUES (?, ?, ?, ?, ?)",
                                 (name, language, str(s.pack), _time(s.created), _time(s.updated)))
                sid = int(cur.lastrowid)
                for blob, n, fps, source, created, vecs in exs:
                    c2 = db.execute("INSERT INTO examples (sign_id, frames, n_frames, fps, source, created) "
                                    "VALUES (?, ?, ?, ?, ?, ?)", (sid, blob, n, fps, source, created))
                    for pk, vec in vecs:
                        db.execute("INSERT INTO embeddings VALUES (?, ?, ?)", (int(c2.lastrowid), pk, vec))
                added.append(Sign(sid, name, language, str(s.pack), s.created, s.updated, len(exs)))
    except (sqlite3.DatabaseError, ValueError, OSError) as e:
        raise LibraryError(f"{src}: cannot import ({e})") from e
    finally:
        other.close()
    return added




def _printable(name) -> str:
    """A name as it may be shown in a message: control characters escaped, cut short."""
    r = repr(str(name))[1:-1]
    return (r[:60] + "...") if len(r) > 60 else (r or "(no name)")


def _time(t) -> float:
    return float(t) if isinstance(t, (int, float)) and np.isfinite(t) else time.time()


def _checked_sign(other, s: Sign, dims: dict[str, int]):
    """(sign, name, language, examples) of an incoming sign, or ``limits.Invalid`` saying why not."""
    name = limits.name(s.name, "name")
    language = limits.name(s.language, "language", 40)
    rows = other.db.execute("SELECT id, frames, n_frames, fps, source, created FROM examples "
                            "WHERE sign_id = ? ORDER BY id LIMIT ?", (s.id, MAX_EXAMPLES + 1)).fetchall()
    if not (MIN_EXAMPLES <= len(rows) <= MAX_EXAMPLES):
        n = f"more than {MAX_EXAMPLES}" if len(rows) > MAX_EXAMPLES else str(len(rows))
        raise limits.Invalid(f"has {n} examples; a sign has {MIN_EXAMPLES} to {MAX_EXAMPLES}")
    exs = []
    for k, (eid, blob, n, fps, source, created) in enumerate(rows, 1):
        fps = limits.fps(fps, f"example {k} fps")
        frames = _frames_of(blob)
        if not isinstance(n, int) or n != len(frames):
            raise limits.Invalid(f"example {k} says {n!r} frames but holds {len(frames)}")
        vecs = []
        for pk, vec in other.db.execute("SELECT pack, vector FROM embeddings WHERE example_id = ?", (eid,)).fetchall():
            pk = limits.text(pk, f"example {k} pack", 200)
            if not isinstance(vec, bytes) or len(vec) % 4:
                raise limits.Invalid(f"example {k} embedding for {pk} is not a float32 vector")
            want = dims.setdefault(pk, len(vec) // 4)
            limits.embedding(vec, want, f"example {k} embedding for {pk}")
            vecs.append((pk, vec))
        src = source if isinstance(source, str) else ""
        exs.append((blob, n, fps, src[:1000], _time(created), vecs))
    return s, name, language, exs


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def reembed_library(self, pack, encoder, progress=None) -> int:
    """Embed every example that has no embedding for ``pack`` yet (one transaction per sign)."""
    from ..stream.clip import embed_clip

    pid = pack_id(pack)
    done = 0
    for s in self.signs():
        todo = self.db.execute(
            "SELECT e.id, e.frames, e.fps FROM examples e WHERE e.sign_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM embeddings b WHERE b.example_id = e.id AND b.pack = ?)", (s.id, pid)).fetchall()
        if not todo:
            continue
        vecs = [(eid, embed_clip(encoder, pack, blob_to_frames(blob), fps)) for eid, blob, fps in todo]
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                           [(eid, pid, v.astype(np.float32).tobytes()) for eid, v in vecs])
            db.execute("UPDATE signs SET pack = ? WHERE id = ?", (pid, s.id))
        done += len(vecs)
        if progress:
            progress(done)
    return done
