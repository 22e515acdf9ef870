"""A synthetic signer for the practice-page tests: shoulders in view, the right hand up and
moving in frames 10-50 of ``n`` (seeded, so each clip differs a little)."""
import numpy as np

from signclip_desktop.keypoints import layout as L


def signing_clip(n=60, seed=0):
    rng = np.random.default_rng(seed)
    f = L.empty_frames(n)
    f[:, L.LEFT_SHOULDER] = [0.6, 0.5, 0, 1]
    f[:, L.RIGHT_SHOULDER] = [0.4, 0.5, 0, 1]
    t = np.arange(40)[:, None]
    f[10:50, L.RIGHT_HAND.slice, 0] = 0.35 + 0.08 * np.sin(t / 4) + rng.normal(0, 0.03, (1, 21))
    f[10:50, L.RIGHT_HAND.slice, 1] = 0.35 + rng.normal(0, 0.03, (1, 21))
    f[10:50, L.RIGHT_HAND.slice, 3] = 1
    return f
