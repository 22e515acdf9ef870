"""The encoder input is frozen: ``encode_input`` on fixture clips must reproduce the arrays in
tests/golden/ (written once by tests/golden/make_golden.py). A failure here means training
and inference would drift apart: fix the code, or regenerate on purpose and retrain packs."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _maker():
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_golden_files_exist():
    assert len(list(GOLDEN.glob("*.npy"))) >= 4


@pytest.mark.parametrize("name", ["pose_holistic_bodyhands", "pose_holistic_all_xy_mirrored",
                                  "mpdata_yes0_bodyhands", "mpdata_yes0_hands_normalized"])
def test_encode_input_matches_golden(shared_data, name):
    got = _maker().compute(shared_data)[name]
    want = np.load(GOLDEN / f"{name}.npy")
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert np.isfinite(got).all()
    assert set(np.unique(got[..., -1])) <= {0.0, 1.0}  # the confidence channel is a 0/1 flag
