"""`signclip-desktop extract VIDEO|DIR... -o OUT`: run MediaPipe Holistic and write ``.pose`` files.

The files use pose-format's holistic header reduced to the app's layout: POSE_LANDMARKS (33,
legs zero), FACE_LANDMARKS (128 face-contour points named by their face-mesh index),
LEFT_HAND_LANDMARKS, RIGHT_HAND_LANDMARKS; format XYZC. Coordinates are pose-format's
convention: x and y in pixels of the source frames, z as MediaPipe gives it; confidence =
pose visibility, 1 for a detected face/hand point, 0 where missing. ``predict`` and the
app read them back in MediaPipe image coordinates (x / width, y / height).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._util import error, one_line_errors

NAME = "extract"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        NAME, help="write .pose keypoint files from videos or image folders",
        description=__doc__.split("\n\n")[0].replace("`", "") + "\n\n" + __doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  signclip-desktop extract clip.mp4 -o clip.pose\n"
               "  signclip-desktop extract videos/ -o poses/",
    )
    p.add_argument("paths", nargs="+", metavar="VIDEO|DIR", help="video files, image folders, or folders of them")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output .pose file (one input) or folder (one <name>.pose per input)")
    p.add_argument("--fps", type=float, default=None, help="frame rate of image folders (default 30)")
    p.add_argument("--static", action="store_true", help="MediaPipe static-image mode (unrelated photos)")
    p.add_argument("--overwrite", action="store_true", help="replace existing .pose files")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=run)


def output_path(item, out: Path, single: bool) -> Path:
    if single and out.suffix.lower() == ".pose":
        return out
    p = Path(item)
    return out / ((p.stem if p.is_file() else p.name) + ".pose")


@one_line_errors(NAME)
def run(args) -> int:
    from ..sources import expand_inputs, open_source, to_sequences
    from ..sources.base import SourceError
    from ..sources.pose_io import write_pose_file

    items = expand_inputs(args.paths)
    out = Path(args.output)
    single = len(items) == 1
    if not (single and out.suffix.lower() == ".pose"):
        if out.exists() and not out.is_dir():
            error(NAME, f"{out}: exists and is not a folder (several inputs need an output folder)")
            return 1
        out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for item in items:
        try:
            dest = output_path(item, out, single)
            if dest.exists() and not args.overwrite:
                raise SourceError(dest, "already exists (use --overwrite)")
            src = open_source(item, fps=args.fps)
            try:
                if getattr(src, "kind", "") != "frames":
                    raise SourceError(item, "holds keypoints already; extract reads videos and image folders")
                (seq,) = to_sequences(src, progress=not args.no_progress, static_image_mode=args.static)
            finally:
                src.close()
            if len(seq) == 0:
                raise SourceError(item, "no frames")
            write_pose_file(dest, seq.frames, seq.fps, seq.meta["width"], seq.meta["height"])
            print(f"{dest}  ({len(seq)} frames, {seq.fps:g} fps)", file=sys.stdout, flush=True)
        except SourceError as e:
            failures += 1
            error(NAME, str(e))
        except OSError as e:  # unreadable file (permissions, I/O): name it, go on with the next
            failures += 1
            error(NAME, f"{item}: {e.strerror or e}")
    return 1 if failures else 0
