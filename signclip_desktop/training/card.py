"""MODEL_CARD.md for a pack built by ``final.py`` from its k-fold run (and a baseline k-fold run).
The card's structure is shared; what differs by kind (words / fingerspelling) is in ``card_kinds.py``."""
from __future__ import annotations

import json
from pathlib import Path

from . import card_kinds as K
from .kfold_report import _ms, _pm, markdown
from .ship import LICENCES, latency_ms

def _ablation(name: str, rep: dict, folds: list[int] | None = None) -> str:
    """One row of the recipe table over ``folds`` (default: every fold of the run)."""
    rows = [r for r in rep["folds"] if folds is None or r["fold"] in folds]
    cell = lambda key, nd=3: _pm(_ms([r[key] for r in rows]), nd)  # noqa: E731
    return (f"| {name} | {', '.join(str(r['fold']) for r in rows)} | {cell('top1_text')} | {cell('top1_variants')} | "
            f"{cell('common_top1_text')} | {cell('common_top1_variants')} | {cell('train_seconds', 0)} |")


def _open_phrase(os_: dict, pack) -> str:
    if os_["measure"] == "neighbours":
        n = 0 if pack.neighbour_embeddings is None else len(pack.neighbour_embeddings)
        return (f"its mean cosine similarity to the {os_.get('k', 10)} nearest of the pack's {n} training-clip embeddings "
                f"(`labels.npz` `neighbour_embeddings`) is >= {os_['threshold']:.4f}")
    return f"its best word's `{os_['measure']}` is >= {os_['threshold']:.4f}"


def write_card(dest: Path, cfg: dict, kfold_dir: Path, final_dir: Path, baseline_dir: Path | None) -> Path:
    from ..model.pack import load_pack

    rep = json.loads((kfold_dir / "kfold.json").read_text(encoding="utf-8"))
    fin = json.loads((final_dir / "final.json").read_text(encoding="utf-8"))
    pack = load_pack(dest)
    size = sum(f.stat().st_size for f in dest.iterdir() if f.is_file() and f.name != "MODEL_CARD.md") / 1e6
    lat = latency_ms(dest / "encoder.onnx", pack.input.num_points, pack.input.num_channels, K.LATENCY_FRAMES[cfg["kind"]])
    m = cfg["model"]
    os_ = rep["open_set"]
    cfg_name = Path(cfg.get("_path", "")).name
    kfold_cfg, kfold_note = K.kfold_config(cfg, rep)
    lines = [
        f"# Model card: `{pack.name}` pack {pack.version}", "", pack.description, "",
        "## What it is",
        f"- SignCLIP-style pose encoder ({fin['encoder_parameters']:,} encoder parameters, {fin['parameters']:,} with the "
        f"text projection): per-frame MLP over the `encode_input` values"
        + (f" plus {' and '.join(m.get('derived', []))} features computed inside the graph" if m.get("derived") else "")
        + (f" -> {m['conv_layers']} temporal conv block(s)" if m.get("conv_layers") else "")
        + f" -> {m['layers']} transformer layers (d={m['d_model']}) -> "
        f"{m['embed_dim']}-d unit embedding; mirror-symmetric (embedding of a clip and of its mirror image summed).",
        f"- Input: components {list(pack.input.components)}, normalisation `{pack.input.normalization}`, dims "
        f"{list(pack.input.dims)} + confidence -> [T, {pack.input.num_points}, {pack.input.num_channels}]; window "
        f"{pack.input.window_frames} frames at {pack.input.fps:g} fps.",
        f"- Labels: {K.labels_phrase(pack)}, each with its text embedding (all-MiniLM-L6-v2 prompt through the learned "
        + (f"projection) **and {len(pack.variant_labels)} sign variants in all** (`labels.npz` `variant_*`: k-means centres of "
           "the training signers' mean embeddings, one per 4 signers, at most 4 per label); the scorer takes each label's best row."
           if pack.variant_labels else
           "projection) only: signer variants (k-means centres of training signers' embeddings per label) were measured "
           "in the k-fold run and did **not** beat the text labels on unseen signers (table below), so none are shipped; "
           "the format and the scorer support them (`labels.npz` `variant_*`)."),
        f"- Calibration (mean over the k-fold folds): temperature {pack.calibration.temperature:.4f}, sure margin "
        f"{pack.calibration.sure_margin:.3f}, maybe margin {pack.calibration.maybe_margin:.3f}.",
        *([f"- Open set (manifest `open_set`): a window is a known sign when {_open_phrase(os_, pack)}; otherwise the "
           "prediction says `known: false` (\"not a sign I know\")."] if os_ else
          ["- No open-set rule (the k-fold run had no negatives): every prediction says `known: true`."]),
        *([f"- Main language (manifest `main_language`): `{pack.main_language}`. The app's Live page and `predict` "
           "score within its labels unless the user picks another language or all of them."] if pack.main_language else []),
        f"- Pack size {size:.2f} MB; encoder latency per {K.LATENCY_FRAMES[cfg['kind']]}-frame window, 1 CPU thread (onnxruntime, median; noisy on a "
        f"shared machine): {lat:.1f} ms. ONNX vs torch max abs difference {fin['onnx_parity_max_abs']:.1e}.", "",
        "## Data", *K.data_lines(cfg, fin, final_dir), *kfold_note, "",
        "## K-fold results (held-out signers)", "", markdown(rep), "",
    ]
    base = None
    if baseline_dir is not None and (baseline_dir / "kfold.json").exists():
        base = json.loads((baseline_dir / "kfold.json").read_text(encoding="utf-8"))
    if base is not None and cfg["kind"] != "words":
        lines += K.ablation_lines(cfg_name, rep, base)
    elif base is not None:
        bf = [r["fold"] for r in base["folds"]]
        lines += ["## Recipe ablation (same folds, same model size)", "",
                  "| recipe | folds | top-1 all (text) | top-1 all (+ variants) | top-1 common (text) | top-1 common (+ variants) | s / fold |",
                  "|---|---|---:|---:|---:|---:|---:|",
                  _ablation(f"baseline {K.run_name(base)}", base)]
        cmd = f"Baseline command: `{K.baseline_command(cfg, base, baseline_dir)}`."
        if sorted(bf) == sorted(r["fold"] for r in rep["folds"]):
            lines += [_ablation(f"shipped recipe {K.run_name(rep)}", rep), "",
                      f"Both runs cover the same {len(bf)} fold(s). {cmd}", ""]
        else:
            lines += [_ablation(f"shipped recipe {K.run_name(rep)}, the same folds", rep, bf),
                      _ablation(f"shipped recipe {K.run_name(rep)}, all folds", rep), "",
                      f"The baseline run covers {len(bf)} fold(s); compare it with the shipped recipe on the same "
                      f"fold(s) (second row). {cmd}", ""]
    cmp_path = final_dir.parent / "compare_v2.json"
    if cfg["kind"] == "words" and cmp_path.exists():
        c = json.loads(cmp_path.read_text(encoding="utf-8"))
        o, n = c["old_pack"]["pooled"], c["kfold_run"]["pooled"]
        lines += ["## Against the previous pack (1.0.0), on the same clips", "",
                  "The 57 signers of the data's second collection were never seen by pack 1.0.0 (trained on the first "
                  "collection) nor by the k-fold encoder of their fold. On their clips, over the words both know:", "",
                  "| encoder | top-1 over shared words | top-1 among the commonest words |", "|---|---:|---:|",
                  f"| pack 1.0.0 | {o['top1_shared_words']:.3f} ({o['clips']} clips) | {o['top1_common']:.3f} ({o['common_clips']} clips) |",
                  f"| this recipe (k-fold encoders) | {n['top1_shared_words']:.3f} | {n['top1_common']:.3f} |", "",
                  f"Command: `python -m signclip_desktop.training.compare --pack <pack 1.0.0> --kfold {kfold_dir} --data ../shared/data --json {cmp_path}`", ""]
    lines += K.previous_lines(cfg, rep, dest)
    lines += ["## Against the targets", *K.target_lines(cfg, rep)]
    lines += [
        "", "## Reproduce", "", "```sh",
        f"python -m signclip_desktop.training.kfold {kfold_cfg} --data ../shared/data --folds {rep['k']} --out {kfold_dir}",
    ]
    if base is not None:
        lines.append(K.baseline_command(cfg, base, baseline_dir))
    lines += [f"python -m signclip_desktop.training.final {cfg_name} --data ../shared/data --kfold {kfold_dir} --out {final_dir} "
              f"--ship {dest}" + (f" --baseline {baseline_dir}" if baseline_dir else ""), "```", "",
              f"K-fold command as run: `{rep.get('command', '')}`", "",
              "## Licences", "", LICENCES.get(cfg.get("kind", "words"), ""), "",
              "## Caveats", "", *K.caveat_lines(cfg, rep), ""]
    (dest / "MODEL_CARD.md").write_text("\n".join(lines), encoding="utf-8")
    return dest / "MODEL_CARD.md"
