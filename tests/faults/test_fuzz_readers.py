"""Fuzz of the keypoint-file and ``.signlib`` readers (issue 12): random mutations of real files
(bit flips, truncation, header field edits, inserted bytes; fixed seed, bounded count) must
give a reading or SourceError / LibraryError, never another exception, a hang or unbounded
memory. The readers need neither MediaPipe nor onnxruntime, so the run has a 3 GiB address
space (``RLIMIT_AS``): a header that makes a reader allocate what it announces fails here."""
import json
import os
import resource
import subprocess
from pathlib import Path


from faults_helpers import REPO, python

LIMIT = 3 << 30


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def test_mutated_files_only_give_source_or_library_errors(shared_data, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1")
    p = subprocess.run([python(), str(Path(__file__).with_name("fuzz_readers.py")), str(shared_data / "fixtures"),
                        str(tmp_path), "40", "12"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=180, preexec_fn=_limit)
    assert p.returncode == 0, p.stderr[-3000:]
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["failures"] == [], json.dumps(r["failures"][:5], indent=1)
    assert r["cases"] >= 250
    assert r["read"] > 0 and r["refused"] > 0  # the mutations both pass and break the readers
