"""The shipped pack: the k-fold recipe retrained on every signer and every label, with sign variants
(k-means of every signer's embeddings per label), and the calibration + open-set rule the k-fold run
measured on signers and words its encoders never saw (no open-set rule when the run had no negatives).

    python -m signclip_desktop.training.final CONFIG --data ../shared/data --kfold runs/kfold_v2 \
        --out runs/words_final [--baseline runs/kfold_base] [--ship models/words]
    python -m signclip_desktop.training.final fingerspelling_v2.json --data ../shared/data \
        --kfold runs/kfold_fs2500 --out runs/fs_final2500 [--ship models/fingerspelling --baseline runs/kfold_fs]
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

from ..keypoints.features import InputSpec
from . import data as D
from .common_labels import common_order
from .kfold import config_samples, outlier_set, training_clip_embeddings
from .train import _config_hash, _log, load_config


def build(cfg: dict, data_dir, kfold_dir, out: Path, threads: int = 1, wait: bool = False) -> dict:
    import torch

    from ..model.pack import Calibration, Label, write_pack
    from .export import export_encoder, parity
    from .model import SymmetricEncoder, count_parameters, rebuilt
    from .recipe import Encoded, embed_fn, label_embeddings, train_encoder
    from .text import TEXT_MODEL, embed_texts
    from .variants import signer_variants

    out.mkdir(parents=True, exist_ok=True)
    log = lambda m: _log(m, out / "final.log")  # noqa: E731
    t0 = time.time()
    samples = config_samples(cfg, data_dir)
    table = D.label_table(samples, cfg["kind"])
    ids = [l.id for l in table]
    text = embed_texts([l.prompt for l in table])
    spec = InputSpec.from_dict(cfg["input"])
    idx = np.arange(len(samples))
    ckpt = out / "model.pt"
    if ckpt.exists():  # the training is independent of the k-fold run: it may finish first
        model, secs = torch.load(ckpt, weights_only=False)
        model.encoder = rebuilt(model.encoder)
    else:
        enc = Encoded(samples, spec, cfg.get("augment"))
        log(f"{len(samples)} clips, {len(ids)} labels, {len({s.signer for s in samples})} signers; encoded in {time.time() - t0:.0f}s")
        model, secs = train_encoder(cfg, enc, samples, idx, ids, text, threads=threads, log=log,
                                    outliers=outlier_set(cfg, data_dir, spec))
        torch.save((model, secs), ckpt)
    log(f"trained in {secs:.0f}s")
    kf_path = Path(kfold_dir) / "kfold.json"
    while wait and not kf_path.exists():
        time.sleep(30)
    kf = json.loads(kf_path.read_text(encoding="utf-8"))
    sym = SymmetricEncoder(model.encoder, spec).eval()
    onnx_path = out / "encoder.onnx"
    export_encoder(sym, onnx_path, spec.num_points, spec.num_channels)
    diff = parity(sym, onnx_path, spec.num_points, spec.num_channels)
    vix, ve = training_clip_embeddings(embed_fn(model, spec, True), samples, idx, spec, seed=int(cfg.get("seed", 0)))
    vs = [samples[i] for i in vix]
    var, vl = signer_variants(ve, [s.label for s in vs], [s.signer for s in vs], ids)
    # ship the variants only where the k-fold run showed they help on unseen signers
    use_variants = kf.get("scoring") == "variants"
    if not use_variants:
        log("k-fold: variants did not beat text labels on held-out signers; shipping text labels only")
        var, vl = var[:0], vl[:0]
    cal = kf["calibration"]
    open_set = {k: (round(v, 6) if k == "threshold" else v) for k, v in (kf.get("open_set") or {}).items() if k != "fits"}
    provenance = {
        "trained": True, "data_kind": cfg["kind"], "config": Path(cfg.get("_path", "")).name, "text_model": TEXT_MODEL,
        "all_signers": True, "train_signers": sorted({s.signer for s in samples}), "heldout_signers": [],
        **({"sources": list(cfg["sources"])} if cfg.get("sources") else {}),
        "min_signers": cfg.get("min_signers", 1), "steps": int(cfg["train"]["steps"]), "seed": int(cfg.get("seed", 0)),
        "config_hash": _config_hash(cfg, True), "kfold": str(kfold_dir), "variants": int(len(var)),
    }
    write_pack(out / "pack", name=cfg["name"], version=str(cfg.get("version", "1.0.0")), spec=spec,
               onnx_bytes_or_path=onnx_path, labels=[Label(l.id, l.text, l.language, l.prompt) for l in table],
               label_embeddings=label_embeddings(model, text),
               calibration=Calibration(**{k: float(cal[k]) for k in ("temperature", "sure_margin", "maybe_margin")}),
               stride_frames=int(cfg.get("stride_frames", 8)), description=cfg.get("description", ""),
               provenance=provenance, variants=(var, [ids[i] for i in vl]) if use_variants else None,
               # the neighbours rule's bank: the same clip subset per (signer, label) as the folds' banks
               neighbours=ve if open_set.get("measure") == "neighbours" else None,
               extra={**({"open_set": open_set} if open_set else {}),
                      **({"main_language": cfg["main_language"]} if cfg.get("main_language") else {}),
                      "common_labels": common_order(samples, ids)})
    info = {"train_seconds": round(secs, 1), "total_seconds": round(time.time() - t0, 1), "onnx_parity_max_abs": diff,
            "encoder_parameters": count_parameters(model.encoder), "parameters": count_parameters(model),
            "clips": len(samples), "signers": len({s.signer for s in samples}), "labels": len(ids), "variants": int(len(var))}
    (out / "final.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    log(f"pack in {out / 'pack'}: {info}")
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.training.final", description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--data", required=True)
    ap.add_argument("--kfold", required=True, help="the k-fold run of the same config (calibration, open set)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads; keep 1 on a shared machine (2 threads under load cost ~25x the CPU per step)")
    ap.add_argument("--ship", help="copy the pack here (e.g. models/words) and write MODEL_CARD.md")
    ap.add_argument("--wait", action="store_true", help="train now, wait for the k-fold run's kfold.json to write the pack")
    ap.add_argument("--baseline", help="k-fold run of the baseline config, for the card's recipe ablation")
    a = ap.parse_args(argv)
    cfg = load_config(a.config)
    out = Path(a.out)
    if not (out / "final.json").exists():
        build(cfg, a.data, a.kfold, out, a.threads, a.wait)
    if a.ship:
        from .card import write_card

        dest = Path(a.ship)
        dest.mkdir(parents=True, exist_ok=True)
        for f in ("manifest.json", "encoder.onnx", "labels.npz"):
            shutil.copyfile(out / "pack" / f, dest / f)
        write_card(dest, cfg, Path(a.kfold), out, Path(a.baseline) if a.baseline else None)
        print(f"shipped to {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
