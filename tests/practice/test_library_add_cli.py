"""`library add` of a name that exists: refuse, --append, --rename, or ask; sources are kept."""
import io
import json

import numpy as np
import pytest

from signclip_desktop.cli import main
from signclip_desktop.keypoints import layout as L
from signclip_desktop.stream.clip import save_clip
from signclip_desktop.practice.library import Library


def _clip(seed=0):
    rng = np.random.default_rng(seed)
    f = L.empty_frames(40)
    f[:, L.LEFT_SHOULDER] = [0.6, 0.5, 0, 1]
    f[:, L.RIGHT_SHOULDER] = [0.4, 0.5, 0, 1]
    t = np.arange(30)[:, None]
    f[5:35, L.RIGHT_HAND.slice, 0] = 0.35 + 0.08 * np.sin(t / 4) + 0.01 * rng.random((30, 21))
    f[5:35, L.RIGHT_HAND.slice, 1] = 0.35 + 0.01 * rng.random((30, 21))
    f[5:35, L.RIGHT_HAND.slice, 3] = 1
    return f


@pytest.fixture
def env(tmp_path, monkeypatch, tiny_pack):
    monkeypatch.setenv("SIGNCLIP_HOME", str(tmp_path / "home"))
    files = [str(save_clip(tmp_path / f"rec{i}.npz", _clip(i), 30.0)) for i in range(6)]
    lib = str(tmp_path / "lib.sqlite3")
    base = ["library", "--library", lib, "add"]
    tail = ["--pack", str(tiny_pack), "--cpu", "--no-progress"]
    assert main(base + ["wave", *files[:3], "--language", "bfi", *tail]) == 0
    return base, tail, files, lib


def _signs(lib):
    with Library(lib) as db:
        return [(s.name, s.language, s.n_examples) for s in db.signs()]


def test_existing_name_is_refused_without_a_flag(env, capsys, monkeypatch):
    base, tail, files, lib = env
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    # same name, another language, other case: still the same name -> refused, nothing added
    assert main(base + ["Wave", *files[3:6], "--language", "ase", *tail]) == 1
    err = capsys.readouterr().err
    assert "already in the library" in err and "--append" in err and "--rename" in err
    assert _signs(lib) == [("wave", "bfi", 3)]


def test_append_and_rename(env, capsys):
    base, tail, files, lib = env
    assert main(base + ["wave", *files[3:5], "--append", *tail]) == 0
    assert "2 examples to 'wave'" in capsys.readouterr().out
    assert _signs(lib) == [("wave", "bfi", 5)]
    assert main(base + ["wave", *files[3:6], "--rename", "big wave", "--language", "bfi", *tail]) == 0
    assert _signs(lib) == [("big wave", "bfi", 3), ("wave", "bfi", 5)]
    # each example keeps where it came from
    with Library(lib) as db:
        srcs = [e.source for e in db.examples(db.get("wave"), with_frames=False)]
    assert srcs == files[:5]
    # --append to a sign that does not exist, and --rename onto a name in use: refused
    assert main(base + ["tea", *files[:3], "--append", *tail]) == 1
    assert main(base + ["wave", *files[:3], "--rename", "big wave", *tail]) == 1
    assert _signs(lib) == [("big wave", "bfi", 3), ("wave", "bfi", 5)]
    # too many for --append: refused before anything is read
    assert main(base + ["wave", *files[:6], "--append", *tail]) == 1
    assert "at most 10" in capsys.readouterr().err


class _Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("answers, expect", [
    ("a\n", [("wave", "bfi", 6)]),
    ("n\nwave two\n", [("wave", "bfi", 3), ("wave two", "bfi", 3)]),
    ("c\n", [("wave", "bfi", 3)]),
])
def test_interactive_asks(env, monkeypatch, capsys, answers, expect):
    base, tail, files, lib = env
    monkeypatch.setattr("sys.stdin", _Tty(answers))
    rc = main(base + ["wave", *files[3:6], "--language", "bfi", *tail])
    assert rc == (1 if answers.startswith("c") else 0)
    assert "already in the library" in capsys.readouterr().err
    assert _signs(lib) == expect


def test_library_add_progress(env, capsys, monkeypatch):
    base, tail, files, lib = env
    from signclip_desktop import progress

    orig = progress.Progress.__init__

    def init(self, *a, **kw):
        kw["min_interval"] = 0.0
        orig(self, *a, **kw)

    monkeypatch.setattr(progress.Progress, "__init__", init)
    tail = [t for t in tail if t != "--no-progress"]
    capsys.readouterr()
    assert main(base + ["tea", *files[3:6], *tail]) == 0
    err = capsys.readouterr().err
    assert "library add: reading" in err and "4/4" in err
    assert main(["library", "--library", lib, "list", "--json"]) == 0
    assert {s["name"] for s in json.loads(capsys.readouterr().out)} == {"tea", "wave"}
