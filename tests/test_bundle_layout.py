"""build.spec ships every runtime resource where paths.py looks for it in a frozen app.

Fast stand-in for tests/test_bundle.py (which really builds): the spec runs with PyInstaller's
build steps stubbed out, its ``datas`` are laid out (as symlinks) in a fake ``_MEIPASS``, and
with ``sys.frozen`` set the self-test's resource step and the other resolvers find everything."""
import os
import sys
from pathlib import Path

import pytest

from signclip_desktop import paths
from signclip_desktop.commands.self_test import _shipped_resources
from spec_helpers import run_spec

REPO = Path(__file__).resolve().parent.parent


def _spec_datas(monkeypatch) -> list[tuple[str, str]]:
    # the dev .venv has the GUI OpenCV wheel, which build.spec refuses without this
    monkeypatch.setenv("SIGNCLIP_BUNDLE_ANY_ENV", "1")
    _, seen = run_spec(monkeypatch)
    assert "signclip_desktop.tools" in seen["excludes"] and "signclip_desktop.training" in seen["excludes"]
    own = [m for m in seen["hiddenimports"] if m.startswith("signclip_desktop")]
    assert "signclip_desktop.paths" in own and "signclip_desktop.stream.clip" in own and "signclip_desktop.cli" in own
    assert not [m for m in own if m.startswith(("signclip_desktop.tools", "signclip_desktop.training"))]
    return seen["datas"]


def _frozen(monkeypatch, meipass: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(meipass), raising=False)
    for env in ("SIGNCLIP_PACKAGE_RESOURCES", "SIGNCLIP_MODELS"):
        monkeypatch.delenv(env, raising=False)


def _lay_out(datas, meipass: Path, skip: str = "") -> None:
    for src, dest in datas:
        if dest == skip:
            continue
        target = meipass / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(src, target, target_is_directory=Path(src).is_dir())


def test_spec_datas_put_every_resource_where_paths_looks(tmp_path, monkeypatch):
    datas = _spec_datas(monkeypatch)
    assert {d for _, d in datas} >= {"models", "resources", "signclip_desktop/resources"}
    _lay_out(datas, tmp_path)
    _frozen(monkeypatch, tmp_path)
    assert paths.package_resources_dir() == tmp_path / "signclip_desktop" / "resources"
    assert "references for" in _shipped_resources()
    assert paths.selftest_image_path().is_file() and paths.demo_path().is_file()
    assert (paths.builtin_packs_dir() / "words" / "manifest.json").is_file()


def test_a_bundle_without_the_package_resources_fails_the_check(tmp_path, monkeypatch):
    # what build.spec shipped before issue 9: models/ and resources/ only
    _lay_out(_spec_datas(monkeypatch), tmp_path, skip="signclip_desktop/resources")
    _frozen(monkeypatch, tmp_path)
    with pytest.raises(FileNotFoundError, match="grading_calibration.json .*references.npz .*wordlists/"):
        _shipped_resources()
