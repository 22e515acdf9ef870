"""The shipped practice resources: the self-test loads them and fails, naming what is missing;
the loaders raise ``ResourceMissing`` instead of falling back to defaults."""
import io
import shutil

import pytest

from signclip_desktop import paths
from signclip_desktop.commands.self_test import _shipped_resources, run_self_test
from signclip_desktop.paths import ResourceMissing
from signclip_desktop.practice.fingerspelling import WORDLIST_FOR, word_list
from signclip_desktop.practice.grading import Calibration
from signclip_desktop.practice.references import ReferenceSet


def test_the_checkout_ships_every_resource():
    detail = _shipped_resources()
    assert "references for" in detail and "word lists" in detail and "calibration" in detail


def test_loaders_raise_when_a_shipped_resource_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNCLIP_PACKAGE_RESOURCES", str(tmp_path))
    assert paths.package_resources_dir() == tmp_path
    with pytest.raises(ResourceMissing, match="grading_calibration.json: the grading calibration is missing"):
        Calibration.load()
    with pytest.raises(ResourceMissing, match="references.npz"):
        ReferenceSet.load()
    with pytest.raises(ResourceMissing, match="en.txt"):
        word_list("ase")
    assert word_list("xyz") == []  # a language without a built-in list is no error


def test_self_test_names_each_missing_resource(tmp_path, monkeypatch):
    res = tmp_path / "resources"
    shutil.copytree(paths.package_resources_dir(), res)
    (res / "references.npz").unlink()
    (res / "wordlists" / "de.txt").unlink()
    monkeypatch.setenv("SIGNCLIP_PACKAGE_RESOURCES", str(res))
    with pytest.raises(FileNotFoundError) as e:
        _shipped_resources()
    msg = str(e.value)
    assert "references.npz" in msg and "word lists de.txt" in msg
    assert "grading_calibration" not in msg and "en.txt" not in msg  # only what is really missing


def test_self_test_fails_without_the_resources(tmp_path, monkeypatch, tiny_pack):
    monkeypatch.setenv("SIGNCLIP_PACKAGE_RESOURCES", str(tmp_path))
    out = io.StringIO()
    assert run_self_test(pack=str(tiny_pack), out=out) == 1
    text = out.getvalue()
    assert "[FAIL] practice resources" in text and "grading_calibration.json" in text, text
    assert "references.npz" in text and f"wordlists/ (all {len(set(WORDLIST_FOR.values()))} word lists)" in text, text
    assert "[ok] model pack" in text and "self-test FAILED" in text
