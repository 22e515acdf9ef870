"""Fixtures for the fault suite: each fault must leave the app/pipeline running and lose nothing."""
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def clip_file(tmp_path_factory) -> Path:
    """A short real-person video (the self-test photo animated, with gaps), made here."""
    from signclip_desktop.perf.clip import make_clip

    c = make_clip(tmp_path_factory.mktemp("clip"), repeats=1, gap_frames=10)
    return c.path


@pytest.fixture(scope="session")
def signer_image() -> np.ndarray:
    import cv2

    from signclip_desktop.perf.clip import selftest_image_path

    img = cv2.imread(str(selftest_image_path()))
    assert img is not None
    return img
