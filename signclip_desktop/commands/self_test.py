"""``signclip-desktop --self-test`` (also ``signclip-desktop self-test``): does this install work?

Loads a model pack (the default built-in one, or ``--pack``), runs MediaPipe Holistic on the bundled photo of a signer, runs the
encoder and scorer on a window of it, loads the shipped practice resources (grading
calibration, reference motions, word lists), checks the Qt plugins are there (without importing
Qt), prints a summary and exits 0 when every step worked, 1 otherwise. Made for the
PyInstaller bundle: it proves the MediaPipe model files, onnxruntime, the packs and the
resources made it into the build. Headless, offline, a few seconds.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("self-test", help="check the install: load a pack, run Holistic on a bundled image",
                              description=__doc__.split("\n\n")[1])
    p.add_argument("--pack", metavar="P", help="pack name or folder (default: the built-in pack)")
    p.set_defaults(func=lambda args: run_self_test(pack=args.pack))


def _shipped_resources() -> str:
    """Load every resource the practice pages need; one error naming all that are missing."""
    from ..paths import ResourceMissing, package_resources_dir
    from ..practice.fingerspelling import WORDLIST_FOR, word_list
    from ..practice.grading import Calibration
    from ..practice.references import ReferenceSet

    missing, found = [], []
    try:
        cal = Calibration.load()
        found.append(f"calibration ({len(cal.models)} score models)")
    except ResourceMissing:
        missing.append("grading_calibration.json (grading calibration)")
    except (ValueError, KeyError, TypeError) as e:
        missing.append(f"grading_calibration.json unreadable ({e})")
    try:
        refs = ReferenceSet.load()
        if not refs.refs:
            raise ValueError("no references in it")
        found.append(f"{len(refs.refs)} references for {len(refs.words)} words")
    except ResourceMissing:
        missing.append("references.npz (reference motions)")
    except (ValueError, KeyError, OSError) as e:
        missing.append(f"references.npz unreadable ({e})")
    lists = sorted(set(WORDLIST_FOR.values()))
    bad = []
    for spoken in lists:
        try:
            if not word_list(spoken):
                bad.append(f"{spoken}.txt (empty)")
        except ResourceMissing:
            bad.append(f"{spoken}.txt")
    if len(bad) == len(lists):
        missing.append(f"wordlists/ (all {len(lists)} word lists)")
    elif bad:
        missing.append(f"word lists {', '.join(bad)}")
    else:
        found.append(f"{len(lists)} word lists")
    if missing:
        raise FileNotFoundError(f"missing in {package_resources_dir()}: " + "; ".join(missing))
    return ", ".join(found)


def _qt_plugins() -> str:
    """Where PySide6's platform plugins are, found without importing Qt (rule: Qt only in gui/)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("PySide6 is not installed")
    roots = [Path(p) for p in spec.submodule_search_locations]
    for r in roots:
        for cand in (r / "Qt" / "plugins" / "platforms", r / "plugins" / "platforms"):
            if cand.is_dir() and any(cand.iterdir()):
                return f"{len(list(cand.iterdir()))} platform plugins"
    raise RuntimeError(f"no Qt platform plugins under {', '.join(map(str, roots))}")


def run_self_test(pack: str | None = None, out=None) -> int:
    out = out or sys.stdout
    t_all = time.perf_counter()
    results: list[tuple[str, bool, str]] = []

    def step(name, fn):
        t0 = time.perf_counter()
        try:
            detail = fn()
            results.append((name, True, f"{detail} ({(time.perf_counter() - t0) * 1000:.0f} ms)"))
            return True
        except Exception as e:  # every failure is reported, never a traceback
            results.append((name, False, f"{e.__class__.__name__}: {str(e)[:300]}"))
            return False

    state: dict = {}

    def load():
        from ..model.pack import load_pack

        from ..model.registry import resolve_pack

        state["pack"] = p = load_pack(resolve_pack(pack))
        return f"{p.name} {p.version}: {len(p.labels)} labels, {p.input.window_frames}-frame windows"

    def holistic():
        import cv2
        import numpy as np

        from ..keypoints import layout as L
        from ..keypoints.holistic import HolisticDetector

        from ..paths import selftest_image_path

        img_path = selftest_image_path()
        img = cv2.imread(str(img_path))
        if img is None:
            raise FileNotFoundError(f"test image {img_path} is missing")
        with HolisticDetector(static_image_mode=True) as det:
            kp = det.detect(img)
        pose = int((kp[L.POSE.slice, 3] > 0).sum())
        face = int((kp[L.FACE.slice, 3] > 0).sum())
        hands = [n for n, c in (("left", L.LEFT_HAND), ("right", L.RIGHT_HAND)) if kp[c.slice, 3].max() > 0]
        if pose == 0 or not hands:
            raise RuntimeError(f"Holistic found pose points {pose}, hands {hands or 'none'} on the test image")
        state["kp"] = kp
        return f"{img.shape[1]}x{img.shape[0]} image: {pose} pose, {face} face points, hands: {', '.join(hands)}; " \
               f"finite: {bool(np.isfinite(kp).all())}"

    def encode():
        import numpy as np

        from ..model.encoder import Encoder
        from ..stream.recognizer import Recognizer

        p = state["pack"]
        enc = Encoder(p, providers="cpu")
        rec = Recognizer(p, enc)
        frames = np.repeat(state["kp"][None], p.input.window_frames, axis=0)
        pred, ms = rec.classify(frames)
        top = pred.top[0]
        return f"{enc.provider_name}: top guess {top.label!r} ({top.score:.2f}, {pred.confidence}) in {ms:.1f} ms"

    step("model pack", load)
    step("MediaPipe Holistic", holistic)
    if "pack" in state and "kp" in state:
        step("encoder + scorer", encode)
    step("practice resources", _shipped_resources)
    step("Qt plugins", _qt_plugins)

    frozen = " (bundled app)" if getattr(sys, "frozen", False) else ""
    print(f"signclip-desktop self-test{frozen}:", file=out)
    for name, ok, detail in results:
        print(f"  [{'ok' if ok else 'FAIL'}] {name}: {detail}", file=out)
    ok = all(r[1] for r in results) and len(results) == 5
    print(f"self-test {'passed' if ok else 'FAILED'} in {time.perf_counter() - t_all:.1f} s", file=out)
    out.flush()
    return 0 if ok else 1
