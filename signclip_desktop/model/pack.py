"""Model packs: a folder with manifest.json, encoder.onnx and labels.npz.

The manifest says everything the app needs to feed the encoder and read its output,
so a pack trained elsewhere drops in. ``load_pack`` checks the manifest against the
ONNX graph and the label file and raises ``PackError`` with a plain reason.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import limits
from ..keypoints.features import InputSpec
from ..keypoints.normalize import NORMALIZERS

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
    # the open-set rule's bank (optional in labels.npz): unit embeddings of the pack's training clips
    neighbour_embeddings: np.ndarray | None = None   # float32 [K, E]
    # the language to score within unless the user picks another (an alphabet pack, where one handshape
    # is a letter of many alphabets); "" = every label competes
    main_language: str = ""

    @property
    def label_ids(self) -> list[str]:
        return [l.id for l in self.labels]


def _require(d: dict, key: str, path, where: str = "manifest"):
    if key not in d:
        raise PackError(path, f"{where} has no '{key}'")
    return d[key]


def read_manifest(path) -> dict:
    """The parsed manifest, its format and version checked (``PackError`` otherwise)."""
    path = Path(path)
    mf = path / MANIFEST
    if not path.is_dir():
        raise PackError(path, "not a folder")
    if not mf.is_file():
        raise PackError(path, f"no {MANIFEST} (is this a SignCLIP model pack?)")
    try:
        limits.file_size(mf, limits.MAX_JSON_BYTES)
        # NaN in provenance (a metric with no samples) is harmless; every number used is checked
        m = limits.json_text(mf.read_bytes(), MANIFEST, constants=True)
    except OSError as e:
        raise PackError(path, f"{MANIFEST} cannot be read ({e})") from e
    except limits.Invalid as e:
        raise PackError(path, str(e)) from None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise PackError(path, f"{MANIFEST} is not a {FORMAT} manifest")
    try:
        version = limits.integer(m.get("format_version", 1), "format_version", 0)
    except limits.Invalid as e:
        raise PackError(path, f"{MANIFEST}: {e}") from None
    if version > FORMAT_VERSION:
        raise PackError(path, f"pack format {version} is newer than this app reads ({FORMAT_VERSION}); update the app")
    return m


@dataclass(frozen=True)
class _Checked:
    """The manifest's fields, each of its type and within its bounds."""
    spec: InputSpec
    dim: int
    encoder: Path
    label_file: Path
    labels: list
    calibration: Calibration
    stride: int
    onnx_input: str
    onnx_output: str
    main_language: str = ""


def check_manifest(path, m: dict) -> _Checked:
    """Every manifest field the app uses, checked without loading the model (``packs`` and
    ``doctor`` list a pack that fails here as broken): JSON types, finite numbers within
    bounds, and file names that stay inside the pack folder."""
    path = Path(path)
    try:
        inp = limits.mapping(_require(m, "input", path), "input")
        for key in ("components", "dims"):
            if key in inp and not (isinstance(inp[key], list) and all(isinstance(x, str) for x in inp[key])):
                raise limits.Invalid(f"input.{key} must be a list of names")
        if "normalization" in inp:
            norm = limits.text(inp["normalization"], "input.normalization", 40)
            if norm not in NORMALIZERS:  # a pack from a newer app: say so now, not at the first window
                raise limits.Invalid(f"input.normalization {norm!r} is not one this app knows "
                                     f"({', '.join(sorted(NORMALIZERS))}); a newer SignCLIP Desktop may read it")
        window = limits.integer(inp.get("window_frames", InputSpec.window_frames), "input.window_frames", 1,
                                limits.MAX_WINDOW_FRAMES)
        limits.integer(inp.get("min_frames", InputSpec.min_frames), "input.min_frames", 0, window)
        limits.fps(inp.get("fps", InputSpec.fps), "input.fps")
        try:
            spec = InputSpec.from_dict(inp)
        except (ValueError, TypeError, KeyError) as e:
            raise limits.Invalid(f"manifest input is invalid ({e})") from None
        out = limits.mapping(_require(m, "output", path), "output")
        dim = limits.integer(_require(out, "embedding_dim", path, "manifest output"), "output.embedding_dim", 1,
                             limits.MAX_EMBEDDING_DIM)
        enc = limits.inside(path, m.get("encoder", "encoder.onnx"), "encoder")
        lab = limits.inside(path, m.get("label_embeddings", "labels.npz"), "label_embeddings")
        in_name = limits.text(m.get("onnx_input", "keypoints"), "onnx_input", 200)
        out_name = limits.text(out.get("onnx_output", "embedding"), "output.onnx_output", 200)
        meta = _require(m, "labels", path)
        if not isinstance(meta, list) or not meta or len(meta) > limits.MAX_LABELS:
            raise limits.Invalid(f"labels must be a list of 1 to {limits.MAX_LABELS} objects")
        labels = []
        for i, l in enumerate(meta):
            if not isinstance(l, dict) or not isinstance(l.get("id"), (str, int)) or isinstance(l.get("id"), bool):
                raise limits.Invalid(f"labels[{i}] must be an object with a text 'id'")
            labels.append(Label(id=str(l["id"]), text=limits.text(l.get("text", str(l["id"])), f"labels[{i}].text", 200),
                                language=limits.text(l.get("language", "und"), f"labels[{i}].language", 40),
                                prompt=limits.text(l.get("prompt", ""), f"labels[{i}].prompt", 2000)))
        cal = limits.mapping(m.get("calibration", {}), "calibration")
        values = {k: limits.number(v, f"calibration.{k}") for k, v in cal.items() if k in Calibration.__dataclass_fields__}
        calibration = Calibration(**values)
        limits.number(calibration.temperature, "calibration.temperature", 1e-4, 100.0)
        limits.number(calibration.sure_margin, "calibration.sure_margin", 0.0, 1.0)
        limits.number(calibration.maybe_margin, "calibration.maybe_margin", 0.0, 1.0)
        win = limits.mapping(m.get("window", {}), "window")
        stride = limits.integer(win.get("stride_frames", max(1, spec.window_frames // 4)), "window.stride_frames", 1,
                                limits.MAX_WINDOW_FRAMES)
        for key in ("name", "version", "description"):
            if key in m:
                limits.text(m[key], key)
        if "provenance" in m:
            limits.mapping(m["provenance"], "provenance")
        main = limits.text(m.get("main_language", ""), "main_language", 40)
        if main and main not in {l.language for l in labels}:
            raise limits.Invalid(f"main_language {main!r} is not the language of any label")
    except limits.Invalid as e:
        raise PackError(path, f"{MANIFEST}: {e}") from None
    return _Checked(spec, dim, enc, lab, labels, calibration, stride, in_name, out_name, main)


def _check_onnx(path: Path, enc: Path, spec: InputSpec, in_name: str, out_name: str, dim: int) -> None:
    from ..offline import onnxruntime  # noqa: PLC0415

    ort = onnxruntime()
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
    c = check_manifest(path, m)
    enc = c.encoder
    if not enc.is_file():
        raise PackError(path, f"encoder file {enc.name} is missing")
    _check_onnx(path, enc, c.spec, c.onnx_input, c.onnx_output, c.dim)
    lab_file = c.label_file
    try:
        z = limits.read_npz(lab_file, names=("embeddings", "labels", "variant_embeddings", "variant_labels",
                                                  "neighbour_embeddings"))
        if "embeddings" not in z or "labels" not in z:
            raise KeyError("embeddings / labels")
        emb = np.asarray(z["embeddings"], np.float32) if z["embeddings"].dtype.kind in "fiu" else None
        ids = [str(x) for x in np.asarray(z["labels"]).reshape(-1)]
        var = np.asarray(z["variant_embeddings"], np.float32) if "variant_embeddings" in z else None
        var_ids = [str(x) for x in np.asarray(z["variant_labels"]).reshape(-1)] if "variant_labels" in z else []
        bank = z.get("neighbour_embeddings")
    except FileNotFoundError:
        raise PackError(path, f"label embeddings {lab_file.name} are missing") from None
    except (OSError, limits.Invalid, KeyError) as e:
        raise PackError(path, f"label embeddings {lab_file.name} are unreadable ({e})") from e
    labels = c.labels
    if emb is None or emb.ndim != 2 or emb.shape[1] != c.dim:
        raise PackError(path, f"label embeddings have shape {None if emb is None else emb.shape}, expected [N, {c.dim}]")
    if [l.id for l in labels] != ids or emb.shape[0] != len(labels):
        raise PackError(path, "labels in manifest.json and labels.npz do not match")
    if not np.isfinite(emb).all():
        raise PackError(path, "label embeddings contain NaN or infinity")
    emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-8)
    if var is not None:
        if var.ndim != 2 or var.shape[1] != c.dim or var.shape[0] != len(var_ids):
            raise PackError(path, f"variant embeddings have shape {var.shape}, expected [{len(var_ids)}, {c.dim}]")
        if not set(var_ids) <= set(ids):
            raise PackError(path, f"variant embeddings name unknown labels {sorted(set(var_ids) - set(ids))[:5]}")
        if not np.isfinite(var).all():
            raise PackError(path, "variant embeddings contain NaN or infinity")
        var = var / np.maximum(np.linalg.norm(var, axis=1, keepdims=True), 1e-8)
    if bank is not None:
        if bank.dtype.kind != "f" or bank.ndim != 2 or bank.shape[1] != c.dim or not 1 <= bank.shape[0] <= limits.MAX_NEIGHBOURS:
            raise PackError(path, f"neighbour embeddings have shape {bank.shape}, expected [1..{limits.MAX_NEIGHBOURS}, {c.dim}]")
        bank = np.asarray(bank, np.float32)
        if not np.isfinite(bank).all():
            raise PackError(path, "neighbour embeddings contain NaN or infinity")
        bank = bank / np.maximum(np.linalg.norm(bank, axis=1, keepdims=True), 1e-8)
    return Pack(
        path=path, name=str(m.get("name", path.name)), version=str(m.get("version", "0")), input=c.spec,
        embedding_dim=c.dim, labels=labels, label_embeddings=emb, calibration=c.calibration,
        stride_frames=c.stride, encoder_file=enc, onnx_input=c.onnx_input, onnx_output=c.onnx_output,
        description=str(m.get("description", "")), provenance=dict(m.get("provenance", {})), manifest=m,
        variant_embeddings=var, variant_labels=var_ids, neighbour_embeddings=bank, main_language=c.main_language,
    )


def write_pack(out_dir, *, name: str, version: str, spec: InputSpec, onnx_bytes_or_path, labels: list[Label],
               label_embeddings: np.ndarray, calibration: Calibration = Calibration(), stride_frames: int = 8,
               description: str = "", provenance: dict | None = None, extra: dict | None = None,
               variants: tuple[np.ndarray, list[str]] | None = None, neighbours: np.ndarray | None = None) -> Path:
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
    if neighbours is not None:  # float16: a few thousand clips stay well under a megabyte
        arrays["neighbour_embeddings"] = np.asarray(neighbours, np.float16)
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
