"""Fingerspelling practice: prompt a word, follow the learner letter by letter.

Plain Python (the GUI page and the tests drive it). Feed it the top-1 label of every
recognition window (``feed``); a letter counts when it has been top-1 for ``hold_windows``
windows in a row, and the same letter counts again only after it was released (another
label or no hands), so double letters need a small bounce. Each letter ends up right,
slow (right but after ``slow_after_s``) or wrong (another letter was signed first, ``max_tries``
wrong letters, or ``timeout_s`` passed with hands in view), with the reason for a wrong
("I saw K"). A timeout with no hands in view is *not* wrong: the letter stays and says "no
hands seen" (``hands()`` / ``tick()``). ``view()`` is what a page shows per letter. Score,
streak, per-letter statistics and history (what to practise next) persist in SQLite
(``practice.sqlite3`` in the user's data folder; ``letter_history``).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..paths import ResourceMissing, wordlists_dir
from .grading import RESOURCES
from .letter_history import PracticeStats, parse_words, practice_words  # noqa: F401  (pages import them here)

WORDLISTS = RESOURCES / "wordlists"
# sign language -> spoken language of its built-in word list
WORDLIST_FOR = {
    "ase": "en", "ins": "en", "bfi": "en", "gsg": "de", "asq": "de", "sgg": "de", "mfs": "es", "ssp": "es",
    "bzs": "pt", "psr": "pt", "ise": "it", "swl": "sv", "tsm": "tr", "cse": "cs", "csq": "hr", "eso": "et",
    "gss": "el", "jos": "ar", "lls": "lt", "svk": "sk", "ukl": "uk",
}
RIGHT, SLOW, WRONG, PENDING, CURRENT = "right", "slow", "wrong", "pending", "current"
SYMBOLS = {RIGHT: "✓", SLOW: "◔", WRONG: "✗", PENDING: "·", CURRENT: "▶"}
STATE_NAMES = {CURRENT: "now", RIGHT: "right", SLOW: "slow", WRONG: "wrong", PENDING: "next"}
NO_HANDS_SEEN = "no hands seen"
POINTS = {RIGHT: 10, SLOW: 5, WRONG: 0}


@dataclass(frozen=True)
class Alphabet:
    language: str
    letters: dict  # letter text -> label id (as the pack names it)

    @property
    def name(self) -> str:
        """In words: 'American (ase)'."""
        from ..languages import alphabet_name

        return alphabet_name(self.language)

    @property
    def label_to_letter(self) -> dict:
        return {v: k for k, v in self.letters.items()}

    def letter_of(self, label: str | None) -> str | None:
        if label is None:
            return None
        if label in self.label_to_letter:
            return self.label_to_letter[label]
        if label in self.letters:
            return label
        return None

    def tokenize(self, word: str) -> list[str]:
        """A word -> the alphabet's letters (longest match first, e.g. SCH, LL); ValueError if a
        character has no letter."""
        keys = sorted(self.letters, key=len, reverse=True)
        low = {k.lower(): k for k in keys}
        out, i, w = [], 0, word.strip()
        while i < len(w):
            if w[i].isspace() or w[i] in "-'":
                i += 1
                continue
            for k in keys:
                if w[i:i + len(k)].lower() == k.lower():
                    out.append(low[k.lower()])
                    i += len(k)
                    break
            else:
                raise ValueError(f"{w[i]!r} is not a letter of the {self.language} alphabet")
        if not out:
            raise ValueError("type a word")
        return out


def alphabets_from_labels(labels) -> dict[str, Alphabet]:
    """Group a fingerspelling pack's labels (``Label`` with id ``ase:A``, text ``A``) by language."""
    out: dict[str, dict] = {}
    for l in labels:
        text = getattr(l, "text", None) or str(l.id).split(":")[-1]
        lang = getattr(l, "language", None) or (str(l.id).split(":")[0] if ":" in str(l.id) else "und")
        out.setdefault(lang, {})[text] = l.id
    return {k: Alphabet(k, v) for k, v in sorted(out.items())}


def word_list(language: str, alphabet: Alphabet | None = None) -> list[str]:
    """The built-in words for a sign language, keeping those its alphabet can spell."""
    spoken = WORDLIST_FOR.get(language, language)
    path = wordlists_dir() / f"{spoken}.txt"
    if not path.is_file():
        if spoken in WORDLIST_FOR.values():  # a list the app ships: its absence is a broken install
            raise ResourceMissing(path, f"the built-in word list {path.name!r}")
        return []
    words = list(dict.fromkeys(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()))
    if alphabet is None:
        return words
    ok = []
    for w in words:
        try:
            alphabet.tokenize(w)
            ok.append(w)
        except ValueError:
            pass
    return ok


@dataclass
class LetterState:
    letter: str
    status: str = PENDING
    started: float | None = None
    seconds: float | None = None
    wrong: list = field(default_factory=list)  # letters signed instead
    reason: str = ""                           # why wrong ("I saw K"), or "no hands seen" while waiting
    hands_seen: bool = False                   # hands were in view while this letter was asked
    seen: dict = field(default_factory=dict)   # letter -> recognition windows it was the best guess
    timer: float | None = None                 # the timeout counts from here

    @property
    def state(self) -> str:
        """now / right / slow / wrong / next."""
        return STATE_NAMES[self.status]

    def most_seen(self) -> str | None:
        other = {k: v for k, v in self.seen.items() if k != self.letter}
        return max(other, key=other.get) if other else None


@dataclass
class Event:
    kind: str          # "letter" (position done), "wrong" (another letter held), "word" (word done),
    #                    "no_hands" (timeout with no hands in view: the letter waits)
    position: int = -1
    letter: str | None = None
    status: str | None = None
    signed: str | None = None
    reason: str = ""


class FingerspellingSession:
    def __init__(self, alphabet: Alphabet, words: list[str] | None = None, hold_windows: int = 2,
                 slow_after_s: float = 4.0, max_tries: int = 3, stats: PracticeStats | None = None, seed: int | None = None,
                 linger_s: float = 1.5, timeout_s: float | None = 10.0):
        self.alphabet = alphabet
        self.words = [w for w in (words if words is not None else word_list(alphabet.language, alphabet))]
        if not self.words:
            raise ValueError(f"no words to practise for {alphabet.language}; type some")
        self.hold_windows, self.slow_after_s, self.max_tries = int(hold_windows), float(slow_after_s), int(max_tries)
        self.linger_s = float(linger_s)
        self.timeout_s = timeout_s
        self.stats = stats
        self.session_id = stats.new_session(alphabet.language) if stats else None
        self.rng = random.Random(seed)
        self.score = 0
        self.streak = 0
        self.best_streak = 0
        self.words_done = 0
        self.word: str | None = None
        self.letters: list[LetterState] = []
        self.position = 0
        self._run_label: str | None = None
        self._run = 0
        self._used = False
        self._queue: list[str] = []

    # ------------------------------------------------------------------ prompting
    def next_word(self, t: float = 0.0, word: str | None = None) -> str:
        if word is None:
            if not self._queue:
                self._queue = list(self.words)
                self.rng.shuffle(self._queue)
            word = self._queue.pop()
        tokens = self.alphabet.tokenize(word)
        self.word = word
        self.letters = [LetterState(x) for x in tokens]
        self.position = 0
        self.letters[0].status = CURRENT
        self.letters[0].started = self.letters[0].timer = t
        self._run_label, self._run, self._used = None, 0, False
        return word

    @property
    def done(self) -> bool:
        return bool(self.letters) and self.position >= len(self.letters)

    @property
    def expected(self) -> str | None:
        return None if self.done or not self.letters else self.letters[self.position].letter

    # ------------------------------------------------------------------ input
    def feed_prediction(self, prediction, t: float, final: bool = False) -> list[Event]:
        """A recognition window's prediction: its best guess *within this alphabet* counts (a pack
        with many alphabets may rank another language's letter first). ``final`` marks the
        window that ends a signing segment (hands down): the held letter is released after it."""
        label = None
        if prediction is not None:
            self.hands(t, True)  # the recogniser only predicts with hands in view
            label = self.pick(g.label for g in prediction.top)
        return self.feed(label, t, final)

    def hands(self, t: float, seen: bool) -> None:
        """Whether hands are in view now (the live view's indicator); a timeout without any is
        "no hands seen", not wrong."""
        if seen and self.word is not None and not self.done:
            cur = self.letters[self.position]
            cur.hands_seen = True
            if cur.reason == NO_HANDS_SEEN:
                cur.reason = ""

    def tick(self, t: float) -> list[Event]:
        """Call regularly (e.g. every frame or second): applies ``timeout_s`` to the current letter.
        Hands seen: the letter is wrong, with what was seen. No hands: it waits, "no hands seen"."""
        if self.timeout_s is None or self.word is None or self.done:
            return []
        cur = self.letters[self.position]
        start = cur.timer if cur.timer is not None else (cur.started or 0.0)
        if t - start < self.timeout_s:
            return []
        if not cur.hands_seen:
            cur.reason, cur.timer = NO_HANDS_SEEN, t
            return [Event("no_hands", self.position, cur.letter, None, None, NO_HANDS_SEEN)]
        seen = cur.most_seen()
        cur.reason = f"I saw {seen}" if seen else "I could not make out a letter"
        self.streak = 0
        return self._finish(WRONG, t)

    def pick(self, labels) -> str | None:
        """The first label of a ranked list that is a letter of this alphabet."""
        for lab in labels:
            if self.alphabet.letter_of(lab) is not None:
                return lab
        return None

    def feed(self, label: str | None, t: float, final: bool = False) -> list[Event]:
        """One recognition window's top-1 label (pack id or letter text; None when idle)."""
        if self.word is None or self.done:
            return []
        letter = self.alphabet.letter_of(label)
        if letter is None:
            self._run_label, self._run, self._used = None, 0, False
            return []
        cur = self.letters[self.position]
        cur.hands_seen = True
        cur.seen[letter] = cur.seen.get(letter, 0) + 1
        if letter == self._run_label:
            self._run += 1
        else:
            self._run_label, self._run, self._used = letter, 1, False
        if self._run < self.hold_windows or self._used:
            if final:  # hands down: the next window starts a new letter
                self._run_label, self._run, self._used = None, 0, False
            return []
        self._used = True
        events = self._count(letter, t)
        if final:
            self._run_label, self._run, self._used = None, 0, False
        return events

    def skip(self, t: float) -> list[Event]:
        if self.word is None or self.done:
            return []
        return self._finish(WRONG, t)

    def _count(self, letter: str, t: float) -> list[Event]:
        cur = self.letters[self.position]
        if letter == cur.letter:
            if cur.wrong:
                status = WRONG
            else:
                status = SLOW if (t - (cur.started or 0.0)) > self.slow_after_s else RIGHT
            return self._finish(status, t)
        if self.position > 0 and letter == self.letters[self.position - 1].letter \
                and t - (cur.started or 0.0) < self.linger_s:
            return []  # still showing the letter just done: not a wrong attempt
        cur.wrong.append(letter)
        cur.reason = f"I saw {letter}"
        self.streak = 0
        ev = [Event("wrong", self.position, cur.letter, None, letter, cur.reason)]
        if len(cur.wrong) >= self.max_tries:
            ev += self._finish(WRONG, t)
        return ev

    def _finish(self, status: str, t: float) -> list[Event]:
        cur = self.letters[self.position]
        cur.status = status
        cur.seconds = t - (cur.started or 0.0)
        self.score += POINTS[status]
        if status == WRONG:
            self.streak = 0
        else:
            self.streak += 1
            self.best_streak = max(self.best_streak, self.streak)
        if status == WRONG and not cur.reason:
            cur.reason = "skipped"
        if status != WRONG:
            cur.reason = ""
        ev = [Event("letter", self.position, cur.letter, status, cur.wrong[-1] if cur.wrong else None, cur.reason)]
        self.position += 1
        word_done = self.position >= len(self.letters)
        if not word_done:
            nxt = self.letters[self.position]
            nxt.status, nxt.started, nxt.timer = CURRENT, t, t
        else:
            self.words_done += 1
            ev.append(Event("word", status=self.word_status))
        if self.stats is not None:
            self.stats.record_letter(self.session_id, self.alphabet.language, cur.letter, status, cur.seconds,
                                     self.score, self.best_streak, word_done,
                                     signed=(cur.wrong[-1] if cur.wrong else cur.most_seen()) if status == WRONG else None)
        return ev

    @property
    def word_status(self) -> str:
        st = [l.status for l in self.letters]
        if WRONG in st:
            return WRONG
        return SLOW if SLOW in st else RIGHT

    def view(self) -> list[dict]:
        """Per letter what a page shows: ``{"letter", "state": now|right|slow|wrong|next, "reason"}``."""
        return [{"letter": l.letter, "state": l.state, "reason": l.reason} for l in self.letters]

    def display(self) -> str:
        """Text rendering that does not rely on colour: ``H✓ E✗ L▶ L· O·``."""
        return " ".join(f"{l.letter}{SYMBOLS[l.status]}" for l in self.letters)
