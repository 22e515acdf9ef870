"""The package's import contracts, read from the source with ``ast`` (nothing is imported).

Rules (docs/DEVELOPING.md, "Contracts"):

1. Only ``gui/`` imports Qt (PySide6, shiboken6).
2. ``keypoints/`` imports nothing of ``sources/``, ``stream/``, ``model/`` (it is the bottom layer).
3. Nothing at run time imports ``training/`` or ``tools/``: only they import each other. One
   exception, for ``training/``: the CLI's ``train`` and ``evaluate`` sub-commands
   (``commands/train.py``, ``commands/evaluate.py``) may import it *inside their handler*
   (a function), never at module level; they need the train extra and say so when it is
   missing. ``tools/`` has no exception.
4. ``perf/`` does not import ``gui/``; ``live/`` imports no Qt and nothing of ``gui/``.
5. No import circles among module-level imports (imports inside functions run later, when
   every module is loaded, so they cannot make a circle at import time; they still count for
   the layer rules above, because they still run). A second, stricter check finds no circle
   even counting the imports inside functions.

Rules 1-4 count every import, module-level or inside a function; ``if TYPE_CHECKING:``
blocks are skipped (they never run).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PKG = "signclip_desktop"
ROOT = Path(__file__).resolve().parent.parent / PKG
QT = ("PySide6", "shiboken6")
TRAINING_HANDLERS = {f"{PKG}.commands.train", f"{PKG}.commands.evaluate"}


@dataclass(frozen=True)
class Imp:
    source: str     # importing module
    target: str     # imported module (absolute, dotted)
    line: int
    lazy: bool      # inside a function body: runs when called, not at import

    def __str__(self) -> str:
        where = "in a function" if self.lazy else "at module level"
        return f"{self.source}:{self.line} imports {self.target} ({where})"


# ------------------------------------------------------------------------ the reader

def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(module: str, is_pkg: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def parse_imports(source: str, module: str, is_pkg: bool = False, known: frozenset = frozenset()) -> list[Imp]:
    """Every import statement of one module's source. ``from X import name`` also yields
    ``X.name`` when that is a known module (``from . import paths``)."""
    out: list[Imp] = []

    def visit(node, lazy: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:
                    visit(ast.Module(body=[sub], type_ignores=[]), lazy)
                continue
            if isinstance(child, ast.Import):
                out.extend(Imp(module, a.name, child.lineno, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(module, is_pkg, child.level, child.module)
                out.append(Imp(module, base, child.lineno, lazy))
                for a in child.names:
                    if f"{base}.{a.name}" in known:
                        out.append(Imp(module, f"{base}.{a.name}", child.lineno, lazy))
            visit(child, lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse(source), False)
    return out


def scan(root: Path = ROOT, package: str = PKG) -> dict[str, list[Imp]]:
    files = {}
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root).with_suffix("")
        parts = [package, *rel.parts]
        is_pkg = parts[-1] == "__init__"
        files[".".join(parts[:-1] if is_pkg else parts)] = (f, is_pkg)
    known = frozenset(files)
    return {m: parse_imports(f.read_text(encoding="utf-8"), m, is_pkg, known) for m, (f, is_pkg) in files.items()}


def _in(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


# ------------------------------------------------------------------------ the rules

def qt_outside_gui(imports) -> list[Imp]:
    return [i for m, imps in imports.items() if not _in(m, f"{PKG}.gui") for i in imps if _in(i.target, *QT)]


def layer_violations(imports, layer: str, forbidden: tuple[str, ...]) -> list[Imp]:
    """Imports from ``PKG.layer`` into any of ``PKG.<forbidden>`` (or, for a top-level name
    such as PySide6, that package)."""
    bad = tuple(f if f in QT else f"{PKG}.{f}" for f in forbidden)
    return [i for m, imps in imports.items() if _in(m, f"{PKG}.{layer}") for i in imps if _in(i.target, *bad)]


def dev_code_at_run_time(imports) -> list[Imp]:
    dev = (f"{PKG}.training", f"{PKG}.tools")
    out = []
    for m, imps in imports.items():
        if _in(m, *dev):
            continue
        for i in imps:
            if _in(i.target, f"{PKG}.tools"):
                out.append(i)
            elif _in(i.target, f"{PKG}.training") and not (i.lazy and m in TRAINING_HANDLERS):
                out.append(i)
    return out


def module_graph(imports, lazy: bool = False) -> dict[str, set[str]]:
    """Edges between the package's own modules: module-level imports (and, with ``lazy``,
    those inside functions too)."""
    return {m: {i.target for i in imps if (lazy or not i.lazy) and i.target in imports and i.target != m}
            for m, imps in imports.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
            elif nxt not in index:
                index[nxt] = low[nxt] = counter
                counter += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(graph.get(nxt, ())))))
            elif nxt in on:
                low[v] = min(low[v], index[nxt])
    return out


def _fmt(bad) -> str:
    return "\n".join(map(str, bad))


# ------------------------------------------------------------------------ the package

@pytest.fixture(scope="module")
def imports():
    found = scan()
    assert f"{PKG}.cli" in found and len(found) > 50  # the scan really read the package
    return found


def test_only_gui_imports_qt(imports):
    assert not (bad := qt_outside_gui(imports)), "Qt outside gui/:\n" + _fmt(bad)


def test_keypoints_is_the_bottom_layer(imports):
    bad = layer_violations(imports, "keypoints", ("sources", "stream", "model"))
    assert not bad, "keypoints/ reaches up:\n" + _fmt(bad)


def test_nothing_at_run_time_imports_training_or_tools(imports):
    assert not (bad := dev_code_at_run_time(imports)), "dev code imported at run time:\n" + _fmt(bad)


def test_perf_does_not_import_gui(imports):
    assert not (bad := layer_violations(imports, "perf", ("gui",))), "perf/ imports gui/:\n" + _fmt(bad)


def test_live_imports_no_qt_and_no_gui(imports):
    bad = layer_violations(imports, "live", ("gui", *QT))
    assert not bad, "live/ imports Qt or gui/:\n" + _fmt(bad)


def test_no_import_circles(imports):
    cycles = find_cycles(module_graph(imports))
    assert not cycles, "import circles (module-level imports):\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_circles_even_through_lazy_imports(imports):
    # stricter than Python needs: a lazy back-edge (normalize -> sources/npz, before issue 9) still
    # means two layers lean on each other
    cycles = find_cycles(module_graph(imports, lazy=True))
    assert not cycles, "circles through imports inside functions:\n" + "\n".join(" <-> ".join(c) for c in cycles)


# ------------------------------------------------------------------------ the checker can fail

def _fake(**modules: str) -> dict[str, list[Imp]]:
    """Synthetic modules: ``keypoints__x="from ..sources import npz"`` -> PKG.keypoints.x."""
    names = {f"{PKG}." + k.replace("__", "."): v for k, v in modules.items()}
    known = frozenset(names)
    return {m: parse_imports(src, m, False, known) for m, src in names.items()}


def test_checker_catches_bad_imports():
    fake = _fake(keypoints__x="from ..sources import npz\n", model__y="def f():\n    import PySide6.QtCore\n",
                 gui__z="from PySide6 import QtCore\n", practice__w="from ..tools.calibrate import main\n",
                 commands__train="def run(a):\n    from ..training.train import train\n",
                 commands__predict="def run(a):\n    from ..training.train import train\n",
                 commands__evaluate="from ..training import pack_eval\n",
                 perf__b="from ..gui.pipeline import Stats\n", live__s="from PySide6.QtCore import QObject\n",
                 tools__t="from ..training.data import load_words\n")
    assert sorted(i.source for i in qt_outside_gui(fake)) == [f"{PKG}.live.s", f"{PKG}.model.y"]
    assert [i.target for i in layer_violations(fake, "keypoints", ("sources", "stream", "model"))] == [f"{PKG}.sources"]
    assert sorted(i.source for i in dev_code_at_run_time(fake)) == [
        f"{PKG}.commands.evaluate", f"{PKG}.commands.predict", f"{PKG}.practice.w"]  # module-level / not a handler
    assert [i.source for i in layer_violations(fake, "perf", ("gui",))] == [f"{PKG}.perf.b"]
    assert [i.source for i in layer_violations(fake, "live", ("gui", *QT))] == [f"{PKG}.live.s"]


def test_checker_finds_circles_and_ignores_lazy_and_type_checking_imports():
    fake = _fake(a="from . import b\n", b="import signclip_desktop.c\n", c="from .a import thing\n",
                 d="def f():\n    from . import e\n", e="from . import d\n",
                 f="from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import g\n", g="from . import f\n",
                 h="import os\n")
    assert find_cycles(module_graph(fake)) == [[f"{PKG}.a", f"{PKG}.b", f"{PKG}.c"]]
    assert find_cycles(module_graph(fake, lazy=True)) == [[f"{PKG}.a", f"{PKG}.b", f"{PKG}.c"], [f"{PKG}.d", f"{PKG}.e"]]
    assert find_cycles({"x": {"y"}, "y": {"z"}, "z": {"x", "w"}, "w": set(), "v": {"w"}}) == [["x", "y", "z"]]
    assert find_cycles({"x": {"y"}, "y": set()}) == []


def test_relative_imports_resolve_like_python():
    assert _resolve(f"{PKG}.gui.pages.grade", False, 3, "stream.clip") == f"{PKG}.stream.clip"
    assert _resolve(f"{PKG}.gui", True, 1, "_compat") == f"{PKG}.gui._compat"
    assert _resolve(f"{PKG}.model.registry", False, 2, None) == PKG


def test_gui_reaches_live_only_through_the_session(imports):
    # the worker modules are the session's business: pages import LiveSession, configs, events
    internals = ("live.capture", "live.inference", "live.slots")
    bad = [i for i in layer_violations(imports, "gui", internals) if i.source != f"{PKG}.gui.settings_bench"]
    assert not bad, "gui/ imports the live workers:\n" + _fmt(bad)
