"""20,000 frames through the Recognizer (tiny pack, synthetic signing with pauses): memory
must not grow (<= 2% RSS after warm-up) and pushes must not slow down."""
import gc
import time

import numpy as np
import pytest

from fakes import synthetic_signing
from signclip_desktop.perf.session import rss_mb
from signclip_desktop.sources.base import KeypointFrame

N, WARMUP = 20_000, 2_000


@pytest.mark.slow
def test_soak_20000_frames_rss_flat(tiny_pack):
    from signclip_desktop.model.encoder import Encoder
    from signclip_desktop.model.pack import load_pack
    from signclip_desktop.stream.recognizer import Recognizer

    pack = load_pack(tiny_pack)
    rec = Recognizer(pack, Encoder(pack, providers="cpu"))
    frames = synthetic_signing(3_000, seed=7)  # 46 s of signing with pauses, replayed
    times = np.zeros(N)
    updates = finals = 0
    rss0 = None
    for i in range(N):
        if i == WARMUP:
            gc.collect()
            rss0 = rss_mb()
        t0 = time.perf_counter()
        u = rec.push(KeypointFrame(i, i / 30, frames[i % len(frames)]))
        times[i] = time.perf_counter() - t0
        if u is not None:
            updates += 1
            finals += u.final
    gc.collect()
    rss1 = rss_mb()
    growth = (rss1 - rss0) / rss0
    print(f"soak: {N} frames, {updates} updates, {finals} final; RSS {rss0:.1f} -> {rss1:.1f} MB ({100 * growth:+.2f}%); "
          f"push {1000 * times[WARMUP:WARMUP + 2000].mean():.3f} -> {1000 * times[-2000:].mean():.3f} ms")
    assert growth <= 0.02, f"RSS grew {100 * growth:.2f}% ({rss0:.1f} -> {rss1:.1f} MB)"
    assert finals >= N // 65 - 2  # every pause closed a sign
    # medians: a push that slows down shows in every frame; one load spike on a shared machine does not
    assert np.median(times[-2000:]) <= 1.5 * np.median(times[WARMUP:WARMUP + 2000]) + 2e-4
    assert len(rec.window) <= 10 * 30 + 2  # the ring buffer stays bounded
