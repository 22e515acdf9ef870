"""`signclip-desktop grade --reference REF --attempt ATT`: score a learner's attempt at a sign.

REF is a file (.pose, video, image folder, .npz) or a word name: a sign in your personal
library, else the built-in references of the words pack (every known example of that word).
Prints a 0-100 score, pass or not, and feedback on hand shape, hand location, movement and
timing - or "not graded" with the reason when the signing hand cannot be seen (no frames, no
person, the hand in too few frames). With ``--json`` one object: {"graded": true|false,
"reason": null|"...", "score": 0-100|null, "passed": true|false, "parts": {...}, ...}.
Progress goes to stderr (``--no-progress`` turns it off).
"""
from __future__ import annotations

import argparse
import json
import sys

from ._util import error, one_line_errors

NAME = "grade"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        NAME, help="grade an attempt at a sign against a reference (score + per-part feedback)",
        description=__doc__.split("\n\n")[0].replace("`", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  signclip-desktop grade --reference hello --attempt me.mp4\n"
               "  signclip-desktop grade --reference teacher.pose --attempt me.pose --json",
    )
    p.add_argument("--reference", required=True, metavar="REF", help="file, or a word (library sign or built-in)")
    p.add_argument("--attempt", required=True, metavar="ATT", help="the learner's recording (file)")
    p.add_argument("--pack", default=None, help="pack name or folder for the similarity term (default: words)")
    p.add_argument("--left-handed", action="store_true",
                   help="the learner signs with the other hand (grade mirrored; default tries both)")
    p.add_argument("--right-handed", action="store_true", help="never try the mirrored reading")
    p.add_argument("--no-encoder", action="store_true", help="DTW only (no model pack needed)")
    p.add_argument("--library", default=None, help="personal library file (default: the user's)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument("--cpu", action="store_true", help="run the encoder on the CPU")
    p.add_argument("--no-progress", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def _reference(args, grader):
    """([(frames, fps)], shown name, built-in word or None, library sign name or None) for REF."""
    from pathlib import Path

    from ..stream.clip import load_clip

    ref = args.reference
    if Path(ref).exists():
        seq = load_clip(ref)
        return [(seq.frames, seq.fps)], Path(ref).name, None, None
    # a word: personal library first, then built-in references
    from ..practice.library import Library, LibraryError, default_path

    lib_path = Path(args.library) if args.library else default_path()
    if lib_path.is_file():
        try:
            lib = Library(lib_path, readonly=True)
            try:
                sign = lib.get(ref)
                return [(e.frames, e.fps) for e in lib.examples(sign)], f"{sign.name} (your library)", None, sign.name
            finally:
                lib.close()
        except LibraryError:
            pass
    from ..practice.references import ReferenceSet

    refs = ReferenceSet.load().get(ref)
    if not refs:
        from ..sources.base import SourceError

        raise SourceError(ref, "neither a file nor a known sign (no library sign or built-in reference of that name)")
    return [(r.frames, r.fps) for r in refs], f"{ref} (built-in reference)", ref, None


@one_line_errors(NAME)
def run(args) -> int:
    from ..stream.clip import load_clip
    from ..practice.grading import PART_TITLES, Grader
    from ..progress import Progress

    if args.left_handed and args.right_handed:
        error(NAME, "--left-handed and --right-handed exclude each other")
        return 1
    prog = Progress(4, "grade: loading the pack", enabled=not args.no_progress)
    pack = enc = None
    if not args.no_encoder:
        from ..model.encoder import Encoder
        from ..model.pack import PackError, load_pack
        from ..model.registry import resolve_pack

        try:
            pack = load_pack(resolve_pack(args.pack))
            enc = Encoder(pack, providers="cpu" if args.cpu else "auto")
        except PackError as e:
            if args.pack:
                raise
            print(f"signclip-desktop grade: note: {e}; grading with DTW only", file=sys.stderr)
    grader = Grader(pack, enc)
    if grader.calibration_warning:
        print(f"signclip-desktop grade: note: {grader.calibration_warning}", file=sys.stderr)
    prog.update(label="grade: reading the reference")
    refs, ref_name, word, sign_name = _reference(args, grader)
    prog.update(label="grade: reading the attempt")
    att = load_clip(args.attempt)
    prog.update(label=f"grade: comparing with {len(refs)} reference recording{'s' if len(refs) != 1 else ''}")
    lh = True if args.left_handed else (False if args.right_handed else None)
    target = grader.target(refs, ref_name, word, sign_name=sign_name)
    best = grader.grade_target(target, att.frames, att.fps, left_handed=lh)
    prog.update(label="grade: done")
    prog.close()
    if args.json:
        j = best.to_json()
        j["attempt"] = str(args.attempt)
        j["encoder"] = pack is not None
        print(json.dumps(j, ensure_ascii=False))
        return 0
    if not best.graded:
        print(f"{ref_name}: {best.reason}")
        return 0
    mark = "PASS" if best.passed else "NOT YET"
    print(f"{ref_name}: score {best.score:.0f}/100  {mark} (pass mark {best.pass_score:.0f})"
          + ("  (graded mirrored)" if best.mirrored else ""))
    print(f"  {best.summary}")
    order = [k for k in PART_TITLES if k in best.parts]
    for k in order:
        p = best.parts[k]
        sc = "  n/a" if not p.available else f"{p.score:5.0f}"
        print(f"  {PART_TITLES[k]:<20s} {sc}  {p.feedback}")
    return 0
