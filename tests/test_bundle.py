"""Build the PyInstaller bundle (build.spec) into a temp folder and run its --self-test.

~2.5 min on 2 cores: marked slow (CI still runs it). SIGNCLIP_SKIP_BUNDLE=1 skips it."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bundle_builds_and_self_tests(tmp_path):
    if os.environ.get("SIGNCLIP_SKIP_BUNDLE"):
        pytest.skip("SIGNCLIP_SKIP_BUNDLE is set")
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    if not pyinstaller.exists() and not shutil.which("pyinstaller"):
        pytest.skip("PyInstaller is not installed (dev extra)")
    exe = str(pyinstaller) if pyinstaller.exists() else shutil.which("pyinstaller")
    t0 = time.monotonic()
    p = subprocess.run([exe, "build.spec", "--noconfirm", "--log-level", "WARN", "--distpath", str(tmp_path / "dist"),
                        "--workpath", str(tmp_path / "build")], cwd=REPO, capture_output=True, text=True, timeout=1200)
    build_s = time.monotonic() - t0
    assert p.returncode == 0, p.stderr[-4000:]
    app = tmp_path / "dist" / "signclip-desktop" / "signclip-desktop"
    assert app.is_file()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(QT_QPA_PLATFORM="offscreen", SIGNCLIP_HOME=str(tmp_path / "home"))
    st = subprocess.run([str(app), "--self-test"], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    size_mb = sum(f.stat().st_size for f in (tmp_path / "dist").rglob("*") if f.is_file()) / 1e6
    print(f"bundle: built in {build_s:.0f} s, {size_mb:.0f} MB\n{st.stdout}")
    assert st.returncode == 0, st.stdout + st.stderr[-2000:]
    assert "self-test passed" in st.stdout and "(bundled app)" in st.stdout
