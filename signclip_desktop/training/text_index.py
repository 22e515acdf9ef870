"""Build ``resources/text_index.npz``: the static word-embedding table behind the Signs search.

    python -m signclip_desktop.training.text_index            # build (a few minutes on 2 cores)
    python -m signclip_desktop.training.text_index --eval     # quality report of the shipped file

MiniLM (all-MiniLM-L6-v2, the packs' text encoder) is run once per wordpiece token of its own
vocabulary (``[CLS] token [SEP]``, mean pooling, as sentence-transformers does) and once per
common English word that its vocabulary splits into several pieces (the most frequent words
of pyspellchecker's English list, e.g. "famished" = fa ##mis ##hed, whose pieces mean nothing).
The 384-d unit vectors are reduced by PCA, stored as int8 rows with a per-row scale, and each
row gets a weight that grows with the word's rarity (SIF-style, from the same frequency list),
so "a", "is", "your" hardly move a query. The runtime (``model/text_search.py``) needs only numpy.
Deterministic: no sampling; PCA signs are fixed; torch runs on one thread.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

from ..model.text_search import (
    FORMAT,
    FORMAT_VERSION,
    INDEX_FILE,
    LabelSearch,
    TextIndex,
    wordpiece,
)
from .text import TEXT_MODEL, minilm_path

SIF_A = 1e-3          # SIF weight a / (a + p(word)); 1e-3 as in Arora et al. 2017
QUERIES_FILE = Path(__file__).resolve().parents[2] / "tests" / "model" / "data" / "text_queries.tsv"


def read_vocab(path: Path) -> list[str]:
    vocab = path.read_text(encoding="utf-8").split("\n")
    return vocab[:-1] if vocab and vocab[-1] == "" else vocab


def word_counts() -> dict[str, int]:
    """English word -> corpus count, from the pyspellchecker package (train extra)."""
    try:
        import spellchecker
    except ImportError:
        sys.exit("text_index: needs pyspellchecker (pip install -e .[train])")
    path = Path(spellchecker.__file__).resolve().parent / "resources" / "en.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {w: int(c) for w, c in json.load(f).items()}


def minilm_vectors(id_lists: list[list[int]], batch: int = 512) -> np.ndarray:
    """[N, 384] unit MiniLM sentence vectors of already-tokenised inputs (without CLS/SEP)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    from transformers import AutoModel

    torch.set_num_threads(1)
    model = AutoModel.from_pretrained(str(minilm_path())).eval()
    out = np.zeros((len(id_lists), 384), np.float32)
    order = sorted(range(len(id_lists)), key=lambda i: (len(id_lists[i]), i))  # pad little
    with torch.no_grad():
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            width = max(len(id_lists[i]) for i in idx) + 2
            ids = torch.zeros((len(idx), width), dtype=torch.long)
            mask = torch.zeros_like(ids)
            for r, i in enumerate(idx):
                seq = [101, *id_lists[i], 102]  # [CLS] ... [SEP]
                ids[r, :len(seq)] = torch.tensor(seq)
                mask[r, :len(seq)] = 1
            h = model(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            pooled = (h * m).sum(1) / m.sum(1)
            out[idx] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
            print(f"\r  MiniLM {min(s + batch, len(order))}/{len(order)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


def pca(x: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Centred projection onto the top ``dim`` components, signs fixed (largest loading > 0)."""
    mean = x.mean(0)
    _, _, vt = np.linalg.svd((x - mean).astype(np.float64), full_matrices=False)
    comp = vt[:dim]
    signs = np.sign(comp[np.arange(dim), np.abs(comp).argmax(1)])
    comp = comp * signs[:, None]
    return ((x - mean) @ comp.T).astype(np.float32), comp.astype(np.float32)


def quantize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(x).max(1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.round(x / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def _blob(items: list[str]) -> np.ndarray:
    """Strings as one UTF-8 byte array (loads without pickle, unlike an object array)."""
    return np.frombuffer("\n".join(items).encode("utf-8"), np.uint8)


def build(out: Path, dim: int, extra_words: int, min_count: int) -> dict:
    vocab = read_vocab(minilm_path() / "vocab.txt")
    vocab_ids = {t: i for i, t in enumerate(vocab)}
    counts = word_counts()
    extra = sorted((w for w, c in counts.items()
                    if c >= min_count and re.fullmatch(r"[a-z]{2,}", w) and w not in vocab_ids),
                   key=lambda w: (-counts[w], w))[:extra_words]
    # extra words are tokenised exactly as the runtime would split them
    lists = [[i] for i in range(len(vocab))] + [[vocab_ids[p] for p in wordpiece(w, vocab_ids)] for w in extra]
    t0 = time.perf_counter()
    vecs = minilm_vectors(lists)
    unused = np.array([t.startswith("[") for t in vocab] + [False] * len(extra))
    vecs[unused] = 0.0  # [PAD], [unusedN], ... carry no meaning
    proj, _ = pca(vecs[~unused], dim)
    reduced = np.zeros((len(lists), dim), np.float32)
    reduced[~unused] = proj
    q, scale = quantize(reduced)

    total = float(sum(counts.values()))
    floor = min_count / total  # words missing from the list (and ## pieces) count as rare
    entries = vocab + extra
    p = np.array([counts.get(e, 0) / total for e in entries])
    weights = SIF_A / (SIF_A + np.maximum(p, floor))
    weights[unused] = 0.0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, format=np.array(FORMAT), version=np.array(FORMAT_VERSION, np.int32),
                        model=np.array(TEXT_MODEL),
                        built_by=np.array("python -m signclip_desktop.training.text_index"
                                          f" --dim {dim} --extra-words {extra_words} --min-count {min_count}"),
                        vocab=_blob(vocab), extra_words=_blob(extra), vectors=q,
                        scales=scale,
                        weights=weights.astype(np.float32))
    os.replace(tmp, out)
    return {"vocab": len(vocab), "extra_words": len(extra), "dim": dim,
            "seconds": round(time.perf_counter() - t0, 1), "bytes": out.stat().st_size}


def read_queries(path: Path = QUERIES_FILE) -> list[tuple[str, list[str]]]:
    """``query<TAB>label,label`` lines (``#`` comments) of the paraphrase test set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, accepted = line.split("\t")
            rows.append((query, accepted.split(",")))
    return rows


class FullMiniLM:
    """The full encoder behind the same ``embed`` interface: the ceiling the table approximates."""

    def embed(self, text: str) -> np.ndarray:
        return self.embed_many([text])[0]

    def embed_many(self, texts) -> np.ndarray:
        from .text import embed_texts

        return embed_texts(list(texts))


def evaluate(index_path: Path, pack: Path, queries: Path = QUERIES_FILE, verbose: bool = True,
             minilm: bool = False) -> dict:
    """Top-1 / top-3 of the paraphrase queries against the pack's labels (same ranking rules)."""
    labels = [l["id"] for l in json.loads((pack / "manifest.json").read_text(encoding="utf-8"))["labels"]]
    t0 = time.perf_counter()
    search = LabelSearch(labels, FullMiniLM() if minilm else TextIndex.load(index_path))
    load_ms = (time.perf_counter() - t0) * 1e3
    rows = read_queries(queries)
    top1 = top3 = 0
    t_query = 0.0
    for query, accepted in rows:
        t0 = time.perf_counter()
        got = [label for label, _ in search.search(query, 3)]
        t_query += time.perf_counter() - t0
        hit1, hit3 = got[:1] and got[0] in accepted, any(g in accepted for g in got)
        top1 += bool(hit1)
        top3 += bool(hit3)
        if verbose:
            mark = "ok " if hit1 else "top3" if hit3 else "MISS"
            print(f"  {mark} {query!r:24} -> {', '.join(got)}   (want {', '.join(accepted)})")
    return {"queries": len(rows), "top1": top1, "top3": top3,
            "top1_rate": round(top1 / len(rows), 3), "top3_rate": round(top3 / len(rows), 3),
            "load_ms": round(load_ms, 1), "query_ms": round(t_query / len(rows) * 1e3, 3)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=INDEX_FILE)
    ap.add_argument("--dim", type=int, default=96, help="PCA dimensions kept")
    ap.add_argument("--extra-words", type=int, default=10000,
                    help="most frequent multi-piece English words given their own row")
    ap.add_argument("--min-count", type=int, default=50, help="ignore rarer words of the frequency list")
    ap.add_argument("--eval", action="store_true", help="only report quality of --out on the queries")
    ap.add_argument("--minilm", action="store_true",
                    help="with --eval: rank with the full MiniLM instead (needs torch; the ceiling)")
    ap.add_argument("--pack", type=Path, default=Path(__file__).resolve().parents[2] / "models" / "words")
    ap.add_argument("--queries", type=Path, default=QUERIES_FILE)
    args = ap.parse_args(argv)
    if not args.eval:
        print(json.dumps(build(args.out, args.dim, args.extra_words, args.min_count)))
    res = evaluate(args.out, args.pack, args.queries, minilm=args.minilm)
    print(json.dumps({"index": "full MiniLM" if args.minilm else str(args.out), "pack": str(args.pack), **res}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
