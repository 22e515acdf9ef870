"""``signclip-desktop bench``: landmark fps (bare Holistic vs the app), encoder ms per window,
Holistic pool, guess latency, start-up time and memory, on one clip in one run."""
from __future__ import annotations

import argparse
import json
import os
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bench", help="measure landmark fps, encoder time, guess latency, start-up and memory",
        description="Benchmark the live pipeline on one clip: a bare MediaPipe Holistic loop against the app's own "
                    "pipeline (ratio), encoder ms per window length, a pool of Holistic workers, the latency from a "
                    "sign's last frame to its guess, start-up time and RSS. Default clip: the bundled self-test photo "
                    "animated (or, with --data, real video frames of a signer rendered to a temp video).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    p.add_argument("--source", metavar="PATH", help="a video file to use as the clip")
    p.add_argument("--data", metavar="DIR", default=os.environ.get("SIGNCLIP_DATA"),
                   help="the shared data folder: render the clip from its images/silfa video frames")
    p.add_argument("--pack", metavar="P", help="pack name or folder (default: the built-in pack, else a tiny untrained one)")
    p.add_argument("--frames", type=int, default=150, metavar="N", help="frames of the clip to use (rounded up to the end of the next pause)")
    p.add_argument("--workers", type=int, default=2, metavar="N", help="Holistic pool workers (0: skip the pool)")
    p.add_argument("--no-session", action="store_true", help="skip the fresh-process start-up/RSS run")
    p.add_argument("--no-pin", action="store_true",
                   help="skip the second comparison with bare Holistic and the app both pinned to one core (*_one_core)")
    p.add_argument("--bundle", metavar="DIR", help="a built one-folder bundle (dist/signclip-desktop): report its size")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..model.pack import PackError
    from ..sources.base import SourceError

    from ..perf.bench import BenchOptions, format_report, run_bench

    opt = BenchOptions(source=args.source, data=args.data, pack=args.pack, frames=max(10, args.frames),
                       workers=max(0, args.workers), quiet=False, skip_pool=args.workers <= 0,
                       skip_session=args.no_session, pin=not args.no_pin, bundle=args.bundle)
    try:
        r = run_bench(opt)
    except (SourceError, PackError) as e:
        print(f"signclip-desktop bench: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(r, indent=None, default=float))
    else:
        print(format_report(r))
    return 0
