"""The held-out twin of the shipped pack: the same recipe and steps as ``final.py`` (``recipe.train_encoder``:
derived features, conv block, time mask, late dropout, EMA) but with about ``--fraction`` of the signers
held out (``data.heldout_signers``, every word keeps training signers). Its pack records
``provenance.heldout_signers``, so ``tools/calibrate.py`` can grade those signers signer-disjointly; the
pack's calibration and open-set rule are copied from the shipped pack (``--like``) so the two score alike.

    python -m signclip_desktop.training.twin words_v2.json --data ../shared/data --out runs/words_v2_heldout \
        --like models/words [--fraction 0.2]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ..keypoints.features import InputSpec
from . import data as D
from .kfold import outlier_set
from .train import _config_hash, _log, load_config


def build(cfg: dict, data_dir, out: Path, like: Path, fraction: float, threads: int = 1) -> dict:
    import torch

    from ..model.pack import Calibration, Label, load_pack, write_pack
    from .export import export_encoder, parity
    from .model import SymmetricEncoder, rebuilt
    from .recipe import Encoded, label_embeddings, train_encoder
    from .text import TEXT_MODEL, embed_texts

    out.mkdir(parents=True, exist_ok=True)
    log = lambda m: _log(m, out / "twin.log")  # noqa: E731
    t0 = time.time()
    samples = D.keep_labels_with_signers(D.load_kind(cfg["kind"], data_dir), int(cfg.get("min_signers", 1)))
    table = D.label_table(samples, cfg["kind"])
    ids = [l.id for l in table]
    split = cfg.get("split", {})
    held = sorted(D.heldout_signers(samples, fraction=fraction, max_word_fraction=split.get("max_word_fraction", 0.4),
                                    seed=int(split.get("seed", 0))))
    hs = set(held)
    idx = np.array([i for i, s in enumerate(samples) if s.signer not in hs])
    missing = set(ids) - {samples[i].label for i in idx}
    if missing:
        raise SystemExit(f"the split leaves no training signer for {sorted(missing)}")
    spec = InputSpec.from_dict(cfg["input"])
    ckpt = out / "model.pt"
    if ckpt.exists():
        model, secs = torch.load(ckpt, weights_only=False)
        model.encoder = rebuilt(model.encoder)
    else:
        text = embed_texts([l.prompt for l in table])
        enc = Encoded(samples, spec, cfg.get("augment"))
        log(f"{len(samples)} clips, {len(ids)} words; training on {len(idx)} clips of "
            f"{len({samples[i].signer for i in idx})} signers, {len(held)} signers held out; "
            f"encoded in {time.time() - t0:.0f}s")
        model, secs = train_encoder(cfg, enc, samples, idx, ids, text, threads=threads, log=log,
                                    outliers=outlier_set(cfg, data_dir, spec))
        torch.save((model, secs), ckpt)
    log(f"trained in {secs:.0f}s")
    text = embed_texts([l.prompt for l in table])
    sym = SymmetricEncoder(model.encoder, spec).eval()
    onnx_path = out / "encoder.onnx"
    export_encoder(sym, onnx_path, spec.num_points, spec.num_channels)
    diff = parity(sym, onnx_path, spec.num_points, spec.num_channels)
    ref = load_pack(like)
    ref_manifest = json.loads((Path(like) / "manifest.json").read_text(encoding="utf-8"))
    c = ref.calibration
    provenance = {
        "trained": True, "data_kind": cfg["kind"], "config": Path(cfg.get("_path", "")).name, "text_model": TEXT_MODEL,
        "all_signers": False, "train_signers": sorted({samples[i].signer for i in idx}), "heldout_signers": held,
        "min_signers": cfg.get("min_signers", 1), "steps": int(cfg["train"]["steps"]), "seed": int(cfg.get("seed", 0)),
        "config_hash": _config_hash(cfg, False), "twin_of": f"{ref.name}@{ref.version}", "heldout_fraction": fraction,
    }
    extra = {"open_set": ref_manifest["open_set"]} if "open_set" in ref_manifest else None
    bank = None
    if (extra or {}).get("open_set", {}).get("measure") == "neighbours":  # the rule's bank, from the twin's own clips
        from .kfold import training_clip_embeddings
        from .recipe import embed_fn

        _, bank = training_clip_embeddings(embed_fn(model, spec, True), samples, idx, spec, seed=int(cfg.get("seed", 0)))
    write_pack(out / "pack", name=cfg["name"], version=str(cfg.get("version", "1.0.0")) + "-heldout", spec=spec,
               onnx_bytes_or_path=onnx_path, labels=[Label(l.id, l.text, l.language, l.prompt) for l in table],
               label_embeddings=label_embeddings(model, text),
               calibration=Calibration(temperature=c.temperature, sure_margin=c.sure_margin, maybe_margin=c.maybe_margin),
               stride_frames=int(cfg.get("stride_frames", 8)), description=cfg.get("description", ""),
               provenance=provenance, extra=extra, neighbours=bank)
    info = {"train_seconds": round(secs, 1), "total_seconds": round(time.time() - t0, 1), "onnx_parity_max_abs": diff,
            "train_clips": int(len(idx)), "heldout_signers": len(held), "signers": len({s.signer for s in samples})}
    (out / "twin.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    log(f"pack in {out / 'pack'}: {info}")
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.training.twin", description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--like", required=True, help="the shipped pack of the same recipe (calibration, open set)")
    ap.add_argument("--fraction", type=float, default=0.2, help="share of signers to hold out")
    ap.add_argument("--threads", type=int, default=1, help="torch threads; keep 1 on a shared machine")
    a = ap.parse_args(argv)
    build(load_config(a.config), a.data, Path(a.out), Path(a.like), a.fraction, a.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
