"""Issue 12, each reproduction: bounded inputs, packs that stay in their folder, a library that
cannot be poisoned, settings that always start, empty inputs that say so, stderr not lost."""
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from faults_helpers import REPO, python
from signclip_desktop import limits
from signclip_desktop.keypoints import layout as L
from signclip_desktop.model.pack import PackError, load_pack
from signclip_desktop.sources import load_sequences
from signclip_desktop.sources.base import SourceError


def _cli(*args, env=None, timeout=300):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([python(), "-m", "signclip_desktop", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=e, cwd=REPO)


def _hands(n=40, seed=0):
    rng = np.random.default_rng(seed)
    f = L.empty_frames(n)
    f[:, L.LEFT_SHOULDER] = [0.6, 0.5, 0, 1]
    f[:, L.RIGHT_SHOULDER] = [0.4, 0.5, 0, 1]
    f[5:n - 5, L.RIGHT_HAND.slice, :3] = 0.4 + 0.05 * rng.random((n - 10, 21, 3))
    f[5:n - 5, L.RIGHT_HAND.slice, 3] = 1
    return f


def _data_npz(path, fps=30.0, kp=None):
    kp = np.full((1, 40, 67, 4), 0.5, np.float32) if kp is None else kp
    np.savez(path, keypoints=kp, lengths=np.array([kp.shape[1]]), labels=np.array(["x"]), fps=np.float32(fps))
    return path


# -- 1. frame rates and sizes are bounded before anything is allocated ----------------------------------
def _pose_with_fps(tmp_path, fps):
    from pose_format import Pose

    src = REPO.parent / "shared" / "data" / "fixtures" / "pose" / "mediapipe.pose"
    if not src.is_file():
        pytest.skip("shared fixtures missing")
    p = Pose.read(src.read_bytes())
    p.body.fps = fps
    out = tmp_path / f"fps{fps}.pose"
    with open(out, "wb") as f:
        p.write(f)
    return out


@pytest.mark.parametrize("fps", [1e-6, 0.5, 1e6, float("nan"), float("inf")])
def test_pose_fps_out_of_bounds_is_a_source_error(tmp_path, fps):
    path = _pose_with_fps(tmp_path, fps)
    with pytest.raises(SourceError) as e:
        load_sequences(path)
    assert str(path) in str(e.value) and "fps" in str(e.value)


@pytest.mark.parametrize("fps", [1e-6, 0.0, float("nan"), -30.0, 1e9])
def test_npz_fps_out_of_bounds_is_a_source_error(tmp_path, fps):
    path = _data_npz(tmp_path / "d.npz", fps)
    with pytest.raises(SourceError) as e:
        load_sequences(path)
    assert str(path) in str(e.value) and "fps" in str(e.value)


def _npz_claiming(path, shape, member="keypoints.npy"):
    hdr = io.BytesIO()
    np.lib.format.write_array_header_1_0(hdr, {"descr": "<f4", "fortran_order": False, "shape": shape})
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(member, hdr.getvalue() + b"\0" * 64)
        z.writestr("lengths.npy", b"")
        z.writestr("labels.npy", b"")
    return path


def test_npz_header_claiming_10_tib_is_refused_before_allocation(tmp_path):
    path = _npz_claiming(tmp_path / "huge.npz", (10 * 2**20, 2**20, 1, 1))  # 40 TiB of float32
    with pytest.raises(SourceError) as e:
        load_sequences(path)
    assert str(path) in str(e.value) and "'keypoints'" in str(e.value) and "MiB" in str(e.value)


def test_npz_header_claiming_more_than_the_member_holds_is_refused(tmp_path):
    path = _npz_claiming(tmp_path / "short.npz", (1, 40, 67, 4))
    with pytest.raises(SourceError, match="fewer bytes|truncated"):
        load_sequences(path)


def test_single_clip_npz_fps_and_shape_are_checked(tmp_path):
    from signclip_desktop.stream.clip import load_clip

    np.savez(tmp_path / "a.npz", frames=_hands(), fps=np.float32(1e-6))
    np.savez(tmp_path / "b.npz", frames=np.zeros((5, 7, 4), np.float32), fps=np.float32(30))
    with pytest.raises(SourceError, match="fps"):
        load_clip(tmp_path / "a.npz")
    with pytest.raises(SourceError, match=r"shape \(5, 7, 4\)"):
        load_clip(tmp_path / "b.npz")


def test_mp_data_frame_with_a_huge_header_and_bad_fps(tmp_path):
    from signclip_desktop.sources.mp_data import MpDataSource

    seq = tmp_path / "MP_Data" / "hello" / "0"
    seq.mkdir(parents=True)
    for i in range(3):
        np.save(seq / f"{i}.npy", np.zeros(258, np.float32))
    hdr = io.BytesIO()
    np.lib.format.write_array_header_1_0(hdr, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)})
    (seq / "3.npy").write_bytes(hdr.getvalue())
    with pytest.raises(SourceError) as e:
        list(MpDataSource(tmp_path / "MP_Data"))
    assert "3.npy" in str(e.value) and "MiB" in str(e.value)
    with pytest.raises(SourceError, match="fps"):
        MpDataSource(tmp_path / "MP_Data", fps=0.0)


def test_limits_json_depth_and_inside():
    with pytest.raises(limits.Invalid, match="nested"):
        limits.json_text("[" * 100_000)
    assert limits.json_text(b"\xef\xbb\xbf{\"a\": 1}") == {"a": 1}
    with pytest.raises(limits.Invalid, match="NaN"):
        limits.json_text('{"t": NaN}')
    with pytest.raises(limits.Invalid, match="outside"):
        limits.inside("/srv/pack", "../etc/passwd", "encoder")
    with pytest.raises(limits.Invalid, match="outside"):
        limits.inside("/srv/pack", "/etc/passwd", "encoder")


@pytest.mark.slow
def test_predict_batch_goes_on_after_bad_files_and_says_when_nothing_is_seen(tmp_path, tiny_pack):
    bad = [_data_npz(tmp_path / "zero.npz", 0.0), _data_npz(tmp_path / "tiny.npz", 1e-6),
           _npz_claiming(tmp_path / "huge.npz", (10 * 2**20, 2**20, 1, 1))]
    good = _data_npz(tmp_path / "good.npz", 30.0, kp=np.concatenate(
        [_hands()[:, :25], _hands()[:, L.LEFT_HAND.slice], _hands()[:, L.RIGHT_HAND.slice]], axis=1)[None])
    blank = _data_npz(tmp_path / "blank.npz", 30.0, kp=np.zeros((1, 40, 67, 4), np.float32))
    r = _cli("predict", *bad, good, blank, "--pack", tiny_pack, "--json", "--no-progress")
    assert r.returncode == 1, r.stderr  # some failed
    errs = [l for l in r.stderr.splitlines() if "error:" in l]
    assert len(errs) == 3 and all(str(p) in e for p, e in zip(bad, errs)), r.stderr
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr
    recs = {Path(j["path"]).name: j for j in map(json.loads, r.stdout.splitlines())}
    assert len(recs["good.npz"]["top"]) == 3
    assert recs["blank.npz"]["top"] == [] and recs["blank.npz"]["reason"] == "no person seen"
    assert recs["blank.npz"]["known"] is False
    assert recs["blank.npz"]["frames"] == 40 and "confidence" in recs["blank.npz"]


@pytest.mark.slow
def test_predict_on_a_blank_video_says_no_person(tmp_path, tiny_pack):
    from media_helpers import make_video

    video = make_video(tmp_path / "blank.avi", [np.zeros((240, 320, 3), np.uint8)] * 8, fps=10)
    r = _cli("predict", video, "--pack", tiny_pack, "--no-progress")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{video}: no person seen in this clip"


# -- 5. packs: fields typed and bounded, files inside the pack, a broken one never hides the others --------
def _variant(tiny_pack, tmp_path, name, edit):
    d = tmp_path / name
    shutil.copytree(tiny_pack, d)
    m = json.loads((d / "manifest.json").read_text())
    edit(m)
    (d / "manifest.json").write_text(json.dumps(m).replace('"__1e999__"', "1e999"))  # parses as inf
    return d


PACK_CASES = {
    "encoder_absolute": (lambda m: m.update(encoder="/etc/passwd"), "encoder '/etc/passwd' points outside"),
    "encoder_dotdot": (lambda m: m.update(encoder="../tiny/encoder.onnx"), "points outside"),
    "labels_dotdot": (lambda m: m.update(label_embeddings="../tiny/labels.npz"), "label_embeddings"),
    "labels_not_a_list": (lambda m: m.update(labels=5), "labels must be a list"),
    "label_without_id": (lambda m: m.update(labels=[{"text": "x"}]), "labels[0]"),
    "output_a_list": (lambda m: m.update(output=[1]), "output must be a JSON object"),
    "input_a_string": (lambda m: m.update(input="pose"), "input must be a JSON object"),
    "dim_string": (lambda m: m["output"].update(embedding_dim="16"), "output.embedding_dim must be a number"),
    "temperature_infinite": (lambda m: m["calibration"].update(temperature="__1e999__"), "calibration.temperature"),
    "temperature_string": (lambda m: m["calibration"].update(temperature="hot"), "calibration.temperature"),
    "temperature_zero": (lambda m: m["calibration"].update(temperature=0), "calibration.temperature"),
    "window_zero": (lambda m: m["input"].update(window_frames=0), "input.window_frames is 0"),
    "window_1e9": (lambda m: m["input"].update(window_frames=10**9), "input.window_frames"),
    "stride_zero": (lambda m: m["window"].update(stride_frames=0), "window.stride_frames"),
    "fps_zero": (lambda m: m["input"].update(fps=0), "input.fps"),
    "format_version_string": (lambda m: m.update(format_version="1.0"), "format_version must be a number"),
    "components_string": (lambda m: m["input"].update(components="pose"), "input.components"),
}


@pytest.mark.parametrize("case", sorted(PACK_CASES))
def test_bad_manifest_is_a_pack_error_naming_pack_and_field(tiny_pack, tmp_path, case):
    edit, field = PACK_CASES[case]
    d = _variant(tiny_pack, tmp_path, case, edit)
    with pytest.raises(PackError) as e:
        load_pack(d)
    assert str(d) in str(e.value) and field in str(e.value), str(e.value)


def test_nan_temperature_never_reaches_scores(tiny_pack, tmp_path):
    d = tmp_path / "nan"
    shutil.copytree(tiny_pack, d)
    (d / "manifest.json").write_text((d / "manifest.json").read_text().replace('"temperature": 0.1', '"temperature": NaN'))
    with pytest.raises(PackError, match="calibration.temperature must be a finite number"):
        load_pack(d)
    m = json.loads((tiny_pack / "manifest.json").read_text())
    m["provenance"] = {"top1_unseen_class": float("nan")}  # a NaN where the app reads no number is fine
    (d / "manifest.json").write_text(json.dumps(m))
    assert load_pack(d).calibration.temperature == 0.1


def test_encoder_outside_the_pack_is_never_opened(tiny_pack, tmp_path):
    secret = tmp_path / "secret.onnx"
    shutil.copy(tiny_pack / "encoder.onnx", secret)  # a valid model: only the path check can refuse it
    d = _variant(tiny_pack, tmp_path, "p", lambda m: m.update(encoder=str(secret)))
    os.symlink(secret, d / "link.onnx")
    with pytest.raises(PackError, match="outside"):
        load_pack(d)
    d2 = _variant(tiny_pack, tmp_path, "p2", lambda m: m.update(encoder="link.onnx"))
    os.symlink(secret, d2 / "link.onnx")
    with pytest.raises(PackError, match="outside"):
        load_pack(d2)


def test_broken_user_pack_is_listed_and_hides_nothing(tiny_pack, tmp_path):
    home = tmp_path / "home"
    (home / "packs").mkdir(parents=True)
    shutil.copytree(tiny_pack, home / "packs" / "good")
    _variant(tiny_pack, home / "packs", "bad", lambda m: m.update(format_version="1.0"))
    _variant(tiny_pack, home / "packs", "outside", lambda m: m.update(encoder="/etc/passwd"))
    r = _cli("packs", "--json", env={"SIGNCLIP_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    rows = {Path(j["path"]).name: j for j in map(json.loads, r.stdout.splitlines())}
    assert rows["good"]["status"] == "ok" and rows["good"]["error"] is None
    assert rows["bad"]["status"] == "broken" and "format_version" in rows["bad"]["error"]
    assert rows["outside"]["status"] == "broken" and "outside" in rows["outside"]["error"]
    assert "words" in rows and rows["words"]["status"] == "ok"  # the built-in packs are still there
    from signclip_desktop.model import registry

    old = os.environ.get("SIGNCLIP_HOME")
    os.environ["SIGNCLIP_HOME"] = str(home)
    try:
        assert {p.path.name for p in registry.broken_packs()} == {"bad", "outside"}
        from signclip_desktop.gui.live_page import list_packs as picker

        names = [Path(p).name for _, p in picker()]
        assert "good" in names and "words" in names and "bad" not in names
    finally:
        if old is None:
            os.environ.pop("SIGNCLIP_HOME")
        else:
            os.environ["SIGNCLIP_HOME"] = old


@pytest.mark.slow
def test_doctor_exits_0_with_a_broken_pack(tiny_pack, tmp_path):
    home = tmp_path / "home"
    (home / "packs").mkdir(parents=True)
    _variant(tiny_pack, home / "packs", "bad", lambda m: m.update(format_version="1.0"))
    r = _cli("doctor", env={"SIGNCLIP_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    assert "BROKEN" in r.stdout and "format_version" in r.stdout and "words" in r.stdout


# -- 9. silenced_stderr keeps other threads' errors --------------------------------------------------------
def test_silenced_stderr_keeps_other_threads_errors_and_drops_noise(tmp_path):
    code = r"""
import os, threading, time
from signclip_desktop.keypoints.holistic import silenced_stderr
t = threading.Thread(target=lambda: (time.sleep(0.05), os.write(2, b"OTHER THREAD: disk full\n")))
t.start()
with silenced_stderr():
    os.write(2, b"I0000 00:00:1700000000.000000   123 gl_context.cc:357] GL version: 3.2\n")
    os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
    os.write(2, b"W0000 00:00:1700000000.000000   124 inference_feedback_manager.cc:114] Feedback manager\n")
    time.sleep(0.2)
t.join()
os.write(2, b"after\n")
"""
    r = subprocess.run([python(), "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO,
                       env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert r.returncode == 0
    assert r.stderr.splitlines() == ["OTHER THREAD: disk full", "after"], r.stderr


@pytest.mark.slow
def test_library_add_names_every_bad_recording_and_keeps_the_sign_from_the_good(tmp_path, tiny_pack):
    from signclip_desktop.stream.clip import save_clip

    good = [save_clip(tmp_path / f"g{i}.npz", _hands(seed=i), 30.0) for i in range(3)]
    np.savez(tmp_path / "slow.npz", frames=_hands(), fps=np.float32(1e-6))
    missing = tmp_path / "missing.npz"
    env = {"SIGNCLIP_HOME": str(tmp_path / "home")}
    r = _cli("library", "add", "wave", tmp_path / "slow.npz", *good, missing, "--pack", tiny_pack, env=env)
    assert r.returncode == 1 and "added 'wave'" in r.stdout and "3 examples" in r.stdout
    errs = [l for l in r.stderr.splitlines() if "error:" in l]
    assert len(errs) == 2 and "slow.npz: fps is 1e-06" in errs[0] and "missing.npz" in errs[1], r.stderr
    r = _cli("library", "add", "tea", tmp_path / "slow.npz", *good[:2], "--pack", tiny_pack, env=env)
    assert r.returncode == 1 and "nothing added" in r.stderr
    r = _cli("library", "list", env=env)
    assert r.stdout.split()[:1] == ["wave"] and "tea" not in r.stdout
