"""One run through the real MediaPipe Holistic: a short video made from photos of a signer
(shared data, MIT licensed) plays in the window; landmarks and predictions must appear."""
import threading
from pathlib import Path

import pytest

from signclip_desktop.gui.main_window import MainWindow
from signclip_desktop.live import SourceSpec
from signclip_desktop.keypoints import layout as L
from signclip_desktop.settings import Settings


@pytest.fixture(scope="module")
def signer_video(shared_data, tmp_path_factory) -> Path:
    cv2 = pytest.importorskip("cv2")
    frames = sorted((shared_data / "images" / "silfa" / "J").glob("*.jpg"))[:40]
    if len(frames) < 10:
        pytest.skip("signer photos not found")
    out = tmp_path_factory.mktemp("video") / "signer.mp4"
    first = cv2.imread(str(frames[0]))
    h, w = first.shape[:2]
    size = (w // 2 // 2 * 2, h // 2 // 2 * 2)
    vw = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 30, size)
    for f in frames:
        vw.write(cv2.resize(cv2.imread(str(f)), size))
    vw.release()
    return out


@pytest.mark.slow
def test_window_runs_real_holistic_on_a_video(qtbot, tiny_pack, signer_video):
    pytest.importorskip("mediapipe")
    win = MainWindow(Settings(pack=str(tiny_pack), source="demo"), persist=False,
                     live_kwargs={"camera_lister": lambda: [], "camera_probe": lambda i: False})
    qtbot.addWidget(win)
    shown = []
    win.live.prediction_shown.connect(shown.append)
    win.show()
    win.start(SourceSpec("file", path=str(signer_video), loop=True))
    page = win.live
    qtbot.waitUntil(lambda: page.video.frames_drawn > 0, timeout=15000)  # pictures before Holistic is ready
    qtbot.waitUntil(lambda: page.session.stats().tracking == "ready", timeout=30000)

    def hand_seen():
        f = page.video.frame
        return f is not None and f.has_landmarks and (f.points[L.RIGHT_HAND.start, 3] > 0
                                                      or f.points[L.LEFT_HAND.start, 3] > 0)

    qtbot.waitUntil(hand_seen, timeout=20000)
    f = page.video.frame
    assert f.image is not None and f.source_kind == "frames" and not f.live and not f.mirror
    assert f.points[L.LEFT_SHOULDER, 3] > 0  # the pose is there too
    qtbot.waitUntil(lambda: len(shown) >= 1, timeout=20000)
    assert shown[-1].to_record()["top"]
    assert win.shutdown(10.0)
    assert [t.name for t in threading.enumerate() if t.name.startswith("signclip-") and t.is_alive()] == []
