"""Real frames through the whole live path: video file -> Holistic -> windows -> recognizer.

Uses the lead's ``stream`` package as is (only tested here): a video of the signer's moving
letter J (silfa frames) must produce live, classified updates."""
import numpy as np

from signclip_desktop.keypoints.holistic import HolisticDetector
from signclip_desktop.model.encoder import Encoder
from signclip_desktop.model.pack import load_pack
from signclip_desktop.sources import open_source
from signclip_desktop.sources.base import KeypointFrame
from signclip_desktop.stream.recognizer import Recognizer
from signclip_desktop.stream.window import KeypointWindow
from media_helpers import make_video, silfa_frames


def test_video_frames_drive_the_recognizer(shared_data, tiny_pack, tmp_path):
    video = make_video(tmp_path / "j.avi", silfa_frames(shared_data, "J", 24), fps=24)
    pack = load_pack(tiny_pack)
    rec = Recognizer(pack, Encoder(pack, "cpu", 1))
    updates = []
    src = open_source(video)
    with HolisticDetector() as det:
        for frame in src:
            kp = det.detect(frame.image, frame.timestamp)
            u = rec.push(KeypointFrame(frame.index, frame.timestamp, kp, frame.image))
            if u is not None:
                updates.append(u)
    src.close()
    assert updates, "no window was emitted"
    live = [u for u in updates if u.prediction is not None]
    assert live and all(u.activity.hands_visible > 0 for u in live)
    assert live[0].prediction.top[0].label in pack.label_ids
    assert all(a.timestamp < b.timestamp for a, b in zip(updates, updates[1:]))


def test_window_resamples_a_24fps_stream_to_the_pack_rate():
    w = KeypointWindow(fps=30, window=16, stride=4)
    frames = np.random.default_rng(0).random((48, 203, 4)).astype(np.float32)
    for i, f in enumerate(frames):
        w.push(i / 24, f)
    win = w.window()
    assert win.shape == (16, 203, 4)
    # the last window frame is the newest frame; frames before are nearest in time at 30 fps
    np.testing.assert_array_equal(win[-1], frames[-1])
    t_last = 47 / 24
    want = [int(round((t_last - k / 30) * 24)) for k in range(15, -1, -1)]
    np.testing.assert_array_equal(win, frames[want])
