"""Corrupt or foreign packs, corrupt settings, corrupt or locked user database, and a
writer killed mid-save: plain errors, the app goes on, nothing committed is lost."""
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from faults_helpers import REPO, Events, python, wait_for
from signclip_desktop.model.pack import PackError, load_pack


# -- packs ----------------------------------------------------------------------------------------------
def _copy_pack(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def _damage(kind: str, pack: Path) -> None:
    if kind == "manifest_garbage":
        (pack / "manifest.json").write_bytes(b"\x00\xff{not json")
    elif kind == "manifest_missing":
        (pack / "manifest.json").unlink()
    elif kind == "foreign_manifest":
        (pack / "manifest.json").write_text(json.dumps({"format": "some-other-app", "model": "x"}))
    elif kind == "encoder_garbage":
        (pack / "encoder.onnx").write_bytes(os.urandom(5000))
    elif kind == "encoder_truncated":
        data = (pack / "encoder.onnx").read_bytes()
        (pack / "encoder.onnx").write_bytes(data[: len(data) // 2])
    elif kind == "encoder_empty":
        (pack / "encoder.onnx").write_bytes(b"")
    elif kind == "labels_truncated":
        data = (pack / "labels.npz").read_bytes()
        (pack / "labels.npz").write_bytes(data[: len(data) // 2])
    elif kind == "labels_nan":
        with np.load(pack / "labels.npz") as z:
            emb, labels = z["embeddings"].copy(), z["labels"]
        emb[0, 0] = np.nan
        np.savez(pack / "labels.npz", embeddings=emb, labels=labels)
    elif kind == "foreign_encoder":  # an encoder for another input layout (face points too)
        from signclip_desktop.keypoints.features import InputSpec
        from signclip_desktop.model.tiny import tiny_encoder_bytes

        (pack / "encoder.onnx").write_bytes(tiny_encoder_bytes(InputSpec(components=("pose", "face")), 16))
    elif kind == "wrong_dim":
        m = json.loads((pack / "manifest.json").read_text())
        m["output"]["embedding_dim"] = 99
        (pack / "manifest.json").write_text(json.dumps(m))
    elif kind == "newer_format":
        m = json.loads((pack / "manifest.json").read_text())
        m["format_version"] = 99
        (pack / "manifest.json").write_text(json.dumps(m))
    else:
        raise AssertionError(kind)


PACK_FAULTS = ["manifest_garbage", "manifest_missing", "foreign_manifest", "encoder_garbage", "encoder_truncated",
               "encoder_empty", "labels_truncated", "labels_nan", "foreign_encoder", "wrong_dim", "newer_format"]


@pytest.mark.parametrize("kind", PACK_FAULTS)
def test_damaged_pack_is_a_pack_error(tiny_pack, tmp_path, kind):
    pack = _copy_pack(tiny_pack, tmp_path / "p")
    _damage(kind, pack)
    with pytest.raises(PackError) as e:
        load_pack(pack)
    assert str(pack) in str(e.value) and "Traceback" not in str(e.value)


def test_damaged_pack_in_the_live_pipeline_then_a_good_one(tiny_pack, tmp_path, clip_file):
    import dataclasses

    from signclip_desktop.live import LiveConfig, LiveSession, SourceSpec

    bad = _copy_pack(tiny_pack, tmp_path / "bad")
    _damage("encoder_garbage", bad)
    ev = Events()

    class Det:
        calls = 0

        def detect(self, img, t=None):
            from fakes import synthetic_signing

            Det.calls += 1
            return synthetic_signing(60)[Det.calls % 60]

        def close(self):
            pass

    pipe = LiveSession(LiveConfig(pack_path=str(bad), providers="cpu"), on_event=ev, detector_factory=Det)
    try:
        pipe.start(SourceSpec(kind="file", path=str(clip_file), loop=True, pace=False))
        assert wait_for(lambda: ev.of("pack_error"))
        n = Det.calls
        assert wait_for(lambda: Det.calls > n + 20)  # video and landmarks keep going without a pack
        assert pipe.threads_alive == ["capture", "inference"]
        pipe.configure(dataclasses.replace(pipe.config, pack_path=str(tiny_pack)))
        assert wait_for(lambda: ev.of("pack_loaded") and ev.of("update"), 30)
    finally:
        assert pipe.stop()


def test_self_test_with_a_damaged_pack_exits_1_without_traceback(tiny_pack, tmp_path):
    bad = _copy_pack(tiny_pack, tmp_path / "bad")
    _damage("labels_truncated", bad)
    p = subprocess.run([python(), "-m", "signclip_desktop", "self-test", "--pack", str(bad)], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert "[FAIL] model pack" in p.stdout and "Traceback" not in p.stdout + p.stderr


# -- settings -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [b"\x00\x01\x02garbage", b"{\"top_k\": ", b"[1, 2, 3]", b"\xff\xfe\xfa",
                                     b"{\"top_k\": \"many\", \"sensitivity\": null}", b""])
def test_corrupt_settings_give_defaults_and_keep_the_bad_file(tmp_path, content):
    from signclip_desktop.settings import Settings, load_settings, save_settings

    path = tmp_path / "settings.json"
    path.write_bytes(content)
    s, notice = load_settings(path)
    assert isinstance(s, Settings)
    if content.startswith(b"{\"top_k\": \"many\""):
        assert notice and "reset" in notice
    else:
        assert notice and "default" in notice
        assert (tmp_path / "settings.json.bad").read_bytes() == content
    save_settings(s, path)  # and the app can save again
    assert load_settings(path)[1] is None


_SETTINGS_WRITER = """
import sys
from signclip_desktop.settings import Settings, save_settings
path = sys.argv[1]
i = 0
print("ready", flush=True)
while True:
    save_settings(Settings(top_k=3 + i % 5), path)
    i += 1
"""


def test_settings_writer_killed_mid_save_leaves_a_valid_file(tmp_path):
    from signclip_desktop.settings import load_settings

    path = tmp_path / "settings.json"
    rng = np.random.default_rng(0)
    for k in range(8):
        p = subprocess.Popen([python(), "-c", _SETTINGS_WRITER, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.01, 0.25)))
        p.send_signal(signal.SIGKILL)
        p.wait(10)
        p.stdout.close()
        if path.exists():
            s, notice = load_settings(path)
            assert notice is None, notice
            assert 3 <= s.top_k <= 7


# -- the personal library (SQLite) -------------------------------------------------------------------------
def _examples(n=3, t=20, seed=0):
    from fakes import synthetic_signing
    from signclip_desktop.practice.library import NewExample

    return [NewExample(synthetic_signing(t, seed=seed + i), 30.0, "test") for i in range(n)]


@pytest.mark.parametrize("content", [b"garbage" * 500, b"SQLite format 3\x00" + os.urandom(3000), b"\x00" * 4096])
def test_corrupt_library_is_a_plain_error(tmp_path, content):
    from signclip_desktop.practice.library import Library, LibraryError

    path = tmp_path / "library.sqlite3"
    path.write_bytes(content)
    with pytest.raises(LibraryError) as e:
        Library(path)
    assert str(path) in str(e.value)


def test_truncated_library_is_detected(tmp_path):
    from signclip_desktop.practice.library import Library, LibraryError

    path = tmp_path / "library.sqlite3"
    with Library(path) as lib:
        for i in range(5):
            lib.add_sign(f"sign{i}", "und", _examples(seed=i))
        lib.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    try:
        lib = Library(path)
    except LibraryError:
        return  # refused with a plain message: fine
    if lib.notice:  # damage found on open: the half file is kept aside, the user told, a new library used
        lib.close()
        assert "damaged" in lib.notice and path.with_name(path.name + ".bad").read_bytes() == data[: len(data) // 2]
        return
    try:
        ok = lib.integrity_ok()
        if ok:
            lib.signs()
    except (LibraryError, sqlite3.DatabaseError):
        ok = False
    finally:
        lib.close()
    assert not ok, "a half file must not pass as a healthy library"


def test_library_locked_by_another_writer_waits_then_saves(tmp_path):
    from signclip_desktop.practice.library import Library

    path = tmp_path / "library.sqlite3"
    Library(path).close()
    other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    threading.Timer(1.0, lambda: other.execute("COMMIT")).start()
    t0 = time.monotonic()
    with Library(path) as lib:  # opening and saving wait for the lock instead of failing
        lib.add_sign("hello-mine", "und", _examples())
        assert time.monotonic() - t0 >= 0.5
        assert [s.name for s in lib.signs()] == ["hello-mine"]
    other.close()


def test_library_locked_for_too_long_is_a_plain_error_and_nothing_is_half_written(tmp_path):
    from signclip_desktop.practice.library import Library, LibraryError

    path = tmp_path / "library.sqlite3"
    lib = Library(path)
    lib.add_sign("first", "und", _examples())
    lib.db.execute("PRAGMA busy_timeout=300")  # the app waits 10 s; the test does not
    other = sqlite3.connect(str(path), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LibraryError, match="in use by another program"):
            lib.add_sign("second", "und", _examples(seed=5))
    finally:
        other.execute("ROLLBACK")
        other.close()
    lib.add_sign("second", "und", _examples(seed=5))  # the same library object works once the lock is gone
    lib.close()
    with Library(path) as lib2:
        assert [s.name for s in lib2.signs()] == ["first", "second"]
        assert lib2.integrity_ok()


_LIBRARY_WRITER = """
import sys
import numpy as np
from signclip_desktop.practice.library import Library, NewExample
sys.path.insert(0, "tests")  # the test fakes (cwd is the repo)
from fakes import synthetic_signing
lib = Library(sys.argv[1])
start = len(lib.signs())
print("ready", flush=True)
i = start
while True:
    ex = [NewExample(synthetic_signing(40, seed=i * 10 + k), 30.0, "t") for k in range(3)]
    lib.add_sign(f"s{i}", "und", ex)
    print(f"committed s{i}", flush=True)
    i += 1
"""


def test_library_writer_killed_mid_save_loses_nothing_committed(tmp_path):
    from signclip_desktop.practice.library import Library

    path = tmp_path / "library.sqlite3"
    committed: set[str] = set()
    rng = np.random.default_rng(1)
    for k in range(5):
        p = subprocess.Popen([python(), "-c", _LIBRARY_WRITER, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.05, 0.4)))
        p.send_signal(signal.SIGKILL)
        p.wait(10)
        committed |= {line.split()[1] for line in p.stdout.read().splitlines() if line.startswith("committed")}
        p.stdout.close()
        with Library(path) as lib:
            assert lib.integrity_ok()
            names = {s.name for s in lib.signs()}
            assert committed <= names, committed - names
            for s in lib.signs():
                assert len(lib.examples(s)) == 3  # never a sign with half its examples
    assert committed
