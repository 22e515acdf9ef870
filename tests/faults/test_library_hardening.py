"""Issue 12, the personal library: file paths are files (no URI syntax), damage found on open is
set aside, a read-only library stays usable, imports are checked sign by sign, and a NaN or
wrong-sized vector never reaches the scorer."""
import io
import os
import subprocess
import zipfile

import numpy as np
import pytest

from faults_helpers import REPO, python
from signclip_desktop.keypoints import layout as L
from signclip_desktop.model.pack import Calibration, Label
from signclip_desktop.model.scorer import Scorer
from signclip_desktop.practice.library import Library, LibraryError, NewExample

PACK = "tiny-test@0.0.1"


def _frames(seed=0):
    f = L.empty_frames(30)
    f[:, L.RIGHT_HAND.slice] = [0.5, 0.5, 0, 1]
    return f + 0.01 * seed


def _exs(k=3, dim=16):
    return [NewExample(_frames(i), 30.0, "t", np.ones(dim, np.float32) * (i + 1)) for i in range(k)]


@pytest.mark.parametrize("mark", ["#", "?", "%", "%23"])
def test_library_paths_with_uri_characters_are_separate_files(tmp_path, mark):
    a, b = tmp_path / f"lib{mark}a" / "library.sqlite3", tmp_path / f"lib{mark}b" / "library.sqlite3"
    with Library(a) as lib:
        lib.add_sign("only-in-a", "ase", _exs())
    with Library(b) as lib:
        assert lib.signs() == []
    assert a.is_file() and b.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"lib{mark}a", f"lib{mark}b"])
    with Library(a, readonly=True) as lib:  # the read-only (URI) open quotes the path
        assert [s.name for s in lib.signs()] == ["only-in-a"]


def _damage_middle(path):
    with Library(path) as lib:
        for i in range(40):
            lib.add_sign(f"s{i}", "ase", _exs())
        lib.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    n = len(data)
    data[n // 2:n // 2 + 8192] = np.random.default_rng(0).integers(0, 256, 8192, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return bytes(data)


def test_damage_in_the_middle_is_found_on_open_and_set_aside(tmp_path):
    path = tmp_path / "library.sqlite3"
    damaged = _damage_middle(path)
    lib = Library(path)
    try:
        assert lib.notice and "damaged" in lib.notice and str(path) + ".bad" in lib.notice
        assert lib.signs() == [] and lib.integrity_ok()
        lib.add_sign("fresh", "ase", _exs())  # the new library works
    finally:
        lib.close()
    assert (tmp_path / "library.sqlite3.bad").read_bytes() == damaged  # nothing lost: kept as it was
    with pytest.raises(LibraryError, match="damaged"):
        Library(tmp_path / "library.sqlite3.bad", readonly=True)


def test_cli_tells_the_user_about_a_damaged_library(tmp_path):
    path = tmp_path / "library.sqlite3"
    _damage_middle(path)
    r = subprocess.run([python(), "-m", "signclip_desktop", "library", "--library", str(path), "list"],
                       capture_output=True, text=True, timeout=120, cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert "damaged" in r.stderr and ".bad" in r.stderr and "Traceback" not in r.stderr


def _read_only_dir(tmp_path):
    """A folder the library cannot write: a read-only bind mount as root, chmod otherwise."""
    src = tmp_path / "src"
    src.mkdir()
    with Library(src / "library.sqlite3") as lib:
        lib.add_sign("hello", "ase", _exs())
    if os.geteuid() != 0:
        os.chmod(src / "library.sqlite3", 0o444)
        os.chmod(src, 0o555)
        return src, lambda: (os.chmod(src, 0o755), os.chmod(src / "library.sqlite3", 0o644))
    mnt = tmp_path / "ro"
    mnt.mkdir()
    r = subprocess.run(["mount", "--bind", "-o", "ro", str(src), str(mnt)], capture_output=True)
    r2 = subprocess.run(["mount", "-o", "remount,bind,ro", str(mnt)], capture_output=True) if r.returncode == 0 else r
    if r2.returncode != 0:
        if r.returncode == 0:
            subprocess.run(["umount", str(mnt)])
        pytest.skip("cannot make a read-only folder here (running as root without mount)")
    return mnt, lambda: subprocess.run(["umount", str(mnt)])


def test_read_only_library_is_usable_and_says_so(tmp_path):
    folder, undo = _read_only_dir(tmp_path)
    try:
        lib = Library(folder / "library.sqlite3")
        try:
            assert lib.readonly and "read-only" in lib.notice
            assert [s.name for s in lib.signs()] == ["hello"]
            with pytest.raises(LibraryError, match="read-only"):
                lib.remove("hello")
            with pytest.raises(LibraryError, match="read-only"):
                lib.add_sign("new", "ase", _exs())
        finally:
            lib.close()
    finally:
        undo()


# -- imports: sign by sign ---------------------------------------------------------------------------
def _bomb_blob(unpacked=1_900_000_000):
    t = unpacked // (203 * 16)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        hdr = io.BytesIO()
        np.lib.format.write_array_header_1_0(hdr, {"descr": "<f4", "fortran_order": False, "shape": (t, 203, 4)})
        with z.open("frames.npy", "w", force_zip64=True) as f:
            f.write(hdr.getvalue())
            left, chunk = t * 203 * 16, b"\0" * (1 << 24)
            while left > 0:
                f.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)
    return out.getvalue()


BAD_SIGNS = {
    "one_clip": "has 1 examples",
    "thirteen": "more than 10",
    "empty": "name is empty",
    "long": "5000 characters",
    "ansi": "control characters",
    "fps0": "fps is 0",
    "fpsabc": "fps must be a number",
    "shape": "shape (30, 7, 4)",
    "dim7": "has 7 values",
    "nan": "NaN",
    "bomb": "MiB unpacked",
    "count_lies": "says 999 frames",
}


@pytest.fixture(scope="module")
def bad_signlib(tmp_path_factory):
    d = tmp_path_factory.mktemp("signlib")
    lib = Library(d / "src.sqlite3")
    lib.add_sign("good", "ase", _exs(), pack=PACK)
    lib.add_sign("good too", "bfi", _exs(4), pack=PACK)
    for n in BAD_SIGNS:
        lib.add_sign(n, "ase", _exs(), pack=PACK)
    db = lib.db

    def sid(n):
        return db.execute("SELECT id FROM signs WHERE name=?", (n,)).fetchone()[0]

    db.execute("DELETE FROM examples WHERE sign_id=? AND id > (SELECT min(id) FROM examples WHERE sign_id=?)",
               (sid("one_clip"), sid("one_clip")))
    row = db.execute("SELECT frames, n_frames, fps, source, created FROM examples WHERE sign_id=? LIMIT 1",
                     (sid("thirteen"),)).fetchone()
    for _ in range(10):
        db.execute("INSERT INTO examples (sign_id, frames, n_frames, fps, source, created) VALUES (?,?,?,?,?,?)",
                   (sid("thirteen"), *row))
    db.execute("UPDATE signs SET name='' WHERE name='empty'")
    db.execute("UPDATE signs SET name=? WHERE name='long'", ("x" * 5000,))
    db.execute("UPDATE signs SET name=? WHERE name='ansi'", ("\x1b[31mred\x1b[0m\x07",))
    db.execute("UPDATE examples SET fps=0 WHERE sign_id=?", (sid("fps0"),))
    db.execute("UPDATE examples SET fps='abc' WHERE sign_id=?", (sid("fpsabc"),))
    small = io.BytesIO()
    np.savez_compressed(small, frames=np.zeros((30, 7, 4), np.float32))
    db.execute("UPDATE examples SET frames=? WHERE sign_id=?", (small.getvalue(), sid("shape")))
    db.execute("UPDATE examples SET n_frames=999 WHERE sign_id=?", (sid("count_lies"),))
    for n, vec in (("dim7", np.ones(7, np.float32)), ("nan", np.full(16, np.nan, np.float32))):
        db.execute("UPDATE embeddings SET vector=? WHERE example_id IN (SELECT id FROM examples WHERE sign_id=?)",
                   (vec.tobytes(), sid(n)))
    db.execute("UPDATE examples SET frames=? WHERE sign_id=?", (_bomb_blob(), sid("bomb")))
    out = lib.export(d / "bad.signlib")
    lib.close()
    return out


def test_import_skips_each_bad_sign_with_its_reason_and_keeps_the_good(tmp_path, bad_signlib):
    assert bad_signlib.stat().st_size < 8 << 20  # the bomb (3 x 1.9 GB unpacked) is small on disk
    with Library(tmp_path / "lib.sqlite3") as lib:
        skipped = []
        added = lib.import_file(bad_signlib, dims={PACK: 16}, skipped=skipped)
        assert sorted(s.name for s in added) == ["good", "good too"]
        assert len(skipped) == len(BAD_SIGNS), skipped
        for reason in BAD_SIGNS.values():
            assert sum(reason in s for s in skipped) >= 1, (reason, skipped)
        assert not any("\x1b" in s for s in skipped)  # the escape is shown escaped, never sent to a terminal
        protos = lib.prototypes(PACK)
        assert [p[0].id for p in protos] == ["good", "good too"] and lib.dropped == []


def test_import_without_known_dims_uses_the_majority_size(tmp_path, bad_signlib):
    with Library(tmp_path / "lib.sqlite3") as lib:
        skipped = []
        assert sorted(s.name for s in lib.import_file(bad_signlib, skipped=skipped)) == ["good", "good too"]
        assert any("has 7 values" in s for s in skipped)


def test_import_bomb_stays_within_memory(tmp_path, bad_signlib):
    code = f"""
import resource
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from signclip_desktop.practice.library import Library
lib = Library({str(tmp_path / 'lib.sqlite3')!r})
skipped = []
lib.import_file({str(bad_signlib)!r}, skipped=skipped)
assert any('bomb' in s and 'MiB unpacked' in s for s in skipped), skipped
print('ok')
"""
    r = subprocess.run([python(), "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO,
                       env=dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1"))
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def test_cli_import_reports_skipped_signs_and_exits_1(tmp_path, bad_signlib):
    r = subprocess.run([python(), "-m", "signclip_desktop", "library", "--library", str(tmp_path / "l.sqlite3"),
                        "import", str(bad_signlib)], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert r.returncode == 1
    assert r.stdout.startswith("imported 2 signs")
    assert r.stderr.count("skipped") == len(BAD_SIGNS) and "Traceback" not in r.stderr


# -- nothing poisoned reaches the scorer -------------------------------------------------------------------
def test_poisoned_vectors_in_the_database_never_reach_the_scorer(tmp_path):
    with Library(tmp_path / "lib.sqlite3") as lib:
        for n in ("good", "dim7", "nan", "inf"):
            lib.add_sign(n, "ase", _exs(), pack=PACK)
        bad = {"dim7": np.ones(7, np.float32), "nan": np.full(16, np.nan, np.float32), "inf": np.full(16, np.inf, np.float32)}
        for n, vec in bad.items():
            sid = lib.get(n).id
            lib.db.execute("UPDATE embeddings SET vector=? WHERE example_id IN (SELECT id FROM examples WHERE sign_id=?)",
                           (vec.tobytes(), sid))
        protos = lib.prototypes(PACK, dim=16)
        assert [p[0].id for p in protos] == ["good"]
        assert len(lib.dropped) == 3
    emb = np.eye(3, 16, dtype=np.float32)
    scorer = Scorer([Label(f"l{i}", f"l{i}") for i in range(3)], emb, Calibration(temperature=0.1))
    items = [(Label("good", "good"), np.ones((3, 16), np.float32)), (Label("seven", "seven"), np.ones((3, 7), np.float32)),
             (Label("nan", "nan"), np.full((3, 16), np.nan, np.float32))]
    scorer.set_prototypes(items)  # a bad sign is left out; the good personal sign stays
    assert [l.id for l in scorer.labels] == ["l0", "l1", "l2", "good"] and len(scorer.dropped) == 2
    pred = scorer.predict(np.ones(16, np.float32), k=4)
    assert all(np.isfinite(g.score) for g in pred.top) and pred.top[0].label == "good"


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "\x1b[31mred", "bell\x07", "zero\u200bwidth"])
def test_add_sign_refuses_bad_names(tmp_path, name):
    with Library(tmp_path / "lib.sqlite3") as lib:
        with pytest.raises(LibraryError):
            lib.add_sign(name, "ase", _exs())
        assert lib.signs() == []


def test_add_sign_refuses_bad_fps_and_embeddings(tmp_path):
    with Library(tmp_path / "lib.sqlite3") as lib:
        exs = _exs()
        exs[1].fps = 0.0
        with pytest.raises(LibraryError, match="fps"):
            lib.add_sign("a", "ase", exs)
        exs = _exs()
        exs[2].embedding = np.full(16, np.nan, np.float32)
        with pytest.raises(LibraryError, match="NaN"):
            lib.add_sign("a", "ase", exs, pack=PACK)
        assert lib.signs() == []
