"""The live session's settings as one frozen value.

Change it with ``session.configure(dataclasses.replace(session.config, top_k=3))``: a
misspelt field is a ``TypeError`` from ``replace`` and a bad value a ``ValueError`` from
``__post_init__``, both raised at the call site on the caller's thread. The workers only
ever see a valid config, so a typo can never end a worker thread.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

PROVIDERS = ("auto", "cpu", "cuda")
MAX_TOP_K = 50


@dataclass(frozen=True)
class LiveConfig:
    pack_path: str | None = None    # the pack folder (None: no pack, nothing is recognised)
    top_k: int = 5
    sensitivity: float = 1.0        # > 1 shows a sign sooner, < 1 waits until more certain
    left_handed: bool = False
    language: str = ""              # only this sign language's labels compete ("" = all)
    providers: str = "auto"         # onnxruntime execution provider
    threads: int | None = None      # onnxruntime intra-op threads (None: its default)
    mirror: bool = True             # show a camera like a mirror (recognition always gets the real picture)

    def __post_init__(self):
        if self.pack_path is not None:
            if not isinstance(self.pack_path, (str, bytes)) and not hasattr(self.pack_path, "__fspath__"):
                raise TypeError(f"LiveConfig.pack_path must be a path or None, not {type(self.pack_path).__name__}")
            object.__setattr__(self, "pack_path", str(self.pack_path) or None)
        if isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or not 1 <= self.top_k <= MAX_TOP_K:
            raise ValueError(f"LiveConfig.top_k must be an integer 1..{MAX_TOP_K}, not {self.top_k!r}")
        if isinstance(self.sensitivity, bool) or not isinstance(self.sensitivity, (int, float)) \
                or not math.isfinite(self.sensitivity) or not 0.05 <= self.sensitivity <= 10:
            raise ValueError(f"LiveConfig.sensitivity must be a number 0.05..10, not {self.sensitivity!r}")
        object.__setattr__(self, "sensitivity", float(self.sensitivity))
        for name in ("left_handed", "mirror"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"LiveConfig.{name} must be True or False, not {getattr(self, name)!r}")
        if not isinstance(self.language, str):
            raise ValueError(f"LiveConfig.language must be a language tag or '', not {self.language!r}")
        if self.providers not in PROVIDERS:
            raise ValueError(f"LiveConfig.providers must be one of {PROVIDERS}, not {self.providers!r}")
        if self.threads is not None and (isinstance(self.threads, bool) or not isinstance(self.threads, int)
                                         or self.threads < 1):
            raise ValueError(f"LiveConfig.threads must be a positive integer or None, not {self.threads!r}")

    def needs_reload(self, old: "LiveConfig") -> bool:
        """True when going from ``old`` to this config means loading the pack / encoder again."""
        return (self.pack_path, self.providers, self.threads) != (old.pack_path, old.providers, old.threads)
