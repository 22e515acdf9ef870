import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from signclip_desktop.keypoints import layout as L
from signclip_desktop.model.encoder import Encoder
from signclip_desktop.model.pack import load_pack
from signclip_desktop.model.scorer import Scorer
from signclip_desktop.stream.clip import trim_span
from signclip_desktop.practice.library import (Library, LibraryError, NewExample, example_from_frames, make_examples,
                                               pack_id)


def _clip(n=30, seed=0, hands=(5, 25)):
    rng = np.random.default_rng(seed)
    f = L.empty_frames(n)
    f[:, L.LEFT_SHOULDER] = [0.6, 0.5, 0, 1]
    f[:, L.RIGHT_SHOULDER] = [0.4, 0.5, 0, 1]
    a, b = hands
    f[a:b, L.RIGHT_HAND.slice, :3] = 0.4 + 0.05 * rng.random((b - a, 21, 3))
    f[a:b, L.RIGHT_HAND.slice, 3] = 1
    return f


def _examples(k=3, seed=0):
    return [NewExample(_clip(seed=seed + i), 30.0, f"test{i}", np.full(16, i + 1, np.float32)) for i in range(k)]


def test_add_list_rename_remove(tmp_path):
    lib = Library(tmp_path / "lib.sqlite3")
    s = lib.add_sign("coffee", "ase", _examples(), pack="tiny@1")
    assert s.n_examples == 3 and s.pack == "tiny@1"
    assert [x.name for x in lib.signs()] == ["coffee"]
    ex = lib.examples(s)
    np.testing.assert_array_equal(ex[0].frames, _clip(seed=0))  # lossless
    with pytest.raises(LibraryError):
        lib.add_sign("coffee", "ase", _examples())
    with pytest.raises(LibraryError):
        lib.add_sign("tea", "ase", _examples(2))
    lib.rename("coffee", "coffee please")
    assert lib.get("coffee please").n_examples == 3
    lib.add_sign("tea", "ase", _examples(4))
    with pytest.raises(LibraryError):
        lib.rename("tea", "coffee please")
    lib.remove("tea")
    assert [x.name for x in lib.signs()] == ["coffee please"]
    assert lib.integrity_ok()
    protos = lib.prototypes("tiny@1")
    assert protos[0][0].id == "coffee please" and protos[0][1].shape == (3, 16)


def test_export_import_round_trip(tmp_path):
    lib = Library(tmp_path / "a.sqlite3")
    lib.add_sign("coffee", "ase", _examples(3), pack="tiny@1")
    lib.add_sign("tea", "bfi", _examples(5, seed=10), pack="tiny@1")
    out = lib.export(tmp_path / "mine.signlib")
    assert out.is_file() and not list(tmp_path.glob(".*.tmp"))
    other = Library(tmp_path / "b.sqlite3")
    other.import_file(out)
    assert [(s.name, s.language, s.n_examples, s.pack) for s in other.signs()] == \
        [(s.name, s.language, s.n_examples, s.pack) for s in lib.signs()]
    for a, b in zip(lib.signs(), other.signs()):
        for ea, eb in zip(lib.examples(a), other.examples(b)):
            np.testing.assert_array_equal(ea.frames, eb.frames)
            assert ea.fps == eb.fps and ea.source == eb.source
        np.testing.assert_array_equal(lib.embeddings(a, "tiny@1"), other.embeddings(b, "tiny@1"))
    # importing again keeps both by default, or skips / replaces
    other.import_file(out)
    assert {s.name for s in other.signs()} == {"coffee", "coffee (2)", "tea", "tea (2)"}
    other.import_file(out, on_conflict="skip")
    assert len(other.signs()) == 4
    # a file that is not a library is refused with a plain message and changes nothing
    bad = tmp_path / "bad.signlib"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(LibraryError):
        other.import_file(bad)
    assert len(other.signs()) == 4


def test_trim_from_hands_up_to_hands_down():
    f = _clip(60, hands=(20, 40))
    f[10, L.RIGHT_HAND.start, 3] = 1  # a one-frame detector blip is ignored
    f[30:33, L.RIGHT_HAND.slice, 3] = 0  # a short loss is bridged
    a, b = trim_span(f, 30.0, pad_s=0.0)
    assert (a, b) == (20, 40)


def test_trim_leaves_out_hands_held_low_at_the_start_and_end():
    """Hands held in view at the waist (about 1.2 shoulder widths below the shoulders) before and after
    a sign rest; the same height in the middle of the sign, or for a whole clip, is kept."""
    f = _clip(60, hands=(10, 50))
    low = f[:, L.RIGHT_HAND.slice, 1] + 0.32  # shoulders 0.2 apart at y 0.5; the hand at ~0.42 goes to ~0.74
    for span in (slice(10, 20), slice(28, 31), slice(40, 50)):
        f[span, L.RIGHT_HAND.slice, 1] = low[span]
    assert trim_span(f, 30.0, pad_s=0.0) == (20, 40)
    assert trim_span(f, 30.0, pad_s=0.0, rest_below=None) == (10, 50)
    all_low = _clip(60, hands=(10, 50))
    all_low[:, L.RIGHT_HAND.slice, 1] += 0.3
    assert trim_span(all_low, 30.0, pad_s=0.0) == (10, 50)


def test_files_become_prototypes_in_the_scorer(tiny_pack, tmp_path):
    pack = load_pack(tiny_pack)
    enc = Encoder(pack, "cpu", 1)
    paths = []
    for i in range(3):
        p = tmp_path / f"ex{i}.npz"
        np.savez(p, frames=_clip(40, seed=i, hands=(8, 30)), fps=np.float32(30))
        paths.append(p)
    exs = make_examples(paths, pack, enc)
    assert all(len(e.frames) < 40 for e in exs) and all(e.embedding.shape == (16,) for e in exs)
    lib = Library(tmp_path / "lib.sqlite3")
    lib.add_sign("wave", "und", exs, pack=pack_id(pack))
    live = example_from_frames(_clip(40, seed=9, hands=(5, 35)), 30.0, pack=pack, encoder=enc)
    lib.add_examples(lib.get("wave"), [live], pack=pack_id(pack))
    scorer = Scorer.from_pack(pack)
    scorer.set_prototypes(lib.prototypes(pack_id(pack)))
    assert "wave" in [l.id for l in scorer.labels]
    pred = scorer.predict(exs[0].embedding, k=len(scorer.labels))
    assert any(g.label == "wave" and g.source == "personal" for g in pred.top)
    # a new pack id has no embeddings until re-embedded
    assert lib.missing_embeddings("other@2") == 4
    assert lib.reembed(pack, enc) == 0  # all present for this pack


_WRITER = textwrap.dedent("""
    import sys, numpy as np
    from signclip_desktop.keypoints import layout as L
    from signclip_desktop.practice.library import Library, NewExample
    lib = Library(sys.argv[1])
    i = 0
    while True:
        fr = np.random.default_rng(i).random((120, L.NUM_POINTS, 4)).astype(np.float32)
        lib.add_sign(f"sign{i}", "und", [NewExample(fr, 30.0, "w", np.ones(16, np.float32))] * 3, pack="p@1")
        print(i, flush=True)
        i += 1
""")


@pytest.mark.slow
def test_kill_mid_save_loses_nothing_committed(tmp_path):
    db = tmp_path / "lib.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    committed = -1
    try:
        while committed < 5:
            line = proc.stdout.readline()
            assert line, "writer died"
            committed = int(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # in the middle of the next save
        proc.wait()
    # sqlite's own check, on a raw connection (the WAL is replayed)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    lib = Library(db)
    names = {s.name for s in lib.signs()}
    assert {f"sign{i}" for i in range(committed + 1)} <= names
    assert all(s.n_examples == 3 for s in lib.signs())  # no half-written sign
    lib.add_sign("after", "und", _examples(), pack="p@1")  # still writable
    assert lib.integrity_ok()
