"""The CLI end to end: predict, extract, packs, doctor; errors are one line and exit 1."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from signclip_desktop.cli import main
from media_helpers import make_video, silfa_frames


def cli(*args, env=None, timeout=180):
    import os

    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "signclip_desktop", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=e)


def test_help_for_each_command():
    for name in ("predict", "extract", "packs", "doctor"):
        r = cli(name, "--help")
        assert r.returncode == 0 and "usage: signclip-desktop " + name in r.stdout, r.stderr


def test_predict_every_input_kind_json(shared_data, tiny_pack, tmp_path):
    video = make_video(tmp_path / "clip.avi", silfa_frames(shared_data, "L", 4), fps=10)
    fx = shared_data / "fixtures"
    npz = sorted((shared_data / "words").glob("*.npz"))[0]
    inputs = [video, shared_data / "images" / "silfa" / "A", fx / "pose" / "mediapipe.pose", fx / "mp_data_raw",
              fx / "kaggle_parquet", npz]
    r = cli("predict", *inputs, "--pack", tiny_pack, "--top-k", 2, "--json", "--cpu", "--no-progress")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(l) for l in r.stdout.splitlines()]
    by_path = {}
    for rec in recs:
        by_path.setdefault(rec["path"], []).append(rec)
        assert rec["pack"] == "tiny-test" and len(rec["top"]) == 2
        assert {"label", "language", "score"} <= set(rec["top"][0])
        assert rec["top"][0]["score"] >= rec["top"][1]["score"]
        assert rec["confidence"] in ("sure", "maybe", "unsure")
    assert len(by_path[str(video)]) == 1
    assert len(by_path[str(fx / "mp_data_raw")]) == 6
    assert [r["label"] for r in by_path[str(fx / "kaggle_parquet")]] == ["A", "B", "C"]
    from signclip_desktop.sources.npz import load_npz_sequences

    assert len(by_path[str(npz)]) == len(list(load_npz_sequences(npz)))  # one result per clip


def test_predict_windows_and_left_handed(shared_data, tiny_pack, capsys):
    f = shared_data / "fixtures" / "pose" / "mediapipe.pose"  # 170 frames at 24 fps
    assert main(["predict", str(f), "--pack", str(tiny_pack), "--windows", "--json", "--top-k", "1",
                 "--no-progress"]) == 0
    recs = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert len(recs) > 3
    assert [r["window"] for r in recs] == list(range(len(recs)))
    assert recs[0]["start_s"] == 0 and all(a["start_s"] < b["start_s"] for a, b in zip(recs, recs[1:]))
    assert abs(recs[-1]["end_s"] - 170 / 24) < 0.1
    assert main(["predict", str(f), "--pack", str(tiny_pack), "--left-handed", "--top-k", "3", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(str(f)) and out.count("\n") == 1


def test_predict_same_result_from_video_and_its_pose_file(shared_data, tiny_pack, tmp_path, capsys):
    frames = silfa_frames(shared_data, "B", 5)
    video = make_video(tmp_path / "b.avi", frames, fps=15)
    assert main(["extract", str(video), "-o", str(tmp_path / "b.pose"), "--no-progress"]) == 0
    capsys.readouterr()
    outs = []
    for p in (video, tmp_path / "b.pose"):
        assert main(["predict", str(p), "--pack", str(tiny_pack), "--json", "--no-progress"]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    assert [g["label"] for g in outs[0]["top"]] == [g["label"] for g in outs[1]["top"]]
    np.testing.assert_allclose([g["score"] for g in outs[0]["top"]], [g["score"] for g in outs[1]["top"]], atol=1e-4)


@pytest.mark.parametrize("name,content,match", [
    ("missing.mp4", None, "missing.mp4: not found"),
    ("zero.mp4", b"", "zero.mp4: file is empty"),
    ("garbage.npz", b"PK\x03\x04junk", "garbage.npz: unreadable"),
    ("junk.pose", b"\x01" * 64, "junk.pose: not a readable"),
])
def test_predict_bad_inputs_one_line(tmp_path, tiny_pack, name, content, match):
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    r = cli("predict", bad, "--pack", tiny_pack)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and match in lines[0], r.stderr


def test_predict_truncated_video(shared_data, tiny_pack, tmp_path):
    v = make_video(tmp_path / "full.avi", silfa_frames(shared_data, "C", 6) * 4, fps=10)
    cut = tmp_path / "cut.avi"
    cut.write_bytes(v.read_bytes()[: v.stat().st_size // 3])
    r = cli("predict", cut, "--pack", tiny_pack, "--no-progress")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "cut.avi" in r.stderr and "truncated" in r.stderr


def test_predict_corrupt_and_missing_pack(tiny_pack, tmp_path, shared_data):
    bad = tmp_path / "badpack"
    shutil.copytree(tiny_pack, bad)
    (bad / "encoder.onnx").write_bytes(b"garbage")
    clip = shared_data / "fixtures" / "pose" / "mediapipe.pose"
    r = cli("predict", clip, "--pack", bad)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "badpack" in r.stderr and "ONNX" in r.stderr
    (bad / "manifest.json").write_text("{ not json")
    r = cli("predict", clip, "--pack", bad)
    assert r.returncode == 1 and "manifest.json" in r.stderr and "Traceback" not in r.stderr
    r = cli("predict", clip, "--pack", "no-such-pack", env={"SIGNCLIP_HOME": str(tmp_path / "home")})
    assert r.returncode == 1 and "no-such-pack" in r.stderr and "Traceback" not in r.stderr


def test_packs_and_registry(tiny_pack, tmp_path, monkeypatch, capsys):
    from signclip_desktop.model import registry

    home = tmp_path / "home"
    shutil.copytree(tiny_pack, home / "packs" / "mine")
    (home / "packs" / "broken").mkdir()
    (home / "packs" / "broken" / "manifest.json").write_text("[]")
    monkeypatch.setenv("SIGNCLIP_HOME", str(home))
    monkeypatch.setenv("SIGNCLIP_MODELS", str(tmp_path / "models"))
    assert registry.user_packs_dir() == home / "packs"
    assert registry.resolve_pack("mine") == home / "packs" / "mine"
    assert registry.resolve_pack("tiny-test") == home / "packs" / "mine"  # by manifest name too
    assert registry.resolve_pack(str(tiny_pack)) == tiny_pack
    assert main(["packs", "--json"]) == 0
    recs = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    mine = next(r for r in recs if r["path"].endswith("mine"))
    assert mine["name"] == "tiny-test" and mine["labels"] == 3 and mine["languages"] == ["und"]
    assert next(r for r in recs if r["path"].endswith("broken"))["error"]
    assert main(["packs"]) == 0
    out = capsys.readouterr().out
    assert "tiny-test" in out and "BROKEN" in out
    # The built-in folder: the repo's models/ or, frozen, sys._MEIPASS/models.
    monkeypatch.delenv("SIGNCLIP_MODELS")
    assert registry.builtin_packs_dir().name == "models"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert registry.builtin_packs_dir() == tmp_path / "bundle" / "models"


def test_doctor(tmp_path):
    r = cli("doctor", "--json", env={"SIGNCLIP_HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["versions"]["mediapipe"] == "0.10.21" and info["holistic"] == "ok"
    assert "CPUExecutionProvider" in info["onnxruntime_providers"]
    assert isinstance(info["cameras"], list) and info["folders"]["user_packs"] == str(tmp_path / "packs")
    r = cli("doctor")
    assert r.returncode == 0 and "onnxruntime providers" in r.stdout and "cameras:" in r.stdout


def test_extract_errors(tmp_path, shared_data):
    r = cli("extract", shared_data / "fixtures" / "mp_data_raw", "-o", tmp_path / "out")
    assert r.returncode == 1 and "holds keypoints already" in r.stderr and "Traceback" not in r.stderr
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    r = cli("extract", empty, "-o", tmp_path / "e.pose")
    assert r.returncode == 1 and "empty.mp4" in r.stderr and "Traceback" not in r.stderr


def _two_alphabet_pack(tmp_path, main_language):
    from signclip_desktop.keypoints.features import InputSpec
    from signclip_desktop.model.pack import Label, write_pack
    from signclip_desktop.model.tiny import tiny_encoder_bytes

    spec = InputSpec(window_frames=16, min_frames=4)
    labels = [Label(f"{lang}:{c}", c, lang, f"<en> <{lang}> {c}") for lang in ("ase", "gsg") for c in "ABC"]
    emb = np.random.default_rng(3).standard_normal((len(labels), 16)).astype(np.float32)
    return write_pack(tmp_path / f"pack_{main_language or 'none'}", name="alphabets", version="0.0.1", spec=spec,
                      onnx_bytes_or_path=tiny_encoder_bytes(spec, 16), labels=labels, label_embeddings=emb,
                      extra={"main_language": main_language} if main_language is not None else None)


def test_predict_scores_within_the_packs_main_language_unless_told(shared_data, tmp_path, capsys):
    f = shared_data / "fixtures" / "pose" / "mediapipe.pose"
    pack = _two_alphabet_pack(tmp_path, "gsg")

    def langs(*extra):
        assert main(["predict", str(f), "--pack", str(pack), "--json", "--top-k", "6", "--no-progress", *extra]) == 0
        return [g["language"] for g in json.loads(capsys.readouterr().out.splitlines()[0])["top"]]

    assert langs() == ["gsg"] * 3                      # the manifest's main language
    assert sorted(langs("--language", "all")) == ["ase"] * 3 + ["gsg"] * 3
    assert langs("--language", "ase") == ["ase"] * 3
    assert main(["predict", str(f), "--pack", str(pack), "--language", "xyz", "--no-progress"]) == 1
    assert "no labels in language 'xyz'" in capsys.readouterr().err
    pack = _two_alphabet_pack(tmp_path, None)  # a pack without one: every label competes
    assert sorted(langs()) == ["ase"] * 3 + ["gsg"] * 3


def test_a_main_language_no_label_has_is_refused(tmp_path):
    from signclip_desktop.model.pack import PackError, load_pack

    assert load_pack(_two_alphabet_pack(tmp_path, "ase")).main_language == "ase"
    assert load_pack(_two_alphabet_pack(tmp_path, None)).main_language == ""
    with pytest.raises(PackError, match="main_language 'bfi' is not the language of any label"):
        load_pack(_two_alphabet_pack(tmp_path, "bfi"))


def test_the_demo_shows_signs_the_shipped_pack_names_as_its_caption_does(capsys):
    """A new user's first screen: each demo sign's caption and the words pack's first guess agree."""
    from signclip_desktop.paths import demo_path, repo_root

    if not (repo_root() / "models" / "words" / "manifest.json").is_file():
        pytest.skip("no words pack")
    assert main(["predict", str(demo_path()), "--pack", "words", "--json", "--cpu", "--no-progress"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(rows) == 4
    for r in rows:
        assert r["top"][0]["label"] == r["label"], (r["label"], r["top"][:3])
        assert r["known"] is True


def _demo_with_rest(tmp_path, seconds: float):
    """The demo's clips with ``seconds`` of standing still, hands out of view, before and after
    (as a phone recording or a dictionary video has)."""
    from signclip_desktop.paths import demo_path

    z = dict(np.load(demo_path(), allow_pickle=False))
    kp = z["keypoints"].astype(np.float32)
    n = int(round(seconds * float(z["fps"])))
    rest = kp[:, :1].copy()
    rest[:, :, 25:67] = 0.0  # the 67-point data layout: hands after the 25 pose points
    z["keypoints"] = np.concatenate([np.repeat(rest, n, 1), kp, np.repeat(rest, n, 1)], 1).astype(np.float16)
    z["lengths"] = (z["lengths"].astype(np.int64) + 2 * n).astype(np.int16)
    path = tmp_path / "demo_with_rest.npz"
    np.savez(path, **z)
    return path


def _predict_rows(capsys, *args):
    assert main(["predict", *map(str, args), "--pack", "words", "--json", "--cpu", "--no-progress"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_a_clip_is_judged_on_its_signing_not_on_the_rest_around_it(tmp_path, capsys):
    """Two seconds of standing still before and after a sign change nothing: the clip is judged
    from hands-up to hands-down, and ``span_s`` says when that was. (Averaged in, the rest made
    the demo's hello read as "welcome" and left every sign "unsure" or "maybe".)"""
    from signclip_desktop.paths import demo_path, repo_root

    if not (repo_root() / "models" / "words" / "manifest.json").is_file():
        pytest.skip("no words pack")
    plain = _predict_rows(capsys, demo_path())
    padded = _predict_rows(capsys, _demo_with_rest(tmp_path, 2.0))
    assert len(plain) == len(padded) == 4
    for p, q in zip(plain, padded):
        assert [g["label"] for g in q["top"]] == [g["label"] for g in p["top"]]
        assert q["top"][0]["similarity"] == pytest.approx(p["top"][0]["similarity"], abs=1e-4)
        assert q["span_s"][0] == pytest.approx(p["span_s"][0] + 2.0, abs=0.05)
        assert q["span_s"][1] - q["span_s"][0] == pytest.approx(p["span_s"][1] - p["span_s"][0], abs=0.05)
        assert q["frames"] == p["frames"] + 120
    whole = _predict_rows(capsys, _demo_with_rest(tmp_path, 2.0), "--no-trim")
    assert [r["span_s"] for r in whole] == [[0.0, round(r["frames"] / 30.0, 3)] for r in whole]
    assert any(abs(w["top"][0]["similarity"] - p["top"][0]["similarity"]) > 0.01 for w, p in zip(whole, plain))


def test_windows_in_which_nobody_signs_get_no_guess(tmp_path, capsys):
    """``--windows`` over a clip with 2 s of rest each side: the windows wholly in the rest say
    nobody is signing (no guesses), as the live view shows none then; the sign's windows guess."""
    from signclip_desktop.paths import repo_root

    if not (repo_root() / "models" / "words" / "manifest.json").is_file():
        pytest.skip("no words pack")
    rows = _predict_rows(capsys, _demo_with_rest(tmp_path, 2.0), "--windows")
    hello = [r for r in rows if r["label"] == "hello"]
    rest = [r for r in hello if r["end_s"] <= 2.0]
    assert rest and all(r["top"] == [] and r["known"] is False and r["reason"].startswith("nobody signing")
                        for r in rest)
    signing = [r for r in hello if r["top"]]
    assert signing and all(1.5 < r["end_s"] and r["start_s"] < 2.0 + 82 / 30 for r in signing)
    assert any(r["top"][0]["label"] == "hello" for r in signing)
