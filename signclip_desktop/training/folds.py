"""K-fold splits by signer, stratified by word, with words held out per fold (open-set negatives).

- Every signer is in exactly one test fold. Signers are placed rarest-words first, each into the
  fold that has fewest of its words so far, so a word with >= k signers appears in every fold and a
  word with 2 signers keeps a training signer in each fold.
- Each fold also holds out a group of the rarer words (fewer than ``common_min_signers`` signers):
  their clips are removed from that fold's training, so the fold's encoder never saw them. Groups
  partition the rare words, so every rare word is unseen in exactly one fold.
- A signer none of whose labels has another signer (a Spreadthesign alphabet: one signer per
  language) can never be tested on an encoder that did not see them: such signers get fold -1 and
  stay in every fold's training.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict

import numpy as np


def signer_folds(labels: list[str], signers: list[str], k: int = 5, seed: int = 0) -> dict[str, int]:
    """signer -> fold in 0..k-1 (-1: only in training, see the module doc)."""
    words_of = defaultdict(set)
    signers_of = defaultdict(set)
    for lab, sg in zip(labels, signers):
        words_of[sg].add(lab)
        signers_of[lab].add(sg)
    out = {sg: -1 for sg, ws in words_of.items() if all(len(signers_of[w]) < 2 for w in ws)}
    rng = random.Random(seed)
    order = sorted(sg for sg in words_of if sg not in out)
    rng.shuffle(order)
    # rarest word first: those constrain the placement most
    order.sort(key=lambda sg: min(len(signers_of[w]) for w in words_of[sg]))
    count = defaultdict(Counter)      # fold -> word -> signers placed
    size = Counter()
    for sg in order:
        def cost(f):
            return (sum(count[f][w] / len(signers_of[w]) for w in words_of[sg]), size[f], f)
        f = min(range(k), key=cost)
        out[sg] = f
        size[f] += 1
        for w in words_of[sg]:
            count[f][w] += 1
    return out


def heldout_word_groups(labels: list[str], signers: list[str], k: int = 5, common_min_signers: int = 8,
                        fraction: float = 1.0, seed: int = 0) -> list[list[str]]:
    """k disjoint groups of rare words (``fraction`` of the rare words in all, default every one once)."""
    n = Counter()
    for lab, sg in set(zip(labels, signers)):
        n[lab] += 1
    rare = sorted(w for w, c in n.items() if c < common_min_signers)
    rng = random.Random(seed + 1)
    rng.shuffle(rare)
    rare = rare[:int(round(fraction * len(rare)))]
    return [sorted(rare[f::k]) for f in range(k)]


def fold_indices(labels: list[str], signers: list[str], fold_of: dict[str, int], unseen_words: list[str],
                 fold: int) -> dict[str, np.ndarray]:
    """train: clips of other-fold signers and seen words; test: this fold's signers, seen words
    that kept a training signer; unseen: every clip of the held-out words (any signer)."""
    lab = np.asarray(labels)
    in_fold = np.array([fold_of[s] == fold for s in signers])
    unseen = np.isin(lab, list(unseen_words))
    train = ~in_fold & ~unseen
    trained_words = set(lab[train])
    test = in_fold & ~unseen & np.isin(lab, list(trained_words))
    return {"train": np.flatnonzero(train), "test": np.flatnonzero(test), "unseen": np.flatnonzero(unseen)}
