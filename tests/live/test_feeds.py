"""The feeds stand on the sources/ readers: one vocabulary, one open per file, one .npz reader."""
import numpy as np
import pytest

from signclip_desktop.live import SourceSpec, Stats, open_feed
from signclip_desktop.live.feeds import FramesFeed, KeypointFeed, VideoFeed


def _write_video(path, n=12):
    import cv2

    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (64, 48))
    for i in range(n):
        vw.write(np.full((48, 64, 3), i * 10, np.uint8))
    vw.release()
    return path


def test_a_video_is_opened_once_and_plays_and_rewinds(tmp_path, monkeypatch):
    import cv2

    clip = _write_video(tmp_path / "c.avi")
    opened = []
    real = cv2.VideoCapture

    def counting(*a, **k):
        opened.append(a[0])
        return real(*a, **k)

    monkeypatch.setattr(cv2, "VideoCapture", counting)
    feed = open_feed(SourceSpec("file", path=str(clip), pace=False), Stats())
    assert isinstance(feed, VideoFeed) and (feed.kind, feed.live) == ("frames", False)
    got = []
    while (item := feed.next()) is not None:
        got.append(item)
    assert len(got) == 12 and got[3][1][0, 0, 0] == 30
    assert feed.restart() and feed.next()[1][0, 0, 0] == 0
    feed.close()
    assert len(opened) == 1  # the VideoSource that checked the file is the one that plays it


def test_an_image_folder_plays_through_its_source(tmp_path):
    import cv2

    for i in range(3):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((20, 30, 3), 50 * i, np.uint8))
    feed = open_feed(SourceSpec("file", path=str(tmp_path), pace=False), Stats())
    assert isinstance(feed, FramesFeed) and feed.kind == "frames"
    vals = []
    while (item := feed.next()) is not None:
        vals.append(int(item[1][0, 0, 0]))
    assert vals == [0, 50, 100] and feed.restart() and feed.next() is not None


def test_keypoint_files_go_through_open_source(tmp_path, monkeypatch):
    from signclip_desktop import sources
    from signclip_desktop.live.feeds import demo_path

    calls = []
    real = sources.open_source
    monkeypatch.setattr(sources, "open_source", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
    feed = open_feed(SourceSpec("demo"), Stats())
    assert isinstance(feed, KeypointFeed) and feed.kind == "keypoints" and calls == [demo_path()]
    with pytest.raises(sources.SourceError, match="not found"):
        open_feed(SourceSpec("file", path=str(tmp_path / "gone.npz")), Stats())


def test_the_demo_names_a_sign_only_while_it_is_being_made():
    from signclip_desktop.stream.clip import hands_up

    feed = open_feed(SourceSpec("demo", pace=False), Stats())
    assert isinstance(feed, KeypointFeed)
    up = hands_up(feed.frames)
    caps = np.array(feed.captions)
    assert (caps[~up] == "Demo").all() and up.any() and not up.all()
    named = [c for i, c in enumerate(feed.captions) if up[i] and (i == 0 or feed.captions[i - 1] != c)]
    assert named == ["Demo: hello", "Demo: thank you", "Demo: yes", "Demo: no"]
