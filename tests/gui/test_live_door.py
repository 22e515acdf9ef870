"""No module under gui/ reaches past LiveSession (read from the source, no Qt needed).

* no private attribute of another object (``x._name`` where x is not ``self``/``cls``): the
  review found ``inference._config`` and friends read across threads;
* no worker, recogniser, scorer or buffer taken out of the session (``.pipeline``,
  ``.inference``, ``.capture``, ``.recognizer``, ``.scorer``, ...);
* no import of the worker modules (``live.capture``, ``live.inference``, ``live.slots``).
"""
import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "signclip_desktop" / "gui"
WORKER_ATTRS = {"pipeline", "inference", "capture", "recognizer", "scorer"}
WORKER_MODULES = {"capture", "inference", "slots"}
ALLOWED_PRIVATE = {("sys", "_MEIPASS")}  # the PyInstaller bundle folder


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name = node.attr
            base = node.value
            owner = base.id if isinstance(base, ast.Name) else None
            private = name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
            if private and owner not in ("self", "cls") and (owner, name) not in ALLOWED_PRIVATE \
                    and not (isinstance(base, ast.Call) and getattr(base.func, "id", "") == "super"):
                out.append(f"{path.name}:{node.lineno}: private attribute .{name} of {ast.unparse(base)}")
            if name in WORKER_ATTRS and owner != "self":
                out.append(f"{path.name}:{node.lineno}: reaches a worker's .{name} ({ast.unparse(node)})")
        elif isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if "live" in parts and parts[-1] in WORKER_MODULES:
                out.append(f"{path.name}:{node.lineno}: imports the worker module {node.module}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr" and len(node.args) >= 2:
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.lstrip("_") in WORKER_ATTRS | {
                    "config"}:
                out.append(f"{path.name}:{node.lineno}: getattr(..., {arg.value!r})")
    return out


def test_no_gui_module_reaches_past_the_live_session():
    files = sorted(GUI.rglob("*.py"))
    assert len(files) > 10
    found = [v for f in files for v in _violations(f)]
    assert found == [], "\n".join(found)


def test_the_check_finds_what_the_review_found(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(win):\n    cfg = win.live.pipeline.inference._config\n"
                   "    rec = getattr(win.live.pipeline.inference, 'recognizer', None)\n"
                   "    from ..live.inference import InferenceWorker\n")
    found = _violations(bad)
    assert any("._config" in v for v in found) and any(".pipeline" in v for v in found)
    assert any("'recognizer'" in v for v in found) and any("live.inference" in v for v in found)
