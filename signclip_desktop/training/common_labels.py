"""The pack's labels in the order most signers know them (manifest ``common_labels``): the
"calibrate to me" flow asks for these first.

    python -m signclip_desktop.training.common_labels models/words --data ../shared/data

Counts distinct signers per label in the training data (the same loader as training) and writes
the order into the pack's manifest (atomically); the encoder and labels are not touched."""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def common_order(samples, label_ids) -> list[str]:
    from .data import signers_per_label

    n = signers_per_label(samples)
    return sorted(label_ids, key=lambda i: (-n.get(i, 0), i))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.training.common_labels", description=__doc__.split("\n")[0])
    ap.add_argument("pack")
    ap.add_argument("--data", required=True)
    args = ap.parse_args(argv)
    from ..atomic import write_atomic
    from ..model.pack import MANIFEST, load_pack
    from .data import load_words

    pack = load_pack(args.pack)
    order = common_order(load_words(args.data), pack.label_ids)
    mf = Path(args.pack) / MANIFEST
    m = json.loads(mf.read_text(encoding="utf-8"))
    m["common_labels"] = order
    write_atomic(mf, json.dumps(m, indent=2, ensure_ascii=False) + "\n")
    load_pack(args.pack)  # still a valid pack
    print(" ".join(order[:12]), "...")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
