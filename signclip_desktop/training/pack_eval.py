"""Evaluate a finished pack (ONNX encoder + labels.npz) on clips of signers it was not trained on."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from . import data as D
from .evaluate import embed_samples, report


def _load_eval_samples(kind: str, data_dir) -> list[D.Sample]:
    d = Path(data_dir)
    if kind == "words":
        return D.load_words(d)
    if kind == "fingerspelling":
        if (d / "fingerspelling" / "letters").is_dir() or list(d.glob("*.npz")):
            return D.load_letters(d)
        return []
    raise ValueError(f"pack data kind {kind!r} is unknown")


FPS = 30.0  # the words and letters data (their README)


class HeldOutTop1:
    """Top-1 over a pack's labels of its held-out signers' clips (signers not in
    ``provenance.train_signers``), each clip's frames transformed first: for the dev tools that ask
    what a change of input does to the model (``tools/aspect_check``, ``tools/speed_check``)."""

    def __init__(self, pack_dir, samples, threads: int = 1):
        from ..model.encoder import Encoder
        from ..model.pack import load_pack

        self.pack = load_pack(pack_dir)
        trained = set(self.pack.provenance.get("train_signers", []))
        index = {lab: i for i, lab in enumerate(self.pack.label_ids)}
        self.clips = [s for s in samples if s.signer not in trained and s.label in index]
        if not self.clips:
            raise SystemExit(f"{pack_dir}: no clips of held-out signers")
        self.signers = len({s.signer for s in self.clips})
        self.y = np.array([index[s.label] for s in self.clips])
        self.encoder = Encoder(self.pack, providers="cpu", threads=threads)
        lab = self.pack.label_embeddings
        self._labels = lab / np.linalg.norm(lab, axis=1, keepdims=True)

    def __call__(self, transform=None) -> float:
        clips = self.clips if transform is None else [dataclasses.replace(s, frames=transform(s.frames))
                                                      for s in self.clips]
        v = embed_samples(self.encoder.embed_batch, clips, self.pack.input)
        return float(((v @ self._labels.T).argmax(1) == self.y).mean())  # argmax: v's row norms do not matter

    def as_predict(self, transform=None, whole: bool = False) -> dict:
        """The clips read as ``predict`` reads a file (windows over the signing span; ``whole``:
        over every frame): top-1 and the share the pack's open-set rule calls a known sign."""
        from ..model.scorer import Scorer
        from ..stream.clip import embed_clip, trim_span

        scorer = Scorer.from_pack(self.pack)
        right = known = 0
        for s in self.clips:
            frames = s.frames if transform is None else transform(s.frames)
            a, b = (0, len(frames)) if whole else trim_span(frames, FPS)
            pred = scorer.predict(embed_clip(self.encoder, self.pack, frames[a:b], FPS), 1)
            right += pred.top[0].label == s.label
            known += bool(pred.known)
        return {"top1": right / len(self.clips), "known": known / len(self.clips)}


def evaluate_pack(pack_dir, data_dir, threads: int = 2, confusion_path=None) -> dict:
    from ..model.encoder import Encoder
    from ..model.pack import load_pack

    pack = load_pack(pack_dir)
    prov = pack.provenance
    kind = prov.get("data_kind") or ("fingerspelling" if "finger" in pack.name else "words")
    trained_on = set(prov.get("train_signers", []))
    samples = _load_eval_samples(kind, data_dir)
    index = {l: i for i, l in enumerate(pack.label_ids)}
    unseen = [s for s in samples if s.signer not in trained_on]
    known = [s for s in unseen if s.label in index]
    result = {
        "pack": str(pack.path), "name": pack.name, "version": pack.version, "data": str(data_dir), "kind": kind,
        "clips_in_data": len(samples), "clips_of_training_signers_skipped": len(samples) - len(unseen),
        "clips_with_unknown_label_skipped": len(unseen) - len(known),
        "signers_evaluated": sorted({s.signer for s in known}),
    }
    if not known:
        result["note"] = ("no clips of signers outside the pack's training set: "
                          "evaluate on a hold-out folder (the pack may have been trained on every signer here)")
        return result
    enc = Encoder(pack, providers="cpu", threads=threads)
    video = embed_samples(enc.embed_batch, known, pack.input)
    y = np.array([index[s.label] for s in known])
    signers = np.array([s.signer for s in known])
    focus = {}
    n = D.signers_per_label(samples)
    if kind == "words":
        focus["labels_with_8plus_signers"] = sorted(l for l, c in n.items() if c >= 8 and l in index)
    r = report(video, y, signers, pack.label_embeddings, pack.label_ids, [l.text for l in pack.labels],
               [l.language for l in pack.labels], focus, confusion_path, f"{pack.name}: unseen signers")
    result.update(r)
    result["pack_calibration"] = {"temperature": pack.calibration.temperature,
                                  "sure_margin": pack.calibration.sure_margin,
                                  "maybe_margin": pack.calibration.maybe_margin}
    return result


def format_report(r: dict) -> str:
    lines = [f"pack {r['name']} {r['version']} on {r['data']} ({r['kind']})",
             f"clips: {r['clips_in_data']} in data, {r['clips_of_training_signers_skipped']} skipped (training signers), "
             f"{r['clips_with_unknown_label_skipped']} skipped (label not in pack); "
             f"{len(r['signers_evaluated'])} unseen signers"]
    if "note" in r:
        lines.append(r["note"])
        return "\n".join(lines)
    a = r["all_labels"]
    lines.append(f"video->text: top-1 {a['top1']:.3f} (class-balanced {a['balanced_top1']:.3f}), "
                 + ", ".join(f"{k} {v:.3f}" for k, v in a["v2t"].items() if k.startswith("R@"))
                 + f", median rank {a['v2t']['median_rank']:.0f}  [{a['n']} clips, {a['labels']} labels]")
    lines.append("text->video: " + ", ".join(f"{k} {v:.3f}" for k, v in a["t2v"].items() if k.startswith("R@"))
                 + f", median rank {a['t2v']['median_rank']:.0f}")
    for k, v in r.items():
        if isinstance(v, dict) and "restricted" in v:
            lines.append(f"{k}: top-1 {v['restricted']['top1']:.3f} among those labels, "
                         f"{v['all_labels_top1']:.3f} among all labels")
    for lang, v in r.get("per_language_restricted", {}).items():
        lines.append(f"language {lang}: top-1 {v['top1']:.3f} within its {v['labels']} labels ({v['n']} clips)")
    for k, v in r["few_shot"].items():
        lines.append(f"{k}: " + ", ".join(f"{kk} {vv:.3f}" for kk, vv in v.items() if vv is not None))
    c = r["calibration"]
    lines.append(f"calibration fitted here: temperature {c['temperature']:.4f} (NLL {c['nll']:.3f}); "
                 f"pack uses {r['pack_calibration']['temperature']:.4f}")
    lines.append("per class: " + ", ".join(f"{k} {v['acc']:.2f}" for k, v in a["per_class"].items()))
    return "\n".join(lines)
