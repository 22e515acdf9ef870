"""tools/calibrate.py's no-fitting commands run (their imports resolve) and write what they say."""
import json

from signclip_desktop.practice.grading import Calibration, pack_fingerprint


def test_adopt_for_records_the_pack_fingerprint(tiny_pack, tmp_path, monkeypatch):
    from signclip_desktop.model.pack import load_pack
    from signclip_desktop.practice.grading import calibration as C
    from signclip_desktop.tools import calibrate

    path = tmp_path / "grading_calibration.json"
    Calibration(pack="heldout@1", pack_fingerprint="0" * 16, notes={"heldout_signers": 3}).save(path)
    monkeypatch.setattr(C, "calibration_file", lambda: path)
    assert calibrate.main(["--adopt-for", str(tiny_pack)]) == 0
    fp = pack_fingerprint(load_pack(tiny_pack))
    d = json.loads(path.read_text(encoding="utf-8"))
    assert d["pack_fingerprint"] == "0" * 16 and fp in d["adopted_for"] and "3 unseen signers" in d["adopted_for"][fp]
    assert Calibration.load(path).fits(load_pack(tiny_pack))
