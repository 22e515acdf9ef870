"""Faster copies of a pack's encoder, and which one the app runs.

A pack may carry, beside ``encoder.onnx`` (fp32, the reference), an int8 copy made by
onnxruntime's dynamic quantisation (MatMul/Gemm weights to int8, activations quantised
per run). The manifest names it; nothing else in the pack changes:

    "encoder_variants": {"int8": {"file": "encoder.int8.onnx",
                                  "calibration": {...},        # optional: re-fitted on the int8 model
                                  "heldout": {...}}},          # optional: its held-out numbers
    "encoder_default": "int8"                                  # optional: what "auto" runs

``python -m signclip_desktop.tools.encoder_variants PACK --int8 [--default]`` adds the int8 copy
to a pack folder (a dev step, ``tools/``: it needs onnxruntime's quantisation tools, which the
app bundle leaves out) and prints its speed against fp32 and how far its embeddings are from fp32's.
``choose_variant`` is what ``Encoder`` runs: ``$SIGNCLIP_ENCODER`` (fp32 / int8) wins, else
the manifest's ``encoder_default``, else fp32. int8 is CPU-only here (CUDA runs fp32).
"""
from __future__ import annotations

import os
from pathlib import Path

FP32 = "fp32"
INT8 = "int8"
VARIANTS = (FP32, INT8)
ENV = "SIGNCLIP_ENCODER"


def variant_file(pack, variant: str) -> Path:
    """The ONNX file of ``variant`` in ``pack`` (a ``Pack``); ``ValueError`` if it has none."""
    if variant == FP32:
        return Path(pack.encoder_file)
    entry = (pack.manifest.get("encoder_variants") or {}).get(variant)
    if not isinstance(entry, dict) or not entry.get("file"):
        raise ValueError(f"pack {pack.path} has no {variant} encoder")
    f = Path(pack.path) / str(entry["file"])
    if not f.is_file():
        raise ValueError(f"pack {pack.path}: {variant} encoder {f.name} is missing")
    return f


def available_variants(pack) -> list[str]:
    out = [FP32]
    for v in VARIANTS[1:]:
        try:
            variant_file(pack, v)
            out.append(v)
        except ValueError:
            pass
    return out


def choose_variant(pack, requested: str = "auto", provider: str = "CPUExecutionProvider") -> str:
    """Which encoder to run: an explicit request (or ``$SIGNCLIP_ENCODER``) if the pack has it,
    else the manifest's ``encoder_default``; fp32 on CUDA and whenever in doubt."""
    if requested == "auto":
        requested = os.environ.get(ENV, "").strip().lower() or "auto"
    if requested not in ("auto", *VARIANTS):
        raise ValueError(f"unknown encoder variant {requested!r} (auto, {', '.join(VARIANTS)})")
    have = available_variants(pack)
    if requested == "auto":
        requested = str(pack.manifest.get("encoder_default", FP32))
    if provider != "CPUExecutionProvider" or requested not in have:
        return FP32
    return requested


def variant_calibration(pack, variant: str) -> dict | None:
    """The calibration re-fitted on ``variant`` (manifest), or None to keep the pack's."""
    if variant == FP32:
        return None
    cal = ((pack.manifest.get("encoder_variants") or {}).get(variant) or {}).get("calibration")
    return dict(cal) if isinstance(cal, dict) and cal else None
