"""Making and measuring a pack's faster encoder copies (developer tool; ``model/variants.py``
is what the app reads). ``python -m signclip_desktop.tools.encoder_variants PACK --int8 [--default]``;
``--against OTHER_PACK`` times another pack's encoder (a previous version) interleaved with this one."""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from ..model.variants import ENV, FP32, INT8, VARIANTS, available_variants, variant_file


def quantize_int8(src, dst) -> Path:
    """Dynamic int8 quantisation of the MatMul/Gemm weights (the same call as training's export)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    dst = Path(dst)
    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        try:
            from onnxruntime.quantization.shape_inference import quant_pre_process

            quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        except Exception:  # pre-processing only helps; quantise the original if it fails
            pre = Path(src)
        tmp_dst = Path(tmp) / "q.onnx"
        quantize_dynamic(str(pre), str(tmp_dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"])
        dst.write_bytes(tmp_dst.read_bytes())
    return dst


def add_int8(pack_dir, make_default: bool = False, calibration: dict | None = None,
             heldout: dict | None = None) -> Path:
    """Write ``encoder.int8.onnx`` into a pack folder and name it in the manifest (atomically)."""
    from ..model.pack import MANIFEST, load_pack

    pack = load_pack(pack_dir)
    out = quantize_int8(pack.encoder_file, Path(pack_dir) / "encoder.int8.onnx")
    m = dict(pack.manifest)
    entry = {"file": out.name, "method": "onnxruntime dynamic quantisation, MatMul/Gemm weights QInt8"}
    if calibration:
        entry["calibration"] = dict(calibration)
    if heldout:
        entry["heldout"] = dict(heldout)
    m.setdefault("encoder_variants", {})
    m["encoder_variants"] = dict(m["encoder_variants"], int8=entry)
    if make_default:
        m["encoder_default"] = INT8
    mf = Path(pack_dir) / MANIFEST
    tmp = mf.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(m, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(mf)
    load_pack(pack_dir)  # the pack still loads
    return out


def _session(path, threads: int = 1):
    from ..offline import onnxruntime

    ort = onnxruntime()

    o = ort.SessionOptions()
    o.intra_op_num_threads = threads
    o.inter_op_num_threads = 1
    o.log_severity_level = 3
    o.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), o, providers=["CPUExecutionProvider"])


def compare_speed(files: dict[str, Path], num_points: int, num_channels: int, frames=(32, 64),
                  rounds: int = 60, input_name: str = "keypoints") -> dict:
    """ms per window, one thread: CPU time of the run (median; robust to other programs taking the
    core) and wall time (median, min), the variants interleaved run by run so load on the machine
    hits them alike; and the embeddings' cosine to the first one."""
    sess = {k: _session(f) for k, f in files.items()}
    rng = np.random.RandomState(0)
    res = {}
    for T in frames:
        x = rng.rand(1, T, num_points, num_channels).astype(np.float32)
        x[..., -1] = 1.0
        outs = {k: s.run(None, {input_name: x})[0][0] for k, s in sess.items()}
        ref = next(iter(outs.values()))
        times = {k: [] for k in sess}
        cpu = {k: [] for k in sess}
        for _ in range(rounds):
            for k, s in sess.items():
                t, c = time.perf_counter(), time.thread_time()
                s.run(None, {input_name: x})
                cpu[k].append(time.thread_time() - c)  # one intra-op thread: runs on this thread
                times[k].append(time.perf_counter() - t)
        res[T] = {k: {"ms_median": 1000 * float(np.median(v)), "ms_min": 1000 * float(np.min(v)),
                      "cpu_ms_median": 1000 * float(np.median(cpu[k])),
                      "cosine_to_first": float(outs[k] @ ref / (np.linalg.norm(outs[k]) * np.linalg.norm(ref)))}
                  for k, v in times.items()}
    return res


def compare_on_data(pack_dir, data, threads: int = 1) -> dict:
    """fp32 against int8 through ``evaluate_pack`` on every clip in ``data`` (training code).

    A shipped pack is trained on every signer of the shared data, so this is agreement on
    *seen* signers, not a held-out score: a temporary copy of the pack with an empty training
    signer list and an int8 encoder is evaluated twice. The held-out int8 score of a pack comes
    from its held-out training run (train.py's ``evaluate_int8``; MODEL_CARD.md)."""
    import shutil

    from ..training.pack_eval import evaluate_pack
    from ..model.pack import MANIFEST

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / Path(pack_dir).name
        shutil.copytree(pack_dir, dst)
        m = json.loads((dst / MANIFEST).read_text(encoding="utf-8"))
        m.setdefault("provenance", {})["train_signers"] = []
        (dst / MANIFEST).write_text(json.dumps(m), encoding="utf-8")
        if not (dst / "encoder.int8.onnx").is_file():
            add_int8(dst)
        old = os.environ.get(ENV)
        try:
            for v in VARIANTS:
                os.environ[ENV] = v
                r = evaluate_pack(dst, data, threads=threads)
                out[v] = {"clips": r["all_labels"]["n"], "top1": r["all_labels"]["top1"],
                          "balanced_top1": r["all_labels"]["balanced_top1"],
                          "temperature_fitted": r["calibration"]["temperature"], "nll": r["calibration"]["nll"]}
        finally:
            if old is None:
                os.environ.pop(ENV, None)
            else:
                os.environ[ENV] = old
    return out


def main(argv=None) -> int:
    import argparse

    from ..model.pack import load_pack

    ap = argparse.ArgumentParser(prog="python -m signclip_desktop.tools.encoder_variants", description=__doc__.split("\n")[0])
    ap.add_argument("pack")
    ap.add_argument("--int8", action="store_true", help="write encoder.int8.onnx into the pack and name it")
    ap.add_argument("--default", action="store_true", help="... and make it what 'auto' runs")
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--vs-holistic", metavar="DATA", help="also time Holistic (CPU per frame, silfa J frames in "
                    "DATA) in this process and print encoder / Holistic at 64 frames")
    ap.add_argument("--against", metavar="PACK", help="time this other pack's fp32 encoder (same input) instead of int8")
    ap.add_argument("--on-data", metavar="DIR", help="also compare fp32 and int8 top-1 on every clip in DIR "
                    "(seen signers for a shipped pack: see compare_on_data)")
    a = ap.parse_args(argv)
    if a.int8:
        print(f"wrote {add_int8(a.pack, make_default=a.default)}")
    pack = load_pack(a.pack)
    files = {v: variant_file(pack, v) for v in available_variants(pack)}
    if a.against:
        other = load_pack(a.against)
        if (other.input.num_points, other.input.num_channels) != (pack.input.num_points, pack.input.num_channels):
            raise SystemExit(f"{a.against}: its encoder reads another input than {a.pack}")
        # FP32 stays the key of this pack's row: the ratios below are against it
        files = {FP32: pack.encoder_file, f"{other.name}@{other.version}": other.encoder_file}
    elif len(files) == 1:  # measure a temporary int8 copy without touching the pack
        tmp = tempfile.mkdtemp()
        files[INT8] = quantize_int8(pack.encoder_file, Path(tmp) / "encoder.int8.onnx")
    r = compare_speed(files, pack.input.num_points, pack.input.num_channels, rounds=a.rounds)
    for T, row in r.items():
        base = row[FP32]["cpu_ms_median"]
        print(f"{pack.name} {T} frames, 1 thread: " + "; ".join(
            f"{k} CPU {v['cpu_ms_median']:.2f} ms median (x{v['cpu_ms_median'] / base:.2f}; wall {v['ms_median']:.2f} "
            f"median, {v['ms_min']:.2f} min; cos {v['cosine_to_first']:.5f})" for k, v in row.items()))
    print("sizes: " + ", ".join(f"{k} {Path(f).stat().st_size / 1e6:.2f} MB" for k, f in files.items()))
    if a.vs_holistic:
        from ..keypoints.landmark_graph import make_detector
        from ..perf.detectors import _run, real_clips

        imgs = real_clips(a.vs_holistic, letters=("J",))["silfa_J"]
        det = make_detector(need="holistic")
        try:
            _run(det, imgs[:3])
            cpu: list = []
            _run(det, imgs, cpu)
        finally:
            det.close()
        h_ms = 1000 * float(np.median(cpu))
        print(f"Holistic CPU {h_ms:.1f} ms per frame (median of {len(cpu)}, all its threads); at 64 frames: " +
              ", ".join(f"{k} {v['cpu_ms_median'] / h_ms:.3f}" for k, v in r[64].items()) + " (target <= 0.067)")
    if a.on_data:
        for v, row in compare_on_data(a.pack, a.on_data).items():
            print(f"{pack.name} {v} on {row['clips']} clips of {a.on_data} (seen signers): top-1 {row['top1']:.4f}, "
                  f"balanced {row['balanced_top1']:.4f}, fitted temperature {row['temperature_fitted']:.4g}, "
                  f"NLL {row['nll']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
