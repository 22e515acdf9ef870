"""The inference thread: keypoint frames -> ``Recognizer`` -> ``PredictionEvent``.

It owns the pack, the encoder and the recogniser; nothing outside this thread touches
them. A new ``LiveConfig`` and new personal prototypes are *queued* (under a lock) and
applied here, between frames, so the scorer is never changed under a running window.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from .config import LiveConfig
from .events import ErrorEvent, PredictionEvent, StatusEvent
from .slots import KeypointTap, Mailbox, Stats

Emit = Callable[[Any], None]


class InferenceWorker:
    def __init__(self, keypoints: Mailbox, stats: Stats, emit: Emit, config: LiveConfig, tap: KeypointTap):
        self.keypoints, self.stats, self.emit, self.tap = keypoints, stats, emit, tap
        self._lock = threading.Lock()
        self._pending: LiveConfig | None = config   # applied first thing on the thread
        self._applied: LiveConfig | None = None
        self._prototypes: dict[str | None, list] = {}  # pack path -> [(Label, [k, E])]
        self._prototypes_dirty = False
        self._stop = threading.Event()
        self._recognizer = None
        self._pack = None
        self._thread = threading.Thread(target=self._run, name="signclip-inference", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def configure(self, config: LiveConfig) -> None:
        with self._lock:
            self._pending = config

    def set_prototypes(self, items: list, pack_path: str | None) -> None:
        with self._lock:
            self._prototypes[pack_path] = list(items)
            self._prototypes_dirty = True

    @property
    def pack(self):
        """The loaded ``model.pack.Pack`` (read-only data), or None."""
        with self._lock:
            return self._pack

    @property
    def applied(self) -> LiveConfig | None:
        """The config the thread runs with (None before it first applied one)."""
        with self._lock:
            return self._applied

    def stop(self, timeout: float = 5.0) -> bool:
        self._stop.set()
        self.keypoints.close()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # ---------------------------------------------------------------- on the thread
    def _load(self, cfg: LiveConfig) -> None:
        self._recognizer = None
        with self._lock:
            self._pack = None
        self.stats.provider = ""
        if not cfg.pack_path:
            self.emit(StatusEvent("pack_missing"))
            return
        try:
            from ..model.encoder import Encoder
            from ..model.pack import load_pack
            from ..stream.recognizer import Recognizer

            pack = load_pack(cfg.pack_path)
            enc = Encoder(pack, cfg.providers, cfg.threads)
            self._recognizer = Recognizer(pack, enc, top_k=cfg.top_k, sensitivity=cfg.sensitivity,
                                          left_handed=cfg.left_handed)
            self.stats.provider = enc.provider_name
            with self._lock:
                self._pack = pack
                self._prototypes_dirty = True  # this pack's prototypes, if any were given
            self.emit(StatusEvent("pack_loaded", pack=pack, pack_path=cfg.pack_path))
        except Exception as e:  # PackError or a broken onnxruntime: say so, keep running
            self.emit(ErrorEvent("pack_error", f"{e}", path=cfg.pack_path))

    def _tune(self, cfg: LiveConfig) -> None:
        rec = self._recognizer
        if rec is None:
            return
        try:
            rec.scorer.set_language(cfg.language or None)
        except ValueError:  # the language is not in this pack: all its labels compete
            rec.scorer.set_language(None)
        rec.top_k = cfg.top_k
        rec.sensitivity = cfg.sensitivity
        if rec.left_handed != cfg.left_handed:
            rec.left_handed = cfg.left_handed
            rec.reset()

    def _apply_pending(self) -> None:
        with self._lock:
            cfg, self._pending = self._pending, None
            old = self._applied
        if cfg is not None:
            if old is None or cfg.needs_reload(old):
                self._load(cfg)
            self._tune(cfg)
            with self._lock:
                self._applied = cfg
        with self._lock:
            dirty, self._prototypes_dirty = self._prototypes_dirty, False
            applied = self._applied
            items = self._prototypes.get(applied.pack_path if applied else None)
        if dirty and items is not None and self._recognizer is not None:
            try:
                self._recognizer.scorer.set_prototypes(items)
            except ValueError:  # prototypes made for another pack's size: keep the pack's own labels
                pass

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception as e:  # report and go on: the thread outlives any one bad frame or pack
                self.emit(ErrorEvent("worker_error", f"inference: {e.__class__.__name__}: {e}"))
                self._stop.wait(0.2)

    def _step(self) -> None:
        if self._pending is not None or self._prototypes_dirty:
            self._apply_pending()
        frames = self.keypoints.take_all(0.1)
        rec = self._recognizer
        pack_path = self._applied.pack_path if self._applied else None
        for f in frames:
            if self._stop.is_set():
                break
            if f is None:  # the stream restarted (new source)
                self.tap.clear()
                if rec is not None:
                    rec.reset()
                continue
            self.tap.push(f.timestamp, f.keypoints)
            self.stats.frames_recognised += 1
            if rec is None:
                continue
            up = rec.push(f)
            if up is not None:
                if up.inference_ms:
                    self.stats.inference_ms = up.inference_ms
                self.emit(PredictionEvent(up, pack_path))
