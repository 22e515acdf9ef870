"""A "current sign" that does not flicker: hysteresis over successive window guesses."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..model.scorer import UNSURE, Prediction


@dataclass
class StableSign:
    enter_windows: int = 2      # consecutive windows a new label must lead before it is shown
    min_score: float = 0.35     # calibrated probability it must reach (divided by sensitivity)
    idle_clear_s: float = 2.5   # the shown sign fades after this long without signing
    history_size: int = 12
    sensitivity: float = 1.0
    current: str | None = None
    history: deque = field(default_factory=lambda: deque(maxlen=12))
    _candidate: str | None = None
    _streak: int = 0
    _last_active: float = 0.0

    def __post_init__(self):
        self.history = deque(maxlen=self.history_size)

    def reset(self) -> None:
        self.current, self._candidate, self._streak = None, None, 0
        self.history.clear()

    def update(self, prediction: Prediction | None, t: float, final: bool = False) -> bool:
        """Feed one window's prediction (None when idle). Returns True if ``current`` changed.

        ``final`` marks the window that ends a signing segment: it may commit at once."""
        if prediction is None or not prediction.top:
            self._candidate, self._streak = None, 0
            if self.current is not None and t - self._last_active > self.idle_clear_s:
                self.current = None
                return True
            return False
        self._last_active = t
        top = prediction.top[0]
        strong = top.score >= self.min_score / max(self.sensitivity, 1e-3) and prediction.confidence != UNSURE
        if not strong:
            self._candidate, self._streak = None, 0
            return False
        if top.label == self._candidate:
            self._streak += 1
        else:
            self._candidate, self._streak = top.label, 1
        if top.label != self.current and (self._streak >= self.enter_windows or (final and prediction.confidence != UNSURE)):
            self.current = top.label
            self.history.append(top.label)
            return True
        return False
