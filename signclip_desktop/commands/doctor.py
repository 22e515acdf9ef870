"""`signclip-desktop doctor`: versions, onnxruntime providers, cameras, packs and folders:
what to paste into a bug report."""
from __future__ import annotations

import json
import platform
import sys

from ._util import one_line_errors

NAME = "doctor"


def register(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="check the installation (versions, cameras, packs)",
                              description=__doc__.replace("`", ""))
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=run)


def _version(module: str, attr: str = "__version__") -> str:
    import importlib

    try:
        if module == "mediapipe":
            from ..keypoints.holistic import quiet_environment, silenced_stderr

            quiet_environment()
            with silenced_stderr():
                m = importlib.import_module(module)
        else:
            m = importlib.import_module(module)
        v = getattr(m, attr, None)
        if v is None:
            from importlib.metadata import PackageNotFoundError, version

            try:
                v = version({"cv2": "opencv-contrib-python", "pose_format": "pose-format"}.get(module, module))
            except PackageNotFoundError:
                v = "installed"
        return str(v)
    except Exception as e:  # noqa: BLE001 - report, do not fail
        return f"missing ({e.__class__.__name__}: {str(e)[:80]})"


def collect() -> dict:
    from .. import __version__
    from ..model.registry import builtin_packs_dir, data_dir, list_packs, user_packs_dir

    info: dict = {
        "signclip-desktop": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "versions": {m: _version(m) for m in ("mediapipe", "numpy", "cv2", "onnxruntime", "PySide6", "pose_format")},
    }
    info["versions"]["opencv"] = info["versions"].pop("cv2")
    try:
        from ..keypoints.holistic import import_holistic

        import_holistic()
        info["holistic"] = "ok"
    except Exception as e:  # noqa: BLE001
        info["holistic"] = str(e)
    try:
        from ..model.encoder import available_providers

        info["onnxruntime_providers"] = available_providers()
    except Exception as e:  # noqa: BLE001
        info["onnxruntime_providers"] = [f"error: {e}"]
    try:
        from ..sources.webcam import list_cameras

        info["cameras"] = [{"index": c.index, "name": c.name} for c in list_cameras()]
    except Exception as e:  # noqa: BLE001
        info["cameras"] = [{"error": str(e)}]
    info["packs"] = [p.to_json() for p in list_packs()]
    info["folders"] = {"data": str(data_dir()), "user_packs": str(user_packs_dir()), "builtin_packs": str(builtin_packs_dir())}
    return info


@one_line_errors(NAME)
def run(args) -> int:
    info = collect()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"signclip-desktop {info['signclip-desktop']}  (python {info['python']}, {info['platform']})")
    for k, v in info["versions"].items():
        print(f"  {k:<12} {v}")
    print(f"  holistic     {info['holistic']}")
    print(f"onnxruntime providers: {', '.join(info['onnxruntime_providers'])}")
    cams = info["cameras"]
    print("cameras: " + (", ".join(f"{c.get('index')}: {c.get('name', c.get('error'))}" for c in cams) or "none found"))
    if info["packs"]:
        print("packs:")
        for p in info["packs"]:
            state = f"BROKEN ({p['error']})" if p["error"] else f"{p['labels']} labels, {','.join(p['languages'])}"
            print(f"  {p['name']} {p['version']}  {state}  {p['path']}")
    else:
        print("packs: none found")
    for k, v in info["folders"].items():
        print(f"{k.replace('_', ' ')} folder: {v}")
    return 0
