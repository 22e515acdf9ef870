"""Train a SignCLIP-style pack from a JSON config.

    signclip-desktop train signclip_desktop/training/configs/words.json --data ../shared/data --out runs/words

Steps: load data -> signer-disjoint split (unless ``all_signers``) -> encode with ``encode_input``
(plain + mirrored) -> contrastive training with augmentation (checkpoint in OUT, resumable) ->
ONNX export + parity check -> held-out metrics, calibration, confusion PNG -> pack in OUT/pack.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np

from ..keypoints.features import InputSpec
from . import data as D
from .augment import AugmentConfig, Augmenter, pad_batch

CONFIG_DIR = Path(__file__).resolve().parent / "configs"


def load_config(path) -> dict:
    p = Path(path)
    if not p.exists() and (CONFIG_DIR / p).exists():
        p = CONFIG_DIR / p
    if not p.exists() and (CONFIG_DIR / f"{p}.json").exists():
        p = CONFIG_DIR / f"{p}.json"
    cfg = json.loads(p.read_text(encoding="utf-8"))
    cfg["_path"] = str(p)
    return cfg


def _log(msg: str, log_file=None) -> None:
    line = f"[{time.strftime('%H:%M:%S')}] {msg}"
    print(line, flush=True)
    if log_file is not None:
        with open(log_file, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def prepare(cfg: dict, data_dir, all_signers: bool = False, limit_per_label: int | None = None):
    """Samples, label table, train/held-out split for a config."""
    kind = cfg["kind"]
    samples = D.load_kind(kind, data_dir, cfg.get("sources"))
    samples = D.keep_labels_with_signers(samples, int(cfg.get("min_signers", 1)))
    if limit_per_label:
        rng = random.Random(0)
        by = {}
        for s in samples:
            by.setdefault((s.label, s.signer), []).append(s)
        samples = [x for v in by.values() for x in rng.sample(v, min(limit_per_label, len(v)))]
    labels = D.label_table(samples, kind)
    split = cfg.get("split", {})
    if all_signers:
        held = []
    elif split.get("heldout_signers"):
        held = sorted(split["heldout_signers"])
    else:
        pool = [s for s in samples if s.signer not in set(split.get("never_heldout", []))]
        held = D.heldout_signers(pool, fraction=split.get("fraction", 0.25),
                                 max_word_fraction=split.get("max_word_fraction", 0.4), seed=split.get("seed", 0))
    train, test = D.split_by_signer(samples, held)
    return samples, labels, train, test, held


def _config_hash(cfg: dict, all_signers: bool) -> str:
    c = {k: v for k, v in cfg.items() if not k.startswith("_") and k not in ("eval",)}
    return hashlib.sha1(json.dumps([c, all_signers], sort_keys=True).encode()).hexdigest()[:12]


def train(cfg: dict, data_dir, out_dir, all_signers: bool = False, calibration_from=None, threads: int = 2,
          max_steps: int | None = None, limit_per_label: int | None = None, quiet: bool = False,
          write_pack: bool = True, evaluate_int8: bool = True) -> dict:
    import torch

    from ..model.pack import Calibration, Label
    from ..model.pack import write_pack as _write_pack
    from .evaluate import embed_samples, report
    from .export import export_encoder, parity, quantize_int8
    from .loss import contrastive_step
    from .model import SignCLIP, SymmetricEncoder, count_parameters
    from .text import TEXT_MODEL, embed_texts

    torch.set_num_threads(threads)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    log_file = None if quiet else out / "train.log"
    log = (lambda m: None) if quiet else (lambda m: _log(m, log_file))
    t0 = time.time()
    seed = int(cfg.get("seed", 0))
    torch.manual_seed(seed)
    np.random.seed(seed)

    spec = InputSpec.from_dict(cfg["input"])
    samples, labels, train_s, test_s, held = prepare(cfg, data_dir, all_signers, limit_per_label)
    label_ids = [l.id for l in labels]
    log(f"data: {D.summary(samples)}; train {len(train_s)} clips / {len({s.signer for s in train_s})} signers, "
        f"held-out {len(test_s)} clips / {len(held)} signers; {len(labels)} labels")
    text_feats = torch.from_numpy(embed_texts([l.prompt for l in labels]))
    aug = Augmenter(spec, AugmentConfig.from_dict(cfg.get("augment")), seed=seed)
    enc_train = D.EncodedSet(train_s, aug.input_spec(), label_ids, zero_unreliable_z=aug.extra_z)
    weights = D.balanced_weights(train_s, float(cfg["train"].get("label_power", 0.5)))
    for prefix, mult in cfg["train"].get("signer_prefix_weights", {}).items():
        weights = weights * np.array([mult if s.signer.startswith(prefix) else 1.0 for s in train_s])
    weights = weights / weights.sum()
    log(f"encoded {len(enc_train)} training clips ({time.time() - t0:.0f}s)")

    mcfg = dict(cfg.get("model", {}))
    symmetric = bool(mcfg.pop("symmetric", False))
    model = SignCLIP(spec.num_points, spec.num_channels, text_dim=text_feats.shape[1], **mcfg)
    log(f"model: {count_parameters(model)} parameters (encoder {count_parameters(model.encoder)})")
    tc = cfg["train"]
    steps = int(max_steps or tc["steps"])
    bs = int(tc.get("batch_size", 128))
    opt = torch.optim.AdamW(model.parameters(), lr=float(tc.get("lr", 1e-3)), weight_decay=float(tc.get("weight_decay", 0.05)))
    warm = int(tc.get("warmup", max(1, steps // 20)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps)))))
    all_w = float(tc.get("all_labels_weight", 1.0))
    smoothing = float(tc.get("label_smoothing", 0.0))
    mirror_p = aug.cfg.mirror_p

    ckpt = out / "checkpoint.pt"
    h = _config_hash(cfg, all_signers)
    step = 0
    if ckpt.exists():
        state = torch.load(ckpt, map_location="cpu", weights_only=False)
        if state.get("hash") == h and state.get("steps") == steps:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            sched.load_state_dict(state["sched"])
            step = int(state["step"])
            aug.rng = np.random.default_rng(seed + step)
            log(f"resumed from {ckpt} at step {step}")
        else:
            log(f"ignoring {ckpt}: it belongs to another config")

    def save():
        tmp = ckpt.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step,
                    "hash": h, "steps": steps, "label_ids": label_ids, "model_config": model.encoder.config}, tmp)
        os.replace(tmp, ckpt)

    rng = np.random.default_rng(seed + 1000 + step)
    y_all = torch.from_numpy(enc_train.y)
    t_train = time.time()
    cpu_train = time.process_time()
    ema_loss = None
    model.train()
    while step < steps:
        idx = rng.choice(len(enc_train), size=bs, p=weights)
        xs = [aug(enc_train.get(i, mirrored=rng.random() < mirror_p), static=bool(enc_train.static[i])) for i in idx]
        x = torch.from_numpy(pad_batch(xs, aug.cfg.max_len))
        yb = y_all[idx]
        loss = contrastive_step(model, x, yb, text_feats, opt, sched, all_w, smoothing)
        step += 1
        li = loss.item()
        ema_loss = li if ema_loss is None else 0.95 * ema_loss + 0.05 * li
        if step % int(tc.get("log_every", 50)) == 0 or step == steps:
            el = time.time() - t_train
            log(f"step {step}/{steps} loss {ema_loss:.3f} temp {1 / model.scale().item():.4f} lr {sched.get_last_lr()[0]:.2e} "
                f"{el:.0f}s elapsed")
        if step % int(tc.get("checkpoint_every", 250)) == 0 or step == steps:
            save()
        if test_s and tc.get("eval_every") and step % int(tc["eval_every"]) == 0 and step < steps:
            acc = _quick_eval(model, test_s, spec, label_ids, text_feats)
            log(f"step {step}: held-out top-1 {acc:.3f}")
            model.train()
    train_seconds = time.time() - t_train
    train_cpu_seconds = time.process_time() - cpu_train
    model.eval()

    # --- export
    onnx_path = out / "encoder.onnx"
    exported = SymmetricEncoder(model.encoder, spec).eval() if symmetric else model.encoder
    export_encoder(exported, onnx_path, spec.num_points, spec.num_channels)
    diff = parity(exported, onnx_path, spec.num_points, spec.num_channels)
    log(f"exported {onnx_path} ({onnx_path.stat().st_size / 1e6:.2f} MB), max |onnx - torch| = {diff:.2e}")
    with torch.no_grad():
        label_emb = model.text(text_feats).numpy().astype(np.float32)

    from .export import onnx_session

    def onnx_embed_fn(path):
        sess = onnx_session(path)
        return lambda x: sess.run(["embedding"], {"keypoints": x.astype(np.float32)})[0]

    metrics = {"config": cfg.get("_path"), "kind": cfg["kind"], "data": D.summary(samples),
               "train": {"clips": len(train_s), "signers": len({s.signer for s in train_s}), "steps": steps,
                         "seconds": round(train_seconds, 1), "cpu_seconds": round(train_cpu_seconds, 1),
                         "threads": threads},
               "heldout_signers": held, "onnx_parity_max_abs": diff,
               "parameters": count_parameters(model), "encoder_parameters": count_parameters(model.encoder),
               "symmetric": symmetric}
    texts = [l.text for l in labels]
    langs = [l.language for l in labels]
    focus = _focus_sets(cfg, samples)
    calib = None
    if test_s:
        test_y = np.array([label_ids.index(s.label) for s in test_s])
        test_signers = np.array([s.signer for s in test_s])
        video = embed_samples(onnx_embed_fn(onnx_path), test_s, spec)
        metrics["heldout"] = report(video, test_y, test_signers, label_emb, label_ids, texts, langs, focus,
                                    out / "confusion.png", f"{cfg['name']}: held-out signers")
        calib = metrics["heldout"]["calibration"]
        log(f"held-out: top-1 {metrics['heldout']['all_labels']['top1']:.3f} "
            f"(balanced {metrics['heldout']['all_labels']['balanced_top1']:.3f}); "
            + "; ".join(f"{k}: {v['restricted']['top1']:.3f}" for k, v in metrics["heldout"].items() if isinstance(v, dict) and "restricted" in v))
        if evaluate_int8:
            q = quantize_int8(onnx_path, out / "encoder.int8.onnx")
            vq = embed_samples(onnx_embed_fn(q), test_s, spec)
            rq = report(vq, test_y, test_signers, label_emb, label_ids, texts, langs, focus, few_shot_repeats=1)
            metrics["int8"] = {"size_mb": round(q.stat().st_size / 1e6, 3), "top1": rq["all_labels"]["top1"],
                               "balanced_top1": rq["all_labels"]["balanced_top1"],
                               "focus": {k: v["restricted"]["top1"] for k, v in rq.items() if isinstance(v, dict) and "restricted" in v}}
            log(f"int8: top-1 {metrics['int8']['top1']:.3f} ({metrics['int8']['size_mb']} MB)")
    if calibration_from:
        src = json.loads(Path(calibration_from).read_text(encoding="utf-8"))
        calib = src.get("heldout", {}).get("calibration") or src.get("calibration")
        metrics["calibration_from"] = str(calibration_from)
    metrics["calibration"] = calib

    if write_pack:
        cal = Calibration(**{k: float(calib[k]) for k in ("temperature", "sure_margin", "maybe_margin")}) if calib else Calibration()
        pack_labels = [Label(l.id, l.text, l.language, l.prompt) for l in labels]
        train_signers = sorted({s.signer for s in train_s})
        provenance = {
            "trained": True, "data_kind": cfg["kind"], "config": Path(cfg.get("_path", "")).name,
            "text_model": TEXT_MODEL, "all_signers": all_signers, "train_signers": train_signers,
            "heldout_signers": held, "sources": cfg.get("sources"), "min_signers": cfg.get("min_signers", 1),
            "steps": steps, "seed": seed, "config_hash": h,
        }
        _write_pack(out / "pack", name=cfg["name"], version=str(cfg.get("version", "1.0.0")), spec=spec,
                    onnx_bytes_or_path=onnx_path, labels=pack_labels, label_embeddings=label_emb,
                    calibration=cal, stride_frames=int(cfg.get("stride_frames", max(1, spec.window_frames // 4))),
                    description=cfg.get("description", ""), provenance=provenance)
        log(f"pack written to {out / 'pack'}")
    metrics["total_seconds"] = round(time.time() - t0, 1)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=_json_default), encoding="utf-8")
    log(f"done in {metrics['total_seconds']:.0f}s; metrics in {out / 'metrics.json'}")
    return metrics


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def _focus_sets(cfg: dict, samples) -> dict[str, list[str]]:
    out = {}
    n = D.signers_per_label(samples)
    for k in cfg.get("eval", {}).get("focus_min_signers", []):
        out[f"labels_with_{k}plus_signers"] = sorted(l for l, c in n.items() if c >= k)
    return out


def _quick_eval(model, test_s, spec, label_ids, text_feats) -> float:
    import torch

    from .evaluate import embed_samples

    model.eval()
    with torch.no_grad():
        le = model.text(text_feats).numpy()
        fn = lambda x: model.encoder(torch.from_numpy(x)).numpy()  # noqa: E731
        v = embed_samples(fn, test_s, spec)
    y = np.array([label_ids.index(s.label) for s in test_s])
    return float(((v @ le.T).argmax(axis=1) == y).mean())
