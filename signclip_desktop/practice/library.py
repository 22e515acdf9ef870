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

import os
import sqlite3
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .. import limits
from ..model.pack import Label
from .examples import NewExample, check_new_examples, example_from_frames, make_examples  # noqa: F401 (re-exported)

from .library_base import (EXPORT_SUFFIX, FORMAT, FORMAT_VERSION, MAX_EXAMPLES, MIN_EXAMPLES,  # noqa: F401
                           Example, LibraryError, Sign, _frames_of, blob_to_frames, data_dir, default_path,
                           frames_to_blob, pack_id)
from .signlib import export_library, import_library, reembed_library

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


class _Damaged(Exception):
    """quick_check or SQLite found damaged pages."""


class _ReadOnly(Exception):
    """The file or its folder cannot be written."""


def _is_readonly(e: Exception) -> bool:
    m = str(e)
    return "readonly" in m or "read-only" in m or "unable to open" in m


class Library:
    """``notice``: None, or a sentence for the user when the file was damaged and set aside
    (as ``<file>.bad``; a new empty library is used) or could only be opened read-only."""

    def __init__(self, path: str | os.PathLike | None = None, readonly: bool = False):
        self.path = Path(path) if path else default_path()
        self.notice: str | None = None
        self.readonly, self._immutable = readonly, False
        if not readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise LibraryError(f"{self.path}: the library folder cannot be created ({e.strerror or e})") from e
        elif not self.path.is_file():
            raise LibraryError(f"{self.path}: no such library file")
        try:
            self._open()
        except _Damaged as e:
            if readonly:
                raise LibraryError(f"{self.path}: the library file is damaged ({e})") from None
            bad = self._set_aside()
            self.notice = (f"Your sign library {self.path} was damaged ({e}), so a new empty library is used. "
                           f"The old file was kept as {bad}.")
            self._open()
        except _ReadOnly:
            self.readonly = True
            self._open()
            self.notice = f"Your sign library {self.path} is read-only: signs can be used but not changed."

    def _open(self) -> None:
        """Connect (the path is a file name, never a URI), check the format and the pages."""
        try:
            if self.readonly:
                # immutable: a WAL file in a read-only folder cannot get its -shm file otherwise
                uri = "file:" + urllib.parse.quote(str(self.path.resolve()), safe="/") + \
                    ("?immutable=1" if self._immutable else "?mode=ro")
                self.db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)
            else:
                self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=10.0)
        except sqlite3.Error as e:
            if not self.readonly and _is_readonly(e):
                raise _ReadOnly() from e
            raise LibraryError(f"{self.path}: cannot be opened ({e})") from e
        try:
            self.db.execute("PRAGMA foreign_keys=ON")
            check = self.db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise _Damaged(str(check)[:120])
            if not self.readonly:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")  # idempotent, atomic
            self._check_format()
        except (_Damaged, _ReadOnly, LibraryError):
            self.db.close()
            raise
        except sqlite3.Error as e:
            self.db.close()
            if _is_locked(e):
                raise LibraryError(f"{self.path}: {_LOCKED}") from e
            if not self.readonly and _is_readonly(e):
                raise _ReadOnly() from e
            if self.readonly and not self._immutable and "unable to open" in str(e):
                self._immutable = True
                return self._open()
            if "malformed" in str(e) or "corrupt" in str(e):
                raise _Damaged(str(e)) from e
            raise LibraryError(f"{self.path}: not a sign library ({e})") from e

    def _set_aside(self) -> Path:
        bad = self.path.with_name(self.path.name + ".bad")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                try:
                    os.replace(src, Path(str(bad) + suffix))
                except OSError as e:
                    raise LibraryError(f"{self.path}: the library is damaged and cannot be moved aside ({e})") from e
        return bad

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
        if self.readonly:
            raise LibraryError(f"{self.path}: the library is read-only; nothing was changed")
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:  # another program holds the write lock past the timeout
            if _is_locked(e):
                raise LibraryError(f"{self.path}: {_LOCKED}") from e
            if _is_readonly(e):
                raise LibraryError(f"{self.path}: the library file is read-only; nothing was changed") from e
            raise
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as e:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if _is_readonly(e) or "disk" in str(e):
                raise LibraryError(f"{self.path}: cannot write the library ({e}); nothing was changed") from e
            raise

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
                except (sqlite3.OperationalError, LibraryError):
                    pass  # read-only connection
            return
        if meta.get("format") != FORMAT:
            raise LibraryError(f"{self.path}: not a sign library")
        try:
            version = int(meta.get("format_version", "0"))
        except (TypeError, ValueError):
            raise LibraryError(f"{self.path}: not a sign library (format_version {meta.get('format_version')!r})") from None
        if version > FORMAT_VERSION:
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

    def find(self, name: str) -> list[Sign]:
        """Every sign with this name (any language; names compare without case), [] when none."""
        key = _clean_name(name).casefold()
        return [s for s in self.signs() if s.name.casefold() == key]

    def examples(self, sign: Sign | int, with_frames: bool = True) -> list[Example]:
        sid = sign.id if isinstance(sign, Sign) else int(sign)
        cols = "id, sign_id, n_frames, fps, source, created" + (", frames" if with_frames else "")
        out = []
        for r in self.db.execute(f"SELECT {cols} FROM examples WHERE sign_id = ? ORDER BY id", (sid,)):
            out.append(Example(*r[:6], _blob=r[6] if with_frames else None))
        return out

    def embeddings(self, sign: Sign | int, pack: str) -> np.ndarray:
        """[k, E] stored vectors of one sign for ``pack``; vectors that are not float32 of the
        sign's most common size are left out (a damaged row never breaks the others)."""
        sid = sign.id if isinstance(sign, Sign) else int(sign)
        rows = self.db.execute(
            "SELECT b.vector FROM embeddings b JOIN examples e ON e.id = b.example_id "
            "WHERE e.sign_id = ? AND b.pack = ? ORDER BY e.id", (sid, pack)).fetchall()
        vecs = [np.frombuffer(r[0], np.float32) for r in rows
                if isinstance(r[0], bytes) and r[0] and len(r[0]) % 4 == 0]
        if not vecs:
            return np.zeros((0, 0), np.float32)
        sizes = [v.size for v in vecs]
        size = max(set(sizes), key=sizes.count)
        return np.stack([v for v in vecs if v.size == size])

    def prototypes(self, pack: str, dim: int | None = None) -> list[tuple[Label, np.ndarray]]:
        """(label, [k, E]) for every sign with embeddings for ``pack`` (for Scorer.set_prototypes).
        Signs whose vectors are non-finite or not ``dim``-sized (default: the most common size
        for this pack) are left out and named in ``self.dropped``."""
        items = []
        for s in self.signs():
            e = self.embeddings(s, pack)
            if len(e):
                items.append((s.label, e))
        if dim is None and items:
            sizes = [e.shape[1] for _, e in items]
            dim = max(set(sizes), key=sizes.count)
        out, self.dropped = limits.usable_prototypes(items, dim or 0)
        return out

    dropped: list[str] = []

    def missing_embeddings(self, pack: str) -> int:
        return int(self.db.execute(
            "SELECT COUNT(*) FROM examples e WHERE NOT EXISTS "
            "(SELECT 1 FROM embeddings b WHERE b.example_id = e.id AND b.pack = ?)", (pack,)).fetchone()[0])

    # --- writing --------------------------------------------------------------------
    def add_sign(self, name: str, language: str, examples: list[NewExample], pack: str = "",
                 min_examples: int = MIN_EXAMPLES) -> Sign:
        """``min_examples``: "calibrate to me" stores a pack sign's 2 examples (the pack's text
        embedding competes too); a new sign taught from nothing needs the default 3."""
        name, language = _clean_name(name), _clean_language(language)
        lo = max(1, int(min_examples))
        if not (lo <= len(examples) <= MAX_EXAMPLES):
            raise LibraryError(f"a sign needs {lo} to {MAX_EXAMPLES} examples, got {len(examples)}")
        _check_new(examples)
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
        _check_new(examples)
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
        new_language = _clean_language(new_language or s.language)
        with self.transaction() as db:
            clash = db.execute("SELECT id FROM signs WHERE name = ? AND language = ?", (new_name, new_language)).fetchone()
            if clash and clash[0] != s.id:
                raise LibraryError(f"a sign named {new_name!r} ({new_language}) is already in the library")
            db.execute("UPDATE signs SET name = ?, language = ?, updated = ? WHERE id = ?",
                       (new_name, new_language, time.time(), s.id))
        return self.get(new_name, new_language)

    def reembed(self, pack, encoder, progress=None) -> int:
        """Embed every example that has no embedding for ``pack`` yet (one transaction per sign)."""
        return reembed_library(self, pack, encoder, progress)

    # --- export / import (practice/signlib.py) ----------------------------------------
    def export(self, dest) -> Path:
        """Write the whole library to one self-contained SQLite file (``.signlib``), atomically."""
        return export_library(self, dest)

    def import_file(self, src, on_conflict: str = "rename", dims: dict[str, int] | None = None,
                    skipped: list[str] | None = None) -> list[Sign]:
        """Merge the signs of an exported library (or another library file) into this one.

        ``on_conflict``: 'rename' (keep both, the new one gets " (2)"), 'replace' or 'skip'.
        Each sign is checked first; a bad one is left out with its reason in ``skipped``."""
        return import_library(self, src, on_conflict, dims, skipped)


def _clean_name(name: str) -> str:
    if not " ".join(str(name).split()):
        raise LibraryError("a sign needs a name")
    try:
        return limits.name(str(name), "a sign name")
    except limits.Invalid as e:
        raise LibraryError(str(e)) from None


def _clean_language(tag) -> str:
    try:
        return limits.name(tag or "und", "language tag", 40)
    except limits.Invalid as e:
        raise LibraryError(str(e)) from None


def _check_new(examples) -> None:
    try:
        check_new_examples(examples)
    except limits.Invalid as err:
        raise LibraryError(str(err)) from None
