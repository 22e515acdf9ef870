"""Run build.spec without PyInstaller: its build steps are stubbed out and what it hands to
Analysis (datas, hiddenimports, excludes) and its helpers (_prune_binaries) can be checked."""
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_spec(monkeypatch, imports: dict[str, set[str]] | None = None) -> tuple[dict, dict]:
    """-> (the spec's globals, the keyword arguments it gave Analysis). ``imports`` answers
    PyInstaller's ``get_imports`` (file -> the names it links) for ``_prune_binaries``."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = hooks.collect_dynamic_libs = hooks.collect_submodules = lambda *a, **k: []
    bindepend = types.ModuleType("PyInstaller.depend.bindepend")
    bindepend.get_imports = lambda src, search_paths=None: {(n, None) for n in (imports or {}).get(src, ())}
    for name in ("PyInstaller", "PyInstaller.utils", "PyInstaller.depend"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setitem(sys.modules, "PyInstaller.depend.bindepend", bindepend)
    seen = {}

    def analysis(*a, **k):
        seen.update(k)
        return types.SimpleNamespace(pure=[], scripts=[], binaries=[], datas=[])

    stub = lambda *a, **k: None  # noqa: E731
    g = {"SPECPATH": str(REPO), "Analysis": analysis, "PYZ": stub, "EXE": stub, "COLLECT": stub, "__name__": "spec"}
    exec(compile((REPO / "build.spec").read_text(encoding="utf-8"), "build.spec", "exec"), g)
    return g, seen
