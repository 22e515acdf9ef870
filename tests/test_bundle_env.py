"""The bundle's build choices, checked without building (tests/test_bundle.py really builds):
its own environment (packaging/bundle-requirements.txt, scripts/bundle), what build.spec leaves
out, and how it prunes the libraries that only left-out files linked."""
import re
import tomllib
from pathlib import Path

import pytest

from spec_helpers import run_spec

REPO = Path(__file__).resolve().parent.parent
REQ = REPO / "packaging" / "bundle-requirements.txt"


def _pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([A-Za-z0-9_.+-]+)", line)
            assert m, f"not an exact pin: {line!r}"
            out[m[1].lower().replace("_", "-")] = m[2]
    return out


def test_the_bundle_env_is_the_dev_pins_with_headless_opencv_and_no_pyarrow():
    bundle = _pins(REQ.read_text().splitlines())
    app = _pins(d for d in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
                if "==" in d)
    assert "opencv-contrib-python" in app  # the dev env's wheel (mediapipe's metadata asks for it)
    assert bundle["opencv-python-headless"] == app["opencv-contrib-python"]  # the same release
    assert not {"opencv-contrib-python", "opencv-python", "opencv-contrib-python-headless", "pyarrow"} & set(bundle)
    shared = set(app) - {"opencv-contrib-python"}
    assert shared and {n: bundle.get(n) for n in shared} == {n: app[n] for n in shared}
    assert "pyinstaller" in bundle and "mediapipe" in bundle


def test_scripts_bundle_installs_exactly_that_file_in_its_own_venv():
    script = (REPO / "scripts" / "bundle").read_text()
    assert re.search(r"pip install -q --no-deps -r \"\$req\"", script)
    assert "req=packaging/bundle-requirements.txt" in script and "venv=${SIGNCLIP_BUNDLE_VENV:-.bundle-venv}" in script
    assert '"$venv/bin/pyinstaller" build.spec' in script and "--self-test" in script
    assert "/.bundle-venv/" in (REPO / ".gitignore").read_text().splitlines()


def test_spec_refuses_the_gui_opencv_wheel_unless_told(monkeypatch):
    import importlib.metadata as md

    real = md.distribution
    monkeypatch.setattr(md, "distribution", lambda name: object() if name == "opencv-contrib-python" else real(name))
    monkeypatch.delenv("SIGNCLIP_BUNDLE_ANY_ENV", raising=False)
    with pytest.raises(SystemExit, match="opencv-contrib-python .*scripts/bundle"):
        run_spec(monkeypatch)
    monkeypatch.setenv("SIGNCLIP_BUNDLE_ANY_ENV", "1")
    _, seen = run_spec(monkeypatch)
    assert {"pyarrow", "ssl", "PySide6.QtNetwork"} <= set(seen["excludes"])


PLUGINS = "PySide6/Qt/plugins"


def _binaries():
    return [
        ("libpython3.11.so.1.0", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "BINARY"),  # the bootloader loads it
        (f"{PLUGINS}/platforms/libqxcb.so", "/v/PySide6/Qt/plugins/platforms/libqxcb.so", "BINARY"),
        (f"{PLUGINS}/platformthemes/libqgtk3.so", "/v/PySide6/Qt/plugins/platformthemes/libqgtk3.so", "BINARY"),
        ("libpango-1.0.so.0", "/usr/lib/x86_64-linux-gnu/libpango-1.0.so.0", "BINARY"),
        ("libcairo.so.2", "/usr/lib/x86_64-linux-gnu/libcairo.so.2", "BINARY"),
        ("libX11.so.6", "/usr/lib/x86_64-linux-gnu/libX11.so.6", "BINARY"),
        ("python3.11/lib-dynload/_lzma.so", "/usr/lib/python3.11/lib-dynload/_lzma.so", "EXTENSION"),
        ("libQt6EglFSDeviceIntegration.so.6", "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", "/v/PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6",
         "BINARY"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/v/PySide6/Qt/lib/libQt6Gui.so.6", "BINARY"),
    ]


IMPORTS = {
    "/v/PySide6/Qt/plugins/platforms/libqxcb.so": {"libX11.so.6", "libQt6Gui.so.6"},
    "/v/PySide6/Qt/plugins/platformthemes/libqgtk3.so": {"libpango-1.0.so.0", "libX11.so.6", "libgtk-3.so.0"},
    "/usr/lib/x86_64-linux-gnu/libpango-1.0.so.0": {"libcairo.so.2"},  # gone only once pango is gone
}


def test_prune_drops_the_gtk_theme_and_what_only_it_linked(monkeypatch):
    monkeypatch.setenv("SIGNCLIP_BUNDLE_ANY_ENV", "1")
    g, _ = run_spec(monkeypatch, IMPORTS)
    kept = {d for d, _, _ in g["_prune_binaries"](_binaries())}
    assert kept == {"libpython3.11.so.1.0", f"{PLUGINS}/platforms/libqxcb.so", "libX11.so.6",
                    "python3.11/lib-dynload/_lzma.so", "libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6"}


def test_prune_stops_the_build_when_a_kept_file_links_a_dropped_one(monkeypatch):
    monkeypatch.setenv("SIGNCLIP_BUNDLE_ANY_ENV", "1")
    imports = dict(IMPORTS, **{"/v/PySide6/Qt/lib/libQt6Gui.so.6": {"libQt6EglFSDeviceIntegration.so.6"}})
    g, _ = run_spec(monkeypatch, imports)
    with pytest.raises(SystemExit, match="libQt6Gui.so.6 needs libQt6EglFSDeviceIntegration.so.6"):
        g["_prune_binaries"](_binaries())


def test_bundle_size_counts_each_file_once(tmp_path):
    from signclip_desktop.perf.bench import folder_mib

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libicudata.so.73").write_bytes(b"\0" * 2**20)
    (tmp_path / "libicudata.so.73").symlink_to("lib/libicudata.so.73")  # PyInstaller's top-level alias
    (tmp_path / "app").write_bytes(b"\0" * 2**19)
    assert folder_mib(tmp_path) == 1.5
