"""`signclip-desktop` command line: a thin layer over the package.

Each sub-command lives in ``signclip_desktop/commands/<name>.py`` with
``register(subparsers)`` (cheap: heavy imports happen inside the handler).
With no sub-command the desktop app starts.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__

COMMANDS = (
    "gui", "predict", "extract", "packs", "doctor", "train", "evaluate", "grade", "library",
    "bench", "self_test",
)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="signclip-desktop",
        description="Live sign recognition from MediaPipe Holistic keypoints (SignCLIP-style). "
                    "Run without a command to open the app.",
    )
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    ap.add_argument("--self-test", action="store_true", help="load a pack, run Holistic on a bundled image, exit 0 if all works")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as e:
            if e.name and e.name.endswith(f"commands.{name}"):
                continue  # command not part of this build
            raise
        mod.register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.command not in ("train", "evaluate"):
        # numpy's OpenBLAS would keep a spin-waiting worker thread per core that steals ~20% of a
        # core from Holistic for the app's tiny matrix products (measured by `bench`). Before
        # numpy loads; an explicit OPENBLAS_NUM_THREADS wins.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if args.self_test:
        from .commands.self_test import run_self_test

        return run_self_test()
    if args.command is None:
        if "gui" in ap._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
            args = ap.parse_args(["gui", *(argv or [])])
        else:
            ap.print_help()
            return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
