"""Copy a trained pack into models/<name>/ and write its MODEL_CARD.md from the run's metrics.

    python -m signclip_desktop.training.ship --heldout runs/words_heldout [--final runs/words_all] --dest models/words

``--heldout`` is the signer-disjoint run whose numbers go in the card; ``--final`` (optional) is the
run trained on every signer whose pack is shipped (its calibration comes from the held-out run).
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

LICENCES = {
    "words": (
        "Word-level clips: keypoints from ~100 public hobby GitHub repositories (listed in the shared data's "
        "`words/manifest.csv`). Most of them (98 of 107 files) carry **no licence**; 7 are MIT, 1 GPL-3.0, "
        "1 Apache-2.0. They were published openly as hobby recordings and are used here **for training only**; "
        "the data is not redistributed (this pack holds only model weights and label embeddings)."
    ),
    "fingerspelling": (
        "- `fingerspelling/letters`: public hobby GitHub repositories (see the data's `letters/manifest.csv`); "
        "mostly no licence (traduttore: MIT, grp1605: GPL-3.0), used for training only, not redistributed.\n"
        "- Spreadthesign alphabets via `sign-language-processing/spoken-to-signed-translation` (code MIT; the "
        "recordings belong to Spreadthesign's authors), used for training only.\n"
        "- `borisgraudt/asl-ai` static ASL handshapes: MIT (Copyright (c) 2024 Boris Graudt).\n"
        "This pack holds only model weights and label embeddings, no keypoint data."
    ),
}


def latency_ms(onnx_path, num_points: int, num_channels: int, frames: int, runs: int = 50) -> float:
    """Median single-window latency on one CPU thread (onnxruntime)."""
    import time

    import numpy as np
    import onnxruntime as ort

    o = ort.SessionOptions()
    o.intra_op_num_threads = 1
    o.log_severity_level = 3
    s = ort.InferenceSession(str(onnx_path), o, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((1, frames, num_points, num_channels)).astype(np.float32)
    for _ in range(5):
        s.run(None, {"keypoints": x})
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        s.run(None, {"keypoints": x})
        ts.append(time.perf_counter() - t)
    return float(np.median(ts) * 1000)


def _cpu(m: dict) -> str:
    c = m["train"].get("cpu_seconds")
    return f", {c / 60:.1f} CPU-min" if c else ""


def _f(x, nd=3):
    return "n/a" if x is None else f"{x:.{nd}f}"


def card_text(pack_dir: Path, held: dict, final: dict | None, commands: list[str], notes: list[str]) -> str:
    m = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    kind = held["kind"]
    h = held["heldout"]
    a = h["all_labels"]
    size = sum(f.stat().st_size for f in pack_dir.iterdir() if f.is_file())
    labels = m["labels"]
    langs = {}
    for l in labels:
        langs[l["language"]] = langs.get(l["language"], 0) + 1
    inp = m["input"]
    lines = [
        f"# Model card: `{m['name']}` pack {m['version']}",
        "",
        m.get("description", ""),
        "",
        "## What it is",
        f"- SignCLIP-style pose encoder ({held['parameters']:,} trained parameters incl. the text projection; "
        f"encoder {held['encoder_parameters']:,}), exported to ONNX (`encoder.onnx`, opset 18, dynamic batch and time).",
        f"- Input: `encode_input` with components {inp['components']}, normalisation `{inp['normalization']}`, "
        f"dims {inp['dims']} + confidence -> [T, {inp['num_points']}, {inp['num_channels']}]; window "
        f"{inp['window_frames']} frames at {inp['fps']:g} fps.",
        f"- Output: {m['output']['embedding_dim']}-d unit embedding, scored by cosine similarity against "
        f"{len(labels)} label embeddings (`labels.npz`): all-MiniLM-L6-v2 embeddings of SignCLIP-style prompts "
        f"(e.g. `{labels[0]['prompt']}`) through the learned text projection, precomputed (no text model at run time).",
        f"- Labels per language: " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items(), key=lambda x: -x[1])) + ".",
        f"- Calibration (fitted on held-out signers, min NLL): temperature {m['calibration']['temperature']:.4f}, "
        f"sure margin {m['calibration']['sure_margin']:.3f}, maybe margin {m['calibration']['maybe_margin']:.3f}.",
        f"- Pack size: {size / 1e6:.2f} MB.",
        "",
        "## Data",
        f"- {held['data']['sequences']} clips, {held['data']['labels']} labels, {held['data']['signers']} signers "
        f"(signer = GitHub owner, or one Spreadthesign language, or the static-frame author).",
        f"- Held-out run: trained on {held['train']['clips']} clips of {held['train']['signers']} signers; "
        f"evaluated on {a['n']} clips of {len(held['heldout_signers'])} **unseen signers** "
        f"({', '.join(held['heldout_signers'])}).",
    ]
    if final:
        lines.append(f"- **Shipped weights were retrained on every signer** ({final['train']['clips']} clips, "
                     f"{final['train']['signers']} signers, same config and steps) after measuring; the numbers below are "
                     f"from the held-out run, which is the honest estimate for new signers. The calibration is the "
                     f"held-out run's.")
    else:
        lines.append("- Shipped weights are the held-out run's own (the held-out signers were never trained on).")
    lines += ["", "## Signer-disjoint results (held-out run)", "",
              "| metric | value |", "|---|---:|",
              f"| video->text top-1 (all {a['labels']} labels) | {_f(a['top1'])} |",
              f"| class-balanced top-1 | {_f(a['balanced_top1'])} |",
              f"| video->text R@5 / R@10 | {_f(a['v2t']['R@5'])} / {_f(a['v2t']['R@10'])} |",
              f"| video->text median rank | {a['v2t']['median_rank']:g} |",
              f"| text->video R@1 / R@5 / R@10 | {_f(a['t2v']['R@1'])} / {_f(a['t2v']['R@5'])} / {_f(a['t2v']['R@10'])} |",
              f"| text->video median rank | {a['t2v']['median_rank']:g} |"]
    if kind == "fingerspelling":
        lines.append(f"| top-1 counting any language's same letter as right | {_f(a.get('text_match_top1'))} |")
    for k, v in h.items():
        if isinstance(v, dict) and "restricted" in v:
            r = v["restricted"]
            lines.append(f"| {k.replace('_', ' ')}: top-1 among those {r['labels']} labels ({r['n']} clips) | {_f(r['top1'])} |")
            lines.append(f"| {k.replace('_', ' ')}: top-1 among all labels | {_f(v['all_labels_top1'])} |")
    for lang, v in h.get("per_language_restricted", {}).items():
        lines.append(f"| language `{lang}`: top-1 within its {v['labels']} labels ({v['n']} clips) | {_f(v['top1'])} |")
    c = h["calibration"]
    lines.append(f"| calibration: NLL / ECE at T={c['temperature']:.4f} | {c['nll']:.3f} / {c['ece']:.3f} |")
    lines.append(f"| 'sure' precision / coverage | {_f(c['sure_precision'])} / {_f(c['sure_coverage'])} |")
    lines.append(f"| 'maybe'-or-better precision / coverage | {_f(c['maybe_precision'])} / {_f(c['maybe_coverage'])} |")
    if "int8" in held:
        q = held["int8"]
        lines.append(f"| int8 (dynamic quantisation) top-1 / size | {_f(q['top1'])} / {q['size_mb']} MB |")
        for name, v in q.get("focus", {}).items():
            lines.append(f"| int8 {name.replace('_', ' ')} top-1 (restricted) | {_f(v)} |")
    for name, ms in held.get("_latency_ms", {}).items():
        lines.append(f"| latency per {inp['window_frames']}-frame window, 1 CPU thread, {name} | {ms:.1f} ms |")
    lines += ["", "Few-shot (mean-embedding prototypes of held-out signers' clips; `with text` = prototypes compete "
              "with the pack's label embeddings, as in the app):", "",
              "| shots | cross-signer | cross-signer + text | same signer | same signer + text |", "|---|---:|---:|---:|---:|"]
    for k, v in h["few_shot"].items():
        lines.append(f"| {k} | {_f(v['cross_signer'])} | {_f(v['cross_signer_with_text'])} | {_f(v['same_signer'])} | "
                     f"{_f(v['same_signer_with_text'])} |")
    lines += ["", "Per-class top-1 on held-out signers (clips):", "",
              ", ".join(f"`{k}` {v['acc']:.2f} ({v['n']})" for k, v in a["per_class"].items()), "",
              "Per held-out signer top-1: " + ", ".join(f"{k} {v['top1']:.2f}" for k, v in h["per_signer"].items()),
              "", "`confusion.png` (in this folder) is the held-out confusion matrix.", "",
              "## Reproduce", "", "```sh"] + commands + ["```", "",
              f"Training time on the 2-core CPU (shared with other jobs): held-out run {held['train']['seconds'] / 60:.1f} min "
              f"of training{_cpu(held)} ({held['total_seconds'] / 60:.1f} min end to end)"
              + (f"; all-signer run {final['train']['seconds'] / 60:.1f} min of training{_cpu(final)} "
                 f"({final['total_seconds'] / 60:.1f} min end to end)." if final else "."),
              f"ONNX vs torch max abs difference: {held['onnx_parity_max_abs']:.1e}.", "",
              "## Licences", "", LICENCES[kind], "", "## Caveats", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def ship(heldout_dir, dest, final_dir=None, commands=(), notes=(), int8: bool = False) -> Path:
    heldout_dir, dest = Path(heldout_dir), Path(dest)
    held = json.loads((heldout_dir / "metrics.json").read_text(encoding="utf-8"))
    man = json.loads((Path(final_dir or heldout_dir) / "pack" / "manifest.json").read_text(encoding="utf-8"))["input"]
    held["_latency_ms"] = {}
    for name, f in (("fp32", "encoder.onnx"), ("int8", "encoder.int8.onnx")):
        p = Path(final_dir or heldout_dir) / f
        if p.exists():
            held["_latency_ms"][name] = latency_ms(p, man["num_points"], man["num_channels"], man["window_frames"])
    final = json.loads((Path(final_dir) / "metrics.json").read_text(encoding="utf-8")) if final_dir else None
    src = Path(final_dir or heldout_dir) / "pack"
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("manifest.json", "encoder.onnx", "labels.npz"):
        shutil.copyfile(src / name, dest / name)
    if int8:
        shutil.copyfile(Path(final_dir or heldout_dir) / "encoder.int8.onnx", dest / "encoder.onnx")
    if (heldout_dir / "confusion.png").exists():
        shutil.copyfile(heldout_dir / "confusion.png", dest / "confusion.png")
    (dest / "MODEL_CARD.md").write_text(card_text(dest, held, final, list(commands), list(notes)), encoding="utf-8")
    return dest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heldout", required=True)
    ap.add_argument("--final")
    ap.add_argument("--dest", required=True)
    ap.add_argument("--command", action="append", default=[])
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--int8", action="store_true", help="ship the int8 encoder")
    a = ap.parse_args(argv)
    print(ship(a.heldout, a.dest, a.final, a.command, a.note, a.int8))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
