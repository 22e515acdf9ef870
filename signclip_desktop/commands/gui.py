"""`signclip-desktop gui`: the live recognition window (the default when no command is given)."""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "gui", help="open the live recognition window (the default)",
        description="Open the live recognition window. With --quit-after it runs unattended "
                    "(offscreen when there is no display) for automation and tests.")
    p.add_argument("--source", metavar="PATH|INDEX|demo",
                   help="play this video / .pose / keypoint .npz file, camera index, or 'demo' instead of the saved source")
    p.add_argument("--pack", metavar="P", help="model pack name or folder (default: the saved one, else 'words')")
    p.add_argument("--left-handed", action="store_true", help="the signer's dominant hand is the left one")
    p.add_argument("--top-k", type=int, metavar="K", help="how many guesses to show")
    p.add_argument("--no-loop", action="store_true", help="play --source once instead of looping")
    p.add_argument("--quit-after", type=float, metavar="SECONDS", help="close the window after this many seconds")
    p.add_argument("--log-predictions", metavar="FILE",
                   help="write each shown prediction as a JSON line {t, current, top, confidence}")
    p.add_argument("--stats", metavar="FILE", help="write timing numbers (first frame, fps, GUI lag) as JSON at exit")
    p.add_argument("--no-pace", action="store_true",
                   help="process files as fast as possible instead of in real time (benchmarks)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..gui.app import run_gui

    return run_gui(args)
