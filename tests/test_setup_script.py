"""scripts/setup is idempotent across extras: an install that had a superset of the extras
asked for counts as done (scripts/run after scripts/test starts at once)."""
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def sandbox(tmp_path):
    if not shutil.which("sha1sum"):
        pytest.skip("needs sha1sum")
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "setup", tmp_path / "scripts" / "setup")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    py = bin_ / "python"  # records each pip call instead of installing
    py.write_text('#!/bin/sh\necho "$@" >> "$(dirname "$0")/../pip.log"\n')
    py.chmod(py.stat().st_mode | stat.S_IEXEC)
    return tmp_path


def setup(box, extras=None) -> list[str]:
    log = box / ".venv" / "pip.log"
    log.unlink(missing_ok=True)
    env = dict(os.environ, SIGNCLIP_NO_APT="1")
    subprocess.run(["bash", "scripts/setup"] + ([extras] if extras else []), cwd=box, env=env, check=True,
                   capture_output=True, timeout=60)
    return [l for l in log.read_text().splitlines() if "-e" in l] if log.exists() else []


def stamps(box) -> list[str]:
    return sorted(p.name.split("-", 2)[-1] if p.name.count("-") > 1 else "" for p in (box / ".venv").glob(".installed-*"))


def test_superset_counts_as_installed(sandbox):
    assert setup(sandbox, "dev,train") == ["-m pip install -q -e .[dev,train]"]
    assert stamps(sandbox) == ["dev,train"]
    assert setup(sandbox) == []              # scripts/run after scripts/test: nothing to install
    assert setup(sandbox, "dev") == []
    assert setup(sandbox, "train,dev") == []
    assert stamps(sandbox) == ["dev,train"]


def test_missing_extra_installs_the_union(sandbox):
    assert setup(sandbox) == ["-m pip install -q -e ."]
    assert setup(sandbox) == []
    assert setup(sandbox, "dev") == ["-m pip install -q -e .[dev]"]
    assert setup(sandbox, "train") == ["-m pip install -q -e .[dev,train]"]
    assert stamps(sandbox) == ["dev,train"]
    (sandbox / "pyproject.toml").write_text("[project]\nname = 'y'\n")  # changed: install again
    assert setup(sandbox) == ["-m pip install -q -e ."]
