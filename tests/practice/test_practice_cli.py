import json

import numpy as np
import pytest

from signclip_desktop.cli import main
from signclip_desktop.keypoints import layout as L
from signclip_desktop.stream.clip import save_clip


def _clip(n=40, seed=0, height=0.0):
    rng = np.random.default_rng(seed)
    f = L.empty_frames(n)
    f[:, L.LEFT_SHOULDER] = [0.6, 0.5, 0, 1]
    f[:, L.RIGHT_SHOULDER] = [0.4, 0.5, 0, 1]
    t = np.arange(30)[:, None]
    base = np.random.default_rng(0).normal(0, 0.03, (21, 3))
    f[5:35, L.RIGHT_HAND.slice, 0] = 0.35 + 0.08 * np.sin(t / 4) + base[:, 0]
    f[5:35, L.RIGHT_HAND.slice, 1] = 0.35 + height + base[:, 1] + 0.002 * rng.random((30, 21))
    f[5:35, L.RIGHT_HAND.slice, 2] = base[:, 2]
    f[5:35, L.RIGHT_HAND.slice, 3] = 1
    return f


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNCLIP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SIGNCLIP_MODELS", str(tmp_path / "no-models"))


def test_library_commands(tmp_path, tiny_pack, capsys):
    files = [str(save_clip(tmp_path / f"w{i}.npz", _clip(seed=i), 30.0)) for i in range(3)]
    assert main(["library", "add", "wave", *files, "--language", "bfi", "--pack", str(tiny_pack), "--cpu"]) == 0
    assert "3 examples" in capsys.readouterr().out
    assert main(["library", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": "wave", "language": "bfi", "examples": 3,
                                                     "pack": "tiny-test@0.0.1"}]
    assert main(["library", "rename", "wave", "big wave"]) == 0
    out = tmp_path / "x.signlib"
    assert main(["library", "export", str(out)]) == 0 and out.is_file()
    assert main(["library", "remove", "big wave"]) == 0
    capsys.readouterr()
    assert main(["library", "remove", "big wave"]) == 1
    assert "no sign named" in capsys.readouterr().err
    assert main(["library", "import", str(out)]) == 0
    assert main(["library", "list"]) == 0
    assert "big wave\tbfi\t3 examples" in capsys.readouterr().out
    # two recordings are not enough: one line, exit 1
    assert main(["library", "add", "tea", *files[:2], "--pack", str(tiny_pack)]) == 1
    assert "3 to 10 examples" in capsys.readouterr().err


def test_grade_command_json_and_text(tmp_path, tiny_pack, capsys):
    ref = save_clip(tmp_path / "ref.npz", _clip(seed=0), 30.0)
    att = save_clip(tmp_path / "att.npz", _clip(seed=1), 30.0)
    far = save_clip(tmp_path / "far.npz", _clip(seed=2, height=0.4), 30.0)
    assert main(["grade", "--reference", str(ref), "--attempt", str(att), "--no-encoder", "--json"]) == 0
    out = capsys.readouterr().out
    assert "NaN" not in out
    j = json.loads(out)
    assert 0 <= j["score"] <= 100 and isinstance(j["passed"], bool)
    assert set(j["parts"]) == {"handshape", "location", "movement", "timing"}
    from signclip_desktop.keypoints.normalize import mirror

    far_lefty = save_clip(tmp_path / "far_lefty.npz", mirror(_clip(seed=2, height=0.4), about=0.5), 30.0)
    assert main(["grade", "--reference", str(ref), "--attempt", str(far_lefty), "--pack", str(tiny_pack), "--json",
                 "--left-handed"]) == 0
    j2 = json.loads(capsys.readouterr().out)
    assert j2["graded"] is True and j2["reason"] is None
    assert j2["mirrored"] is True and j2["encoder"] is True
    # the hand 0.4 image heights lower than the reference: the location part says so
    assert j2["parts"]["location"]["score"] < j["parts"]["location"]["score"] and "lower" in \
        j2["parts"]["location"]["feedback"]
    # --left-handed, but the attempt is made with the right hand: the signing hand is not seen where
    # the mirrored reading needs it, so no score, and the reason says so
    assert main(["grade", "--reference", str(ref), "--attempt", str(far), "--pack", str(tiny_pack), "--json",
                 "--left-handed"]) == 0
    j3 = json.loads(capsys.readouterr().out)
    assert j3["graded"] is False and j3["score"] is None and j3["passed"] is False
    assert "could not see your hand" in j3["reason"] and "other hand" in j3["reason"]
    assert main(["grade", "--reference", str(ref), "--attempt", str(att), "--no-encoder"]) == 0
    out = capsys.readouterr().out
    assert "score" in out and "Hand location" in out
    # hands only (no shoulders): location is not graded, and the JSON stays strict
    bare = _clip(seed=4)
    bare[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = 0.0
    hands = save_clip(tmp_path / "hands.npz", bare, 30.0)
    assert main(["grade", "--reference", str(ref), "--attempt", str(hands), "--no-encoder", "--json"]) == 0
    loc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))["parts"]["location"]
    assert loc["available"] is False and loc["score"] is None
    # a built-in reference by word name
    assert main(["grade", "--reference", "hello", "--attempt", str(att), "--no-encoder", "--json"]) == 0
    assert "built-in" in json.loads(capsys.readouterr().out)["reference"]
    # bad input: one line, exit 1, no traceback
    assert main(["grade", "--reference", "no-such-sign-xyz", "--attempt", str(att), "--no-encoder"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no-such-sign-xyz" in err
