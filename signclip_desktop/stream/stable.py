"""A "current sign" that does not flicker (hysteresis over successive window guesses), and the
one decision the live view shows: the current sign, the guesses that go with it and what goes
into the transcript all come from here, so they never tell different stories."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..model.scorer import UNSURE, Guess, Prediction

IDLE, UNKNOWN, KNOWN = "idle", "unknown", "known"
_UNKNOWN_CANDIDATE = object()  # a streak of windows that match no sign of the pack


@dataclass(frozen=True)
class Decision:
    state: str                    # idle: nobody signing; unknown: "not a sign I know"; known: ``label``
    label: str | None             # the current sign (None unless state is known)
    shown: Prediction | None      # the guesses that go with the state; kept (stale) between signs
    fresh: bool                   # ``shown`` comes from the newest window; else show it dimmed
    committed: Guess | None = None  # set on the one update that adds a sign to the transcript


def is_known(prediction: Prediction) -> bool:
    return bool(getattr(prediction, "known", True))


@dataclass
class StableSign:
    enter_windows: int = 2      # consecutive windows a new label must lead before it is shown
    min_score: float = 0.35     # calibrated probability it must reach (divided by sensitivity)
    idle_clear_s: float = 2.5   # the shown sign fades after this long without signing
    history_size: int = 12
    sensitivity: float = 1.0
    current: str | None = None
    history: deque = field(default_factory=lambda: deque(maxlen=12))
    decision: Decision = field(default_factory=lambda: Decision(IDLE, None, None, False))
    _candidate: object = None
    _streak: int = 0
    _last_active: float = 0.0

    def __post_init__(self):
        self.history = deque(maxlen=self.history_size)

    def reset(self) -> None:
        """A new source: forget the current sign (the transcript, elsewhere, keeps what was said)."""
        self.current, self._candidate, self._streak = None, None, 0
        self.history.clear()
        self.decision = Decision(IDLE, None, None, False)

    def _streak_of(self, candidate) -> int:
        if candidate is self._candidate or candidate == self._candidate:
            self._streak += 1
        else:
            self._candidate, self._streak = candidate, 1
        return self._streak

    def _stale(self, state: str | None = None) -> Decision:
        d = self.decision
        state = state or (KNOWN if self.current else d.state if d.state == UNKNOWN else IDLE)
        return Decision(state, self.current, d.shown, False)

    def update(self, prediction: Prediction | None, t: float, final: bool = False) -> bool:
        """Feed one window's prediction (None when idle). Returns True if ``current`` changed.

        ``final`` marks the window that ends a signing segment: it may commit at once."""
        before = self.current
        self.decision = self._decide(prediction, t, final)
        return self.current != before

    def _decide(self, prediction: Prediction | None, t: float, final: bool) -> Decision:
        if prediction is None or not prediction.top:
            self._candidate, self._streak = None, 0
            if self.current is not None and t - self._last_active > self.idle_clear_s:
                self.current = None
                return self._stale(IDLE)
            if self.decision.state == UNKNOWN and t - self._last_active > self.idle_clear_s:
                return self._stale(IDLE)
            return self._stale()
        self._last_active = t
        if not is_known(prediction):
            if self._streak_of(_UNKNOWN_CANDIDATE) >= self.enter_windows or final:
                self.current = None
                return Decision(UNKNOWN, None, prediction, True)
            return self._stale()
        top = prediction.top[0]
        strong = top.score >= self.min_score / max(self.sensitivity, 1e-3) and prediction.confidence != UNSURE
        if not strong:
            self._candidate, self._streak = None, 0
            return self._stale()
        streak = self._streak_of(top.label)
        if top.label == self.current:
            return Decision(KNOWN, self.current, prediction, True)
        if streak >= self.enter_windows or final:
            self.current = top.label
            self.history.append(top.label)
            return Decision(KNOWN, top.label, prediction, True, committed=top)
        return self._stale()
