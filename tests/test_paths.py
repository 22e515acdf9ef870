"""paths.py: the one resolver for packs, resources and the user's folders."""
import sys

import pytest

from signclip_desktop import paths
from signclip_desktop.model import registry


@pytest.fixture
def clean_env(monkeypatch):
    for v in ("SIGNCLIP_HOME", "SIGNCLIP_MODELS", "SIGNCLIP_PACKAGE_RESOURCES", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
              "XDG_CACHE_HOME"):
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    return monkeypatch


def test_checkout_layout(clean_env):
    root = paths.repo_root()
    assert (root / "signclip_desktop" / "paths.py").is_file()
    assert paths.builtin_packs_dir() == root / "models"
    assert paths.demo_path() == root / "resources" / "demo" / "demo.npz" and paths.demo_path().is_file()
    assert paths.selftest_image_path().is_file()
    assert paths.calibration_file() == root / "signclip_desktop" / "resources" / "grading_calibration.json"
    assert paths.calibration_file().is_file() and paths.references_file().is_file()
    assert (paths.wordlists_dir() / "en.txt").is_file()


def test_frozen_layout(clean_env, tmp_path):
    clean_env.setattr(sys, "frozen", True, raising=False)
    clean_env.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.frozen_root() == tmp_path
    assert paths.builtin_packs_dir() == tmp_path / "models" == registry.builtin_packs_dir()
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.package_resources_dir() == tmp_path / "signclip_desktop" / "resources"
    clean_env.setattr(sys, "frozen", False)
    assert paths.frozen_root() is None  # _MEIPASS alone (a stale attribute) is not a bundle


def test_user_folders(clean_env, tmp_path):
    home = tmp_path / "home"
    clean_env.setattr(paths.Path, "home", classmethod(lambda cls: home))
    assert paths.data_dir() == home / ".local" / "share" / "signclip-desktop" == registry.data_dir()
    assert paths.config_dir() == home / ".config" / "signclip-desktop"
    assert paths.cache_dir() == home / ".cache" / "signclip-desktop"
    clean_env.setenv("XDG_DATA_HOME", str(tmp_path / "xd"))
    clean_env.setenv("XDG_CACHE_HOME", str(tmp_path / "xc"))
    assert paths.data_dir() == tmp_path / "xd" / "signclip-desktop"
    assert paths.cache_dir() == tmp_path / "xc" / "signclip-desktop"
    clean_env.setenv("SIGNCLIP_HOME", str(tmp_path / "one"))
    assert paths.data_dir() == paths.config_dir() == tmp_path / "one"
    assert paths.cache_dir() == tmp_path / "one" / "cache"
    assert paths.user_packs_dir() == tmp_path / "one" / "packs" == registry.user_packs_dir()


def test_require_names_the_missing_file(tmp_path):
    f = tmp_path / "x.json"
    with pytest.raises(paths.ResourceMissing, match=r"x\.json: the thing is missing; this install is incomplete"):
        paths.require(f, "the thing")
    f.write_text("{}")
    assert paths.require(f, "the thing") == f
