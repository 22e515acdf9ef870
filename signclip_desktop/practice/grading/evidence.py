"""Everything the app knows about a target sign, as embedding evidence for the score.

One reference clip is a poor yardstick: signers differ. A ``SignBank`` holds the pack's
embeddings of every known example of every sign (the built-in references of all signers and
variants, the user's own library examples); an attempt is scored by how close it comes to
its target's nearest examples (``knn``) and by how much closer than to any other sign
(``knn_margin``), next to the pack's own recognition of the word (``label_sim``/``label_margin``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KNN = 3  # nearest examples of a sign averaged


@dataclass
class SignBank:
    """Unit embeddings ``[N, E]`` with the sign each belongs to (and who signed it)."""
    embeddings: np.ndarray
    signs: np.ndarray          # [N] str
    signers: np.ndarray | None = None

    def __post_init__(self):
        self.embeddings = np.asarray(self.embeddings, np.float32).reshape(len(self.signs), -1)
        self.signs = np.asarray(self.signs).astype(str)
        order = np.argsort(self.signs, kind="stable")
        self.embeddings, self.signs = self.embeddings[order], self.signs[order]
        if self.signers is not None:
            self.signers = np.asarray(self.signers).astype(str)[order]
        names, starts = np.unique(self.signs, return_index=True)
        self._names = [str(n) for n in names]
        self._bounds = np.r_[starts, len(self.signs)]

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def __contains__(self, sign: str) -> bool:
        return sign in self._names

    def __len__(self) -> int:
        return len(self.signs)

    def merged(self, other: SignBank) -> SignBank:
        sg = None
        if self.signers is not None and other.signers is not None:
            sg = np.r_[self.signers, other.signers]
        return SignBank(np.concatenate([self.embeddings, other.embeddings]), np.r_[self.signs, other.signs], sg)

    def without_signer(self, signer: str) -> SignBank:
        """The bank minus one signer's examples (evaluation: reference and attempt never share a signer)."""
        if self.signers is None:
            return self
        keep = self.signers != signer
        return SignBank(self.embeddings[keep], self.signs[keep], self.signers[keep])

    def knn_scores(self, emb: np.ndarray, k: int = KNN) -> dict[str, float]:
        """Per sign: mean cosine of ``emb`` to that sign's ``k`` nearest examples."""
        sims = self.embeddings @ np.asarray(emb, np.float32)
        out = {}
        for n, a, b in zip(self._names, self._bounds[:-1], self._bounds[1:]):
            s = sims[a:b]
            kk = min(k, len(s))
            out[n] = float(np.partition(s, len(s) - kk)[len(s) - kk:].mean())
        return out

    def save(self, path, **meta) -> None:
        import os
        from pathlib import Path

        p = Path(path)
        tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp.npz")
        np.savez_compressed(tmp, embeddings=self.embeddings.astype(np.float16), signs=self.signs,
                            signers=self.signers if self.signers is not None else np.array([], str),
                            **{k: np.array(v) for k, v in meta.items()})
        os.replace(tmp, p)

    @classmethod
    def load(cls, path) -> tuple[SignBank, dict]:
        with np.load(path, allow_pickle=False) as z:
            meta = {k: str(z[k]) for k in z.files if k not in ("embeddings", "signs", "signers")}
            sg = z["signers"] if len(z["signers"]) else None
            return cls(z["embeddings"].astype(np.float32), z["signs"], sg), meta


def embedding_features(emb: np.ndarray, target: str, bank: SignBank | None, own: np.ndarray | None = None,
                       k: int = KNN) -> dict:
    """``similarity`` (best single example), ``knn`` and ``knn_margin`` for ``target``.

    ``own``: embeddings of the target's examples when they are not in ``bank`` (a file
    given as the reference). Without any other sign to compare, the margin is left out."""
    emb = np.asarray(emb, np.float32)
    scores = bank.knn_scores(emb, k) if bank is not None and len(bank) else {}
    if own is not None and len(own):
        o = np.asarray(own, np.float32).reshape(-1, len(emb)) @ emb
        kk = min(k, len(o))
        scores[target] = float(np.sort(o)[-kk:].mean())
        best = float(o.max())
    elif target in scores:
        sims = bank.embeddings[bank.signs == target] @ emb
        best = float(sims.max())
    else:
        return {}
    out = {"similarity": best, "knn": scores[target]}
    others = [v for n, v in scores.items() if n != target]
    if others:
        out["knn_margin"] = scores[target] - max(others)
    return out


def label_features(embedding: np.ndarray, label_embeddings: np.ndarray, index: int) -> tuple[float, float]:
    """(cosine to the word's own label, that minus the best other label)."""
    sims = label_embeddings @ embedding
    own = float(sims[index])
    others = np.delete(sims, index)
    return own, own - (float(others.max()) if len(others) else 0.0)
