"""`signclip-desktop predict PATH...`: top-k signs for videos, image folders, .pose files,
MP_Data folders, Kaggle parquet and data .npz files (one result per clip; an .npz or an
MP_Data folder holds many clips). ``--windows`` gives one result per sliding window.

``--json`` prints one JSON object per line (per clip, or per window), the interface other
tools read::

    {"path": ..., "clip": 0, "pack": ..., "label": <known label or null>, "frames": T,
     "span_s": [start, end],                   ("window", "start_s", "end_s" instead with --windows)
     "top": [{"label": ..., "text": ..., "language": ..., "score": ..., "similarity": ...}],
     "confidence": "sure|maybe|unsure", "known": true|false}

A clip is judged on its signing: from the first hands-up to the last hands-down of its longest
signing stretch (``stream.clip.trim_span``, as grading and the personal library read a clip);
``span_s`` says which seconds that was. The rest before and after (a phone recording, a
dictionary video) would otherwise be averaged into the sign. ``--no-trim`` judges every frame.

A clip with no person or no hands in any frame gets ``"top": []``, ``"known": false`` and a
``"reason"`` ("no person seen", "no hands seen") instead of a guess; so does a window
(``--windows``) in which nobody signs, as the live view shows no guess then (``"reason":
"nobody signing ..."``).
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from ._util import error, one_line_errors

NAME = "predict"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        NAME, help="recognise the sign(s) in files or folders",
        description=__doc__.split("\n\n")[0].replace("`", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  signclip-desktop predict clip.mp4\n  signclip-desktop predict frames/ --top-k 3 --json\n"
               "  signclip-desktop predict data.npz --pack fingerspelling --windows",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="video, image folder, .pose, .npz, .parquet or MP_Data folder")
    p.add_argument("--pack", default=None, help="pack name or folder (default: words)")
    p.add_argument("--top-k", type=int, default=5, metavar="K", help="guesses per clip (default 5)")
    p.add_argument("--windows", action="store_true", help="one result per sliding window instead of per clip")
    p.add_argument("--no-trim", action="store_true",
                   help="judge the whole clip, not only its signing (default: from hands-up to hands-down)")
    p.add_argument("--json", action="store_true", help="one JSON object per line on stdout")
    p.add_argument("--language", default=None, metavar="CODE",
                   help="score only the pack's signs of this sign language or alphabet (ISO 639-3, e.g. ase); "
                        "'all' for every label (default: the pack's main language where its manifest names one, "
                        "as the fingerspelling pack does, else all)")
    p.add_argument("--cpu", action="store_true", help="run the encoder on the CPU even when CUDA is available")
    p.add_argument("--left-handed", action="store_true", help="mirror left/right before the encoder")
    p.add_argument("--static", action="store_true",
                   help="image folders hold unrelated photos (MediaPipe static-image mode, no tracking)")
    p.add_argument("--fps", type=float, default=None, help="frame rate of image folders (default 30)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--stats", action="store_true", help="print clips, frames and frames/s on stderr at the end")
    p.set_defaults(func=run)


JSON_FIELDS = ("label", "text", "language", "score", "similarity")  # per guess, via Prediction.to_json
NOBODY_SIGNING = "nobody signing (hands down, at rest or out of view)"


def nothing_seen(frames) -> str | None:
    """Why a clip cannot be recognised at all ("no person seen", "no hands seen", "only a resting
    hand seen"), or None."""
    from ..keypoints import layout as L
    from ..stream.clip import hands_up

    if not len(frames):
        return "no frames"
    if hands_up(frames).any():
        return None
    if (frames[:, L.LEFT_HAND.slice, 3] > 0).any() or (frames[:, L.RIGHT_HAND.slice, 3] > 0).any():
        return "only a resting hand seen (far below the shoulders)"
    return "no hands seen" if (frames[:, L.POSE.slice, 3] > 0).any() else "no person seen"


def _text_line(name: str, pred, truth: str | None, span: str = "") -> str:
    guesses = "  ".join(f"{i + 1}. {g.text} {g.score:.2f}" + (f" ({g.language})" if g.language != "und" else "")
                        for i, g in enumerate(pred.top))
    known = f" [{truth}]" if truth else ""
    return f"{name}{known}: {guesses}  - {pred.confidence}{span}"


@one_line_errors(NAME)
def run(args) -> int:
    import numpy as np

    from ..keypoints.features import encode_input
    from ..model.encoder import Encoder
    from ..model.pack import load_pack
    from ..model.registry import resolve_pack
    from ..model.scorer import Scorer
    from ..stream.activity import ActivityDetector
    from ..stream.clip import clip_windows, embed_clip, for_model, trim_span
    from ..sources import expand_inputs, open_source, to_sequences
    from ..sources.base import SourceError
    from ..stream.window import resample_sequence

    if args.top_k < 1:
        error(NAME, "--top-k must be at least 1")
        return 1
    pack = load_pack(resolve_pack(args.pack))
    encoder = Encoder(pack, providers="cpu" if args.cpu else "auto")
    scorer = Scorer.from_pack(pack)
    language = pack.main_language if args.language is None else ("" if args.language.lower() == "all" else args.language)
    try:
        scorer.set_language(language or None)
    except ValueError as e:
        error(NAME, f"--language: {e}")
        return 1
    spec = pack.input
    out = sys.stdout
    failures = 0
    n_clips = n_frames = 0
    t0 = time.perf_counter()
    for item in expand_inputs(args.paths):
        try:
            src = open_source(item, fps=args.fps)
            try:
                # A fresh Holistic graph per clip (about 0.5 s): a reused one keeps some smoothing
                # state, and a clip must give the same result alone or among others.
                for ci, seq in enumerate(to_sequences(src, progress=not args.no_progress,
                                                      static_image_mode=args.static)):
                    seq = for_model(seq)
                    n_clips += 1
                    n_frames += len(seq)
                    base = {"path": str(item), "clip": ci, "pack": pack.name, "label": seq.label, "frames": len(seq)}
                    if seq.meta.get("seq_id"):
                        base["seq_id"] = seq.meta["seq_id"]
                    sid = seq.meta.get("seq_id")
                    own_file = getattr(src, "kind", "") == "keypoints" and seq.source and seq.source != str(item)
                    if own_file and not sid:
                        base["source"] = seq.source
                    name = f"{item}#{sid}" if sid else (seq.source if own_file else
                                                        (f"{item}#{ci}" if ci else str(item)))
                    if len(seq) == 0:
                        raise SourceError(item, "no frames")
                    why = nothing_seen(seq.frames)
                    if why:  # an empty top-k, not a confident guess about nothing
                        rec = {**base, "top": [], "confidence": "unsure", "known": False, "reason": why}
                        print(json.dumps(rec) if args.json else f"{name}: {why} in this clip", file=out, flush=True)
                        continue
                    if not args.windows:
                        a, b = (0, len(seq)) if args.no_trim else trim_span(seq.frames, seq.fps)
                        emb = embed_clip(encoder, pack, seq.frames[a:b], seq.fps, mirrored=args.left_handed)
                        pred = scorer.predict(emb, args.top_k)
                        span_s = [round(a / seq.fps, 3), round(b / seq.fps, 3)]
                        rec = {**base, "span_s": span_s, **pred.to_json(JSON_FIELDS)}
                        trimmed = f" (signing {span_s[0]:.2f}-{span_s[1]:.2f} s)" if (a, b) != (0, len(seq)) else ""
                        print(json.dumps(rec) if args.json else _text_line(name, pred, seq.label, trimmed),
                              file=out, flush=True)
                        continue
                    frames = resample_sequence(seq.frames, seq.fps, spec.fps)
                    pad = max(0, spec.window_frames - len(frames))
                    wins = clip_windows(frames, spec.window_frames, pack.stride_frames)
                    x = np.stack([encode_input(w, spec, mirrored=args.left_handed) for w in wins])
                    embs = encoder.embed_batch(x)
                    stride = pack.stride_frames
                    activity = ActivityDetector()
                    for wi, (win, emb) in enumerate(zip(wins, embs)):
                        start = min(wi * stride, max(0, len(frames) - spec.window_frames)) if pad == 0 else 0
                        end = min(start + spec.window_frames, len(frames))
                        rec = {**base, "window": wi, "start_s": round(start / spec.fps, 3),
                               "end_s": round(end / spec.fps, 3)}
                        at = f"{name} @{start / spec.fps:.2f}-{end / spec.fps:.2f}s"
                        if not activity(win, spec.fps).signing:  # as the live view: no guess while nobody signs
                            rec.update({"top": [], "confidence": "unsure", "known": False,
                                        "reason": NOBODY_SIGNING})
                            print(json.dumps(rec) if args.json else f"{at}: {NOBODY_SIGNING}", file=out, flush=True)
                            continue
                        pred = scorer.predict(emb, args.top_k)
                        rec.update(pred.to_json(JSON_FIELDS))
                        print(json.dumps(rec) if args.json else _text_line(at, pred, seq.label), file=out, flush=True)
            finally:
                src.close()
        except SourceError as e:
            failures += 1
            error(NAME, str(e))
        except OSError as e:  # unreadable file (permissions, I/O): name it, go on with the next
            failures += 1
            error(NAME, f"{item}: {e.strerror or e}")
    dt = time.perf_counter() - t0
    if args.stats:
        print(f"{n_clips} clips, {n_frames} frames in {dt:.2f} s: {n_frames / max(dt, 1e-9):.1f} frames/s "
              f"(encoder on {encoder.provider_name})", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":  # python -m signclip_desktop.commands.predict ...
    from ..cli import main

    sys.exit(main([NAME, *sys.argv[1:]]))
