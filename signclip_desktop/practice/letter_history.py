"""Fingerspelling history: per-letter statistics, every attempt, the user's own words, what next.

One SQLite file (``practice.sqlite3`` in the user's data folder), WAL, one transaction per
write. ``advice(alphabet)`` turns the history into what to practise next ("E: wrong 3 of 4
times, mostly as A"), ``practice_words`` picks words that exercise those letters. No Qt.
"""
from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from .library import data_dir

_COLS = {"right": "right", "slow": "slow", "wrong": "wrong"}
RECENT = 5          # the last attempts of a letter that decide whether it needs practice


def parse_words(text: str, alphabet=None) -> tuple[list[str], list[str]]:
    """The user's own words from typed text (commas, spaces or new lines between words) ->
    (words the alphabet can spell, "word: why not" for the others)."""
    ok, bad = [], []
    for w in dict.fromkeys(x.strip() for x in re.split(r"[,;\n\t ]+", text or "") if x.strip()):
        if alphabet is None:
            ok.append(w)
            continue
        try:
            alphabet.tokenize(w)
            ok.append(w)
        except ValueError as e:
            bad.append(f"{w}: {e}")
    return ok, bad


class PracticeStats:
    """Per-letter statistics, the attempt log and session totals across sessions."""

    def __init__(self, path=None):
        self.path = Path(path) if path else data_dir() / "practice.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript("""
            BEGIN IMMEDIATE;
            CREATE TABLE IF NOT EXISTS letters (
                alphabet TEXT NOT NULL, letter TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                right INTEGER NOT NULL DEFAULT 0, slow INTEGER NOT NULL DEFAULT 0, wrong INTEGER NOT NULL DEFAULT 0,
                seconds REAL NOT NULL DEFAULT 0, PRIMARY KEY (alphabet, letter));
            CREATE TABLE IF NOT EXISTS sessions (
                id INTEGER PRIMARY KEY, alphabet TEXT NOT NULL, started REAL NOT NULL, words INTEGER NOT NULL DEFAULT 0,
                score INTEGER NOT NULL DEFAULT 0, best_streak INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS attempts (
                id INTEGER PRIMARY KEY, session INTEGER, alphabet TEXT NOT NULL, letter TEXT NOT NULL,
                status TEXT NOT NULL, seconds REAL NOT NULL, signed TEXT, at REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS attempts_letter ON attempts(alphabet, letter);
            CREATE TABLE IF NOT EXISTS user_words (
                alphabet TEXT NOT NULL, word TEXT NOT NULL, added REAL NOT NULL, PRIMARY KEY (alphabet, word));
            COMMIT;""")

    def close(self) -> None:
        self.db.close()

    def _write(self, statements) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for q, args in statements:
                self.db.execute(q, args)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def new_session(self, alphabet: str) -> int:
        self.db.execute("BEGIN IMMEDIATE")
        cur = self.db.execute("INSERT INTO sessions (alphabet, started) VALUES (?, ?)", (alphabet, time.time()))
        self.db.execute("COMMIT")
        return int(cur.lastrowid)

    def record_letter(self, session: int, alphabet: str, letter: str, status: str, seconds: float,
                      score: int, best_streak: int, word_done: bool, signed: str | None = None) -> None:
        col = _COLS[status]
        self._write([
            ("INSERT OR IGNORE INTO letters (alphabet, letter) VALUES (?, ?)", (alphabet, letter)),
            ((f"UPDATE letters SET attempts = attempts + 1, {col} = {col} + 1, seconds = seconds + ? "
              "WHERE alphabet = ? AND letter = ?"), (float(seconds), alphabet, letter)),
            ("INSERT INTO attempts (session, alphabet, letter, status, seconds, signed, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
             (session, alphabet, letter, status, float(seconds), signed, time.time())),
            ("UPDATE sessions SET score = ?, best_streak = MAX(best_streak, ?), words = words + ? WHERE id = ?",
             (score, best_streak, int(word_done), session)),
        ])

    # ------------------------------------------------------------------ reading
    def letters(self, alphabet: str) -> dict[str, dict]:
        rows = self.db.execute("SELECT letter, attempts, right, slow, wrong, seconds FROM letters WHERE alphabet = ? "
                               "ORDER BY letter", (alphabet,)).fetchall()
        return {r[0]: {"attempts": r[1], "right": r[2], "slow": r[3], "wrong": r[4],
                       "mean_seconds": r[5] / r[1] if r[1] else 0.0} for r in rows}

    def weakest(self, alphabet: str, n: int = 5) -> list[str]:
        st = self.letters(alphabet)
        return sorted(st, key=lambda k: (st[k]["right"] + 0.5 * st[k]["slow"]) / max(st[k]["attempts"], 1))[:n]

    def sessions(self, alphabet: str | None = None) -> list[dict]:
        q = "SELECT id, alphabet, started, words, score, best_streak FROM sessions"
        rows = self.db.execute(q + (" WHERE alphabet = ?" if alphabet else "") + " ORDER BY id",
                               (alphabet,) if alphabet else ()).fetchall()
        return [dict(zip(("id", "alphabet", "started", "words", "score", "best_streak"), r)) for r in rows]

    def history(self, alphabet: str, letter: str, n: int = RECENT) -> list[dict]:
        """The last ``n`` attempts at a letter, newest first."""
        rows = self.db.execute("SELECT status, seconds, signed, at FROM attempts WHERE alphabet = ? AND letter = ? "
                               "ORDER BY id DESC LIMIT ?", (alphabet, letter, n)).fetchall()
        return [dict(zip(("status", "seconds", "signed", "at"), r)) for r in rows]

    def advice(self, alphabet: str, letters=None, n: int = 5) -> list[dict]:
        """What to practise next, most needed first: ``{"letter", "why", "need"}`` (need 0-1).
        Judged on each letter's last ``RECENT`` attempts; letters never practised come after the
        weak ones when ``letters`` (the alphabet's letters) is given."""
        out = []
        for letter in self.letters(alphabet):
            recent = self.history(alphabet, letter)
            if not recent:
                continue
            wrong = [r for r in recent if r["status"] == "wrong"]
            slow = [r for r in recent if r["status"] == "slow"]
            need = (len(wrong) + 0.5 * len(slow)) / len(recent)
            if need <= 0:
                continue
            if wrong:
                signed = [r["signed"] for r in wrong if r["signed"]]
                as_ = max(set(signed), key=signed.count) if signed else None
                why = f"wrong {len(wrong)} of the last {len(recent)} times" + (f", mostly as {as_}" if as_ else "")
            else:
                mean = sum(r["seconds"] for r in slow) / len(slow)
                why = f"slow {len(slow)} of the last {len(recent)} times ({mean:.1f} s on average)"
            out.append({"letter": letter, "why": why, "need": round(need, 3)})
        out.sort(key=lambda d: (-d["need"], d["letter"]))
        if letters is not None:
            seen = set(self.letters(alphabet))
            out += [{"letter": x, "why": "not practised yet", "need": 0.0} for x in letters if x not in seen]
        return out[:n]

    # ------------------------------------------------------------------ the user's own words
    def add_words(self, alphabet: str, words: list[str]) -> None:
        now = time.time()
        self._write([("INSERT OR IGNORE INTO user_words (alphabet, word, added) VALUES (?, ?, ?)", (alphabet, w, now))
                     for w in words])

    def remove_word(self, alphabet: str, word: str) -> None:
        self._write([("DELETE FROM user_words WHERE alphabet = ? AND word = ?", (alphabet, word))])

    def words(self, alphabet: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT word FROM user_words WHERE alphabet = ? ORDER BY added, word",
                                              (alphabet,))]


def practice_words(words: list[str], focus: list[str], alphabet, n: int = 5) -> list[str]:
    """Up to ``n`` of ``words`` that use the most of the ``focus`` letters (what to practise next)."""
    scored = []
    for w in words:
        try:
            toks = alphabet.tokenize(w)
        except ValueError:
            continue
        hits = sum(1 for t in toks if t in focus)
        if hits:
            scored.append((-hits / len(toks) - 0.01 * hits, len(toks), w))
    return [w for *_, w in sorted(scored)[:n]]
