"""`signclip-desktop train CONFIG --data DIR --out DIR`: train, export and evaluate a model pack."""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train a SignCLIP-style pack from a JSON config (needs the train extra)",
        description="Train a pose encoder with contrastive text supervision, export it to ONNX and write a pack "
                    "to OUT/pack. Progress is printed; rerunning with the same OUT resumes from OUT/checkpoint.pt.")
    p.add_argument("config", help="JSON config (path, or a name in signclip_desktop/training/configs, e.g. words)")
    p.add_argument("--data", required=True, help="shared data folder (words/, fingerspelling/)")
    p.add_argument("--out", required=True, help="output folder (checkpoint, metrics.json, confusion.png, pack/)")
    p.add_argument("--all-signers", action="store_true",
                   help="train on every signer (no held-out evaluation); use --calibration-from for calibration")
    p.add_argument("--calibration-from", metavar="METRICS_JSON",
                   help="take temperature and margins from a held-out run's metrics.json")
    p.add_argument("--steps", type=int, default=None, help="override the number of training steps")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from ..sources.base import SourceError

    try:
        from ..training.train import load_config, train
    except ImportError as e:
        print(f"error: training needs the train extra ({e.name} is missing): pip install -e .[train]", file=sys.stderr)
        return 1
    if not Path(args.data).is_dir():
        print(f"error: data folder {args.data} not found", file=sys.stderr)
        return 1
    try:
        cfg = load_config(args.config)
    except (OSError, ValueError) as e:
        print(f"error: cannot read config {args.config}: {e}", file=sys.stderr)
        return 1
    try:
        train(cfg, args.data, args.out, all_signers=args.all_signers, calibration_from=args.calibration_from,
              threads=args.threads, max_steps=args.steps)
    except (SourceError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0
