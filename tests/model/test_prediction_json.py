"""One serialiser for a Prediction (``Prediction.to_json``): the CLI's ``predict --json``, the
GUI's ``--log-predictions`` lines and the pages all get their shape from it."""
import json

from signclip_desktop.live import PredictionEvent
from signclip_desktop.model.scorer import Guess, Prediction
from signclip_desktop.stream.activity import Activity
from signclip_desktop.stream.recognizer import RecognitionUpdate

PRED = Prediction([Guess("hello", "hello", "ase", 0.6123456789, 0.81234567), Guess("yes", "yes", "und", 0.2, 0.5,
                                                                                    "personal")], "maybe")


def test_default_form():
    assert PRED.to_json() == {"top": [
        {"label": "hello", "language": "ase", "score": 0.612346, "similarity": 0.812346, "source": "pack"},
        {"label": "yes", "language": "und", "score": 0.2, "similarity": 0.5, "source": "personal"}],
        "confidence": "maybe", "known": True}
    unknown = Prediction(PRED.top, "unsure", known=False)
    assert unknown.to_json()["known"] is False and unknown.to_json()["top"]  # the top list stays


def test_cli_json_shape(tiny_pack, tmp_path, capsys):
    from signclip_desktop.cli import main
    from signclip_desktop.sources.pose_io import write_pose_file
    from fakes import synthetic_signing

    f = write_pose_file(tmp_path / "c.pose", synthetic_signing(40), 30.0, 640, 480)
    assert main(["predict", str(f), "--pack", str(tiny_pack), "--json", "--top-k", "2", "--no-progress"]) == 0
    rec = json.loads(capsys.readouterr().out.splitlines()[0])
    assert list(rec)[-3:] == ["top", "confidence", "known"] and isinstance(rec["known"], bool)
    assert [list(g) for g in rec["top"]] == [["label", "text", "language", "score", "similarity"]] * 2


def test_log_record_shape():
    up = RecognitionUpdate(1.23456, PRED, Activity(1.0, 1.0, True), "hello", True, ["hello"], 12.3456, True)
    rec = PredictionEvent(up).to_record()
    assert rec == {"t": 1.2346, "current": "hello",
                   "top": [{"label": "hello", "language": "ase", "score": 0.61235},
                           {"label": "yes", "language": "und", "score": 0.2}],
                   "confidence": "maybe", "known": True, "final": True, "inference_ms": 12.346}
    idle = RecognitionUpdate(2.0, None, Activity(0.0, 0.0, False), None, False, [], 0.0, False)
    rec = PredictionEvent(idle).to_record()
    assert rec["top"] == [] and rec["confidence"] is None and rec["known"] is None and rec["current"] is None
