"""`signclip-desktop evaluate PACK --data DIR [--json]`: signer-disjoint metrics of a pack."""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate", help="evaluate a pack on signers it was not trained on",
        description="Run a pack's ONNX encoder on the data in DIR and report retrieval, accuracy, per-class, "
                    "few-shot and calibration numbers. Only clips of signers the pack was NOT trained on are "
                    "used (the pack's manifest lists its training signers).")
    p.add_argument("pack", help="model pack folder")
    p.add_argument("--data", required=True, help="data folder (the shared data, or a hold-out folder in the same format)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--confusion", metavar="PNG", help="write a confusion-matrix image")
    p.add_argument("--threads", type=int, default=2)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from ..model.pack import PackError
    from ..sources.base import SourceError

    try:
        from ..training.pack_eval import evaluate_pack, format_report
        result = evaluate_pack(args.pack, args.data, threads=args.threads, confusion_path=args.confusion)
    except (PackError, SourceError, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0
