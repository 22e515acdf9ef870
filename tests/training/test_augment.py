import numpy as np

from signclip_desktop.keypoints.features import InputSpec, encode_input
from signclip_desktop.training.augment import AugmentConfig, Augmenter, affine, hand_point_slices, pad_batch


def _clip(t=30, seed=0):
    rng = np.random.default_rng(seed)
    frames = np.zeros((t, 203, 4), np.float32)
    frames[:, :25, :3] = rng.random((t, 25, 3))
    frames[:, :25, 3] = 1.0
    frames[:, 182:203, :3] = rng.random((t, 21, 3)) * 0.1 + 0.5   # right hand only
    frames[:, 182:203, 3] = 1.0
    return frames


SPEC = InputSpec(components=("pose", "left_hand", "right_hand"), normalization="shoulders", dims=("x", "y"))


def test_augmented_windows_keep_the_missing_point_invariant():
    x = encode_input(_clip(), SPEC)
    aug = Augmenter(SPEC, AugmentConfig(drop_hand_p=0.5), seed=1)
    for i in range(200):
        y = aug(x if i % 2 else encode_input(_clip(), SPEC, mirrored=True), static=(i % 7 == 0))
        assert y.shape[1:] == x.shape[1:] and y.dtype == np.float32
        conf = y[..., -1]
        assert set(np.unique(conf)) <= {0.0, 1.0}
        assert (y[conf == 0][:, :-1] == 0).all()            # missing points stay exactly zero
        assert (conf > 0).any(axis=1).sum() >= 2            # something is left to see
        assert 2 <= y.shape[0] <= 48


def test_3d_hand_rotation_drops_the_extra_z_channel():
    aug = Augmenter(SPEC, AugmentConfig(hand_yaw_deg=30, hand_pitch_deg=20, swap_hands_p=0.5), seed=2)
    assert aug.extra_z and aug.input_spec().dims == ("x", "y", "z")
    x = encode_input(_clip(), aug.input_spec())
    assert x.shape[-1] == 4
    for _ in range(50):
        y = aug(x)
        assert y.shape[1:] == (x.shape[1], 3)
        assert (y[y[..., -1] == 0][:, :-1] == 0).all()


def test_rotation_keeps_shape_and_mirror_swaps_hands():
    x = encode_input(_clip(), SPEC)
    cfg = AugmentConfig(rotate_deg=30, shear=0.0, scale=(1.0, 1.0), aspect=0.0)
    y = affine(x, np.random.default_rng(0), cfg)
    d = lambda a: np.linalg.norm(a[:, :, None, :2] - a[:, None, :, :2], axis=-1)  # noqa: E731
    assert np.allclose(d(x), d(y), atol=1e-4)
    m = encode_input(_clip(), SPEC, mirrored=True)
    hands = hand_point_slices(SPEC)
    assert (m[:, hands["left_hand"], -1] == 1).all() and (m[:, hands["right_hand"], -1] == 0).all()


def test_pad_batch_pads_with_missing_frames():
    b = pad_batch([np.ones((3, 4, 3), np.float32), np.ones((5, 4, 3), np.float32)])
    assert b.shape == (2, 5, 4, 3) and (b[0, 3:] == 0).all()


def _lengths(cfg: AugmentConfig, n=2000) -> np.ndarray:
    from signclip_desktop.training.augment import temporal

    rng = np.random.default_rng(3)
    x = np.ones((30, 4, 3), np.float32)
    return np.array([temporal(x, rng, cfg).shape[0] for _ in range(n)])


def test_log_uniform_speed_reaches_fast_signers_without_making_most_clips_fast():
    wide = AugmentConfig(speed=(0.7, 3.0), crop=(1.0, 1.0), min_len=8, max_len=48)
    lin = _lengths(wide)
    log = _lengths(AugmentConfig(**{**wide.__dict__, "speed_log": True}))
    # 30 frames at 3 x is 10; at 0.7 x, 43
    assert lin.min() >= 10 and log.min() >= 10 and log.max() <= 43
    assert (log <= 12).mean() > 0.05                      # the fast end is drawn
    # log-uniform: the median speed is the geometric mean (1.45 x -> 21 frames), uniform's is 1.85 x (16)
    assert abs(np.median(log) - 21) <= 1 and abs(np.median(lin) - 16) <= 1


def test_uniform_speed_draws_are_unchanged_by_the_log_option():
    # a config without speed_log must train exactly as before (shipped packs are reproducible)
    cfg = AugmentConfig(speed=(0.7, 1.45), crop=(0.75, 1.0))
    assert cfg.speed_log is False
    a, b = _lengths(cfg, 200), _lengths(AugmentConfig(**cfg.__dict__), 200)
    assert (a == b).all() and a.min() >= 15 and a.max() <= 43
