"""``signclip-desktop bench``: how fast and how heavy the live pipeline is, on this machine.

All on one clip, in one run (ratios hold on a noisy machine where absolute times do not):

1. landmark fps of a *bare* MediaPipe Holistic loop (cv2.VideoCapture -> Holistic.process)
   and of the app's pipeline (VideoSource -> HolisticDetector -> Recognizer.push), run in
   alternating chunks of the same frames so load changes hit both alike;
2. encoder ms per window at batch 1 for 16..256 frames, and its share of a Holistic frame;
3. the Holistic worker pool (``live/pool.py``): fps in video and static mode,
   hand-found rate against the single detector, extra RSS, per-frame latency;
4. guess latency: the clip played in real time like a camera (a one-slot frame buffer
   that drops stale frames); for each sign, the time from its last frame being captured
   to the Recognizer's *final* update being emitted (single detector and pool);
5. start-up to first frame / first guess and peak / steady RSS of one app session in a
   fresh process (``perf/session.py``).

The parts live in ``landmarks.py`` (1), ``pool_bench.py`` (3), ``latency.py`` (4) and
``session.py`` (5); they run the app's pipeline through ``live.LiveSession`` (no Qt).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .clip import Clip, make_clip, source_clip
from .landmarks import _hand_rate, landmark_loops, trim_clip
from .latency import camera_guess_latency, paced_pool, paced_single, video_guess_latency
from .pool_bench import pool_run
from .session import peak_rss_mb

WINDOW_LENGTHS = (16, 32, 64, 128, 256)


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


# -- packs --------------------------------------------------------------------------------------
def folder_bytes(folder: Path) -> int:
    """Bytes in a folder as ``du`` counts them: PyInstaller's top-level links to the Qt libraries
    (ICU data 31 MiB among them) count once, not twice."""
    return sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file() and not f.is_symlink())


def folder_mib(folder: Path) -> float:
    """Size of a folder in MiB as ``du -sm`` counts it."""
    return folder_bytes(folder) / 2**20


def choose_pack(want: str | None, tmp: Path) -> tuple[Path, str]:
    """``--pack`` (name or path), else the default built-in pack, else a tiny untrained one."""
    from ..model.pack import PackError

    try:
        from ..model.registry import resolve_pack

        return Path(resolve_pack(want)), "pack"
    except (PackError, ImportError):
        if want:
            raise
    from ..model.tiny import write_tiny_pack

    return Path(write_tiny_pack(tmp / "tiny-pack")), "tiny (untrained; no trained pack installed)"



# -- 2. encoder -----------------------------------------------------------------------------------
def encoder_times(pack, encoder, lengths=WINDOW_LENGTHS, repeats: int = 20) -> dict:
    spec = pack.input
    rng = np.random.default_rng(0)
    out = {}
    for t in lengths:
        x = rng.standard_normal((t, spec.num_points, spec.num_channels)).astype(np.float32)
        x[..., -1] = 1.0
        try:
            encoder.embed(x)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                encoder.embed(x)
                times.append(time.perf_counter() - t0)
            out[t] = float(np.median(times) * 1000)
        except Exception as e:  # a pack whose encoder has a fixed maximum length
            out[t] = None
            out[f"error_{t}"] = str(e)[:120]
    return out



# -- 5. a fresh app session ----------------------------------------------------------------------
def session_run(clip: Clip, pack_path: Path, frames: int) -> dict:
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "signclip_desktop.perf.session", "--clip", str(clip.path), "--pack", str(pack_path),
           "--frames", str(frames)]
    if getattr(sys, "frozen", False):  # inside the bundle the executable runs it (see packaging/entry.py)
        cmd = [sys.executable, "--bench-session", "--clip", str(clip.path), "--pack", str(pack_path), "--frames", str(frames)]
    launched = time.time()
    p = subprocess.run([*cmd, "--launched", repr(launched)], capture_output=True, text=True, env=env, timeout=600)
    for line in p.stdout.splitlines():
        if line.startswith("SESSION "):
            return json.loads(line[len("SESSION "):])
    raise RuntimeError(f"session run failed (exit {p.returncode}): {p.stderr[-800:]}")


# -- all together --------------------------------------------------------------------------------------
@dataclass
class BenchOptions:
    source: str | None = None
    data: str | None = None
    pack: str | None = None
    frames: int = 150
    workers: int = 2
    quiet: bool = False
    skip_pool: bool = False
    skip_session: bool = False
    pin: bool = True            # also bare vs app on one core ("one core-limited loop": extra work shows)
    bundle: str | None = None   # a built bundle folder: its size goes in as bundle_mb


def run_bench(opt: BenchOptions) -> dict:
    from ..model.encoder import Encoder
    from ..model.pack import load_pack
    from ..sources.video import VideoSource

    q = opt.quiet
    with tempfile.TemporaryDirectory(prefix="signclip-bench-") as td:
        tmp = Path(td)
        clip = source_clip(opt.source) if opt.source else make_clip(tmp, data=opt.data)
        frames = min(opt.frames, clip.frames) if clip.frames else opt.frames
        pack_path, pack_kind = choose_pack(opt.pack, tmp)
        pack = load_pack(pack_path)
        encoder = Encoder(pack, providers="cpu")
        load1, load5, _ = os.getloadavg()
        out: dict = {"clip": {"kind": clip.kind, "frames": clip.frames, "fps": clip.fps, "size": f"{clip.width}x{clip.height}",
                              "signs": clip.signs, "path": str(clip.path) if opt.source else None},
                     "pack": {"name": pack.name, "version": pack.version, "kind": pack_kind,
                              "window_frames": pack.input.window_frames, "stride_frames": pack.stride_frames},
                     "machine": {"cpus": os.cpu_count(), "load_before": [round(load1, 2), round(load5, 2)],
                                 "python": sys.version.split()[0]},
                     "frames_per_loop": frames}

        _log(f"bench: clip {clip.kind} {clip.width}x{clip.height} {clip.frames} frames @ {clip.fps:g} fps "
             f"({frames} used); pack {pack.name} ({pack_kind}); load {load1:.1f}", q)
        clip = trim_clip(clip, frames, tmp)
        core = None
        if opt.pin and hasattr(os, "sched_getaffinity"):
            core = max(os.sched_getaffinity(0))
        # the headline: the app's session as it runs here (every core it may use; its detectors, pool rule
        # and settings as the app has them) against the bare loop on the same cores
        _log("bench: bare Holistic vs the app's session as it runs, same clip, passes bare/app/app/bare, all cores ...", q)
        lm = landmark_loops(clip, pack_path, as_it_runs=True)
        from ..live.pooled import pool_kind

        out["pool_kind"] = pool_kind()
        lm.pop("_keypoints")
        ref_hands = lm.pop("_hands")
        out.update(lm)
        out["landmarks_core"] = core
        if core is not None:
            # "one core-limited loop": both on one core, where any extra work of the app shows
            _log(f"bench: the same, all on CPU {core} ...", q)
            lm1 = landmark_loops(clip, pack_path, core=core)
            lm1.pop("_keypoints"), lm1.pop("_hands")
            out.update({f"{k}_one_core": lm1[k] for k in ("holistic_fps", "holistic_ms", "pipeline_fps", "pipeline_ratio",
                                                            "holistic_cpu_cores", "pipeline_depth")})
        out["single_hand_rate"] = _hand_rate(ref_hands, clip.sign_mask, 0)

        _log("bench: encoder ms per window ...", q)
        enc = encoder_times(pack, encoder)
        out["encoder_ms"] = {str(k): v for k, v in enc.items()}
        out["encoder_ms_64"] = enc.get(64)
        # against a Holistic frame on one core, as the encoder runs on one thread
        out["encoder_ratio_64"] = (enc[64] / out.get("holistic_ms_one_core", out["holistic_ms"])) if enc.get(64) else None

        with VideoSource(clip.path) as src:
            images = [f.image for f in src]
        if clip.sign_mask:
            _log("bench: guess latency, the clip as a live camera through the app's pipeline ...", q)
            out.update(camera_guess_latency(images, clip, pack_path))
            _log("bench: guess latency, the clip as a video file through the app's pipeline ...", q)
            out.update(video_guess_latency(clip, pack_path))
            if not opt.skip_pool and opt.workers >= 1:
                _log("bench: guess latency, camera harness, single detector (to compare with the pool) ...", q)
                out.update(paced_single(clip, images, pack, encoder))

        if not opt.skip_pool:  # before the pool's passes, whose worker processes may linger a moment
            _log("bench: the app's own session, two pictures in its graph at once vs one (alternating) ...", q)
            from .app_pool import app_pipeline_run

            out.update(app_pipeline_run(clip.path, pack_path))
        if not opt.skip_pool and opt.workers >= 1:
            out["pool_bench_workers"] = opt.workers
            ref = None
            for static in (False, True):
                _log(f"bench: pool of {opt.workers} workers, {'static' if static else 'video'} mode ...", q)
                res, pool, ref = pool_run(clip, images, opt.workers, static, ref)
                out.update(res)
                if not static and clip.sign_mask:
                    _log("bench: guess latency through the pool ...", q)
                    out.update(paced_pool(clip, images, pack, encoder, pool))
                pool.close()
            out["pool_fps"] = out["pool_video_fps"]
            # against one video-mode Holistic on all cores, measured in alternating passes
            out["pool_ratio"] = out["pool_video_ratio"]
            out["pool_static_ratio"] = out["pool_static_ratio"]
            # static mode against the app's single video-mode detector (what the pool would replace)
            out["pool_static_vs_single_video"] = out["pool_static_fps"] / out["pool_video_single_fps"]
            out["pool_rss_mb_extra"] = out["pool_video_rss_mb_workers"]
            if opt.workers >= 2:  # the app never runs a pool of one (pooled.pool_setting)
                _log(f"bench: the app's own session with a pool of {opt.workers} vs one detector (alternating) ...", q)
                from .app_pool import app_pool_run

                out.update(app_pool_run(clip.path, pack_path, opt.workers))
        del images

        if not opt.skip_session:
            _log("bench: start-up and memory of one app session (fresh process) ...", q)
            s = session_run(clip, pack_path, clip.frames)
            out.update(first_frame_s=s["first_frame_s"], first_landmarks_s=s.get("first_landmarks_s"),
                       first_guess_s=s["first_guess_s"],
                       python_start_s=s["python_start_s"], rss_mb_peak=s["rss_mb_peak"],
                       rss_mb_steady=s["rss_mb_steady"], pool_workers=s.get("pool_workers", 0),
                       pool_note=s.get("pool_note", ""))
        from .detectors import pool_workers_now

        out["pool_workers_auto"] = pool_workers_now()  # what the app's rule picks on this machine now
        bundle = Path(opt.bundle) if opt.bundle else None
        if bundle is not None and bundle.is_dir():
            out["bundle_mb"] = round(folder_bytes(bundle) / 1e6, 1)  # MB = 10^6 bytes, as the 400 MB
            out["bundle_mib"] = round(folder_mib(bundle), 1)      # as du -sm counts
        out["bench_process_rss_mb_peak"] = peak_rss_mb()
        load1, load5, _ = os.getloadavg()
        out["machine"]["load_after"] = [round(load1, 2), round(load5, 2)]
        out["targets"] = targets(out)
        return out


def targets(r: dict) -> dict:
    """The issue's targets, measured: True / False / None (not measured)."""
    def ok(v, cond):
        return None if v is None else bool(cond(v))

    return {
        "pipeline_ratio>=1.3": ok(r.get("pipeline_ratio"), lambda v: v >= 1.3),
        "pipeline_ratio_one_core>=0.95 (no extra work)": ok(r.get("pipeline_ratio_one_core"), lambda v: v >= 0.95),
        "pool_ratio>1.0 (needs >=4 cores)": ok(r.get("pool_ratio"), lambda v: v > 1.0),
        "encoder_64<=1/15 holistic": ok(r.get("encoder_ratio_64"), lambda v: v <= 1 / 15),
        "guess_latency<=150ms": ok(r.get("guess_latency_ms"), lambda v: v <= 150),
        "rss_peak<=500MB": ok(r.get("rss_mb_peak"), lambda v: v <= 500),
        "first_guess<=2s": ok(r.get("first_guess_s"), lambda v: v <= 2.0),
        "bundle<=400MB": ok(r.get("bundle_mb"), lambda v: v <= 400),
    }


def format_report(r: dict) -> str:
    def f(v, fmt="{:.1f}"):
        return "-" if v is None else fmt.format(v)

    lines = [
        f"clip: {r['clip']['kind']} {r['clip']['size']}, {r['clip']['frames']} frames @ {r['clip']['fps']:g} fps; "
        f"pack {r['pack']['name']} ({r['pack']['kind']}); {r['machine']['cpus']} CPUs, load {r['machine']['load_before'][0]}"
        f" -> {r['machine'].get('load_after', ['?'])[0]}",
        f"landmarks, all cores: bare Holistic {f(r['holistic_fps'])} fps ({f(r['holistic_ms'])} ms/frame, busy on "
        f"{f(r.get('holistic_cpu_cores'), '{:.2f}')} cores), the app's session ({r.get('detector', '?')}, "
        f"{r.get('pipeline_pool_workers') or 1} detector(s){' on ' + r['pool_kind'] if r.get('pipeline_pool_workers') else ''}, "
        f"{r.get('pipeline_depth', 0) or 1} picture(s) at once each) {f(r['pipeline_fps'])} fps -> ratio "
        f"{f(r['pipeline_ratio'], '{:.3f}')} (hands found in {f(100 * r['single_hand_rate'], '{:.0f}')}% of signing frames)"
        + (f"; on CPU {r['landmarks_core']} only: {f(r['holistic_fps_one_core'])} vs {f(r['pipeline_fps_one_core'])} fps, "
           f"ratio {f(r['pipeline_ratio_one_core'], '{:.3f}')}" if "holistic_fps_one_core" in r else ""),
        "encoder ms/window (batch 1): " + ", ".join(f"{k}: {f(v, '{:.2f}')}" for k, v in r["encoder_ms"].items()
                                                    if not k.startswith("error")),
        f"encoder at 64 frames = {f(r.get('encoder_ratio_64'), '{:.4f}')} x one Holistic frame (target <= {1 / 15:.4f})",
    ]
    if "guesses_matched" in r:
        lines.append(f"guess latency (sign's last frame -> final guess), live camera: median {f(r.get('guess_latency_ms'))} ms, "
                     f"max {f(r.get('guess_latency_max_ms'))} ms over {r.get('guesses_matched')}/{r.get('signs')} signs "
                     f"(detect {f(r.get('camera_detect_ms'))} ms, classify {f(r.get('classify_ms'), '{:.2f}')} ms, "
                     f"{r.get('camera_frames_dropped')} stale frames dropped); video file: "
                     f"{f(r.get('video_guess_latency_ms'))} ms ({r.get('video_frames_skipped')} late frames skipped)")
    if "pool_fps" in r:
        lines.append(f"pool x{r['pool_bench_workers']} vs one detector (alternating passes): video mode {f(r['pool_video_fps'])} vs "
                     f"{f(r['pool_video_single_fps'])} fps (ratio {f(r['pool_ratio'], '{:.2f}')}, "
                     f"hands {f(100 * r['pool_video_hand_rate'], '{:.0f}')}%, agree {f(100 * (r['pool_video_hand_agree'] or 0), '{:.0f}')}%), "
                     f"static mode {f(r['pool_static_fps'])} vs {f(r['pool_static_single_fps'])} fps (ratio "
                     f"{f(r['pool_static_ratio'], '{:.2f}')}, {f(r['pool_static_vs_single_video'], '{:.2f}')} x single video mode, hands "
                     f"{f(100 * r['pool_static_hand_rate'], '{:.0f}')}%); +{f(r['pool_rss_mb_extra'], '{:.0f}')} MB in workers, "
                     f"start {f(r['pool_video_start_s'])} s, frame latency {f(r.get('pool_frame_latency_ms'))} ms, "
                     f"guess latency {f(r.get('pool_guess_latency_ms'))} ms")
    if "app_pool_ratio" in r:
        lines.append(f"the app's session with a pool of {r['app_pool_workers']}: {f(r.get('app_pool_fps'))} vs "
                     f"{f(r.get('app_single_fps'))} keypoint frames/s with one detector (ratio "
                     f"{f(r.get('app_pool_ratio'), '{:.2f}')}){'; ' + r['app_pool_note'] if r.get('app_pool_note') else ''}; "
                     f"the app's rule picks {r.get('pool_workers_auto')} workers here now")
    if "app_pipeline_ratio" in r:
        lines.append(f"the app's session, {r['app_pipeline_depth']} pictures in its graph at once: "
                     f"{f(r.get('app_pipeline_fps'))} vs {f(r.get('app_one_at_a_time_fps'))} keypoint frames/s one at a "
                     f"time (ratio {f(r.get('app_pipeline_ratio'), '{:.2f}')})")
    if "first_frame_s" in r:
        lines.append(f"start-up: first frame {f(r['first_frame_s'], '{:.2f}')} s, first landmarks "
                     f"{f(r.get('first_landmarks_s'), '{:.2f}')} s, first guess {f(r['first_guess_s'], '{:.2f}')} s "
                     f"(interpreter up after {f(r['python_start_s'], '{:.2f}')} s); RSS peak {f(r['rss_mb_peak'], '{:.0f}')} MB, "
                     f"steady {f(r['rss_mb_steady'], '{:.0f}')} MB")
    lines.append("targets: " + ", ".join(f"{k} {'ok' if v else ('-' if v is None else 'MISSED')}" for k, v in r["targets"].items()))
    return "\n".join(lines)