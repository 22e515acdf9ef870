"""The debounced settings writer: one write after a burst, flushed on close, errors reported."""
import os
import threading
import time

from signclip_desktop.settings import Settings, load_settings
from signclip_desktop.settings_saver import SettingsSaver


def test_a_burst_of_changes_is_one_write_off_the_callers_thread(tmp_path):
    path = tmp_path / "settings.json"
    threads = []

    def writer(s, p):
        threads.append(threading.current_thread().name)
        from signclip_desktop.settings import save_settings

        save_settings(s, p)

    saver = SettingsSaver(path, delay=1.0, writer=writer)  # long enough that a loaded machine stays inside it
    s = Settings()
    for v in range(100):  # a slider dragged across its range
        s.sensitivity = 0.25 + v / 40
        saver.request(s)
    assert not path.exists() and saver.pending  # nothing written while the user is still moving
    deadline = time.monotonic() + 5
    while saver.writes == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert saver.writes == 1 and threads == ["signclip-settings-writer"]
    assert load_settings(path)[0].sensitivity == s.sensitivity  # the last value
    s.top_k = 3
    saver.request(s)
    assert saver.flush(5.0)  # close: the pending change is written at once
    assert saver.writes == 2 and load_settings(path)[0].top_k == 3


def test_the_copy_is_taken_at_request_time(tmp_path):
    path = tmp_path / "settings.json"
    saver = SettingsSaver(path, delay=5.0)
    s = Settings(top_k=2)
    saver.request(s)
    s.top_k = 9  # changed after the request, never requested
    assert saver.flush(5.0)
    assert load_settings(path)[0].top_k == 2


def test_a_failed_write_is_reported_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    errors = []
    saver = SettingsSaver(blocker / "settings.json", delay=0.0, on_error=errors.append)  # parent is a file
    saver.request(Settings())
    assert saver.flush(5.0)
    assert errors and isinstance(errors[0], OSError)
    assert not os.path.exists(blocker / "settings.json")
