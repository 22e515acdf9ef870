"""The personal sign library: signs the user teaches the app, kept in SQLite.

One file, ``library.sqlite3`` in the user's data folder (``$SIGNCLIP_HOME`` or
``~/.local/share/signclip-desktop``). Each sign has a name, a language tag, the pack
its examples were embedded with and 3-10 examples. An example stores its raw layout
keypoints [T, 203, 4] (compressed, lossless) and one embedding per pack, so a new pack
can re-embed the old recordings. Every write is one transaction in WAL mode with
``synchronous=FULL``: a crash or a kill loses nothing that was committed before.

New signs join live recognition at once as prototypes:
``scorer.set_prototypes(library.prototypes(pack_id(pack)))``.
"""
from __future__ import annotations

import io
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..keypoints import layout as L
from ..model.pack import Label

FORMAT = "signclip-library"
FORMAT_VERSION = 1
MIN_EXAMPLES, MAX_EXAMPLES = 3, 10
EXPORT_SUFFIX = ".signlib"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'und',
    pack TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL,
    UNIQUE (name, language)
);
CREATE TABLE IF NOT EXISTS examples (
    id INTEGER PRIMARY KEY,
    sign_id INTEGER NOT NULL REFERENCES signs(id) ON DELETE CASCADE,
    frames BLOB NOT NULL,          -- np.savez_compressed bytes: frames float32 [T, 203, 4]
    n_frames INTEGER NOT NULL,
    fps REAL NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS embeddings (
    example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
    pack TEXT NOT NULL,
    vector BLOB NOT NULL,          -- float32 [E]
    PRIMARY KEY (example_id, pack)
);
CREATE INDEX IF NOT EXISTS examples_sign ON examples(sign_id);
"""


_LOCKED = "the library is in use by another program (database is locked); nothing was changed, try again"


def _is_locked(e: Exception) -> bool:
    return "locked" in str(e) or "busy" in str(e)


class LibraryError(Exception):
    """A library operation that cannot be done; the message says why in plain words."""


def data_dir() -> Path:
    """The app's user data folder (``$SIGNCLIP_HOME``, else the platform's; see model.registry)."""
    from ..model.registry import data_dir as _data_dir

    return _data_dir()


def default_path() -> Path:
    return data_dir() / "library.sqlite3"


def pack_id(pack) -> str:
    """The key embeddings are stored under: name@version of the pack."""
    return f"{pack.name}@{pack.version}"


def frames_to_blob(frames: np.ndarray) -> bytes:
    frames = np.asarray(frames, np.float32)
    if frames.ndim != 3 or frames.shape[1:] != (L.NUM_POINTS, L.NUM_CHANNELS):
        raise LibraryError(f"an example must be [T, {L.NUM_POINTS}, 4] keypoints, got {frames.shape}")
    buf = io.BytesIO()
    np.savez_compressed(buf, frames=frames)
    return buf.getvalue()


def blob_to_frames(blob: bytes) -> np.ndarray:
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return np.asarray(z["frames"], np.float32)


@dataclass
class Example:
    id: int
    sign_id: int
    n_frames: int
    fps: float
    source: str
    created: float
    _blob: bytes | None = None

    @property
    def frames(self) -> np.ndarray:
        return blob_to_frames(self._blob) if self._blob is not None else L.empty_frames(0)


@dataclass
class Sign:
    id: int
    name: str
    language: str
    pack: str
    created: float
    updated: float
    n_examples: int = 0

    @property
    def label(self) -> Label:
        return Label(id=self.name, text=self.name, language=self.language, prompt="")


@dataclass
class NewExample:
    """An example about to be stored: frames (trimmed), fps, where it came from, optional embedding."""
    frames: np.ndarray
    fps: float = 30.0
    source: str = ""
    embedding: np.ndarray | None = None


class Library:
    def __init__(self, path: str | os.PathLike | None = None, readonly: bool = False):
        self.path = Path(path) if path else default_path()
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.is_file():
            raise LibraryError(f"{self.path}: no such library file")
        uri = f"file:{self.path}?mode=ro" if readonly else f"file:{self.path}"
        try:
            self.db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)
            self.db.execute("PRAGMA foreign_keys=ON")
            if not readonly:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")  # idempotent, atomic
            self._check_format()
        except sqlite3.OperationalError as e:
            if _is_locked(e):
                raise LibraryError(f"{self.path}: {_LOCKED}") from e
            raise LibraryError(f"{self.path}: not a sign library ({e})") from e
        except sqlite3.DatabaseError as e:
            raise LibraryError(f"{self.path}: not a sign library ({e})") from e

    # --- plumbing -------------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (nothing half-written)."""
        if self.db.in_transaction:
            yield self.db
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:  # another program holds the write lock past the timeout
            if _is_locked(e):
                raise LibraryError(f"{self.path}: {_LOCKED}") from e
            raise
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _check_format(self) -> None:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"meta", "signs", "examples", "embeddings"} <= tables:
            raise LibraryError(f"{self.path}: not a sign library (tables missing)")
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if not meta:
            if self.db.execute("PRAGMA query_only").fetchone()[0] == 0:
                try:
                    with self.transaction():
                        self.db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)",
                                            [("format", FORMAT), ("format_version", str(FORMAT_VERSION))])
                except sqlite3.OperationalError:
                    pass  # read-only connection
            return
        if meta.get("format") != FORMAT:
            raise LibraryError(f"{self.path}: not a sign library")
        if int(meta.get("format_version", "0")) > FORMAT_VERSION:
            raise LibraryError(f"{self.path}: library format {meta['format_version']} is newer than this app reads")

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # --- reading --------------------------------------------------------------------
    def signs(self, language: str | None = None) -> list[Sign]:
        q = ("SELECT s.id, s.name, s.language, s.pack, s.created, s.updated, COUNT(e.id) FROM signs s "
             "LEFT JOIN examples e ON e.sign_id = s.id ")
        args: tuple = ()
        if language:
            q += "WHERE s.language = ? "
            args = (language,)
        q += "GROUP BY s.id ORDER BY s.name COLLATE NOCASE, s.language"
        return [Sign(*r) for r in self.db.execute(q, args)]

    def get(self, name: str, language: str | None = None) -> Sign:
        rows = [s for s in self.signs(language) if s.name == name]
        if not rows:
            where = f" ({language})" if language else ""
            raise LibraryError(f"no sign named {name!r}{where} in the library")
        if len(rows) > 1:
            raise LibraryError(f"several signs are named {name!r} ({', '.join(s.language for s in rows)}); "
                               "give the language")
        return rows[0]

    def examples(self, sign: Sign | int, with_frames: bool = True) -> list[Example]:
        sid = sign.id if isinstance(sign, Sign) else int(sign)
        cols = "id, sign_id, n_frames, fps, source, created" + (", frames" if with_frames else "")
        out = []
        for r in self.db.execute(f"SELECT {cols} FROM examples WHERE sign_id = ? ORDER BY id", (sid,)):
            out.append(Example(*r[:6], _blob=r[6] if with_frames else None))
        return out

    def embeddings(self, sign: Sign | int, pack: str) -> np.ndarray:
        sid = sign.id if isinstance(sign, Sign) else int(sign)
        rows = self.db.execute(
            "SELECT b.vector FROM embeddings b JOIN examples e ON e.id = b.example_id "
            "WHERE e.sign_id = ? AND b.pack = ? ORDER BY e.id", (sid, pack)).fetchall()
        if not rows:
            return np.zeros((0, 0), np.float32)
        return np.stack([np.frombuffer(r[0], np.float32) for r in rows])

    def prototypes(self, pack: str) -> list[tuple[Label, np.ndarray]]:
        """(label, [k, E]) for every sign with embeddings for ``pack`` (for Scorer.set_prototypes)."""
        out = []
        for s in self.signs():
            e = self.embeddings(s, pack)
            if len(e):
                out.append((s.label, e))
        return out

    def missing_embeddings(self, pack: str) -> int:
        return int(self.db.execute(
            "SELECT COUNT(*) FROM examples e WHERE NOT EXISTS "
            "(SELECT 1 FROM embeddings b WHERE b.example_id = e.id AND b.pack = ?)", (pack,)).fetchone()[0])

    # --- writing --------------------------------------------------------------------
    def add_sign(self, name: str, language: str, examples: list[NewExample], pack: str = "",
                 min_examples: int = MIN_EXAMPLES) -> Sign:
        """``min_examples``: "calibrate to me" stores a pack sign's 2 examples (the pack's text
        embedding competes too); a new sign taught from nothing needs the default 3."""
        name, language = _clean_name(name), (language or "und").strip() or "und"
        lo = max(1, int(min_examples))
        if not (lo <= len(examples) <= MAX_EXAMPLES):
            raise LibraryError(f"a sign needs {lo} to {MAX_EXAMPLES} examples, got {len(examples)}")
        blobs = [(frames_to_blob(ex.frames), ex) for ex in examples]  # validate before writing
        now = time.time()
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM signs WHERE name = ? AND language = ?", (name, language)).fetchone():
                raise LibraryError(f"a sign named {name!r} ({language}) is already in the library")
            cur = db.execute("INSERT INTO signs (name, language, pack, created, updated) VALUES (?, ?, ?, ?, ?)",
                             (name, language, pack, now, now))
            sid = int(cur.lastrowid)
            self._insert_examples(sid, blobs, pack, now)
        return self.get(name, language)

    def add_examples(self, sign: Sign, examples: list[NewExample], pack: str = "") -> Sign:
        blobs = [(frames_to_blob(ex.frames), ex) for ex in examples]
        now = time.time()
        with self.transaction() as db:
            have = db.execute("SELECT COUNT(*) FROM examples WHERE sign_id = ?", (sign.id,)).fetchone()[0]
            if have + len(examples) > MAX_EXAMPLES:
                raise LibraryError(f"{sign.name!r} has {have} examples; at most {MAX_EXAMPLES} are kept")
            self._insert_examples(sign.id, blobs, pack, now)
            db.execute("UPDATE signs SET updated = ? WHERE id = ?", (now, sign.id))
        return self.get(sign.name, sign.language)

    def _insert_examples(self, sid: int, blobs, pack: str, now: float) -> None:
        for blob, ex in blobs:
            cur = self.db.execute(
                "INSERT INTO examples (sign_id, frames, n_frames, fps, source, created) VALUES (?, ?, ?, ?, ?, ?)",
                (sid, blob, int(np.asarray(ex.frames).shape[0]), float(ex.fps), str(ex.source or ""), now))
            if ex.embedding is not None and pack:
                vec = np.asarray(ex.embedding, np.float32).ravel()
                self.db.execute("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                                (int(cur.lastrowid), pack, vec.tobytes()))

    def remove_example(self, example_id: int) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT sign_id FROM examples WHERE id = ?", (example_id,)).fetchone()
            if row is None:
                raise LibraryError(f"no example {example_id}")
            n = db.execute("SELECT COUNT(*) FROM examples WHERE sign_id = ?", (row[0],)).fetchone()[0]
            if n <= MIN_EXAMPLES:
                raise LibraryError(f"a sign keeps at least {MIN_EXAMPLES} examples; delete the sign instead")
            db.execute("DELETE FROM examples WHERE id = ?", (example_id,))

    def remove(self, name: str, language: str | None = None) -> None:
        s = self.get(name, language)
        with self.transaction() as db:
            db.execute("DELETE FROM signs WHERE id = ?", (s.id,))

    def rename(self, name: str, new_name: str, language: str | None = None, new_language: str | None = None) -> Sign:
        s = self.get(name, language)
        new_name = _clean_name(new_name)
        new_language = (new_language or s.language).strip() or "und"
        with self.transaction() as db:
            clash = db.execute("SELECT id FROM signs WHERE name = ? AND language = ?", (new_name, new_language)).fetchone()
            if clash and clash[0] != s.id:
                raise LibraryError(f"a sign named {new_name!r} ({new_language}) is already in the library")
            db.execute("UPDATE signs SET name = ?, language = ?, updated = ? WHERE id = ?",
                       (new_name, new_language, time.time(), s.id))
        return self.get(new_name, new_language)

    def reembed(self, pack, encoder, progress=None) -> int:
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

    # --- export / import ------------------------------------------------------------
    def export(self, dest) -> Path:
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

    def import_file(self, src, on_conflict: str = "rename") -> list[Sign]:
        """Merge the signs of an exported library (or another library file) into this one.

        ``on_conflict``: 'rename' (keep both, the new one gets " (2)"), 'replace' or 'skip'.
        All of it is one transaction: a failure imports nothing."""
        if on_conflict not in ("rename", "replace", "skip"):
            raise ValueError("on_conflict must be rename, replace or skip")
        src = Path(src)
        if not src.is_file():
            raise LibraryError(f"{src}: file not found")
        other = Library(src, readonly=True)
        try:
            incoming = other.signs()
            added: list[Sign] = []
            with self.transaction() as db:
                for s in incoming:
                    name = s.name
                    clash = db.execute("SELECT id FROM signs WHERE name = ? AND language = ?", (name, s.language)).fetchone()
                    if clash:
                        if on_conflict == "skip":
                            continue
                        if on_conflict == "replace":
                            db.execute("DELETE FROM signs WHERE id = ?", (clash[0],))
                        else:
                            k = 2
                            while db.execute("SELECT 1 FROM signs WHERE name = ? AND language = ?",
                                             (f"{s.name} ({k})", s.language)).fetchone():
                                k += 1
                            name = f"{s.name} ({k})"
                    cur = db.execute("INSERT INTO signs (name, language, pack, created, updated) VALUES (?, ?, ?, ?, ?)",
                                     (name, s.language, s.pack, s.created, s.updated))
                    sid = int(cur.lastrowid)
                    for ex in other.db.execute("SELECT id, frames, n_frames, fps, source, created FROM examples "
                                               "WHERE sign_id = ? ORDER BY id", (s.id,)).fetchall():
                        blob_to_frames(ex[1])  # refuse a broken file before committing anything
                        c2 = db.execute("INSERT INTO examples (sign_id, frames, n_frames, fps, source, created) "
                                        "VALUES (?, ?, ?, ?, ?, ?)", (sid, ex[1], ex[2], ex[3], ex[4], ex[5]))
                        for pk, vec in other.db.execute("SELECT pack, vector FROM embeddings WHERE example_id = ?",
                                                        (ex[0],)).fetchall():
                            db.execute("INSERT INTO embeddings VALUES (?, ?, ?)", (int(c2.lastrowid), pk, vec))
                    added.append(Sign(sid, name, s.language, s.pack, s.created, s.updated, s.n_examples))
        except (sqlite3.DatabaseError, ValueError, OSError) as e:
            raise LibraryError(f"{src}: cannot import ({e})") from e
        finally:
            other.close()
        return added


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise LibraryError("a sign needs a name")
    if len(name) > 80:
        raise LibraryError("a sign name is at most 80 characters")
    return name


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


def make_examples(paths, pack=None, encoder=None, trim_clips: bool = True, mirrored: bool = False) -> list[NewExample]:
    """Files (anything ``load_clip`` reads) -> trimmed examples, embedded when a pack is given."""
    from ..stream.clip import embed_clip, load_clip, trim

    out = []
    for p in paths:
        seq = load_clip(p)
        fr = trim(seq.frames, seq.fps) if trim_clips else seq.frames
        if len(fr) < 2:
            from ..sources.base import SourceError

            raise SourceError(p, "no signing found (no hands in view)")
        emb = embed_clip(encoder, pack, fr, seq.fps, mirrored=mirrored) if encoder is not None else None
        out.append(NewExample(fr, seq.fps, str(p), emb))
    return out


def example_from_frames(frames: np.ndarray, fps: float, source: str = "camera", pack=None, encoder=None,
                        trim_clip: bool = True) -> NewExample:
    """A live recording -> a trimmed (and embedded) example."""
    from ..stream.clip import embed_clip, trim

    fr = trim(frames, fps) if trim_clip else frames
    emb = embed_clip(encoder, pack, fr, fps) if encoder is not None and len(fr) else None
    return NewExample(fr, fps, source, emb)
