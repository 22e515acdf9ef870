"""Encoder variants: an int8 copy named in the manifest, and which one Encoder runs."""
import json
import shutil

import numpy as np
import pytest

from signclip_desktop.model import variants as V
from signclip_desktop.tools import encoder_variants as EV
from signclip_desktop.model.encoder import Encoder
from signclip_desktop.model.pack import PackError, load_pack


@pytest.fixture()
def pack_dir(tiny_pack, tmp_path):
    d = tmp_path / "pack"
    shutil.copytree(tiny_pack, d)
    return d


def _x(pack, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(pack.input.window_frames, pack.input.num_points, pack.input.num_channels).astype(np.float32)
    x[..., -1] = 1.0
    return x


def test_without_variants_the_encoder_is_fp32(pack_dir, monkeypatch):
    monkeypatch.delenv(V.ENV, raising=False)
    pack = load_pack(pack_dir)
    assert V.available_variants(pack) == ["fp32"]
    enc = Encoder(pack, providers="cpu")
    assert enc.variant == "fp32" and enc.encoder_file == pack.encoder_file and enc.calibration is None
    monkeypatch.setenv(V.ENV, "int8")  # asked for, but the pack has none: fp32, not an error
    assert Encoder(pack, providers="cpu").variant == "fp32"
    with pytest.raises(PackError, match="unknown encoder variant"):
        Encoder(pack, providers="cpu", variant="int4")


def test_int8_copy_is_named_chosen_and_close_to_fp32(pack_dir, monkeypatch):
    monkeypatch.delenv(V.ENV, raising=False)
    out = EV.add_int8(pack_dir, calibration={"temperature": 0.09})
    assert out.is_file() and out.stat().st_size < (pack_dir / "encoder.onnx").stat().st_size
    m = json.loads((pack_dir / "manifest.json").read_text())
    assert m["encoder_variants"]["int8"]["file"] == "encoder.int8.onnx" and "encoder_default" not in m
    pack = load_pack(pack_dir)
    assert V.available_variants(pack) == ["fp32", "int8"]
    fp = Encoder(pack, providers="cpu")                 # auto without a default: fp32
    q = Encoder(pack, providers="cpu", variant="int8")
    assert fp.variant == "fp32" and q.variant == "int8" and q.encoder_file.name == "encoder.int8.onnx"
    assert q.calibration == {"temperature": 0.09} and fp.calibration is None
    for seed in range(3):
        a, b = fp.embed(_x(pack, seed)), q.embed(_x(pack, seed))
        assert np.isclose(np.linalg.norm(b), 1.0, atol=1e-5)
        assert float(a @ b) > 0.99
        assert not np.array_equal(a, b)  # really another model
    monkeypatch.setenv(V.ENV, "int8")
    assert Encoder(pack, providers="cpu").variant == "int8"
    monkeypatch.setenv(V.ENV, "fp32")
    assert Encoder(pack, providers="cpu", variant="auto").variant == "fp32"
    # CUDA runs fp32 (dynamic int8 is a CPU kernel)
    assert V.choose_variant(pack, "int8", provider="CUDAExecutionProvider") == "fp32"


def test_default_and_missing_file(pack_dir, monkeypatch):
    monkeypatch.delenv(V.ENV, raising=False)
    EV.add_int8(pack_dir, make_default=True)
    pack = load_pack(pack_dir)
    assert Encoder(pack, providers="cpu").variant == "int8"
    (pack_dir / "encoder.int8.onnx").unlink()
    pack = load_pack(pack_dir)
    assert V.available_variants(pack) == ["fp32"]
    assert Encoder(pack, providers="cpu").variant == "fp32"  # default falls back when the file is gone
    assert Encoder(pack, providers="cpu", variant="int8").variant == "fp32"  # the app still runs
    with pytest.raises(ValueError, match="int8 encoder encoder.int8.onnx is missing"):
        V.variant_file(pack, "int8")


def test_against_times_another_pack_beside_this_one(pack_dir, tmp_path, capsys):
    other = tmp_path / "other"
    shutil.copytree(pack_dir, other)
    m = json.loads((other / "manifest.json").read_text())
    m["version"] = "0.0.1"
    (other / "manifest.json").write_text(json.dumps(m))
    assert EV.main([str(pack_dir), "--against", str(other), "--rounds", "2"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if " frames, 1 thread:" in line]
    assert len(rows) == 2 and all(f"{m['name']}@0.0.1 CPU" in r and "fp32 CPU" in r for r in rows)
    assert not (pack_dir / "encoder.int8.onnx").exists()   # nothing written into either pack
