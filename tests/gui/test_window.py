"""The real window (offscreen) through the real workers: predictions shown, camera failures,
mirroring, settings notices, the page hook, and a clean close."""
import json

import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from signclip_desktop.live import DisplayFrame, SourceSpec, demo_path
from signclip_desktop.gui.widgets import VideoView
from signclip_desktop.settings import Settings, load_settings, settings_path

from gui_fakes import CameraControl, signclip_threads


def test_window_plays_a_clip_end_to_end_and_shows_predictions(make_window, qtbot):
    win = make_window()
    shown = []
    win.live.prediction_shown.connect(shown.append)
    win.start(SourceSpec("file", path=str(demo_path())))  # a keypoint file through the real workers
    qtbot.waitUntil(lambda: win.live.video.frames_drawn > 5, timeout=15000)
    qtbot.waitUntil(lambda: len(shown) >= 3, timeout=15000)
    assert shown[-1].prediction is None or shown[-1].prediction.top  # a typed Prediction
    rec = shown[-1].to_record()
    assert set(rec) >= {"t", "current", "top", "confidence"}
    assert rec["top"] and {"label", "language", "score"} <= set(rec["top"][0])
    json.dumps(rec)
    top = win.live.topk.rows[0]
    assert top[1].text() in {"hello", "thank you", "yes"} and top[3].value > 0
    qtbot.waitUntil(lambda: win.live._last_current is not None, timeout=15000)
    assert win.live.current.text() == win.live._last_current
    assert "Landmarks" in win.live.status.text() and "CPU" in win.live.status.text()
    assert win.shutdown(5.0)
    assert signclip_threads() == []


def test_close_stops_every_worker(make_window, qtbot):
    win = make_window()
    win.start(SourceSpec("demo"))
    qtbot.waitUntil(lambda: win.live.video.frames_drawn > 0, timeout=15000)
    assert win.live.session.threads_alive == ["capture", "inference"]
    win.close()
    assert win.live.session.threads_alive == [] and signclip_threads() == []


def test_no_camera_falls_back_to_demo_with_banner_and_retries(make_window, qtbot):
    cam = CameraControl(available=False)
    win = make_window(Settings(pack="", source="camera"), camera=cam)
    win.live._retry_timer.setInterval(100)
    win.start()
    page = win.live
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=15000)
    assert "No camera found" in page.banner.text.text() and "built-in demo" in page.banner.text.text()
    assert set(page.banner.buttons) == {"Retry camera", "Open a file"}
    qtbot.waitUntil(lambda: page.video.frames_drawn > 3, timeout=15000)  # the demo plays
    assert page.video.frame.source_kind == "keypoints" and not page.video.frame.live
    # the Retry button tries the camera again (still missing -> banner stays)
    n = cam.attempts
    page.banner.buttons["Retry camera"].click()
    qtbot.waitUntil(lambda: cam.attempts > n and page.banner.buttons.get("Retry camera") is not None, timeout=15000)
    # the camera is plugged in: the quiet retry finds it and switches to it
    cam.available = True
    qtbot.waitUntil(lambda: page.video.frame is not None and page.video.frame.live, timeout=15000)
    assert not page.banner.isVisible()


def test_camera_unplugged_mid_stream(make_window, qtbot):
    cam = CameraControl(available=True, fail_after=20)
    win = make_window(Settings(pack="", source="camera"), camera=cam)
    win.live._retry_timer.setInterval(60_000)
    win.start()
    page = win.live
    qtbot.waitUntil(lambda: page.video.frame is not None and page.video.frame.live, timeout=15000)
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=15000)
    assert "stopped sending pictures" in page.banner.text.text()
    qtbot.waitUntil(lambda: page.video.frame.source_kind == "keypoints", timeout=15000)
    assert page.session.threads_alive == ["capture", "inference"]


def test_camera_is_shown_mirrored(make_window, qtbot):
    cam = CameraControl(available=True)
    win = make_window(Settings(pack="", source="camera", mirror=True), camera=cam)
    win.start()
    page = win.live
    qtbot.waitUntil(lambda: page.video.frame is not None and page.video.frame.live, timeout=15000)
    f = page.video.frame
    assert f.source_kind == "frames"
    assert f.mirror and f.image[:, :80, 2].mean() > 200  # the frame itself is not flipped
    img = page.video.grab().toImage()
    y = img.height() // 2
    left, right = QColor(img.pixel(img.width() // 4, y)), QColor(img.pixel(3 * img.width() // 4, y))
    assert right.red() > 180 and left.red() < 60  # ...the view flips it like a mirror
    page.mirror_box.setChecked(False)
    qtbot.waitUntil(lambda: not page.video.frame.mirror, timeout=15000)


def test_video_view_draws_the_skeleton_with_hand_colours(qtbot):
    from signclip_desktop.gui import theme
    from gui_fakes import signing_keypoints

    v = VideoView()
    qtbot.addWidget(v)
    v.resize(640, 480)
    kp = signing_keypoints(0.0)
    v.set_frame(DisplayFrame(1, 0.0, None, kp, 4 / 3, "keypoints", has_landmarks=True))
    img = v.grab().toImage()
    blue = QColor(theme.RIGHT_HAND)
    found = sum(1 for x in range(0, img.width(), 2) for y in range(0, img.height(), 2)
                if abs(QColor(img.pixel(x, y)).red() - blue.red()) < 30
                and abs(QColor(img.pixel(x, y)).blue() - blue.blue()) < 30
                and abs(QColor(img.pixel(x, y)).green() - blue.green()) < 30)
    assert found > 20


def test_settings_change_is_saved_and_corrupt_settings_notice_is_visible(make_window, qtbot, isolated_home):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json")
    settings, notice = load_settings()
    assert notice and path.with_name("settings.json.bad").exists()
    win = make_window(settings, notice=notice, persist=True)
    assert win.live.notice.isVisible() and "default settings" in win.live.notice.text.text()
    win.live.topk_spin.setValue(3)
    win.live.left_box.setChecked(True)
    qtbot.waitUntil(lambda: load_settings()[0].left_handed is True, timeout=15000)  # written off the GUI thread
    again, note = load_settings()
    assert note is None and again.top_k == 3 and again.left_handed is True
    assert win.live.session.config.left_handed is True


def test_left_handed_and_top_k_reach_the_recognizer(make_window, qtbot):
    win = make_window()
    win.start(SourceSpec("demo"))
    inf = win.live.session._inference  # white-box: what the recogniser on the worker thread got
    qtbot.waitUntil(lambda: inf._recognizer is not None, timeout=10000)
    assert inf._recognizer.left_handed is False
    win.live.left_box.setChecked(True)
    win.live.topk_spin.setValue(2)
    win.live.sens_slider.setValue(200)
    qtbot.waitUntil(lambda: inf._recognizer.left_handed is True and inf._recognizer.top_k == 2, timeout=15000)
    assert inf._recognizer.sensitivity == 2.0
    assert win.live.session.applied_config.sensitivity == 2.0
    assert sum(row.isVisible() for row, *_ in win.live.topk.rows) == 2


def test_language_filter_reaches_the_scorer_and_is_remembered_per_pack(make_window, qtbot):
    win = make_window()
    win.start(SourceSpec("demo"))
    inf = win.live.session._inference
    qtbot.waitUntil(lambda: inf._recognizer is not None and win.live.lang_box.count() == 2, timeout=10000)
    assert win.live.lang_box.itemData(0) == "" and win.live.lang_box.itemData(1) == "und"
    assert "Unknown" in win.live.lang_box.itemText(1) and "und" not in win.live.lang_box.itemText(1)  # words, not codes
    win.live.lang_box.setCurrentIndex(1)
    win.live.lang_box.activated.emit(1)
    qtbot.waitUntil(lambda: inf._recognizer.scorer._language == "und", timeout=15000)
    assert win.live.settings.pack_languages == {"tiny-test": "und"}


def test_add_page_hook(make_window, qtbot):
    win = make_window()
    assert win.nav.isHidden()  # one page: no navigation needed
    page = QLabel("practice")
    calls = []
    page.page_shown = lambda: calls.append("shown")
    page.page_hidden = lambda: calls.append("hidden")
    idx = win.add_page("Fingerspelling", page, key="fingerspelling")
    assert idx == 1 and not win.nav.isHidden() and win.page("fingerspelling") is page
    win.show_page("fingerspelling")
    assert win.stack.currentWidget() is page and calls == ["shown"]
    win.show_page("live")
    assert calls == ["shown", "hidden"]
    with pytest.raises(ValueError):
        win.add_page("Again", QLabel(), key="fingerspelling")


def test_missing_file_shows_the_open_a_file_screen(make_window, qtbot, tmp_path):
    win = make_window()
    win.start(SourceSpec("file", path=str(tmp_path / "gone.mp4")))
    page = win.live
    qtbot.waitUntil(lambda: page.video_stack.currentWidget() is page.no_source, timeout=15000)
    assert "gone.mp4" in page.no_source.detail.text()
    assert page.no_source.open_button.text() == "Open a file"
    page.no_source.demo_button.click()
    qtbot.waitUntil(lambda: page.video.frames_drawn > 0, timeout=15000)
    assert page.video_stack.currentWidget() is page.video


def test_an_alphabet_pack_starts_within_its_main_language(make_window, qtbot, tmp_path):
    from signclip_desktop.keypoints.features import InputSpec
    from signclip_desktop.model.pack import Label, write_pack
    from signclip_desktop.model.tiny import tiny_encoder_bytes

    spec = InputSpec(window_frames=16, min_frames=4)
    labels = [Label(f"{lang}:{c}", c, lang) for lang in ("gsg", "ase") for c in "ABCD"]
    pack = write_pack(tmp_path / "alphabets", name="alphabets", version="0.0.1", spec=spec,
                      onnx_bytes_or_path=tiny_encoder_bytes(spec, 16), labels=labels,
                      label_embeddings=np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32),
                      extra={"main_language": "ase"})
    win = make_window(Settings(pack=str(pack), source="demo"))
    win.start(SourceSpec("demo"))
    inf = win.live.session._inference
    qtbot.waitUntil(lambda: inf._recognizer is not None and win.live.lang_box.count() == 3, timeout=10000)
    assert win.live.lang_box.currentData() == "ase"  # no choice saved: the pack's own
    qtbot.waitUntil(lambda: inf._recognizer.scorer._language == "ase", timeout=15000)
    win.live.lang_box.setCurrentIndex(0)  # "All" is a choice, and it is kept
    win.live.lang_box.activated.emit(0)
    qtbot.waitUntil(lambda: inf._recognizer.scorer._language is None, timeout=15000)
    assert win.live.settings.pack_languages == {"alphabets": ""}
