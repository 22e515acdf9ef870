"""Search sign labels by meaning, with no neural network at run time.

``resources/text_index.npz`` is a static word-embedding table distilled from the text
encoder the packs' label side was trained with (all-MiniLM-L6-v2): one MiniLM vector per
wordpiece token of its vocabulary and per common English word that MiniLM splits into
several pieces, reduced by PCA and stored as int8 rows. A text's vector is the weighted mean
of its words' rows (rare words weigh more), so "thanks a lot" lands near "thank you".
``python -m signclip_desktop.training.text_index`` builds the file; only numpy is needed here.

Ranking: labels that contain the query as text always come first (exact, then prefix, then
word prefix, then anywhere), so typing "thank" shows thank-you; the rest follow by cosine
similarity of meaning.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

INDEX_FILE = Path(__file__).resolve().parent.parent / "resources" / "text_index.npz"
FORMAT = "signclip-text-index"
FORMAT_VERSION = 1
MAX_WORD_CHARS = 100  # BERT's wordpiece gives up on longer words ([UNK])


class TextIndexError(ValueError):
    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"text index {self.path}: {reason}")


# --- BERT-style tokenizer (uncased: lower-case, strip accents, split punctuation) ---------

def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True  # BERT counts all non-alphanumeric ASCII as punctuation ("$", "^", "`")
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokens(text: str) -> list[str]:
    """Words and single punctuation / CJK characters, as BERT's BasicTokenizer splits them."""
    out: list[str] = []
    buf: list[str] = []

    def flush():
        if buf:
            out.append("".join(buf))
            buf.clear()

    for ch in unicodedata.normalize("NFD", text.lower()):
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if cp == 0 or cp == 0xFFFD or cat == "Mn":
            continue
        if ch.isspace() or cat in ("Cc", "Cf"):
            flush()
        elif _is_punct(ch) or _is_cjk(cp):
            flush()
            out.append(ch)
        else:
            buf.append(ch)
    flush()
    return out


def wordpiece(word: str, vocab: Mapping[str, int] | set) -> list[str]:
    """Greedy longest-match-first split into vocabulary pieces; ``["[UNK]"]`` when impossible."""
    if len(word) > MAX_WORD_CHARS:
        return ["[UNK]"]
    pieces: list[str] = []
    start = 0
    while start < len(word):
        end = len(word)
        piece = None
        while start < end:
            cand = word[start:end] if start == 0 else "##" + word[start:end]
            if cand in vocab:
                piece = cand
                break
            end -= 1
        if piece is None:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


# --- the index ----------------------------------------------------------------------------

def _strings(blob: np.ndarray, path, key: str) -> list[str]:
    if blob.dtype != np.uint8 or blob.ndim != 1:
        raise TextIndexError(path, f"'{key}' must be a 1-D uint8 array (UTF-8 text), got {blob.dtype} {blob.shape}")
    try:
        text = blob.tobytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise TextIndexError(path, f"'{key}' is not UTF-8 ({e})") from None
    return text.split("\n") if text else []


@dataclass
class TextIndex:
    """Static embedding table: ``entries[i]`` (a wordpiece token or a whole word) -> row ``i``."""

    vectors: np.ndarray          # float32 [N, D], rows dequantised (not unit: weights do that job)
    weights: np.ndarray          # float32 [N] >= 0
    vocab: dict[str, int]        # wordpiece vocabulary -> row
    words: dict[str, int]        # whole words with their own row (vocab words + extra words)
    path: Path | None = None
    meta: dict = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @classmethod
    def load(cls, path=None) -> TextIndex:
        path = Path(path) if path is not None else INDEX_FILE
        if not path.is_file():
            raise TextIndexError(path, "file not found (build it with python -m signclip_desktop.training.text_index)")
        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
        except Exception as e:  # noqa: BLE001 - zip/npy damage comes in many exception types
            raise TextIndexError(path, f"not a readable .npz file ({e.__class__.__name__}: {e})") from None
        need = ("format", "version", "vocab", "extra_words", "vectors", "scales", "weights")
        missing = [k for k in need if k not in data]
        if missing:
            raise TextIndexError(path, f"missing arrays {missing}")
        fmt = str(data["format"])
        if fmt != FORMAT:
            raise TextIndexError(path, f"format is {fmt!r}, expected {FORMAT!r}")
        version = data["version"]
        if version.shape != () or not np.issubdtype(version.dtype, np.integer) or int(version) != FORMAT_VERSION:
            raise TextIndexError(path, f"format version {version!r} is not {FORMAT_VERSION}")
        vocab = _strings(data["vocab"], path, "vocab")
        extra = _strings(data["extra_words"], path, "extra_words")
        q, scales, weights = data["vectors"], data["scales"], data["weights"]
        n = len(vocab) + len(extra)
        if q.dtype != np.int8 or q.ndim != 2:
            raise TextIndexError(path, f"'vectors' must be 2-D int8, got {q.dtype} {q.shape}")
        if q.shape[0] != n or not 8 <= q.shape[1] <= 1024:
            raise TextIndexError(path, f"'vectors' is {q.shape}, expected [{n}, 8..1024] "
                                       f"({len(vocab)} vocab + {len(extra)} extra words)")
        for key, arr in (("scales", scales), ("weights", weights)):
            if arr.shape != (n,) or arr.dtype.kind != "f":
                raise TextIndexError(path, f"'{key}' must be float [{n}], got {arr.dtype} {arr.shape}")
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise TextIndexError(path, f"'{key}' has negative or non-finite values")
        if len(set(vocab)) != len(vocab) or "[UNK]" not in vocab:
            raise TextIndexError(path, "'vocab' has duplicate tokens or no [UNK]")
        vocab_ids = {t: i for i, t in enumerate(vocab)}
        words = {t: i for i, t in enumerate(vocab) if not t.startswith(("##", "["))}
        for j, w in enumerate(extra):
            if not w or w in words:
                raise TextIndexError(path, f"extra word {j} ({w!r}) is empty or already a vocabulary word")
            words[w] = len(vocab) + j
        vectors = q.astype(np.float32) * scales.astype(np.float32)[:, None]
        meta = {k: str(data[k]) for k in ("model", "built_by") if k in data}
        return cls(vectors, weights.astype(np.float32), vocab_ids, words, path, meta)

    def _word_rows(self, word: str) -> tuple[np.ndarray, float] | None:
        i = self.words.get(word)
        if i is not None:
            return self.vectors[i], float(self.weights[i])
        pieces = [self.vocab[p] for p in wordpiece(word, self.vocab) if p != "[UNK]"]
        w = self.weights[pieces] if pieces else np.zeros(0, np.float32)
        if not pieces or w.sum() <= 0:
            return None
        # a word split into pieces counts once, as the weighted mean of its pieces
        return (self.vectors[pieces] * w[:, None]).sum(0) / w.sum(), float(w.mean())

    def embed(self, text: str) -> np.ndarray:
        """Unit float32 [D] meaning vector of ``text``; all zeros when no word of it is known."""
        tokens = [t for t in basic_tokens(text) if any(c.isalnum() for c in t)]
        acc = np.zeros(self.dim, np.float32)
        for tok in tokens:
            got = self._word_rows(tok)
            if got is not None:
                acc += got[0] * got[1]
        norm = float(np.linalg.norm(acc))
        return acc / norm if norm > 1e-8 else acc

    def embed_many(self, texts: Iterable[str]) -> np.ndarray:
        rows = [self.embed(t) for t in texts]
        return np.stack(rows) if rows else np.zeros((0, self.dim), np.float32)


_DEFAULT: TextIndex | None = None


def default_index() -> TextIndex:
    """The shipped index, loaded once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = TextIndex.load(INDEX_FILE)
    return _DEFAULT


# --- ranking ------------------------------------------------------------------------------

def normalize_text(text: str) -> str:
    """Lower-case, accents and gloss joiners gone: ``"Thank-You"`` -> ``"thank you"``."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.replace("-", " ").replace("_", " ").split())


def text_match(query: str, label: str) -> int | None:
    """0 exact, 1 label starts with the query, 2 a word of it does, 3 anywhere; None: no match."""
    q, t = normalize_text(query), normalize_text(label)
    if not q or q not in t:
        return None
    if q == t:
        return 0
    if t.startswith(q):
        return 1
    return 2 if (" " + q) in (" " + t) else 3


class LabelSearch:
    """Label vectors computed once; ``search`` as the user types."""

    def __init__(self, labels: Sequence[str], index: TextIndex | None = None,
                 synonyms: Mapping[str, Sequence[str]] | None = None):
        self.labels = list(labels)
        self.index = index if index is not None else default_index()
        synonyms = synonyms or {}
        # each label may have several phrasings; its score is the best of them
        self._owner: list[int] = []
        texts: list[str] = []
        for i, label in enumerate(self.labels):
            for text in [normalize_text(label), *synonyms.get(label, ())]:
                self._owner.append(i)
                texts.append(text)
        self._owner_arr = np.asarray(self._owner, np.int64)
        self._vectors = self.index.embed_many(texts)

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of meaning, one per label (0 for labels with no known word)."""
        best = np.full(len(self.labels), -1.0, np.float32)
        if self._vectors.shape[0]:
            sims = self._vectors @ self.index.embed(query)
            np.maximum.at(best, self._owner_arr, sims)
        return best

    def search(self, query: str, k: int = 10, min_score: float | None = None) -> list[tuple[str, float]]:
        """Best ``k`` labels as ``(label, score)``: text matches first, then by meaning.

        ``score`` is the meaning similarity in [-1, 1]; labels that only match by meaning and
        score below ``min_score`` are left out. An empty query gives an empty list.
        """
        if not normalize_text(query) or k <= 0:
            return []
        sims = self.scores(query)
        ranked = []
        for i, label in enumerate(self.labels):
            tier = text_match(query, label)
            if tier is None and min_score is not None and sims[i] < min_score:
                continue
            ranked.append((4 if tier is None else tier, -float(sims[i]), i))
        ranked.sort()
        return [(self.labels[i], -neg) for _, neg, i in ranked[:k]]


def search(query: str, labels: Sequence[str], k: int = 10, *, index: TextIndex | None = None,
           synonyms: Mapping[str, Sequence[str]] | None = None,
           min_score: float | None = None) -> list[tuple[str, float]]:
    """One-off search; build a ``LabelSearch`` to query the same labels many times."""
    return LabelSearch(labels, index, synonyms).search(query, k, min_score)
