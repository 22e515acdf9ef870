"""The app opens no network socket during a full session.

1. A headless GUI session (``signclip-desktop gui --source CLIP --quit-after 8``) under
   ``strace -f``: no ``socket()`` of an internet/packet family and no ``connect``/``bind``
   to an internet address, by Python or by native code (Qt, MediaPipe, onnxruntime), in
   any process. Skipped where strace is missing or not permitted.
2. Always: the pipeline with the Holistic pool, the self-test and a pack load in a
   subprocess with a ``sys.addaudithook`` hook (also installed in the pool's spawned
   workers) recording every ``socket.*`` event that is not AF_UNIX.
"""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from faults_helpers import REPO, python

NET = re.compile(r"socket\((AF_INET6?|AF_PACKET)|(connect|bind|sendto)\(\d+, \{sa_family=AF_INET6?")


def _strace_works() -> bool:
    if not shutil.which("strace"):
        return False
    p = subprocess.run(["strace", "-f", "-e", "trace=socket", "-o", os.devnull, sys.executable, "-c", "pass"],
                       capture_output=True, timeout=60)
    return p.returncode == 0


@pytest.mark.slow
def test_gui_session_opens_no_network_socket(tmp_path, clip_file, tiny_pack):
    if not _strace_works():
        pytest.skip("strace is not available or not permitted here")
    log = tmp_path / "strace.log"
    preds = tmp_path / "pred.jsonl"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SIGNCLIP_HOME=str(tmp_path / "home"))
    cmd = ["strace", "-f", "-e", "trace=socket,connect,bind,sendto", "-o", str(log),
           python(), "-m", "signclip_desktop", "gui", "--source", str(clip_file), "--pack", str(tiny_pack),
           "--quit-after", "8", "--log-predictions", str(preds), "--stats", str(tmp_path / "stats.json")]
    p = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats.get("landmark_frames", 0) > 0, stats  # a real session: Holistic ran on the video
    hits = [line for line in log.read_text().splitlines() if NET.search(line)]
    assert not hits, "\n".join(hits[:20])


_AUDITED = r"""
import json, os, socket, sys
EVENTS = []
def hook(event, args):
    if event.startswith("socket."):
        fam = None
        if event == "socket.__new__":
            fam = args[1]
        elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo", "socket.gethostbyname"):
            s = args[0] if args else None
            fam = getattr(s, "family", None)
            if event.startswith("socket.get"):
                fam = "lookup"
        if fam not in (socket.AF_UNIX, -1):
            EVENTS.append([event, str(fam), repr(args)[:200]])
sys.addaudithook(hook)

def main(out, clip, pack):
    import threading, time
    from signclip_desktop.commands.self_test import run_self_test
    from signclip_desktop.live import LiveConfig, LiveSession, SourceSpec
    from signclip_desktop.live.pool import HolisticPool
    from signclip_desktop.sources.video import VideoSource
    import io
    assert run_self_test(pack=pack, out=io.StringIO()) == 0
    done = threading.Event()
    ups = []
    def emit(ev):
        if ev.name == "update": ups.append(ev)
        if ev.name in ("source_ended", "source_error", "source_lost", "worker_error"): done.set()
    pipe = LiveSession(LiveConfig(pack_path=pack, providers="cpu"), on_event=emit)
    pipe.start(SourceSpec(kind="file", path=clip, loop=True, pace=False))
    end = time.monotonic() + 120
    while len(ups) < 5 and time.monotonic() < end:  # Holistic loads in the background first
        time.sleep(0.05)
    pipe.stop()
    with HolisticPool(workers=2, factory="netaudit_worker:AuditedDetector") as pool:
        with VideoSource(clip) as src:
            res = list(pool.map(f.image for i, f in zip(range(20), src)))
        worker_events = pool_events = None
    worker_events = []
    for name in os.listdir(os.environ["NETAUDIT_DIR"]):
        with open(os.path.join(os.environ["NETAUDIT_DIR"], name)) as f:
            worker_events += json.load(f)
    json.dump({"events": EVENTS, "worker_events": worker_events, "updates": len(ups), "pool_results": len(res)},
              open(out, "w"))

if __name__ == "__main__":
    main(*sys.argv[1:])
"""

_WORKER = r"""
import atexit, json, os, socket, sys
from signclip_desktop.keypoints.holistic import HolisticDetector
EVENTS = []
def hook(event, args):
    if event == "socket.__new__" and args[1] != socket.AF_UNIX:
        EVENTS.append([event, str(args[1])])
    elif event in ("socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname"):
        s = args[0] if args else None
        if event.startswith("socket.get") or getattr(s, "family", None) != socket.AF_UNIX:
            EVENTS.append([event, repr(args)[:200]])
sys.addaudithook(hook)

class AuditedDetector(HolisticDetector):
    def close(self):
        super().close()
        with open(os.path.join(os.environ["NETAUDIT_DIR"], f"{os.getpid()}.json"), "w") as f:
            json.dump(EVENTS, f)
"""


@pytest.mark.slow
def test_pipeline_pool_and_self_test_open_no_network_socket(tmp_path, clip_file, tiny_pack):
    (tmp_path / "netaudit_main.py").write_text(_AUDITED)
    (tmp_path / "netaudit_worker.py").write_text(_WORKER)
    audit_dir = tmp_path / "audit"
    audit_dir.mkdir()
    out = tmp_path / "out.json"
    env = dict(os.environ, NETAUDIT_DIR=str(audit_dir), SIGNCLIP_HOME=str(tmp_path / "home"),
               PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run([python(), str(tmp_path / "netaudit_main.py"), str(out), str(clip_file), str(tiny_pack)],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["updates"] > 0 and r["pool_results"] == 20
    assert len(os.listdir(audit_dir)) == 2, "both pool workers reported"
    assert r["events"] == [], r["events"]
    assert r["worker_events"] == [], r["worker_events"]
