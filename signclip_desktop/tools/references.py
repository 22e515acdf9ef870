"""Derive ``signclip_desktop/resources/references.npz``, the built-in reference motions for grading.

    python -m signclip_desktop.tools.references --data ../shared/data --pack models/words

From the shared data's training signers: for every word, each signer's medoid sequence
(smallest summed DTW cost to that signer's other repetitions), then the ``k`` signer medoids
most central across signers. A signer whose recording shows no body (hands-only sources) is left out
where the word has signers who show one: a learner's reference must show where the hands are, and
location cannot be graded against it. A dev tool: the app only loads the file
(``practice/references.py``).
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..keypoints import layout as L
from ..paths import references_file
from ..practice.grading import Motion, align, motion_from_frames
from ..practice.references import Reference, ReferenceSet


def _dist(a: Motion, b: Motion, scales) -> float:
    from ..practice.grading import dominant_slot_motion

    return align(a, b, dominant_slot_motion(a), scales).total


def medoid_index(motions: list[Motion], scales) -> int:
    n = len(motions)
    if n <= 2:
        return 0
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d[i, j] = d[j, i] = _dist(motions[i], motions[j], scales)
    return int(np.argmin(d.sum(axis=1)))


def central(motions: list[Motion], k: int, scales) -> list[int]:
    """Indices of the ``k`` motions with the smallest summed distance to the others."""
    n = len(motions)
    if n <= k:
        return list(range(n))
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d[i, j] = d[j, i] = _dist(motions[i], motions[j], scales)
    return [int(i) for i in np.argsort(d.sum(axis=1))[:k]]


def shows_body(frames: np.ndarray, min_fraction: float = 0.5) -> bool:
    """Both shoulders seen in at least ``min_fraction`` of the frames (layout frames [T, P, 4])."""
    sh = frames[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 3]
    return bool(len(frames)) and float((sh.min(axis=1) > 0).mean()) >= min_fraction


def derive(clips_by_word_signer: dict[tuple[str, str], list[tuple[np.ndarray, float]]], k: int = 3,
           scales=None, languages: dict[str, str] | None = None, body_first: bool = True) -> ReferenceSet:
    """``{(word, signer): [(trimmed frames, fps), ...]}`` -> ReferenceSet with up to k refs per word."""
    from ..practice.grading import Calibration

    scales = scales or Calibration.load().scales
    per_word: dict[str, list[tuple[str, np.ndarray, float, Motion]]] = defaultdict(list)
    for (word, signer), clips in sorted(clips_by_word_signer.items()):
        ms = [motion_from_frames(f, fps, trim_clip=False) for f, fps in clips]
        i = medoid_index(ms, scales)
        per_word[word].append((signer, clips[i][0], clips[i][1], ms[i]))
    refs = []
    for word, items in sorted(per_word.items()):
        with_body = [it for it in items if shows_body(it[1])] if body_first else []
        items = with_body or items
        for i in central([m for *_, m in items], k, scales):
            signer, fr, fps, _ = items[i]
            refs.append(Reference(word, fr, fps, signer, (languages or {}).get(word, "und")))
    return ReferenceSet(refs)


def main(argv=None) -> int:
    import argparse

    from .evaldata import load_word_clips

    ap = argparse.ArgumentParser(description="Derive resources/references.npz (medoid reference motions per word)")
    ap.add_argument("--data", required=True, help="shared data folder (with words/)")
    ap.add_argument("--pack", help="words pack: keep only its vocabulary")
    ap.add_argument("--k", type=int, default=6, help="references per word")
    ap.add_argument("--per-signer", type=int, default=6, help="repetitions per (word, signer) considered")
    ap.add_argument("--exclude-heldout", action="store_true",
                    help="use only the pack's training signers (for evaluation builds)")
    ap.add_argument("--out", default=str(references_file()))
    a = ap.parse_args(argv)
    vocab, langs, held = None, {}, set()
    if a.pack:
        from ..model.pack import load_pack

        pack = load_pack(a.pack)
        vocab = set(pack.label_ids)
        langs = {l.id: l.language for l in pack.labels}
        if a.exclude_heldout:
            from .evaldata import pack_heldout_signers

            held = set(pack_heldout_signers(pack, a.data))
    clips = load_word_clips(a.data, per_signer=a.per_signer, vocab=vocab)
    clips = {k: v for k, v in clips.items() if k[1] not in held}
    refs = derive({k: [(c.frames, c.fps) for c in v] for k, v in clips.items()}, k=a.k, languages=langs)
    out = refs.save(a.out)
    print(f"{len(refs.refs)} references for {len(refs.words)} words -> {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
