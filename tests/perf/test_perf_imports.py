"""The bench and the live pipeline load no Qt and nothing of gui/ (a fresh interpreter)."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CODE = """
import json, sys
import signclip_desktop.live, signclip_desktop.live.session, signclip_desktop.live.pool
import signclip_desktop.perf.bench, signclip_desktop.perf.session, signclip_desktop.perf.latency
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6", "signclip_desktop.gui")))))
"""


def test_bench_and_live_import_no_qt_and_no_gui():
    p = subprocess.run([sys.executable, "-c", CODE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout.strip().splitlines()[-1]) == []
