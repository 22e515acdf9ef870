"""What the Signs page lists: every sign of a pack plus the user's own signs, searchable by meaning.

Plain Python (no Qt). ``entries`` builds the list from a pack's labels and the personal
library's signs; ``Vocabulary.filter`` narrows it as the user types: text matches first
(exact, prefix, word, anywhere: ``model.text_search.text_match``), then signs close in
meaning ("thanks a lot" -> thank you) through the shipped static text index.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..languages import full_name


MIN_MEANING = 0.55    # cosine of the static index below which a meaning-only match is left out
MEANING_BAND = 0.2    # ... and one this far below the best meaning-only match (keeps the list short)
MAX_MEANING = 12      # at most this many meaning-only matches follow the text matches


@dataclass(frozen=True)
class Entry:
    label_id: str          # the pack's label id, or the personal sign's name
    text: str              # as a person reads it ("thank you")
    language: str          # ISO 639-3 code
    yours: bool = False    # from the personal library
    n_examples: int = 0    # personal signs: how many examples are stored

    @property
    def language_words(self) -> str:
        return language_words(self.language)

    @property
    def key(self) -> tuple[str, str, bool]:
        return self.label_id, self.language, self.yours


def language_words(code: str) -> str:
    """'American Sign Language' for 'ase'; an unknown code is shown as it is."""
    return full_name(code)


def _display(text: str) -> str:
    return text.replace("-", " ") if len(text) > 1 else text


def entries(pack=None, signs=()) -> list[Entry]:
    """The pack's labels in the pack's order, then the personal signs (``practice.library.Sign``)."""
    out = [Entry(lab.id, lab.display, lab.language) for lab in (pack.labels if pack is not None else [])]
    out += [Entry(s.name, _display(s.name), s.language, True, int(s.n_examples)) for s in signs]
    return out


class Vocabulary:
    """Entries plus a meaning search over their texts (the index is loaded on first use:
    ``prepare()`` does it, e.g. on a worker thread, since loading takes ~0.5 s)."""

    def __init__(self, items: list[Entry], index=None):
        self.items = list(items)
        self._texts = sorted({e.text for e in self.items})
        self._index = index
        self._search = None

    def prepare(self) -> "Vocabulary":
        if self._search is None and self._texts:
            from ..model.text_search import LabelSearch

            self._search = LabelSearch(self._texts, self._index)
        return self

    @property
    def ready(self) -> bool:
        return self._search is not None or not self._texts

    def filter(self, query: str) -> list[Entry]:
        """All entries for an empty query; else text matches, then the closest in meaning."""
        from ..model.text_search import normalize_text, text_match

        if not normalize_text(query):
            return list(self.items)
        self.prepare()
        by_text = {}
        for e in self.items:
            by_text.setdefault(e.text, []).append(e)
        ranked = self._search.search(query, k=len(self._texts), min_score=MIN_MEANING) \
            if self._search is not None else []
        exact = [t for t, _ in ranked if text_match(query, t) is not None]
        meaning = [(t, s) for t, s in ranked if text_match(query, t) is None]
        floor = (meaning[0][1] - MEANING_BAND) if meaning else 0.0
        meaning = [t for t, s in meaning if s >= floor][:MAX_MEANING]
        return [e for t in exact + meaning for e in by_text[t]]


def _bench(n: int = 200) -> None:
    """Loading the index and filtering, on the shipped words pack (prints the times)."""
    import time

    from ..model.pack import load_pack
    from ..paths import builtin_packs_dir

    pack = load_pack(builtin_packs_dir() / "words")
    t0 = time.perf_counter()
    v = Vocabulary(entries(pack)).prepare()
    t1 = time.perf_counter()
    for i in range(n):
        v.filter(("thanks a lot", "beverage", "dad", "ho")[i % 4])
    t2 = time.perf_counter()
    print(f"{len(v.items)} signs; prepare (index load + label vectors): {1000 * (t1 - t0):.1f} ms; "
          f"filter: {1000 * (t2 - t1) / n:.3f} ms per query ({n} queries)")


if __name__ == "__main__":
    _bench()
