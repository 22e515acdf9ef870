"""LiveBridge: worker-thread events come out on the GUI thread as typed signals; repaint is throttled."""
import threading

from signclip_desktop.gui.bridge import LiveBridge
from signclip_desktop.gui.throttle import Throttled
from signclip_desktop.live import ErrorEvent, PredictionEvent, StatusEvent


def test_throttled_folds_a_burst_into_first_and_last(qtbot):
    got = []
    t = Throttled(got.append, 50)
    for i in range(100):
        t(i)
    assert got == [0]  # the first at once
    qtbot.waitUntil(lambda: got[-1] == 99, timeout=2000)  # the newest after the interval
    qtbot.wait(120)
    assert got == [0, 99] and t.calls == 2


def test_events_from_a_worker_thread_become_typed_signals(qtbot):
    bridge = LiveBridge(repaint_ms=50)
    seen = {"prediction": [], "prediction_view": [], "status": [], "error": [], "thread": set()}
    gui = threading.current_thread()
    for name in ("prediction", "prediction_view", "status", "error"):
        getattr(bridge, name).connect(lambda ev, n=name: (seen[n].append(ev), seen["thread"].add(
            threading.current_thread() is gui)))

    def worker():
        bridge.post(StatusEvent("pack_loaded", pack_path="p"))
        bridge.post(ErrorEvent("pack_error", "p: broken", path="p"))
        for i in range(30):
            bridge.post(PredictionEvent(update=i))

    th = threading.Thread(target=worker)
    th.start()
    th.join()
    qtbot.waitUntil(lambda: len(seen["prediction"]) == 30 and seen["prediction_view"]
                    and seen["prediction_view"][-1].update == 29, timeout=3000)
    assert [e.what for e in seen["status"]] == ["pack_loaded"] and [e.what for e in seen["error"]] == ["pack_error"]
    assert len(seen["prediction_view"]) < 30  # repaint saw fewer than every update...
    assert seen["thread"] == {True}  # ...and every slot ran on the GUI thread
