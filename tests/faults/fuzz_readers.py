"""Property-style fuzz of the keypoint-file and ``.signlib`` readers (run by test_fuzz_readers.py
in a subprocess under an address-space limit): real files from the shared fixtures and a small
library made here, mutated with a fixed seed (bit flips, truncation, header field edits, inserted
bytes). Every case must either read or raise SourceError / LibraryError, within a time budget.

usage: python fuzz_readers.py FIXTURES WORKDIR CASES_PER_FILE SEED  -> one JSON line on stdout
"""
import json
import random
import signal
import shutil
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from signclip_desktop.keypoints import layout as L
from signclip_desktop.stream.clip import load_clips
from signclip_desktop.practice.library import Library, LibraryError, NewExample, blob_to_frames
from signclip_desktop.sources import load_sequences
from signclip_desktop.sources.base import SourceError

PER_CASE_S = 10


class Hang(Exception):
    pass


def _alarm(*_):
    raise Hang()


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    kind = rng.choice(["flip", "flip", "truncate", "header", "header", "insert", "zero_run"])
    if kind == "flip" or not b:
        for _ in range(rng.randint(1, 16)):
            if b:
                i = rng.randrange(len(b))
                b[i] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del b[rng.randrange(len(b)):]
    elif kind == "header":  # the first bytes hold versions, sizes, counts, fps, shapes
        end = min(len(b), rng.choice([16, 64, 256, 1024]))
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(end)
            w = rng.choice([1, 2, 4, 8])
            b[i:i + w] = rng.choice([b"\xff" * w, b"\x00" * w, b"\x7f" + b"\xff" * (w - 1),
                                     bytes(rng.randrange(256) for _ in range(w))])
    elif kind == "insert":
        i = rng.randrange(len(b) + 1)
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    else:
        i = rng.randrange(len(b))
        b[i:i + rng.randint(1, 4096)] = b"\x00" * min(len(b) - i, 4096)
    return bytes(b)


def npy_header_edit(data: bytes, rng: random.Random) -> bytes:
    """Rewrite the shape in an .npy / .npz member header (same length when possible)."""
    s = data.replace(b"'shape': (", b"'shape': (" + rng.choice([b"99999999, ", b"0, ", b"-1, ", b"4294967296, "]), 1)
    return s if s != data else mutate(data, rng)


def make_signlib(work: Path) -> Path:
    fr = L.empty_frames(30)
    fr[:, L.RIGHT_HAND.slice] = [0.5, 0.5, 0, 1]
    lib = Library(work / "src.sqlite3")
    for k in range(2):
        lib.add_sign(f"sign{k}", "ase", [NewExample(fr + 0.01 * i, 30.0, "t", np.ones(16, np.float32) * (i + 1))
                                         for i in range(3)], pack="tiny@1")
    out = lib.export(work / "small.signlib")
    lib.close()
    return out


def read_keypoints(path: Path):
    seqs = load_clips(path) if path.suffix == ".npz" else load_sequences(path)
    for s in seqs:
        assert s.frames.ndim == 3 and s.frames.shape[1:] == (L.NUM_POINTS, 4)
        assert 1 <= s.fps <= 240 and np.isfinite(s.frames).all()


def read_signlib(path: Path, work: Path, k: int):
    dst = Library(work / f"dst{k}.sqlite3")
    try:
        skipped = []
        added = dst.import_file(path, skipped=skipped)
        for s in added:
            for ex in dst.examples(s):
                blob_to_frames(ex._blob)
                assert 1 <= ex.fps <= 240
        for _, e in dst.prototypes("tiny@1"):
            assert np.isfinite(e).all() and e.shape[1] == 16
    finally:
        dst.close()
        for f in work.glob(f"dst{k}.sqlite3*"):
            f.unlink()


def main(fixtures, work, per_file, seed):
    fixtures, work = Path(fixtures), Path(work)
    rng = random.Random(int(seed))
    per_file = int(per_file)
    from signclip_desktop.stream.clip import save_clip

    fr = L.empty_frames(40)
    fr[:, L.RIGHT_HAND.slice] = [0.5, 0.5, 0, 1]
    clip_npz = save_clip(work / "clip.npz", fr, 30.0)
    kp = np.zeros((2, 30, 67, 4), np.float16)
    np.savez(work / "data.npz", keypoints=kp, lengths=np.array([30, 20]), labels=np.array(["a", "b"]),
             fps=np.float32(30))
    originals = sorted((fixtures / "pose").glob("*.pose"))[:3] + [clip_npz, work / "data.npz"]
    npys = sorted((fixtures / "mp_data_raw").rglob("*.npy"))[:1]
    parquets = sorted((fixtures / "kaggle_parquet").rglob("*.parquet"))[:1]
    signlib = make_signlib(work)
    counts = {"cases": 0, "read": 0, "refused": 0}
    failures = []
    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.monotonic()
    jobs = [(f, "kp") for f in originals] + [(f, "npy") for f in npys] + [(f, "parquet") for f in parquets] + \
        [(signlib, "signlib")]
    for k, (orig, kind) in enumerate(jobs):
        data = orig.read_bytes()
        n = per_file if kind != "parquet" else max(4, per_file // 3)
        for i in range(n):
            m = npy_header_edit(data, rng) if kind in ("kp", "npy") and orig.suffix == ".npz" and i % 4 == 0 \
                else mutate(data, rng)
            if kind == "npy":  # an MP_Data sequence folder with the mutated frame among good ones
                case = work / f"mp{k}_{i}" / "word" / "0"
                case.mkdir(parents=True)
                for j in range(3):
                    (case / f"{j}.npy").write_bytes(data)
                (case / "3.npy").write_bytes(m)
                target = case.parent.parent
            else:
                target = work / f"case{k}_{i}{orig.suffix}"
                target.write_bytes(m)
            counts["cases"] += 1
            signal.alarm(PER_CASE_S)
            try:
                if kind == "signlib":
                    read_signlib(target, work, i)
                else:
                    read_keypoints(target)
                counts["read"] += 1
            except (SourceError, LibraryError):
                counts["refused"] += 1
            except Hang:
                failures.append({"file": orig.name, "case": i, "error": "hang"})
            except BaseException as e:  # noqa: BLE001 - what the test is looking for
                failures.append({"file": orig.name, "case": i, "error": f"{e.__class__.__name__}: {str(e)[:200]}",
                                 "tb": traceback.format_exc()[-800:]})
            finally:
                signal.alarm(0)
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                elif target.exists():
                    target.unlink()
    counts["seconds"] = round(time.monotonic() - t0, 2)
    print(json.dumps({**counts, "failures": failures}))


if __name__ == "__main__":
    main(*sys.argv[1:])
