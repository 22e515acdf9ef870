"""Model packs: a folder with manifest.json, encoder.onnx and labels.npz.

The manifest says everything the app needs to feed the encoder and read its output,
so a pack trained elsewhere drops in. ``load_pack`` checks the manifest against the
ONNX graph and the label file and raises ``PackError`` with a plain reason.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..keypoints.features import InputSpec

FORMAT = "signclip-pack"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class PackError(Exception):
    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"model pack {self.path}: {reason}")


@dataclass(frozen=True)
class Label:
    id: str
    text: str
    language: str = "und"
    prompt: str = ""

    @property
    def display(self) -> str:
        """How a person reads it: glosses join words with '-' (``thank-you``)."""
        return self.text.replace("-", " ") if len(self.text) > 1 else self.text


@dataclass(frozen=True)
class Calibration:
    temperature: float = 0.07   # softmax temperature over cosine similarities
    sure_margin: float = 0.35   # top-1 minus top-2 probability for "sure"
    maybe_margin: float = 0.12  # ... for "maybe"; below is "unsure"


@dataclass
class Pack:
    path: Path
    name: str
    version: str
    input: InputSpec
    embedding_dim: int
    labels: list[Label]
    label_embeddings: np.ndarray  # float32 [N, E], unit rows
    calibration: Calibration
    stride_frames: int
    encoder_file: Path
    onnx_input: str = "keypoints"
    onnx_output: str = "embedding"
    description: str = ""
    provenance: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    # sign variants (optional in labels.npz): extra unit rows, each naming the label it belongs to
    variant_embeddings: np.ndarray | None = None   # float32 [M, E]
    variant_labels: list[str] = field(default_factory=list)

    @property
    def label_ids(self) -> list[str]:
        return [l.id for l in self.labels]


def _require(d: dict, key: str, path, where: str = "manifest"):
    if key not in d:
        raise PackError(path, f"{where} has no '{key}'")
    return d[key]


def read_manifest(path) -> dict:
    path = Path(path)
    mf = path / MANIFEST
    if not path.is_dir():
        raise PackError(path, "not a folder")
    if not mf.is_file():
        raise PackError(path, f"no {MANIFEST} (is this a SignCLIP model pack?)")
    try:
        m = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PackError(path, f"{MANIFEST} is not valid JSON ({e})") from e
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise PackError(path, f"{MANIFEST} is not a {FORMAT} manifest")
    if int(m.get("format_version", 0)) > FORMAT_VERSION:
        raise PackError(path, f"pack format {m.get('format_version')} is newer than this app reads ({FORMAT_VERSION}); update the app")
    return m


def _check_onnx(path: Path, enc: Path, spec: InputSpec, in_name: str, out_name: str, dim: int) -> None:
    import onnxruntime as ort  # noqa: PLC0415

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    try:
        sess = ort.InferenceSession(str(enc), opts, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own exception types for a broken file
        raise PackError(path, f"{enc.name} is not a readable ONNX model ({e.__class__.__name__}: {str(e)[:200]})") from e
    inputs = {i.name: i for i in sess.get_inputs()}
    outputs = {o.name: o for o in sess.get_outputs()}
    if in_name not in inputs:
        raise PackError(path, f"{enc.name} has no input '{in_name}' (it has {sorted(inputs)})")
    if out_name not in outputs:
        raise PackError(path, f"{enc.name} has no output '{out_name}' (it has {sorted(outputs)})")

    def dims(v):
        return [d if isinstance(d, int) else None for d in v.shape]

    di = dims(inputs[in_name])
    if len(di) != 4:
        raise PackError(path, f"encoder input '{in_name}' has rank {len(di)}, expected 4 [batch, time, points, channels]")
    want = [spec.num_points, spec.num_channels]
    for got, exp, what in zip(di[2:], want, ("points", "channels")):
        if got is not None and got != exp:
            raise PackError(path, f"encoder takes {got} {what} but the manifest's input gives {exp}")
    do = dims(outputs[out_name])
    if do and do[-1] is not None and do[-1] != dim:
        raise PackError(path, f"encoder outputs {do[-1]}-d embeddings but the manifest says {dim}")


def load_pack(path) -> Pack:
    path = Path(path)
    m = read_manifest(path)
    try:
        spec = InputSpec.from_dict(_require(m, "input", path))
    except (ValueError, TypeError) as e:
        raise PackError(path, f"manifest input is invalid ({e})") from e
    out = _require(m, "output", path)
    dim = int(_require(out, "embedding_dim", path, "manifest output"))
    enc = path / m.get("encoder", "encoder.onnx")
    if not enc.is_file():
        raise PackError(path, f"encoder file {enc.name} is missing")
    in_name = m.get("onnx_input", "keypoints")
    out_name = out.get("onnx_output", "embedding")
    _check_onnx(path, enc, spec, in_name, out_name, dim)

    lab_file = path / m.get("label_embeddings", "labels.npz")
    try:
        with np.load(lab_file, allow_pickle=False) as z:
            emb = np.asarray(z["embeddings"], np.float32)
            ids = [str(x) for x in z["labels"]]
            var = np.asarray(z["variant_embeddings"], np.float32) if "variant_embeddings" in z.files else None
            var_ids = [str(x) for x in z["variant_labels"]] if "variant_labels" in z.files else []
    except FileNotFoundError:
        raise PackError(path, f"label embeddings {lab_file.name} are missing") from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as e:
        raise PackError(path, f"label embeddings {lab_file.name} are unreadable ({e})") from e
    labels_meta = _require(m, "labels", path)
    labels = [Label(id=str(l["id"]), text=str(l.get("text", l["id"])), language=str(l.get("language", "und")),
                    prompt=str(l.get("prompt", ""))) for l in labels_meta]
    if emb.ndim != 2 or emb.shape[1] != dim:
        raise PackError(path, f"label embeddings have shape {emb.shape}, expected [N, {dim}]")
    if [l.id for l in labels] != ids or emb.shape[0] != len(labels):
        raise PackError(path, "labels in manifest.json and labels.npz do not match")
    if not np.isfinite(emb).all():
        raise PackError(path, "label embeddings contain NaN or infinity")
    emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-8)
    if var is not None:
        if var.ndim != 2 or var.shape[1] != dim or var.shape[0] != len(var_ids):
            raise PackError(path, f"variant embeddings have shape {var.shape}, expected [{len(var_ids)}, {dim}]")
        if not set(var_ids) <= set(ids):
            raise PackError(path, f"variant embeddings name unknown labels {sorted(set(var_ids) - set(ids))[:5]}")
        if not np.isfinite(var).all():
            raise PackError(path, "variant embeddings contain NaN or infinity")
        var = var / np.maximum(np.linalg.norm(var, axis=1, keepdims=True), 1e-8)
    cal = m.get("calibration", {})
    calibration = Calibration(**{k: float(v) for k, v in cal.items() if k in Calibration.__dataclass_fields__})
    if calibration.temperature <= 0:
        raise PackError(path, "calibration temperature must be positive")
    return Pack(
        path=path, name=str(m.get("name", path.name)), version=str(m.get("version", "0")), input=spec,
        embedding_dim=dim, labels=labels, label_embeddings=emb, calibration=calibration,
        stride_frames=int(m.get("window", {}).get("stride_frames", max(1, spec.window_frames // 4))),
        encoder_file=enc, onnx_input=in_name, onnx_output=out_name, description=str(m.get("description", "")),
        provenance=dict(m.get("provenance", {})), manifest=m, variant_embeddings=var, variant_labels=var_ids,
    )


def write_pack(out_dir, *, name: str, version: str, spec: InputSpec, onnx_bytes_or_path, labels: list[Label],
               label_embeddings: np.ndarray, calibration: Calibration = Calibration(), stride_frames: int = 8,
               description: str = "", provenance: dict | None = None, extra: dict | None = None,
               variants: tuple[np.ndarray, list[str]] | None = None) -> Path:
    """Write a complete pack folder (used by training and by tests)."""
    import shutil

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if isinstance(onnx_bytes_or_path, (bytes, bytearray)):
        (out / "encoder.onnx").write_bytes(onnx_bytes_or_path)
    elif Path(onnx_bytes_or_path).resolve() != (out / "encoder.onnx").resolve():
        shutil.copyfile(onnx_bytes_or_path, out / "encoder.onnx")
    emb = np.asarray(label_embeddings, np.float32)
    arrays = {"embeddings": emb, "labels": np.array([l.id for l in labels])}
    if variants is not None:
        arrays["variant_embeddings"] = np.asarray(variants[0], np.float32)
        arrays["variant_labels"] = np.array([str(x) for x in variants[1]])
    np.savez(out / "labels.npz", **arrays)
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "name": name, "version": version,
        "description": description, "encoder": "encoder.onnx", "onnx_input": "keypoints",
        "input": spec.to_dict(), "window": {"frames": spec.window_frames, "stride_frames": stride_frames, "fps": spec.fps},
        "output": {"onnx_output": "embedding", "embedding_dim": int(emb.shape[1]), "normalized": True},
        "label_embeddings": "labels.npz",
        "labels": [{"id": l.id, "text": l.text, "language": l.language, "prompt": l.prompt} for l in labels],
        "calibration": {k: getattr(calibration, k) for k in Calibration.__dataclass_fields__},
        "provenance": provenance or {},
    }
    manifest.update(extra or {})
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(out / MANIFEST)
    return out
