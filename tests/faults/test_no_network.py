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

import numpy as np
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


# -- every command, native code included: DNS (UDP/53) and any AF_INET/AF_INET6 socket -----------------
# (issue 12: onnxruntime's telemetry looked up its events host during `predict` and `gui`, and wrote
#  ~/.cache/Microsoft/DeveloperTools/.onnxruntime; the Python-level hook above cannot see native code)
_SITECUSTOMIZE = r"""
import json, os, socket, sys
_OUT = os.path.join(os.environ["NETAUDIT_DIR"], f"{os.getpid()}.jsonl")
def _hook(event, args):
    if not event.startswith("socket."):
        return
    if event == "socket.__new__":
        fam = args[1] if len(args) > 1 else None
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        fam = "lookup"
    else:
        fam = getattr(args[0], "family", None) if args else None
    if fam in (socket.AF_UNIX, -1):
        return
    with open(_OUT, "a") as f:
        f.write(json.dumps([event, str(fam), repr(args)[:200]]) + "\n")
sys.addaudithook(_hook)
"""

NATIVE_NET = re.compile(r"socket\(AF_INET6?\b|sa_family=AF_INET6?\b|htons\(53\)")
ALLOWED_HOME = (".local/share/signclip-desktop", ".config/signclip-desktop", ".cache/signclip-desktop")


def _run_offline(tmp_path, name, args, timeout=300):
    """Run ``signclip-desktop ARGS`` with a fresh HOME (no SIGNCLIP_HOME), the audit hook in
    every Python process and, where it works, strace on every process; return (proc, python
    events, native lines, files written under HOME)."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    audit = tmp_path / f"audit-{name}"
    audit.mkdir()
    home = tmp_path / f"home-{name}"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNCLIP_HOME", "XDG_", "MPLCONFIGDIR"))}
    env.update(HOME=str(home), NETAUDIT_DIR=str(audit), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(site), str(REPO)]))
    env.pop("ORT_DISABLE_TELEMETRY", None)  # the app must switch it off itself
    cmd = [python(), "-m", "signclip_desktop", *map(str, args)]
    log = tmp_path / f"strace-{name}.log"
    if _strace_works():
        cmd = ["strace", "-f", "-qq", "-e", "trace=socket,connect,bind,sendto,sendmsg", "-o", str(log), *cmd]
    p = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)
    events = []
    for f in audit.glob("*.jsonl"):
        events += [json.loads(line) for line in f.read_text().splitlines()]
    native = [line for line in log.read_text().splitlines() if NATIVE_NET.search(line)] if log.exists() else []
    written = sorted(str(q.relative_to(home)) for q in home.rglob("*") if q.is_file())
    return p, events, native, written


def _assert_offline(p, events, native, written, ok_codes=(0,)):
    assert p.returncode in ok_codes, p.stderr[-2000:]
    assert events == [], events[:10]
    assert native == [], "\n".join(native[:20])
    outside = [w for w in written if not w.startswith(ALLOWED_HOME)]
    assert outside == [], outside  # e.g. .cache/Microsoft/DeveloperTools/.onnxruntime/deviceid


def _clip_npz(path, seed=0):
    from signclip_desktop.keypoints import layout as L
    from signclip_desktop.stream.clip import save_clip

    rng = np.random.default_rng(seed)
    f = L.empty_frames(40)
    f[:, L.LEFT_SHOULDER] = [0.6, 0.5, 0, 1]
    f[:, L.RIGHT_SHOULDER] = [0.4, 0.5, 0, 1]
    f[5:35, L.RIGHT_HAND.slice, :3] = 0.4 + 0.05 * rng.random((30, 21, 3))
    f[5:35, L.RIGHT_HAND.slice, 3] = 1
    return save_clip(path, f, 30.0)


@pytest.mark.slow
def test_predict_is_offline_and_writes_only_its_folders(tmp_path, clip_file, tiny_pack):
    r = _run_offline(tmp_path, "predict", ["predict", clip_file, "--pack", tiny_pack, "--json", "--no-progress"])
    _assert_offline(*r)
    assert json.loads(r[0].stdout.splitlines()[0])["path"] == str(clip_file)


@pytest.mark.slow
def test_grade_and_library_are_offline(tmp_path, tiny_pack):
    clips = [_clip_npz(tmp_path / f"c{i}.npz", i) for i in range(3)]
    r = _run_offline(tmp_path, "grade", ["grade", "--reference", clips[0], "--attempt", clips[1], "--pack", tiny_pack,
                                         "--json"])
    _assert_offline(*r)
    r = _run_offline(tmp_path, "lib-add", ["library", "add", "wave", *clips, "--pack", tiny_pack])
    _assert_offline(*r)
    assert any(w.startswith(".local/share/signclip-desktop/library.sqlite3") for w in r[3]), r[3]
    for name, args in (("lib-list", ["library", "list"]), ("lib-export", ["library", "export", tmp_path / "x.signlib"]),
                       ("lib-import", ["library", "import", tmp_path / "x.signlib"])):
        _assert_offline(*_run_offline(tmp_path, name, args))


@pytest.mark.slow
def test_gui_session_is_offline_and_writes_only_its_folders(tmp_path, clip_file, tiny_pack):
    r = _run_offline(tmp_path, "gui", ["gui", "--source", clip_file, "--pack", tiny_pack, "--quit-after", "8",
                                       "--stats", tmp_path / "stats.json"])
    _assert_offline(*r)


@pytest.mark.slow
def test_bundle_self_test_is_offline(tmp_path):
    exe = REPO / "dist" / "signclip-desktop" / "signclip-desktop"
    if not exe.is_file():
        pytest.skip("no bundle in dist/ (build it with scripts/bundle)")
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "strace.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNCLIP_HOME", "XDG_", "ORT_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    cmd = [str(exe), "--self-test"]
    if _strace_works():
        cmd = ["strace", "-f", "-qq", "-e", "trace=socket,connect,bind,sendto,sendmsg", "-o", str(log), *cmd]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    native = [line for line in log.read_text().splitlines() if NATIVE_NET.search(line)] if log.exists() else []
    written = sorted(str(q.relative_to(home)) for q in home.rglob("*") if q.is_file())
    _assert_offline(p, [], native, written)
