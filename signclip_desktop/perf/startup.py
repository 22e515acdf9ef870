"""Where start-up time goes, step by step, in a fresh process (no Qt).

    python -m signclip_desktop.perf.startup --pack models/words --data ../shared/data [--json]

Runs three fresh child processes (the OS file cache is warm after the first) and prints, for
each, the seconds since the child's interpreter started:

* ``serial_full_import``: as ``serial`` with mediapipe's whole import (matplotlib.pyplot, the
  Tasks API: ``SIGNCLIP_MEDIAPIPE_FULL_IMPORT=1``), as before keypoints/holistic.py's lean import.
* ``serial``: imports (numpy, cv2, onnxruntime, mediapipe), detector built, first frame
  detected, pack loaded, encoder built (+ warm-up), one after the other, as today's app does
  them on one thread each but with the detector waiting for the import of mediapipe.
* ``parallel``: the detector (``make_detector`` for the pack's components) built on a thread
  while the main thread loads the pack and the encoder: when both are ready, and the first
  guess after ``min_frames`` more detected frames.

No test reads these numbers; docs/BENCHMARKS.md quotes one run.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

_CHILD = r"""
import json, sys, threading, time
t0 = time.perf_counter()
mode, pack_path, frame_path, need = sys.argv[1:5]
out = {"mode": mode}
def mark(k):
    out[k] = round(time.perf_counter() - t0, 3)
import numpy as np; mark("import_numpy")
import cv2; mark("import_cv2")
import onnxruntime; mark("import_onnxruntime")
from signclip_desktop.keypoints.holistic import import_holistic, silenced_stderr
with silenced_stderr():
    import_holistic()
mark("import_mediapipe")
from signclip_desktop.keypoints.landmark_graph import make_detector, need_for
from signclip_desktop.model.pack import load_pack
from signclip_desktop.model.encoder import Encoder
from signclip_desktop.keypoints.features import encode_input
mark("import_app")
img = cv2.imread(frame_path)
box = {}
def build_detector():
    det = make_detector(need=need)
    box["t_built"] = time.perf_counter() - t0
    det.detect(img, 0.0)
    box["t_first_frame"] = time.perf_counter() - t0
    box["det"] = det
def load_model():
    pack = load_pack(pack_path)
    box["t_pack"] = time.perf_counter() - t0
    enc = Encoder(pack, providers="cpu", threads=1)
    box["t_encoder"] = time.perf_counter() - t0
    box["pack"], box["enc"] = pack, enc
if mode == "serial":
    build_detector(); load_model()
else:
    th = threading.Thread(target=build_detector); th.start(); load_model(); th.join()
for k in ("t_built", "t_first_frame", "t_pack", "t_encoder"):
    out[k[2:]] = round(box[k], 3)
mark("ready")
pack, enc, det = box["pack"], box["enc"], box["det"]
frames = [det.detect(img, (i + 1) / 30) for i in range(pack.input.min_frames)]
x = encode_input(np.stack(frames), pack.input)
enc.embed(x)
mark("first_guess")
det.close()
print("STARTUP " + json.dumps(out), flush=True)
"""


def run_child(mode: str, pack: str, frame: str, need: str, timeout: float = 300, env: dict | None = None) -> dict:
    import os

    t = time.time()
    p = subprocess.run([sys.executable, "-c", _CHILD, mode, pack, frame, need], capture_output=True, text=True,
                       timeout=timeout, env=dict(os.environ, **(env or {})))
    line = next((l for l in p.stdout.splitlines() if l.startswith("STARTUP ")), None)
    if line is None:
        raise RuntimeError(f"start-up child failed ({p.returncode}): {p.stderr[-800:]}")
    r = json.loads(line[len("STARTUP "):])
    r["process_s"] = round(time.time() - t, 3)
    return r


def measure(pack: str, data: str, need: str | None = None) -> dict:
    from pathlib import Path

    from ..model.pack import read_manifest

    if need is None:
        from ..keypoints.landmark_graph import need_for

        need = need_for(read_manifest(pack)["input"]["components"])
    frame = str(sorted((Path(data) / "images" / "silfa" / "J").glob("*.jpg"))[0])
    return {"need": need, "serial_full_import": run_child("serial", pack, frame, need,
                                                          env={"SIGNCLIP_MEDIAPIPE_FULL_IMPORT": "1"}),
            "serial": run_child("serial", pack, frame, need), "parallel": run_child("parallel", pack, frame, need)}


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.perf.startup", description=__doc__.split("\n")[0])
    ap.add_argument("--pack", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--need", default=None, help="holistic or pose_hands (default: from the pack)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    r = measure(a.pack, a.data, a.need)
    if a.json:
        print(json.dumps(r, indent=2))
    else:
        for mode in ("serial_full_import", "serial", "parallel"):
            s = r[mode]
            print(f"{mode} ({r['need']}): " + ", ".join(f"{k} {v:.2f}" for k, v in s.items() if k != "mode"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
