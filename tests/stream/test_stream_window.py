import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.stream.window import KeypointWindow, resample_sequence


def _frames(n):
    f = L.empty_frames(n)
    f[:, 0, 0] = np.arange(n)  # frame number in x of the nose
    f[:, 0, 3] = 1
    return f


def test_resample_halves_a_60fps_stream():
    f = _frames(60)
    out = resample_sequence(f, 60, 30)
    assert len(out) == 30
    assert np.array_equal(out[:, 0, 0], np.arange(0, 60, 2))


def test_window_emits_once_per_stride_after_filling():
    w = KeypointWindow(fps=30, window=16, stride=4)
    f = _frames(40)
    due = []
    for i in range(40):
        w.push(i / 30, f[i])
        due.append(w.due())
    first = due.index(True)
    assert first == 15  # first full window
    assert sum(due) == 1 + (39 - 15) // 4
    win = w.window()
    assert win.shape == (16, L.NUM_POINTS, 4)
    assert np.array_equal(win[:, 0, 0], np.arange(24, 40))


def test_window_resamples_a_slow_camera_to_pack_fps():
    w = KeypointWindow(fps=30, window=10, stride=5)
    f = _frames(20)
    for i in range(20):
        w.push(i / 15, f[i])  # 15 fps camera
    win = w.window()
    # each camera frame is used twice at 30 fps
    assert np.allclose(np.diff(win[1:, 0, 0])[::2] + np.diff(win[1:, 0, 0])[1::2], 1)


def test_window_from_seconds_and_restart():
    w = KeypointWindow.from_seconds(30, 1.0, 0.25)
    assert (w.window_frames, w.stride_frames) == (30, 8)
    for i in range(50):
        w.push(5 + i / 30, _frames(1)[0])
    w.push(0.0, _frames(1)[0])  # looped file starts over
    assert len(w) == 1


def test_bad_window_arguments():
    with pytest.raises(ValueError):
        KeypointWindow(30, 0, 1)


def test_first_window_of_a_stream_comes_after_first_frames_and_holds_only_seen_time():
    w = KeypointWindow(fps=30, window=16, stride=4, first=8)
    f = _frames(40)
    due = []
    for i in range(40):
        w.push(i / 30, f[i])
        due.append(w.due())
        if i == 7:
            assert w.frames_seen() == 8
            short = w.window(n=w.frames_seen())
            assert np.array_equal(short[:, 0, 0], np.arange(8))  # no empty frames before the stream
    assert due.index(True) == 7
    assert sum(due) == 1 + (39 - 7) // 4
    assert w.frames_seen() == 16  # never more than a window
    w.clear()
    w.push(10.0, f[0])
    assert w.frames_seen() == 1 and not w.due()
